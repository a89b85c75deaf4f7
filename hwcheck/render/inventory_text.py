"""The terminal summary of an inventory (`hwcheck probe`): interfaces, system facts, gaps."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory, Nic

_COLUMNS = ("IFACE", "KIND", "PCI", "ID", "DRIVER", "VERSION", "FIRMWARE", "LINK", "MAC")


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
    ids = f"{nic['vendor_id']}:{nic['device_id']}"
    if nic["subsystem_vendor_id"]:
        ids += f" ({nic['subsystem_vendor_id']}:{nic['subsystem_device_id']})"
    return ids


def _link(nic: Nic) -> str:
    state = nic["operstate"] or "?"
    if nic["speed_mbps"]:
        speed = nic["speed_mbps"]
        state += f" {speed // 1000}G" if speed >= 1000 and speed % 1000 == 0 else f" {speed}M"
    return state


def _row(nic: Nic) -> list[str]:
    firmware = _safe(nic["firmware_version"])
    if nic["firmware_version_truncated"]:
        firmware += " (may be truncated)"
    version = _safe(nic["driver_version"])
    if nic["driver_version_truncated"]:
        version += " (truncated" + (
            f"; module {nic['module_version']})" if nic["module_version"] else ")"
        )
    kind = nic["kind"] + (f" of {nic['physfn']}" if nic["physfn"] else "")
    return [
        _safe(nic["name"]),
        kind,
        _safe(nic["pci_address"]),
        _ids(nic),
        _safe(nic["driver"]),
        version,
        firmware,
        _link(nic),
        _safe(nic["mac_address"]),
    ]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def render_inventory_text(inv: Inventory) -> str:
    lines = [f"hwcheck inventory of {_safe(inv['host']['hostname'])} ({inv['collected_at']})", ""]
    rows = [list(_COLUMNS)] + [_row(n) for n in inv["nics"]]
    lines += _table(rows)
    named = [n for n in inv["nics"] if n["device_name"] or n["vendor_name"]]
    if named:
        lines += ["", "Models:"]
        for nic in named:
            model = " ".join(_safe(x) for x in (nic["vendor_name"], nic["device_name"]) if x)
            sub = f" [{_safe(nic['subsystem_name'])}]" if nic["subsystem_name"] else ""
            lines.append(f"  {_safe(nic['name'])}: {model}{sub}")
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
            f"{_safe(s['product_serial'])}; BIOS {_safe(s['bios_vendor'])} "
            f"{_safe(s['bios_version'])} ({_safe(s['bios_date'])})"
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
