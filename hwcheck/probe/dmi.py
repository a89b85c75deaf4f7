"""DMI/SMBIOS system facts from /sys/class/dmi/id. A VM without DMI has none: not a gap.

The kernel makes a file there only for the fields the firmware's tables hold, so a field
that is not listed is absent by design. `sys/class/dmi/id` is a link on every kernel: when
it is there but cannot be listed (a dangling link in a capture, an unreadable directory),
that is a gap, and every field is then tried as it would be read."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import System
    from hwcheck.probe.reader import Reader

DMI = "sys/class/dmi/id"
FIELDS = (
    "sys_vendor",
    "product_name",
    "product_version",
    "product_serial",
    "product_uuid",
    "product_sku",
    "product_family",
    "board_vendor",
    "board_name",
    "board_version",
    "board_serial",
    "board_asset_tag",
    "bios_vendor",
    "bios_version",
    "bios_date",
    "bios_release",
    "chassis_type",
    "chassis_vendor",
    "chassis_version",
    "chassis_serial",
    "chassis_asset_tag",
)
"""The sysfs names (drivers/firmware/dmi-id.c). The serials and product_uuid are mode 0400:
read by anyone else they are permission gaps."""


def probe_system(r: Reader) -> System:
    present = r.host.exists(DMI)
    system: dict[str, object] = {"present": present}
    listed: set[str] | None = None
    if present:
        before = len(r.gaps)
        listed = set(r.listdir(DMI, "system", "dmi"))
        if len(r.gaps) > before:
            listed = None  # the listing failed (a gap says why): try every field
    for field in FIELDS:
        value = None
        if present and (listed is None or field in listed):
            value = r.text(f"{DMI}/{field}", f"system.{field}", "dmi", optional=listed is None)
        system[field] = value or None
    return system  # type: ignore[return-value]
