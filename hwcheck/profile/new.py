"""`hwcheck profile new --from INVENTORY`: a starting profile from a golden node.

The profile extends the profiles that apply to the node (the vendor profiles its cards
select; the caller picks them, as `check` would) so that their minimums stay in force.
Each physical card model gets a count, a driver rule, a driver-version minimum and a
firmware minimum at the golden node's values, and for NVIDIA ConnectX cards the PSIDs its
cards carry; the kernel modules its NICs' drivers use are required; the BIOS version, the
OS (id and version) and the kernel release are pinned exactly, as the node reports them
(`5.14.0-427.13.1.el9_4.x86_64`, never cut to `5.14.0`). Values that do not parse in their
format are left out with a comment saying why, every text from the inventory is written
double-quoted and escaped, and the name is checked as the loader checks it, so the file
always loads. Rules of the extended profiles that the golden node fails (a golden value
below a vendor minimum) are listed in a comment: they stay in force, so the golden value
never becomes the site minimum silently. The result is a start: review it, cite sources.
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


def _exact_ok(fmt: str, component: str, text: str | None) -> str | None:
    """`text` when an `exact` rule in (fmt, component) can hold it, else None."""
    if text is None or _value(text) is None:
        return None
    return text if versions.check_threshold(fmt, component, text, op="exact") is None else None


def _comment(text: str) -> str:
    """`text` as the body of one YAML comment line: printable, no line break."""
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _psid_rule(slug: str, sel: str, name: str, nics: list[Nic]) -> list[str]:
    """The PSIDs the golden node's cards of one ConnectX model carry (mlx format), allowed."""
    psids: dict[str, None] = {}
    for nic in nics:
        raw = nic["firmware_version"]
        if versions.format_for(nic["driver"], "firmware") != "mlx" or not _parses(raw, "mlx"):
            continue
        psid = _exact_ok("mlx", "psid", versions.parse(raw or "", "mlx").get("psid"))
        if psid:
            psids[psid] = None
    if not psids:
        return []
    shown = ", ".join(_q(p) for p in psids)
    return [
        f"  - id: site.{slug}.psid",
        f"    title: {_q(f'{name} carries PSID ' + ', '.join(psids))}",
        sel,
        f"    firmware: {{format: mlx, component: psid, allowed: [{shown}]}}",
    ]


def _module_rules(inventory: Inventory) -> list[str]:
    """The kernel modules the drivers of the node's physical NICs are, required: those the
    node has loaded or built in (a driver name is its module's, `-` read as `_`)."""
    import re

    from hwcheck.profile.fields import RULE_ID

    present = {m["name"].replace("-", "_") for m in inventory["modules"]}
    wanted: dict[str, None] = {}
    for nic in inventory["nics"]:
        driver = _value(nic["driver"]) if nic["kind"] == "physical" else None
        name = driver.replace("-", "_") if driver else None
        if name and name in present and re.search(RULE_ID, name) and "\n" not in name:
            wanted[name] = None
    out: list[str] = []
    for name in wanted:
        out += [
            f"  - id: site.module.{name}",
            f"    title: {_q(f'kernel module {name} loaded or built in')}",
            f"    module: {{name: {_q(name)}, state: required}}",
        ]
    return out


def _card_rules(inventory: Inventory) -> list[str]:
    import re

    from hwcheck.profile.fields import NIC_ID

    out: list[str] = []
    nics = {nic["name"]: nic for nic in inventory["nics"]}
    models: dict[str, list[str]] = {}
    first_nic: dict[str, tuple[Card, Nic]] = {}
    model_nics: dict[str, list[Nic]] = {}
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
        model_nics.setdefault(pci_id, []).extend(ports)
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
        out += _psid_rule(slug, sel, name, model_nics[pci_id])
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


def _node_rules(inventory: Inventory) -> list[str]:
    """BIOS version, OS id and version, kernel release: exact, as the golden node has them."""
    out: list[str] = []
    system = inventory["system"]
    bios_raw = system.get("bios_version") if system["present"] else None
    bios = _exact_ok("dotted", "version", bios_raw)
    if bios:
        out += [
            "  - id: site.bios.version",
            f"    title: {_q(f'BIOS {bios}')}",
            f"    system: {{bios_version: {{exact: {_q(bios)}}}}}",
        ]
    elif bios_raw:
        out.append(f"  # BIOS version {_q(bios_raw)} is not a dotted version: no rule")
    os_id = _value(inventory["os"]["id"])
    if os_id:
        out += [
            "  - id: site.os.id",
            f"    title: {_q(os_id)}",
            f"    os: {{id: {{exact: {_q(os_id)}}}}}",
        ]
    version_id = _exact_ok("dotted", "version", inventory["os"]["version_id"])
    if version_id:
        title = f"{os_id or 'OS'} {version_id}"
        out += [
            "  - id: site.os.version",
            f"    title: {_q(title)}",
            f"    os: {{version_id: {{exact: {_q(version_id)}}}}}",
        ]
    release = inventory["kernel"]["release"]
    full = (
        _exact_ok("kernel-release", "release", release)
        if _parses(release, "kernel-release")
        else None
    )
    if full:
        out += [
            "  - id: site.kernel.release",
            f"    title: {_q(f'kernel {full}')}",
            f"    kernel: {{release: {{exact: {_q(full)}}}}}",
        ]
    return out


def new_profile(
    inventory: Inventory,
    *,
    name: str,
    source: str,
    extends: list[str] | None = None,
    below: list[str] | None = None,
) -> str:
    """The profile text. `extends`: the profiles that apply to the node (default
    linux/baseline); `below`: one sentence per rule of theirs the golden node fails."""
    check_name(name)
    host = _text(inventory["host"]["hostname"]) or "a golden node"
    collected = inventory["collected_at"]
    bases = ", ".join(_q(base) for base in extends or ["linux/baseline"])
    lines = [
        "hwcheck_profile: 1",
        f"name: {_q(name)}",
        'version: "0.1"',
        f"description: {_q(f'Started from the inventory of {host} ({source}); review it.')}",
        "sources:",
        f"  - title: {_q(f'hwcheck inventory of {host}, collected {collected}')}",
        f"extends: [{bases}]",
        "applies_to:",
    ]
    system = inventory["system"]
    sys_vendor, product = _value(system["sys_vendor"]), _value(system["product_name"])
    if system["present"] and sys_vendor and product:
        lines.append(f"  sys_vendor: [{_q(sys_vendor)}]")
        lines.append(f"  product_name: [{_q(product)}]")
    arch = _value(inventory["kernel"]["arch"])
    lines.append(f"  arch: [{_q(arch)}]" if arch else '  arch: ["x86_64"]')
    lines.append("unknown_nics: fail")
    if below:
        lines += [
            "# WARNING: the golden node fails these rules of the profiles it extends (a golden",
            "# value below a vendor minimum), or they cannot judge it. They stay in force: this",
            "# profile does not pass the node until they are fixed or waived.",
            *(f"#   {_comment(sentence)}" for sentence in below),
        ]
    lines.append("rules:")
    lines += _card_rules(inventory)
    lines += _module_rules(inventory)
    lines += _node_rules(inventory)
    return "\n".join(lines) + "\n"
