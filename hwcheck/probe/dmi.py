"""DMI/SMBIOS system facts from /sys/class/dmi/id. A VM without DMI has none: not a gap."""

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
    "board_vendor",
    "board_name",
    "board_version",
    "board_serial",
    "bios_vendor",
    "bios_version",
    "bios_date",
    "bios_release",
    "chassis_type",
)


def probe_system(r: Reader) -> System:
    present = r.host.exists(DMI)
    system: dict[str, object] = {"present": present}
    for field in FIELDS:
        value = (
            r.text(f"{DMI}/{field}", f"system.{field}", "dmi", optional=True) if present else None
        )
        system[field] = value or None
    return system  # type: ignore[return-value]
