"""The inventory document: what the probe found on one node, and what it could not read.

Field names use the kernel's words plus units. PCI IDs are spelled one way everywhere:
four lowercase hex digits without `0x` (`8086`, `1593`). Raw strings from the kernel are
kept exactly (leading spaces, truncation and all).

This module only declares types (TypedDicts are erased at run time): import it under
`TYPE_CHECKING`. The JSON Schema is docs/schema/inventory.schema.json.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

NicKind = Literal["physical", "vf", "virtual", "loopback"]
"""`physical`: a PCI (or other bus) function; `vf`: an SR-IOV virtual function (has a
`physfn`); `virtual`: a software link (veth, bridge, tun, ...); `loopback`: `lo`."""

GapReason = Literal[
    "not-found",  # ENOENT where the fact should exist
    "permission-denied",  # EACCES / EPERM
    "vanished",  # ENODEV / ENXIO: the device went away mid-probe
    "invalid",  # EINVAL (e.g. speed of a down link) or a value that does not parse
    "not-supported",  # EOPNOTSUPP: the driver does not answer this query
    "not-utf8",  # bytes that are not UTF-8 (kept escaped in `detail`)
    "io-error",  # any other OSError (EIO, ...)
    "tool-missing",  # an optional tool (lshw, pci.ids) is not installed
    "tool-failed",  # a tool exited non-zero, timed out, or printed something unparsable
]


class Gap(TypedDict):
    """A fact that could not be gathered, and why."""

    what: str  # e.g. "nic[eth0].speed_mbps", "system", "nic[eth0].driver_info"
    source: str  # e.g. "sysfs", "ethtool-ioctl", "lshw", "procfs"
    reason: GapReason
    # path and errno text, e.g. "/sys/class/net/eth0/speed: [Errno 22] Invalid argument"
    detail: str


class PciIdentity(TypedDict):
    """What a PCI function says it is: IDs from sysfs, names from pci.ids (None if unknown)."""

    vendor_id: str | None
    device_id: str | None
    subsystem_vendor_id: str | None
    subsystem_device_id: str | None
    vendor_name: str | None
    device_name: str | None
    subsystem_name: str | None


class UsbDevice(TypedDict):
    """The USB device a USB NIC sits on, from its sysfs directory (the parent of the
    netdev's USB interface). IDs spelled like PCI IDs; strings are the device's own
    descriptors (None when the device has none)."""

    device: str  # the kernel's name for the USB device: "1-14.3" (bus 1, ports 14, 3)
    vendor_id: str | None  # idVendor: "413c"
    product_id: str | None  # idProduct: "a102"
    manufacturer: str | None  # "Dell(TM)"
    product: str | None  # "iDRAC Virtual NIC USB Device"
    serial: str | None


class Nic(PciIdentity):
    """One network interface from /sys/class/net."""

    name: str
    ifindex: int | None
    kind: NicKind
    link_type: str | None  # software link type: veth, bridge, tun, macvlan, vxlan, ifb, ...
    # Where the device sits. For a netdev on an intermediate bus (virtio), `pci_address`
    # is the PCI function above it and `bus_device` the intermediate device (`virtio2`).
    pci_address: str | None  # "0000:3b:00.0"
    # The key of the card in `cards` this NIC belongs to: "0000:3b:00" (domain:bus:device),
    # "0000:5e:00/15b3:101d" (one identity of a mixed device), "usb:1-14.3" (a USB NIC).
    card: str | None
    bus: str | None  # subsystem of the netdev's device: "pci", "virtio", "usb", ...
    bus_device: str | None  # name of the netdev's own device when it is not the PCI function
    pci_class: str | None  # "020000"
    revision: str | None  # "01"
    # SR-IOV
    physfn: str | None  # a VF's PF PCI address
    sriov_totalvfs: int | None  # a PF's VF capacity
    sriov_numvfs: int | None
    # Driver info (ETHTOOL_GDRVINFO; `ethtool -i` is ground truth). Raw, never cleaned.
    driver: str | None
    driver_version: str | None
    firmware_version: str | None
    expansion_rom_version: str | None
    bus_info: str | None
    # The kernel copies these into 32-byte fields: a 31-character value may be cut short.
    driver_version_truncated: bool
    firmware_version_truncated: bool
    module_version: str | None  # /sys/module/<driver>/version, the untruncated fallback
    # Link
    mac_address: str | None
    permanent_mac_address: str | None
    mtu: int | None
    operstate: str | None  # "up", "down", "unknown", ...
    carrier: bool | None
    speed_mbps: int | None  # None when down/unknown
    duplex: str | None
    ifalias: str | None
    lshw: dict[str, str] | None  # what `lshw` said of this NIC, only with `probe --lshw`
    sources: dict[str, str]  # field name -> where its value came from
    usb: NotRequired[UsbDevice]  # present only on a NIC whose device is a USB interface


class Card(PciIdentity):
    """The ports of one card: PCI functions sharing domain:bus:device and identity, or
    the interfaces of one USB device.

    A card holds either physical functions (VFs are never their ports) or, when its
    domain:bus:device has no physical function, SR-IOV VFs alone: then `vf_only` is true,
    and only rules with `vfs: true` select it. The key is absent on every other card, so an
    inventory written before VF-only cards existed still reads the same."""

    card: str  # "0000:3b:00", "0000:5e:00/15b3:101d", "usb:1-14.3"
    functions: list[str]  # PCI addresses, sorted
    ports: list[str]  # interface names, sorted by PCI address then name
    vf_only: NotRequired[bool]  # present (true) only on a card made only of VFs
    # Present only on the cards of a domain:bus:device whose functions carry different
    # IDs: one card per identity, each naming the device it shares.
    mixed_identity: NotRequired[bool]
    pci_device: NotRequired[str]  # "0000:5e:00"
    # Present only on a USB NIC's card: its PCI identity fields are null, its identity is here.
    bus: NotRequired[Literal["usb"]]
    usb: NotRequired[UsbDevice]


class Module(TypedDict):
    name: str
    state: Literal["loaded", "builtin"]
    version: str | None  # /sys/module/<name>/version
    srcversion: str | None  # /sys/module/<name>/srcversion


class Kernel(TypedDict):
    release: str | None  # "6.18.44-fc-v595"
    version: str | None  # "#1 SMP PREEMPT_DYNAMIC ..."
    arch: str | None  # "x86_64"
    cmdline: str | None
    tainted: int | None
    taint_flags: list[str]  # letters as in the kernel's taint table, e.g. ["O", "E"]
    modules_supported: bool  # False on a monolithic kernel (no /proc/modules)


class OsInfo(TypedDict):
    id: str | None  # "debian"
    name: str | None
    version_id: str | None  # "12"
    version: str | None
    codename: str | None
    pretty_name: str | None
    like: list[str]


class System(TypedDict):
    """DMI/SMBIOS facts from /sys/class/dmi/id. `present` is False on nodes without DMI.

    A field the firmware's tables do not hold is None. The fields marked NotRequired were
    added later: the probe always writes them; inventories written before may lack them."""

    present: bool
    sys_vendor: str | None
    product_name: str | None
    product_version: str | None
    product_serial: str | None  # root-only on most kernels: a gap when unreadable
    product_uuid: str | None  # root-only, as product_serial
    product_sku: NotRequired[str | None]  # "SKU=NotProvided;ModelName=PowerEdge R740"
    product_family: NotRequired[str | None]  # "PowerEdge"
    board_vendor: str | None
    board_name: str | None
    board_version: str | None
    board_serial: str | None  # root-only
    board_asset_tag: NotRequired[str | None]
    bios_vendor: str | None
    bios_version: str | None
    bios_date: str | None
    bios_release: str | None
    chassis_type: str | None  # the SMBIOS enclosure type number: "23" is rack mount
    chassis_vendor: NotRequired[str | None]
    chassis_version: NotRequired[str | None]
    chassis_serial: NotRequired[str | None]  # root-only
    chassis_asset_tag: NotRequired[str | None]


class Host(TypedDict):
    hostname: str | None


class SourceInfo(TypedDict):
    # `ironic`: read from the inventory Ironic stores (hwcheck.interop.ironic), `root` its path
    kind: Literal["live", "capture", "ironic"]
    root: str  # "/" or the capture path
    captured_at: NotRequired[str | None]


class Inventory(TypedDict):
    schema_version: int
    kind: Literal["hwcheck-inventory"]
    hwcheck_version: str
    collected_at: str  # RFC 3339 UTC, "2026-11-24T14:00:00Z"
    source: SourceInfo
    host: Host
    kernel: Kernel
    os: OsInfo
    system: System
    nics: list[Nic]
    cards: list[Card]
    modules: list[Module]
    gaps: list[Gap]
