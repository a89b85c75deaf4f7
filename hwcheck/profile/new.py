"""`hwcheck profile new --from INVENTORY`: a starting profile from a golden node.

Each physical card model gets a driver rule, a driver-version minimum and a firmware
minimum at the golden node's values, plus a count; the kernel, OS and DMI product get
rules too. Values that do not parse in their format are left out with a comment saying
why, so the file always loads. The result is a start: review it, cite sources.
"""

from __future__ import annotations

from hwcheck.judge import versions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Card, Inventory, Nic


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in escaped)
    return f'"{escaped}"'


def _version_ok(fmt: str, component: str, text: str | None) -> str | None:
    """`text` when it is an unambiguous threshold for (fmt, component), else None."""
    if text is None or not versions.is_ordered(fmt, component):
        return None
    try:
        versions.sort_key(fmt, component, text)
    except versions.VersionError:
        return None
    return text if versions.check_threshold(fmt, component, text, op="min") is None else None


def _card_rules(inventory: Inventory) -> list[str]:
    out: list[str] = []
    nics = {nic["name"]: nic for nic in inventory["nics"]}
    models: dict[str, list[str]] = {}
    first_nic: dict[str, tuple[Card, Nic]] = {}
    for card in inventory["cards"]:
        ports = [nics[p] for p in card["ports"] if p in nics and nics[p]["kind"] == "physical"]
        if not ports or card["vendor_id"] is None or card["device_id"] is None:
            continue
        pci_id = f"{card['vendor_id']}:{card['device_id']}"
        models.setdefault(pci_id, []).append(card["card"])
        first_nic.setdefault(pci_id, (card, ports[0]))
    for pci_id, cards in models.items():
        card, nic = first_nic[pci_id]
        slug = pci_id.replace(":", "-")
        sel = f'    nic: {{devices: ["{pci_id}"]}}'
        name = card["device_name"] or pci_id
        driver = nic["driver"] or "the driver"
        out += [
            f"  - id: site.{slug}.count",
            f"    title: {_q(f'{len(cards)} x {name}')}",
            sel,
            f"    count: {{min: {len(cards)}}}",
        ]
        if nic["driver"]:
            out += [
                f"  - id: site.{slug}.driver",
                f"    title: {_q(f'{name} runs {driver}')}",
                sel,
                f"    driver: {{allowed: [{_q(nic['driver'])}]}}",
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
                sel,
                f"    firmware: {{format: {fmt}, component: {comp}, min: {_q(fw)}}}",
            ]
        elif raw:
            out.append(
                f"  # {pci_id}: firmware {_q(raw)} has no orderable {fmt} component: no rule"
            )
    return out


def _parses(raw: str | None, fmt: str) -> bool:
    if not raw:
        return False
    try:
        versions.parse(raw, fmt)
    except versions.VersionError:
        return False
    return True


def new_profile(inventory: Inventory, *, name: str, source: str) -> str:
    host = inventory["host"]["hostname"] or "a golden node"
    collected = inventory["collected_at"]
    lines = [
        "hwcheck_profile: 1",
        f"name: {name}",
        'version: "0.1"',
        f"description: {_q(f'Started from the inventory of {host} ({source}); review it.')}",
        "sources:",
        f"  - title: {_q(f'hwcheck inventory of {host}, collected {collected}')}",
        "extends: [linux/baseline]",
        "applies_to:",
    ]
    system = inventory["system"]
    if system["present"] and system["sys_vendor"] and system["product_name"]:
        lines.append(f"  sys_vendor: [{_q(system['sys_vendor'])}]")
        lines.append(f"  product_name: [{_q(system['product_name'])}]")
    arch = inventory["kernel"]["arch"]
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
    os_id = inventory["os"]["id"]
    if os_id:
        lines += [
            "  - id: site.os.id",
            f"    title: {_q(os_id)}",
            f"    os: {{id: {{exact: {_q(os_id)}}}}}",
        ]
    return "\n".join(lines) + "\n"
