"""The inventory Ironic stores for a node, read as an hwcheck inventory.

`baremetal node inventory save NODE` (Bare Metal API 1.81, `GET /v1/nodes/{node}/inventory`)
writes `{"inventory": {...}, "plugin_data": {...}}`: the inventory is ironic-python-agent's
hardware inventory, the plugin data what its inspection collectors and Ironic's hooks added.
A bare agent inventory (`interfaces`, `system_vendor`, `cpu`, ...) is read as well.

What exists is mapped: interfaces (name, MAC, carrier, speed, the PCI address and driver the
agent reports since it began to), the system vendor, serial and BIOS firmware, the host name,
the CPU architecture, and the PCI class and revision of an interface's function from the
`pci-devices` collector (`plugin_data.pci_devices`). What Ironic does not carry (a NIC's
driver version and firmware version, the kernel, the OS, the module list, the subsystem IDs)
is a gap saying so: judged, such a fact is `unknown`, never a pass.

The agent reads an interface's `vendor` and `product` from `/sys/class/net/NAME/device`:
for a virtio NIC that is the virtio device, whose IDs (`0x1af4`/`0x0001`, virtio's network
device type) are no PCI IDs. Such IDs are not taken for the card's: they are a gap naming
what they are.

When the plug-in data holds the inventory hwcheck's own inspection collector added
(`plugin_data.hwcheck.inventory`, hwcheck.interop.ipa.collector), that inventory is read
instead: it is the probe's, with nothing missing.
"""

from __future__ import annotations

from hwcheck.errors import InputError
from hwcheck.probe.dmi import FIELDS as DMI_FIELDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Card, Gap, GapReason, Inventory, Nic, System

SOURCE = "ironic"
"""The `source` of every fact and gap read from an Ironic inventory."""
NOT_CARRIED = "not in Ironic inventory; run hwcheck probe"
"""Why a fact the probe reads is missing from an inventory read from Ironic."""

_BARE_KEYS = ("system_vendor", "cpu", "memory", "disks", "boot", "bmc_address", "hostname")
_HEX = frozenset("0123456789abcdef")
_VIRTIO_VENDOR = "1af4"
_VIRTIO_PCI_FIRST = 0x1000
"""virtio's PCI functions have device IDs 0x1000-0x107f; a virtio device's own ID (its
device type: 1 is a network card) is below them."""
_PCI_DEVICE_FIELDS = (("vendor_id", 4), ("product_id", 4), ("class", 6), ("revision", 2))
# A NIC's facts the probe reads and Ironic's inventory never holds.
_NIC_NOT_CARRIED = (
    "driver_version",
    "firmware_version",
    "subsystem_vendor_id",
    "subsystem_device_id",
)
# The DMI facts Ironic's agent inventory holds, and where: (under `firmware`?, its key). Every
# other DMI fact the probe reads (hwcheck.probe.dmi.FIELDS) is one Ironic does not carry.
_SYSTEM_CARRIED = {
    "sys_vendor": (False, "manufacturer"),
    "product_name": (False, "product_name"),
    "product_serial": (False, "serial_number"),
    "bios_vendor": (True, "vendor"),
    "bios_version": (True, "version"),
    "bios_date": (True, "build_date"),
}


def ironic_parts(document: object) -> tuple[dict[str, object], dict[str, object], str] | None:
    """(inventory, plugin data, JSON path of the inventory) when `document` is an inventory
    as Ironic stores it (or the agent's inventory alone); None for any other document."""
    if not isinstance(document, dict) or "kind" in document:
        return None
    inventory = document.get("inventory")
    if isinstance(inventory, dict) and set(document) <= {"inventory", "plugin_data"}:
        plugin = document.get("plugin_data")
        if plugin is None:
            plugin = {}
        if not isinstance(plugin, dict):
            raise InputError(f"$.plugin_data: expected an object; got {_kind(plugin)}")
        return inventory, plugin, "$.inventory"
    if isinstance(document.get("interfaces"), list) and any(k in document for k in _BARE_KEYS):
        return document, {}, "$"
    return None


def parse_inventory_or_ironic(data: bytes, *, where: str) -> Inventory:
    """The inventory in `data`: an hwcheck inventory (hwcheck.model.documents.parse_document),
    else an Ironic inventory read as one, else the error an hwcheck inventory's check gives."""
    from hwcheck.model.documents import check_inventory, parse_document
    from hwcheck.probe import utc_now

    document, inventory = parse_document(data, what="an inventory", where=where)
    if inventory is not None:
        return inventory
    imported = ironic_inventory(document, where=where, now=utc_now())
    return imported if imported is not None else check_inventory(document, where=where)


def ironic_inventory(document: object, *, where: str, now: str) -> Inventory | None:
    """The hwcheck inventory of an Ironic inventory document, checked as any inventory is
    (hwcheck.model.documents.check_inventory); None when `document` is not one. `now`
    (RFC 3339 UTC) is when it is read: Ironic does not say when the node was inspected."""
    from hwcheck.model.documents import check_inventory

    parts = ironic_parts(document) if isinstance(document, dict) else None
    if parts is None:
        return None
    inventory, plugin, at = parts
    own = plugin.get("hwcheck")
    if isinstance(own, dict) and isinstance(own.get("inventory"), dict):
        return check_inventory(own["inventory"], where=where)
    try:
        mapped = _inventory(inventory, plugin, at, where, now)
    except InputError as err:
        raise InputError(f"not an Ironic inventory: {err.message}", where=where) from None
    return check_inventory(mapped, where=where)


def _inventory(
    inv: dict[str, object], plugin: dict[str, object], at: str, where: str, now: str
) -> Inventory:
    from hwcheck import __version__
    from hwcheck.model import INVENTORY_SCHEMA_VERSION

    gaps: list[Gap] = [
        _gap("collected_at", f"Ironic does not say when the node was inspected; read at {now}"),
        _gap("kernel", NOT_CARRIED),
        _gap("os", NOT_CARRIED),
        _gap("modules.loaded", NOT_CARRIED),
    ]
    functions = _pci_functions(plugin, inv)
    nics = [
        _nic(entry, f"{at}.interfaces[{index}]", functions, gaps)
        for index, entry in enumerate(_list(inv, "interfaces", at))
    ]
    cpu = _object(inv, "cpu", at)
    return {
        "schema_version": INVENTORY_SCHEMA_VERSION,
        "kind": "hwcheck-inventory",
        "hwcheck_version": __version__,
        "collected_at": now,
        "source": {"kind": "ironic", "root": where},
        "host": {"hostname": _text(inv, "hostname", at)},
        "kernel": {
            "release": None,
            "version": None,
            "arch": _text(cpu, "architecture", f"{at}.cpu"),
            "cmdline": None,
            "tainted": None,
            "taint_flags": [],
            "modules_supported": True,
        },
        "os": {
            "id": None,
            "name": None,
            "version_id": None,
            "version": None,
            "codename": None,
            "pretty_name": None,
            "like": [],
        },
        "system": _system(_object(inv, "system_vendor", at), f"{at}.system_vendor", gaps),
        "nics": nics,
        "cards": _cards(nics),
        "modules": [],
        "gaps": gaps,
    }


def _gap(what: str, detail: str, *, reason: GapReason = "not-found") -> Gap:
    return {"what": what, "source": SOURCE, "reason": reason, "detail": detail}


def _system(vendor: dict[str, object], at: str, gaps: list[Gap]) -> System:
    firmware = _object(vendor, "firmware", at)
    facts: dict[str, object] = {"present": False, **dict.fromkeys(DMI_FIELDS)}
    for field, (under_firmware, key) in _SYSTEM_CARRIED.items():
        facts[field] = (
            _text(firmware, key, f"{at}.firmware") if under_firmware else _text(vendor, key, at)
        )
    system: System = facts  # type: ignore[assignment]  # every System key, as the probe's
    # The agent writes "" for what DMI does not say: the node has DMI if it said anything.
    said = ("sys_vendor", "product_name", "product_serial", "bios_vendor", "bios_version")
    system["present"] = any(system[field] is not None for field in said)  # type: ignore[literal-required]
    if system["present"]:
        gaps.extend(
            _gap(f"system.{field}", NOT_CARRIED)
            for field in DMI_FIELDS
            if field not in _SYSTEM_CARRIED
        )
    return system


def _pci_functions(plugin: dict[str, object], inv: dict[str, object]) -> dict[str, dict[str, str]]:
    """The `pci-devices` collector's functions by address: `bus` -> its IDs, class and
    revision (four or six lowercase hex digits, as that collector cuts them from sysfs)."""
    found: dict[str, dict[str, str]] = {}
    for owner, at in ((plugin, "$.plugin_data"), (inv, "$.inventory")):
        if owner.get("pci_devices") is None:
            continue
        for index, entry in enumerate(_list(owner, "pci_devices", at)):
            here = f"{at}.pci_devices[{index}]"
            if not isinstance(entry, dict):
                raise InputError(f"{here}: expected an object; got {_kind(entry)}")
            bus = _text(entry, "bus", here)
            if bus is not None:
                found[bus] = {
                    key: value
                    for key, digits in _PCI_DEVICE_FIELDS
                    if (value := _hex(_text(entry, key, here), digits)) is not None
                }
    return found


def _nic(entry: object, at: str, functions: dict[str, dict[str, str]], gaps: list[Gap]) -> Nic:
    if not isinstance(entry, dict):
        raise InputError(f"{at}: expected an object; got {_kind(entry)}")
    name = _text(entry, "name", at)
    if name is None:
        raise InputError(f"{at}.name: an interface needs a name")
    what = f"nic[{name}]"
    address = _text(entry, "pci_address", at)  # the basename of /sys/class/net/NAME/device
    driver = _text(entry, "driver", at)
    speed = _int(entry, "speed_mbps", at)
    carrier = entry.get("has_carrier")
    if carrier is not None and not isinstance(carrier, bool):
        raise InputError(f"{at}.has_carrier: expected true, false or null; got {_kind(carrier)}")
    pci = address is not None and _is_pci_address(address)
    bus_device = None if pci else address
    vendor, product = _ids(entry, at, address if pci else None, functions, gaps)
    bus = "pci" if pci else ("virtio" if _on_virtio(entry, address) else None)
    function = functions.get(address or "", {}) if pci else {}
    sources = {"mac_address": SOURCE}
    if driver is not None:
        sources["driver"] = SOURCE
    if vendor is not None:
        sources["vendor_id"] = sources["device_id"] = SOURCE
    for field in (() if driver is not None else ("driver",)) + _NIC_NOT_CARRIED:
        gaps.append(_gap(f"{what}.{field}", NOT_CARRIED))
    if speed is None:
        gaps.append(_gap(f"{what}.speed_mbps", NOT_CARRIED))
    return {
        "name": name,
        "ifindex": None,
        "kind": "physical",
        "link_type": None,
        "pci_address": address if pci else None,
        "card": (address[:-2] if pci and address else f"ironic:{name}"),
        "bus": bus,
        "bus_device": bus_device,
        "vendor_id": vendor,
        "device_id": product,
        "subsystem_vendor_id": None,
        "subsystem_device_id": None,
        "vendor_name": None,
        "device_name": None,
        "subsystem_name": None,
        "pci_class": function.get("class"),
        "revision": function.get("revision"),
        "physfn": None,
        "sriov_totalvfs": None,
        "sriov_numvfs": None,
        "driver": driver,
        "driver_version": None,
        "firmware_version": None,
        "expansion_rom_version": None,
        "bus_info": address if pci else None,
        "driver_version_truncated": False,
        "firmware_version_truncated": False,
        "module_version": None,
        "mac_address": _text(entry, "mac_address", at),
        "permanent_mac_address": None,
        "mtu": None,
        "operstate": None,
        "carrier": carrier,
        "speed_mbps": speed,
        "duplex": None,
        "ifalias": None,
        "lshw": None,
        "sources": sources,
    }


def _ids(
    entry: dict[str, object],
    at: str,
    pci_address: str | None,
    functions: dict[str, dict[str, str]],
    gaps: list[Gap],
) -> tuple[str | None, str | None]:
    """The PCI vendor and device IDs of an interface (None where they are not known to be
    PCI's), from the interface and its function's pci-devices entry; what contradicts or is
    no PCI ID is a gap saying so."""
    what = f"nic[{entry['name']}].device_id"
    vendor = _hex(_text(entry, "vendor", at), 4)
    product = _hex(_text(entry, "product", at), 4)
    address = _text(entry, "pci_address", at)
    if (address is not None and pci_address is None) or _on_virtio(entry, address):
        # The IDs of the device on the netdev's own bus (virtio's device type), not PCI's.
        if vendor is not None or product is not None:
            gaps.append(
                _gap(
                    what,
                    f"Ironic gives the IDs of {address or 'the virtio device'} "
                    f"(vendor {entry.get('vendor')}, device {entry.get('product')}), which "
                    "are no PCI IDs; run hwcheck probe",
                    reason="invalid",
                )
            )
        return None, None
    function = functions.get(pci_address or "", {})
    listed = (function.get("vendor_id"), function.get("product_id"))
    if function and vendor is None and product is None:
        return listed  # the pci-devices collector read the same sysfs files
    if function and (vendor, product) != listed:
        gaps.append(
            _gap(
                what,
                f"Ironic's interface says {vendor}:{product}, its pci-devices entry for "
                f"{pci_address} says {listed[0]}:{listed[1]}",
                reason="invalid",
            )
        )
        return None, None
    return vendor, product


def _on_virtio(entry: dict[str, object], address: str | None) -> bool:
    """Whether the netdev's device is a virtio device: named so (`virtio2`), or, where the
    agent gave no address, carrying virtio's vendor ID and a device ID below virtio's PCI
    functions' (the network device type, `0x0001`)."""
    if address is not None:
        return address.startswith("virtio")
    vendor, product = entry.get("vendor"), entry.get("product")
    if not isinstance(vendor, str) or not isinstance(product, str):
        return False
    device = _hex(product, 4)
    return _hex(vendor, 4) == _VIRTIO_VENDOR and int(device or "ffff", 16) < _VIRTIO_PCI_FIRST


def _cards(nics: list[Nic]) -> list[Card]:
    """The NICs grouped into cards as the probe groups them: the functions of one PCI
    domain:bus:device, split where they carry different IDs (hwcheck.model.cardident). An
    interface without a PCI address is a card of its own (`ironic:NAME`)."""
    from hwcheck.model.cardident import split_by_identity

    by_key: dict[str, list[Nic]] = {}
    for nic in nics:
        by_key.setdefault(nic["card"] or "", []).append(nic)
    cards: list[Card] = []
    for key, members in sorted(by_key.items()):
        groups = split_by_identity(members)
        for ident, group in groups:
            card_key = key
            if len(groups) > 1:
                card_key = f"{key}/{ident[0]}:{ident[1]}"
            group.sort(key=lambda n: (n["pci_address"] or "", n["name"]))
            card: Card = {
                "card": card_key,
                "vendor_id": ident[0],
                "device_id": ident[1],
                "subsystem_vendor_id": None,
                "subsystem_device_id": None,
                "vendor_name": None,
                "device_name": None,
                "subsystem_name": None,
                "functions": sorted(n["pci_address"] for n in group if n["pci_address"]),
                "ports": [n["name"] for n in group],
            }
            if len(groups) > 1:
                card["mixed_identity"] = True
                card["pci_device"] = key
            for nic in group:
                nic["card"] = card_key
            cards.append(card)
    return cards


def _is_pci_address(text: str) -> bool:
    """`0000:3b:00.0`: domain, bus, device and function in hex."""
    parts = text.replace(".", ":").split(":")
    sizes = tuple(len(part) for part in parts)
    return sizes == (4, 2, 2, 1) and all(set(part) <= _HEX for part in parts)


def _hex(value: str | None, digits: int) -> str | None:
    """`0x8086` or `8086` as hwcheck spells a PCI ID (lowercase, no `0x`); None for
    nothing, and for what is not `digits` hex digits (never a value that matches nothing)."""
    if value is None:
        return None
    text = value.strip().lower().removeprefix("0x")
    return text if len(text) == digits and set(text) <= _HEX else None


def _object(owner: dict[str, object], key: str, at: str) -> dict[str, object]:
    value = owner.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{at}.{key}: expected an object; got {_kind(value)}")
    return value


def _list(owner: dict[str, object], key: str, at: str) -> list[object]:
    value = owner.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{at}.{key}: expected a list; got {_kind(value)}")
    return value


def _text(owner: dict[str, object], key: str, at: str) -> str | None:
    """A string field; the agent's "" (what the node did not say) is None."""
    value = owner.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{at}.{key}: expected a string or null; got {_kind(value)}")
    return value


def _int(owner: dict[str, object], key: str, at: str) -> int | None:
    value = owner.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{at}.{key}: expected an integer or null; got {_kind(value)}")
    return value


def _kind(value: object) -> str:
    from hwcheck.model.documents import shown

    return shown(value)
