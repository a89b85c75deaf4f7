"""Optional enrichment from udev's hardware database, through pyudev.

Used only when no pci.ids file is installed: the udev hwdb carries the same names for
devices udev has processed. Absent udev (a minimal ramdisk) or pyudev means no names,
never a failure.
"""

from __future__ import annotations


def pci_names(pci_address: str | None) -> dict[str, str]:
    if not pci_address:
        return {}
    try:
        import pyudev
    except ImportError:
        return {}
    try:
        context = pyudev.Context()
        device = pyudev.Devices.from_sys_path(context, f"/sys/bus/pci/devices/{pci_address}")
        props = device.properties
    except (OSError, ImportError, pyudev.DeviceNotFoundError):
        return {}
    out = {}
    if props.get("ID_VENDOR_FROM_DATABASE"):
        out["vendor_name"] = str(props["ID_VENDOR_FROM_DATABASE"])
    if props.get("ID_MODEL_FROM_DATABASE"):
        out["device_name"] = str(props["ID_MODEL_FROM_DATABASE"])
    return out
