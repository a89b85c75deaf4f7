"""Which node an input is: hostname plus DMI serial (or product UUID where the serial is
absent or a placeholder), and which of two inputs for one node counts."""

from __future__ import annotations

# Serial numbers that firmware writes when the vendor wrote none: they name no one machine.
PLACEHOLDER_SERIALS = frozenset(
    {
        "",
        "0",
        "0123456789",
        "00000000",
        "default string",
        "not applicable",
        "not specified",
        "none",
        "system serial number",
        "to be filled by o.e.m.",
        "unknown",
    }
)


def real_serial(serial: str | None) -> str | None:
    if serial is None or serial.strip().lower() in PLACEHOLDER_SERIALS:
        return None
    return serial.strip()


def node_key(hostname: str | None, serial: str | None, uuid: str | None) -> str | None:
    """`hostname/serial`, `hostname/uuid`, `hostname`, or None when nothing names the node."""
    machine = real_serial(serial) or (uuid.strip().lower() if uuid and uuid.strip() else None)
    if hostname and machine:
        return f"{hostname}/{machine}"
    return hostname or machine


def newer(a: tuple[str | None, str], b: tuple[str | None, str]) -> bool:
    """Whether input `a` (collected_at, source) replaces input `b` of the same node: the newest
    `collected_at` counts; on a tie, the later source name, so the choice never depends on
    the order workers finish in."""
    return (a[0] or "", a[1]) > (b[0] or "", b[1])
