"""The terminal summary of an inventory (`hwcheck probe`): interfaces, system facts, gaps."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory, Nic

_LINKS = ("IFACE", "KIND", "PCI", "ID", "DRIVER", "LINK")
_VERSIONS = ("IFACE", "DRIVER VERSION", "FIRMWARE", "MAC")
"""Two tables, so that each fits 80 columns with the values real NICs report: identity and
link in one, the driver strings and the MAC in the other (only strings at the kernel's
31-character limit make it wider)."""


def _safe(value: object) -> str:
    """Printable text: control characters from probed values never reach the terminal raw."""
    text = "-" if value is None else str(value)
    if text == "":
        return '""'
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _ids(nic: Nic) -> str:
    usb = nic.get("usb")
    if usb is not None:
        return f"usb:{usb['vendor_id'] or '????'}:{usb['product_id'] or '????'}"
    if not nic["vendor_id"]:
        return nic["link_type"] or "-"
    return f"{nic['vendor_id']}:{nic['device_id']}"


def natural_key(name: str) -> list[tuple[int, int | str]]:
    """`enp0s8` before `enp0s10`: runs of digits compare as numbers, the rest as text."""
    key: list[tuple[int, int | str]] = []
    run = ""
    for ch in name:
        if run and ch.isdigit() != run[-1].isdigit():
            key.append((0, int(run)) if run.isdigit() else (1, run))
            run = ""
        run += ch
    if run:
        key.append((0, int(run)) if run.isdigit() else (1, run))
    return key


def link_text(nic: Nic) -> str:
    """operstate, speed/duplex when known, and carrier where operstate does not imply it:
    `up 10000/full`, `unknown, carrier`, `down, no carrier` (no cable), `down` (disabled:
    the kernel tells no carrier for a link that is not running). Loopback always has carrier:
    saying so tells nothing."""
    state = _safe(nic["operstate"]) if nic["operstate"] else "?"
    if nic["speed_mbps"]:
        state += f" {nic['speed_mbps']}" + (f"/{_safe(nic['duplex'])}" if nic["duplex"] else "")
    carrier = nic["carrier"]
    if carrier is False:
        state += ", no carrier"
    elif carrier is True and nic["operstate"] != "up" and nic["kind"] != "loopback":
        state += ", carrier"
    return state


def _links_row(nic: Nic) -> list[str]:
    return [
        _safe(nic["name"]),
        nic["kind"],
        _safe(nic["pci_address"]),
        _ids(nic),
        _safe(nic["driver"]),
        link_text(nic),
    ]


def _versions_row(nic: Nic) -> list[str]:
    version, firmware = _safe(nic["driver_version"]), _safe(nic["firmware_version"])
    return [_safe(nic["name"]), version, firmware, _safe(nic["mac_address"])]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _truncated(nics: list[Nic]) -> list[str]:
    lines = []
    for nic in nics:
        cut = []
        if nic["driver_version_truncated"]:
            module = nic["module_version"]
            cut.append("driver version" + (f" (module version {_safe(module)})" if module else ""))
        if nic["firmware_version_truncated"]:
            cut.append("firmware")
        if cut:
            lines.append(f"  {_safe(nic['name'])}: {', '.join(cut)}")
    if not lines:
        return []
    return ["", "Maybe cut short (the kernel passes these strings in 31 characters):", *lines]


def _models(nics: list[Nic]) -> list[str]:
    lines = []
    for nic in nics:
        if not nic["vendor_id"]:
            continue
        ids = f"{nic['vendor_id']}:{nic['device_id']}"
        if nic["subsystem_vendor_id"]:
            ids += f", subsystem {nic['subsystem_vendor_id']}:{nic['subsystem_device_id']}"
        model = " ".join(_safe(x) for x in (nic["vendor_name"], nic["device_name"]) if x)
        sub = f" [{_safe(nic['subsystem_name'])}]" if nic["subsystem_name"] else ""
        vf = f", VF of {_safe(nic['physfn'])}" if nic["physfn"] else ""
        lines.append(f"  {_safe(nic['name'])}: {model or 'no name in pci.ids'}{sub} ({ids}{vf})")
    return ["", "Models:", *lines] if lines else []


def render_inventory_text(inv: Inventory) -> str:
    lines = [f"hwcheck inventory of {_safe(inv['host']['hostname'])} ({inv['collected_at']})", ""]
    nics = sorted(inv["nics"], key=lambda n: natural_key(n["name"]))
    lines += _table([list(_LINKS)] + [_links_row(n) for n in nics])
    lines += ["", *_table([list(_VERSIONS)] + [_versions_row(n) for n in nics])]
    lines += _truncated(nics)
    lines += _models(nics)
    # VFs grouped by domain:bus:device are no multi-port card; their rows name their PF.
    cards = [c for c in inv["cards"] if len(c["ports"]) > 1 and not c.get("vf_only")]
    if cards:
        lines += ["", "Multi-port cards:"]
        lines += [f"  {c['card']}: {', '.join(c['ports'])}" for c in cards]
    mixed = [c for c in inv["cards"] if c.get("mixed_identity")]
    if mixed:
        lines += ["", "PCI devices with functions of different identities (one card each):"]
        lines += [
            f"  {c['card']}: {', '.join(c['ports'])} ({_safe(c['device_name'])})" for c in mixed
        ]
    usb = [(c["card"], c["ports"], u) for c in inv["cards"] if (u := c.get("usb")) is not None]
    if usb:
        lines += ["", "USB NICs:"]
        lines += [
            f"  {key}: {', '.join(ports)} (usb:{u['vendor_id']}:{u['product_id']} "
            f"{_safe(' '.join(x for x in (u['manufacturer'], u['product']) if x))})"
            for key, ports, u in usb
        ]
    k, o, s = inv["kernel"], inv["os"], inv["system"]
    lines += [
        "",
        f"Kernel:  {_safe(k['release'])} {_safe(k['arch'])}"
        + (
            f", tainted {k['tainted']} ({''.join(k['taint_flags'])})"
            if k["tainted"]
            else ", not tainted"
        )
        + ("" if k["modules_supported"] else ", built without loadable modules"),
        f"OS:      {_safe(o['pretty_name'] or o['id'])}",
    ]
    if s["present"]:
        lines.append(
            f"System:  {_safe(s['sys_vendor'])} {_safe(s['product_name'])}, serial "
            f"{_safe(s['product_serial'])}"
        )
        lines.append(
            f"BIOS:    {_safe(s['bios_vendor'])} {_safe(s['bios_version'])} "
            f"({_safe(s['bios_date'])})"
        )
    else:
        lines.append("System:  no DMI/SMBIOS (typical of a VM)")
    loaded = sum(1 for m in inv["modules"] if m["state"] == "loaded")
    lines.append(f"Modules: {loaded} loaded, {len(inv['modules']) - loaded} built in")
    gaps = inv["gaps"]
    lines += [
        "",
        f"Could not read ({len(gaps)}):"
        if gaps
        else "Could not read: nothing; every fact was read.",
    ]
    lines += [f"  {_safe(g['what'])}: {g['reason']} ({_safe(g['detail'])})" for g in gaps]
    return "\n".join(lines) + "\n"
