"""`hwcheck profile new --from INVENTORY`: a starting profile from a golden node.

Each physical card model gets a driver rule, a driver-version minimum and a firmware
minimum at the golden node's values, plus a count; the kernel, OS and DMI product get
rules too. Values that do not parse in their format are left out with a comment saying
why, every text from the inventory is written double-quoted and escaped, and the name is
checked as the loader checks it, so the file always loads. The result is a start:
review it, cite sources.
"""

from __future__ import annotations

from hwcheck import versions
from hwcheck.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Card, Inventory, Nic


def check_name(name: str) -> None:
    """Refuse a name the loader would refuse (fields.PROFILE_NAME), before anything is written."""
    import re

    from hwcheck.profile.fields import PROFILE_NAME

    # `$` also matches before a final newline; a name never holds one.
    if "\n" in name or not re.search(PROFILE_NAME, name):
        raise UsageError(
            f"{name!r} is not a profile name: lowercase letters, digits, '.', '_' and '-', "
            "in '/'-separated parts that each start with a letter or digit (like site/golden)",
            where="--name",
        )


def _q(text: str) -> str:
    """A YAML double-quoted scalar that reads back as `text`.

    Inventory strings come from drivers and firmware and may hold anything: `: `, `#`,
    quotes, leading blanks (igb's ` 0. 6-1`), control characters. Only lone surrogates
    (a JSON file may hold them) have no YAML form: they become U+FFFD, so values that
    must read back exactly go through _value first.
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else _escape(c) for c in escaped) + '"'


def _escape(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "\\ufffd"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _version_ok(fmt: str, component: str, text: str | None) -> str | None:
    """`text` when it is an unambiguous threshold for (fmt, component), else None."""
    if text is None or _value(text) is None or not versions.is_ordered(fmt, component):
        return None
    try:
        versions.sort_key(fmt, component, text)
    except versions.VersionError:
        return None
    return text if versions.check_threshold(fmt, component, text, op="min") is None else None


def _train_selector(pci_id: str, nic: Nic, fmt: str, component: str) -> str | None:
    """The selector naming the golden card's firmware train, when `component` is numbered
    by an OEM train there (hwcheck.versions.trains): without it the golden value would be
    read as the chip vendor's number, and the golden node would be unknown on its rule."""
    import re

    from hwcheck.versions import trains

    train = trains.train_of(
        fmt,
        firmware_version=nic["firmware_version"],
        vendor_id=nic["vendor_id"],
        subsystem_vendor_id=nic["subsystem_vendor_id"],
    )
    if (fmt, component) not in trains.TRAIN_COMPONENTS or train is None or train.chip:
        return None
    if train.key == "psid_prefix":
        value = train.value[:3]
    elif re.fullmatch("[0-9A-Fa-f]{4}", train.value):
        value = train.value
    else:
        return None
    return f'    nic: {{devices: ["{pci_id}"], firmware_train: {{{train.key}: {_q(value)}}}}}'


def _card_rules(inventory: Inventory) -> list[str]:
    import re

    from hwcheck.profile.fields import NIC_ID

    out: list[str] = []
    nics = {nic["name"]: nic for nic in inventory["nics"]}
    models: dict[str, list[str]] = {}
    first_nic: dict[str, tuple[Card, Nic]] = {}
    for card in inventory["cards"]:
        ports = [nics[p] for p in card["ports"] if p in nics and nics[p]["kind"] == "physical"]
        # A USB NIC's card is selected by its USB ID (usb:idVendor:idProduct).
        usb = card.get("usb")
        vendor = usb["vendor_id"] if usb else card["vendor_id"]
        device = usb["product_id"] if usb else card["device_id"]
        if not ports or vendor is None or device is None:
            continue
        # Selectors take lowercase hex only; an ID that is not one cannot be selected.
        pci_id = ("usb:" if usb else "") + f"{vendor}:{device}".lower()
        if "\n" in pci_id or not re.search(NIC_ID, pci_id):
            out.append(f"  # card {_q(card['card'])}: {_q(pci_id)} is not a PCI ID: no rules")
            continue
        models.setdefault(pci_id, []).append(card["card"])
        first_nic.setdefault(pci_id, (card, ports[0]))
    for pci_id, cards in models.items():
        card, nic = first_nic[pci_id]
        slug = pci_id.replace(":", "-")
        sel = f'    nic: {{devices: ["{pci_id}"]}}'
        usb = card.get("usb")
        name = _text(usb["product"] if usb else card["device_name"]) or pci_id
        observed_driver = _value(nic["driver"])
        driver = observed_driver or "the driver"
        out += [
            f"  - id: site.{slug}.count",
            f"    title: {_q(f'{len(cards)} x {name}')}",
            sel,
            f"    count: {{min: {len(cards)}}}",
        ]
        if observed_driver:
            out += [
                f"  - id: site.{slug}.driver",
                f"    title: {_q(f'{name} runs {driver}')}",
                sel,
                f"    driver: {{allowed: [{_q(observed_driver)}]}}",
            ]
        dver_raw = nic["driver_version"]
        parsed = versions.parse(dver_raw or "", "driver") if _parses(dver_raw, "driver") else {}
        dver = _version_ok("driver", "version", parsed.get("version"))
        if dver:
            out += [
                f"  - id: site.{slug}.driver-version",
                f"    title: {_q(f'{driver} {dver} or newer')}",
                sel,
                f"    driver_version: {{min: {_q(dver)}}}",
            ]
        fmt = versions.format_for(nic["driver"], "firmware")
        raw = nic["firmware_version"]
        parts = versions.parse(raw or "", fmt) if _parses(raw, fmt) else {}
        # The first component that has an order (ixgbe's first is its EETrack ID).
        comp, fw = next(
            (
                (c, parts[c])
                for c in versions.component_names(fmt)
                if c in parts and _version_ok(fmt, c, parts[c])
            ),
            ("", None),
        )
        if fw:
            out += [
                f"  - id: site.{slug}.firmware",
                f"    title: {_q(f'{name} firmware {comp} {fw} or newer')}",
                _train_selector(pci_id, nic, fmt, comp) or sel,
                f"    firmware: {{format: {fmt}, component: {comp}, min: {_q(fw)}}}",
            ]
        elif raw:
            out.append(
                f"  # {pci_id}: firmware {_q(raw)} has no orderable {fmt} component: no rule"
            )
    return out


def _text(value: str | None) -> str | None:
    """`value`, or None when it is missing, blank or shows nothing (only invisible or control
    characters): the loader refuses such texts."""
    from hwcheck.profile.spec import visible

    return value if value and value.strip() and visible(value) else None


def _value(value: str | None) -> str | None:
    """`value` when a rule can compare it exactly: not blank, and no lone surrogate."""
    text = _text(value)
    if text is None or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return None
    return text


def _parses(raw: str | None, fmt: str) -> bool:
    if not raw:
        return False
    try:
        versions.parse(raw, fmt)
    except versions.VersionError:
        return False
    return True


def new_profile(inventory: Inventory, *, name: str, source: str) -> str:
    check_name(name)
    host = _text(inventory["host"]["hostname"]) or "a golden node"
    collected = inventory["collected_at"]
    lines = [
        "hwcheck_profile: 1",
        f"name: {_q(name)}",
        'version: "0.1"',
        f"description: {_q(f'Started from the inventory of {host} ({source}); review it.')}",
        "sources:",
        f"  - title: {_q(f'hwcheck inventory of {host}, collected {collected}')}",
        "extends: [linux/baseline]",
        "applies_to:",
    ]
    system = inventory["system"]
    sys_vendor, product = _value(system["sys_vendor"]), _value(system["product_name"])
    if system["present"] and sys_vendor and product:
        lines.append(f"  sys_vendor: [{_q(sys_vendor)}]")
        lines.append(f"  product_name: [{_q(product)}]")
    arch = _value(inventory["kernel"]["arch"])
    lines.append(f"  arch: [{_q(arch)}]" if arch else '  arch: ["x86_64"]')
    lines += ["unknown_nics: fail", "rules:"]
    lines += _card_rules(inventory)
    release = inventory["kernel"]["release"]
    if release and _parses(release, "kernel-release"):
        upstream = versions.parse(release, "kernel-release").get("upstream")
        if upstream and _version_ok("kernel-release", "release", upstream):
            lines += [
                "  - id: site.kernel.release",
                f"    title: {_q(f'kernel {upstream} or newer')}",
                f"    kernel: {{release: {{min: {_q(upstream)}}}}}",
            ]
    os_id = _value(inventory["os"]["id"])
    if os_id:
        lines += [
            "  - id: site.os.id",
            f"    title: {_q(os_id)}",
            f"    os: {{id: {{exact: {_q(os_id)}}}}}",
        ]
    return "\n".join(lines) + "\n"
