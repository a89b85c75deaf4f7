"""The firmware train of a NIC, as the judge asks it: hwcheck.versions.trains reads trains
from plain values; these helpers hand it a NIC's own fields. Pure."""

from __future__ import annotations

from hwcheck import versions
from hwcheck.versions import trains

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Nic


def train_of(nic: Nic, fmt: str) -> trains.Train | None:
    """The train of `nic`'s firmware read in `fmt`, or None when nothing names it."""
    return trains.train_of(
        fmt,
        firmware_version=nic["firmware_version"],
        vendor_id=nic["vendor_id"],
        subsystem_vendor_id=nic["subsystem_vendor_id"],
    )


def nic_on_train(wanted: tuple[str, str], nic: Nic) -> bool:
    """Selection: whether `nic`, read in its driver's firmware format, is on `wanted`."""
    return trains.on_train(wanted, train_of(nic, versions.format_for(nic["driver"], "firmware")))
