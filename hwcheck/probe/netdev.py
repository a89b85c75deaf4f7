"""Network interfaces: walk /sys/class/net, find each netdev's PCI function, classify it,
read link facts from sysfs and driver info from the ethtool ioctl, and group cards.

sysfs links are canonical and relative (`../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0`),
so they are resolved lexically, one `readlink` each: nothing else needs to be looked up, and a
capture records exactly those links.
"""

from __future__ import annotations

import errno
import posixpath

from hwcheck.model.cardident import PCI_IDENTITY_FIELDS, card_key, split_by_identity
from hwcheck.probe.ethtool import TRUNCATION_LENGTH
from hwcheck.probe.reader import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Card, Nic, UsbDevice
    from hwcheck.probe.pciids import PciNames
    from hwcheck.probe.reader import Reader

NET = "sys/class/net"
ARPHRD_LOOPBACK = 772
# DEVTYPE values in a netdev's uevent, and driver names, that name a software link type.
_DRIVER_LINK_TYPES = {
    "veth": "veth",
    "bridge": "bridge",
    "tun": "tun",
    "macvlan": "macvlan",
    "macvtap": "macvtap",
    "ipvlan": "ipvlan",
    "vxlan": "vxlan",
    "ifb": "ifb",
    "dummy": "dummy",
    "bonding": "bond",
    "802.1Q VLAN Support": "vlan",
    "openvswitch": "openvswitch",
    "team": "team",
    "geneve": "geneve",
    "wireguard": "wireguard",
    "nlmon": "nlmon",
}


def _join(base: str, target: str) -> str:
    return posixpath.normpath(posixpath.join(base, target))


def _hexid(value: str | None) -> str | None:
    """sysfs `0x8086` -> `8086`: the one spelling of a PCI ID everywhere."""
    if value is None:
        return None
    value = value.strip().lower()
    return value[2:] if value.startswith("0x") else value


def _new_nic(name: str) -> Nic:
    return {
        "name": name,
        "ifindex": None,
        "kind": "virtual",
        "link_type": None,
        "pci_address": None,
        "card": None,
        "bus": None,
        "bus_device": None,
        "vendor_id": None,
        "device_id": None,
        "subsystem_vendor_id": None,
        "subsystem_device_id": None,
        "vendor_name": None,
        "device_name": None,
        "subsystem_name": None,
        "pci_class": None,
        "revision": None,
        "physfn": None,
        "sriov_totalvfs": None,
        "sriov_numvfs": None,
        "driver": None,
        "driver_version": None,
        "firmware_version": None,
        "expansion_rom_version": None,
        "bus_info": None,
        "driver_version_truncated": False,
        "firmware_version_truncated": False,
        "module_version": None,
        "mac_address": None,
        "permanent_mac_address": None,
        "mtu": None,
        "operstate": None,
        "carrier": None,
        "speed_mbps": None,
        "duplex": None,
        "ifalias": None,
        "lshw": None,
        "sources": {},
    }


def probe_nics(r: Reader, names: PciNames) -> list[Nic]:
    nics = []
    for name in r.listdir(NET, "interfaces"):
        nic = probe_nic(r, name, names)
        if nic is not None:
            nics.append(nic)
    return nics


def probe_nic(r: Reader, name: str, names: PciNames) -> Nic | None:
    what = f"nic[{printable(name)}]"
    try:
        target = r.host.readlink(f"{NET}/{name}")
    except OSError as err:
        if err.errno != errno.ENOENT:
            r.os_gap(what, "sysfs", err, f"{NET}/{name}")
            return None
        target = None
    path = _join(NET, target) if target else ""
    if not path or not r.host.exists(path):
        # Listed, then gone: the link was deleted while the probe ran.
        detail = f"/{NET}/{name}" + (f" -> /{path}" if path else "")
        r.gap(what, "sysfs", "vanished", f"{detail}: the interface vanished during the probe")
        return None
    nic = _new_nic(printable(name))
    if nic["name"] != name:
        r.gap(what, "sysfs", "not-utf8", f"/{NET}/{nic['name']}: interface name is not UTF-8")
    src = nic["sources"]
    device = r.link(f"{path}/device", f"{what}.device", optional=True)
    if device is not None:
        _device_facts(r, nic, _join(path, device), names)
    elif _is_loopback(r, path, what):
        nic["kind"] = "loopback"
    _link_facts(r, nic, path, what)
    src.update(dict.fromkeys(("ifindex", "mtu", "mac_address", "operstate", "carrier"), "sysfs"))
    _driver_info(r, nic, name)
    if nic["kind"] == "virtual":
        nic["link_type"] = _link_type(r, path, nic["driver"])
    return nic


def _link_facts(r: Reader, nic: Nic, path: str, what: str) -> None:
    nic["ifindex"] = r.integer(f"{path}/ifindex", f"{what}.ifindex")
    nic["mtu"] = r.integer(f"{path}/mtu", f"{what}.mtu")
    nic["mac_address"] = r.text(f"{path}/address", f"{what}.mac_address")
    nic["operstate"] = r.text(f"{path}/operstate", f"{what}.operstate")
    alias = r.text(f"{path}/ifalias", f"{what}.ifalias", optional=True)
    nic["ifalias"] = alias or None
    # carrier answers EINVAL while the link is administratively down: no carrier, not a failure.
    down = nic["operstate"] not in ("up", "unknown", None)
    einval = (errno.EINVAL,)
    carrier = r.integer(f"{path}/carrier", f"{what}.carrier", absent=einval if down else ())
    nic["carrier"] = None if carrier is None else bool(carrier)
    # Software links (lo, ifb, veth, bridge) have no link settings: their speed and duplex
    # answer EINVAL by design. On a hardware port EINVAL (link down) is recorded as a gap.
    software = nic["kind"] in ("virtual", "loopback")
    speed = r.integer(
        f"{path}/speed", f"{what}.speed_mbps", optional=True, absent=einval if software else ()
    )
    # The kernel reports SPEED_UNKNOWN as -1 (u32 all-ones on some drivers).
    nic["speed_mbps"] = speed if speed is not None and 0 < speed < 0xFFFFFFFF else None
    # Duplex of a down port is meaningless (EINVAL); the speed gap already tells that story.
    duplex = r.text(f"{path}/duplex", f"{what}.duplex", optional=True, absent=einval)
    nic["duplex"] = duplex if duplex not in (None, "unknown") else None
    nic["sources"].update(speed_mbps="sysfs", duplex="sysfs")


def _is_loopback(r: Reader, path: str, what: str) -> bool:
    return r.integer(f"{path}/type", f"{what}.type") == ARPHRD_LOOPBACK


def _subsystem(r: Reader, devpath: str) -> str | None:
    target = r.link(f"{devpath}/subsystem", f"device[{devpath}].subsystem", optional=True)
    return posixpath.basename(target) if target else None


def _device_facts(r: Reader, nic: Nic, devpath: str, names: PciNames) -> None:
    bus = _subsystem(r, devpath)
    nic["bus"] = bus
    pci = devpath
    nic["kind"] = "physical"
    if bus != "pci":
        nic["bus_device"] = posixpath.basename(devpath)
        parent = posixpath.dirname(devpath)
        parent_bus = _subsystem(r, parent)
        if bus == "usb" and parent_bus == "usb":
            # The netdev's device is a USB interface (`1-14.3:1.0`); its parent is the
            # USB device (`1-14.3`), which holds the identity.
            _usb_facts(r, nic, parent)
            return
        pci = parent if parent_bus == "pci" else ""
    if not pci:
        return
    what = f"nic[{nic['name']}]"
    address = posixpath.basename(pci)
    nic["pci_address"] = address
    nic["card"] = address.rsplit(".", 1)[0]
    for field in ("vendor", "device", "subsystem_vendor", "subsystem_device"):
        value = _hexid(r.text(f"{pci}/{field}", f"{what}.{field}_id"))
        nic[f"{field}_id"] = value  # type: ignore[literal-required]
        nic["sources"][f"{field}_id"] = "sysfs"
    pci_class = _hexid(r.text(f"{pci}/class", f"{what}.pci_class"))
    nic["pci_class"] = pci_class
    nic["revision"] = _hexid(r.text(f"{pci}/revision", f"{what}.revision", optional=True))
    physfn = r.link(f"{pci}/physfn", f"{what}.physfn", optional=True)
    if physfn is not None:
        nic["kind"] = "vf"
        nic["physfn"] = posixpath.basename(physfn)
    else:
        nic["sriov_totalvfs"] = r.integer(f"{pci}/sriov_totalvfs", f"{what}.sriov", optional=True)
        nic["sriov_numvfs"] = r.integer(f"{pci}/sriov_numvfs", f"{what}.sriov", optional=True)
    names.fill(nic)


def _usb_facts(r: Reader, nic: Nic, usbdev: str) -> None:
    """The identity of the USB device a NIC sits on; it is a card of its own, `usb:<device>`.

    idVendor and idProduct are always there; a device without string descriptors has no
    manufacturer, product or serial file (absent by design, not a gap).
    """
    what = f"nic[{nic['name']}].usb"
    name = posixpath.basename(usbdev)
    usb: UsbDevice = {
        "device": name,
        "vendor_id": _hexid(r.text(f"{usbdev}/idVendor", f"{what}.vendor_id")),
        "product_id": _hexid(r.text(f"{usbdev}/idProduct", f"{what}.product_id")),
        "manufacturer": r.text(f"{usbdev}/manufacturer", f"{what}.manufacturer", optional=True),
        "product": r.text(f"{usbdev}/product", f"{what}.product", optional=True),
        "serial": r.text(f"{usbdev}/serial", f"{what}.serial", optional=True),
    }
    nic["usb"] = usb
    nic["card"] = f"usb:{name}"
    nic["sources"]["usb"] = "sysfs"


def _driver_info(r: Reader, nic: Nic, name: str) -> None:
    """Driver info for the interface the kernel calls `name` (its raw, maybe non-UTF-8 name)."""
    what = f"nic[{nic['name']}].driver_info"
    try:
        info = r.host.drvinfo(name)
    except OSError as err:
        # `lo` answers EOPNOTSUPP: it has no driver to tell of; that is not a gap.
        if not (nic["kind"] == "loopback" and err.errno == errno.EOPNOTSUPP):
            r.os_gap(what, "ethtool-ioctl", err, f"{NET}/{name}")
        return
    src = nic["sources"]
    # Raw, exactly as the kernel answered: an empty firmware string stays "" (veth, virtio),
    # distinct from "N/A" (bridge, VFs) and from None (the query failed).
    nic["driver"] = info.get("driver")
    for key, field in (
        ("version", "driver_version"),
        ("fw_version", "firmware_version"),
        ("erom_version", "expansion_rom_version"),
        ("bus_info", "bus_info"),
    ):
        nic[field] = info.get(key)  # type: ignore[literal-required]
        src[field] = "ethtool-ioctl"
    src["driver"] = "ethtool-ioctl"
    nic["driver_version_truncated"] = len(info.get("version", "")) >= TRUNCATION_LENGTH
    nic["firmware_version_truncated"] = len(info.get("fw_version", "")) >= TRUNCATION_LENGTH
    driver = nic["driver"]
    if driver and "/" not in driver and driver not in (".", ".."):
        # The kernel names a module with `_` where its driver may say `-` (ne2k-pci is
        # /sys/module/ne2k_pci), as modprobe and /proc/modules do.
        module_name = driver.replace("-", "_")
        module = r.text(
            f"sys/module/{module_name}/version", f"module[{module_name}].version", optional=True
        )
        if module is not None:
            nic["module_version"] = module
            src["module_version"] = "sysfs"
    if nic["kind"] != "loopback":
        try:
            permanent = r.host.permaddr(name)
            # All zeros is how software links say "none" (`ethtool -P` prints "not set").
            nic["permanent_mac_address"] = permanent if permanent.strip("0:") else None
            src["permanent_mac_address"] = "ethtool-ioctl"
        except OSError as err:
            if err.errno != errno.EOPNOTSUPP:
                r.os_gap(
                    f"nic[{name}].permanent_mac_address", "ethtool-ioctl", err, f"{NET}/{name}"
                )


def _link_type(r: Reader, path: str, driver: str | None) -> str | None:
    uevent = r.text(f"{path}/uevent", f"link[{path}].uevent", optional=True) or ""
    for line in uevent.splitlines():
        if line.startswith("DEVTYPE="):
            return line[len("DEVTYPE=") :]
    # A macvtap is a macvlan with a tap character device: the same driver and no DEVTYPE.
    # Only that device's class directory, `<link>/macvtap/tap<ifindex>`, tells them apart. It
    # is listed rather than looked up so that a capture holds its entry and replays the same.
    macvtap = f"{path}/macvtap"
    if driver in ("macvlan", None) and r.listdir(macvtap, f"link[{path}].macvtap", optional=True):
        return "macvtap"
    if driver in _DRIVER_LINK_TYPES:
        return _DRIVER_LINK_TYPES[driver]
    if r.host.exists(f"{path}/bridge"):
        return "bridge"
    if r.host.exists(f"{path}/tun_flags"):
        return "tun"
    return driver


def group_cards(nics: list[Nic]) -> list[Card]:
    """One card per PCI domain:bus:device and identity, made of its physical functions.

    The functions of one domain:bus:device that carry different vendor/device/subsystem IDs
    are one card per identity (hwcheck.model.cardident), flagged `mixed_identity` and keyed
    `<domain:bus:device>/<vendor>:<device>`; each NIC's `card` names the card it is in.
    A USB NIC is a card of its own, `usb:<USB device>`, with the USB identity in `usb`.

    VFs are never ports of a physical card: a card is judged through its PFs. VFs whose
    domain:bus:device holds no PF (an E810's VFs sit at device 01 of its bus) make a card of
    their own, flagged `vf_only`, so that a rule asking for VFs (`vfs: true`) can select
    them; VFs that share a PF's domain:bus:device stay out of every card.
    """
    members: dict[str, list[Nic]] = {}
    vf_members: dict[str, list[Nic]] = {}
    for nic in sorted(nics, key=lambda n: (n["pci_address"] or "", n["name"])):
        key = nic["card"]
        if key is None or nic["kind"] not in ("physical", "vf"):
            continue
        (members if nic["kind"] == "physical" else vf_members).setdefault(key, []).append(nic)
    cards: dict[str, Card] = {}
    for key, group in members.items():
        for card in _cards_of(key, group):
            cards[card["card"]] = card
    for key, group in vf_members.items():
        if key in members:
            _follow_pf(group, nics)
            continue
        for card in _cards_of(key, group):
            card["vf_only"] = True
            cards[card["card"]] = card
    return [cards[k] for k in sorted(cards)]


def _cards_of(device: str, group: list[Nic]) -> list[Card]:
    split = split_by_identity(group)
    identities = [ident for ident, _members in split]
    out = []
    for ident, members in split:
        key = card_key(device, ident, identities)
        card: Card | None = None
        for nic in members:
            nic["card"] = key
            card = _add_port(card, key, nic)
        assert card is not None  # noqa: S101 - a group is never empty
        if len(split) > 1:
            card["pci_device"] = device
            card["mixed_identity"] = True
        out.append(card)
    return out


def _follow_pf(vfs: list[Nic], nics: list[Nic]) -> None:
    """A VF beside its PF names the PF's card (which a split may have renamed)."""
    by_address = {n["pci_address"]: n for n in nics if n["kind"] == "physical"}
    for vf in vfs:
        pf = by_address.get(vf["physfn"])
        if pf is not None:
            vf["card"] = pf["card"]


def _add_port(card: Card | None, key: str, nic: Nic) -> Card:
    if card is not None:
        # A port that could not be read (a gap) must not blank what its siblings read.
        for field in PCI_IDENTITY_FIELDS:
            if card[field] is None:  # type: ignore[literal-required]
                card[field] = nic[field]  # type: ignore[literal-required]
    else:
        card = {
            "card": key,
            "vendor_id": nic["vendor_id"],
            "device_id": nic["device_id"],
            "subsystem_vendor_id": nic["subsystem_vendor_id"],
            "subsystem_device_id": nic["subsystem_device_id"],
            "vendor_name": nic["vendor_name"],
            "device_name": nic["device_name"],
            "subsystem_name": nic["subsystem_name"],
            "functions": [],
            "ports": [],
        }
        usb = nic.get("usb")
        if usb is not None:
            card["bus"] = "usb"
            card["usb"] = usb
    address = nic["pci_address"]
    if address and address not in card["functions"]:
        card["functions"].append(address)
    card["ports"].append(nic["name"])
    return card
