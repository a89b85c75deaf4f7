"""Reads through a HostRoot that turn every failure into a recorded Gap, at the door.

A gap says what could not be read, from which source, why (a closed set of reasons) and
the path with the kernel's error text. "Absent by design" (a VM without DMI, a monolithic
kernel without /proc/modules) is not a gap: callers pass `optional=True` for those.
"""

from __future__ import annotations

import errno

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Gap, GapReason
    from hwcheck.probe.host import HostRoot

_REASONS: dict[int, GapReason] = {
    errno.ENOENT: "not-found",
    errno.EACCES: "permission-denied",
    errno.EPERM: "permission-denied",
    errno.ENODEV: "vanished",
    errno.ENXIO: "vanished",
    errno.EINVAL: "invalid",
    errno.EOPNOTSUPP: "not-supported",
    errno.ENOTTY: "not-supported",
    errno.ENODATA: "not-found",
}


# The widest integer a sysfs or procfs file holds is a 64-bit one (signed or unsigned):
# anything wider is a damaged or forged reading, and cannot even be written as JSON once
# it has more than 4300 digits.
_INT_MIN = -(2**63)
_INT_LIMIT = 2**64
_SHOWN = 40
"""How much of a value that does not parse a gap quotes: enough to recognise it."""


def printable(text: str) -> str:
    """Text safe to put in JSON: bytes that were not UTF-8 (kept by the OS as surrogate
    escapes in names and paths) become backslash escapes, `\\xff`; any other lone
    surrogate (from a JSON `\\ud800` escape in a capture) becomes `\\ud800`."""
    try:
        text.encode()
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return text.encode("utf-8", "backslashreplace").decode()
        return raw.decode("utf-8", "backslashreplace")
    return text


def _shown(value: str) -> str:
    return repr(value) if len(value) <= _SHOWN else repr(value[:_SHOWN]) + "..."


def reason_for(err: OSError) -> GapReason:
    return _REASONS.get(err.errno or 0, "io-error")


def describe(err: OSError, path: str) -> str:
    """`/sys/...: [Errno 22] Invalid argument`, with the host path, never where a capture lies."""
    return f"/{path}: [Errno {err.errno}] {err.strerror}"


class Reader:
    """Reads facts from a HostRoot and collects the gaps."""

    __slots__ = ("gaps", "host")

    def __init__(self, host: HostRoot) -> None:
        self.host = host
        self.gaps: list[Gap] = []

    def gap(self, what: str, source: str, reason: GapReason, detail: str) -> None:
        self.gaps.append(
            {
                "what": printable(what),
                "source": source,
                "reason": reason,
                "detail": printable(detail),
            }
        )

    def os_gap(self, what: str, source: str, err: OSError, path: str) -> None:
        self.gap(what, source, reason_for(err), describe(err, path))

    def raw(
        self,
        path: str,
        what: str,
        source: str = "sysfs",
        *,
        optional: bool = False,
        absent: tuple[int, ...] = (),
    ) -> bytes | None:
        """The file's bytes, else None and a gap. `optional`: ENOENT is no gap; `absent`: more
        errnos meaning "no such fact, by design" (EINVAL: the speed of a software link)."""
        try:
            return self.host.read_bytes(path)
        except OSError as err:
            if not ((optional and err.errno == errno.ENOENT) or err.errno in absent):
                self.os_gap(what, source, err, path)
            return None

    def text(
        self,
        path: str,
        what: str,
        source: str = "sysfs",
        *,
        optional: bool = False,
        absent: tuple[int, ...] = (),
    ) -> str | None:
        """A sysfs/procfs value with its one trailing newline removed, else None and a gap."""
        data = self.raw(path, what, source, optional=optional, absent=absent)
        if data is None:
            return None
        if data.endswith(b"\n"):
            data = data[:-1]
        try:
            return data.decode()
        except UnicodeDecodeError:
            value = data.decode("utf-8", "backslashreplace")
            self.gap(what, source, "not-utf8", f"/{path}: not UTF-8, kept escaped: {value}")
            return value

    def integer(
        self,
        path: str,
        what: str,
        source: str = "sysfs",
        *,
        optional: bool = False,
        absent: tuple[int, ...] = (),
    ) -> int | None:
        """A sysfs/procfs integer (decimal, or 0x hex as some files hold), else None and a
        gap; a value wider than 64 bits is a gap too, never a number."""
        value = self.text(path, what, source, optional=optional, absent=absent)
        if value is None:
            return None
        digits = value.strip()
        try:
            number = int(digits, 0)
        except ValueError:
            # Over 4300 decimal digits int() refuses, before it could say "too wide";
            # 20 digits hold any 64-bit value.
            unsigned = digits.lstrip("+-")
            if not (unsigned.isascii() and unsigned.isdigit() and len(unsigned) > 20):
                self.gap(what, source, "invalid", f"/{path}: not an integer: {_shown(value)}")
                return None
            number = _INT_LIMIT
        if not _INT_MIN <= number < _INT_LIMIT:
            detail = f"/{path}: wider than 64 bits: {_shown(value)}"
            self.gap(what, source, "invalid", detail)
            return None
        return number

    def link(
        self, path: str, what: str, source: str = "sysfs", *, optional: bool = False
    ) -> str | None:
        """A symlink's target, else None (and a gap unless optional and absent)."""
        try:
            return self.host.readlink(path)
        except OSError as err:
            if not (optional and err.errno in (errno.ENOENT, errno.EINVAL)):
                self.os_gap(what, source, err, path)
            return None

    def listdir(
        self, path: str, what: str, source: str = "sysfs", *, optional: bool = False
    ) -> list[str]:
        try:
            return sorted(self.host.listdir(path))
        except OSError as err:
            if not (optional and err.errno == errno.ENOENT):
                self.os_gap(what, source, err, path)
            return []
