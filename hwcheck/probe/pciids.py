"""PCI vendor/device/subsystem names from the pci.ids database (Debian's `pci.ids`/`hwdata`).

The database belongs to the machine running hwcheck, not to the probed host, so names are
looked up locally for a live probe and recorded in captures (`recorded/pci-names.json`);
replaying a capture uses the recorded names and gives the same inventory on any machine.
Without pci.ids the udev hwdb (through pyudev) is asked; IDs are always present.

Lookups search the 1.3 MB file as bytes for just the IDs needed (see PciIds).
"""

from __future__ import annotations

import mmap

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from hwcheck.model.inventory import Nic
    from hwcheck.probe.reader import Reader

PCI_IDS_PATHS = (
    "/usr/share/misc/pci.ids",
    "/usr/share/hwdata/pci.ids",
    "/usr/share/pci.ids",
    "/usr/local/share/pci.ids",
)
RECORDED_NAMES = "pci-names.json"


def _line_value(data: bytes | mmap.mmap, start: int) -> str:
    end = data.find(b"\n", start)
    return data[start : end if end >= 0 else len(data)].strip().decode("utf-8", "replace")


# pci.ids lines: vendor `hhhh  name`, device `\thhhh  name`, subsystem `\t\thhhh hhhh  name`,
# classes `C hh  name` after all vendors, comments `#`, blank lines. Vendors are sorted by
# ID, so a line that starts with a lowercase hex digit is a vendor line, and the first one
# after a vendor that starts with the same digit is the next vendor.
HEX_DIGITS = b"0123456789abcdef"
_SCAN_LINES = 32
"""How many lines after a bisection point are read one by one, looking for a vendor line."""


def _vendor_id(data: bytes | mmap.mmap, newline: int) -> bytes | None:
    """The ID of the vendor line that starts after the newline at `newline`, if it is one."""
    head = data[newline + 1 : newline + 7]
    if head[:1] and head[0] in HEX_DIGITS and head[4:] == b"  ":
        return bytes(head[:4])
    return None


class PciIds:
    """Lookups in one pci.ids file, read once.

    The file is searched as bytes (mapped, not parsed: parsing all of it would cost more
    than the whole probe) with plain substring searches. No regular expressions: importing
    `re` alone would cost the probe more than all its lookups.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes | mmap.mmap) -> None:
        # The file opens with comments, so every entry is preceded by a newline.
        self.data = data

    def _find(self, key: bytes, start: int, end: int) -> int:
        pos = self.data.find(key, start, end)
        return -1 if pos < 0 else pos + len(key)

    def _vendor_line_after(self, start: int, end: int) -> tuple[int, bytes] | None:
        """The first vendor line after `start` (its newline and ID), if it is within a few
        lines; None when `start` is deep inside a long vendor block (or nothing follows)."""
        data = self.data
        newline = data.find(b"\n", start, end)
        for _ in range(_SCAN_LINES):
            if newline < 0:
                return None
            found = _vendor_id(data, newline)
            if found is not None:
                return newline, found
            newline = data.find(b"\n", newline + 1, end)
        return None

    def _vendor_span(self, vendor: str) -> tuple[int, int] | None:
        """(where the vendor's name starts, where its block ends), or None when `vendor` is
        not four hex digits or pci.ids has no such vendor."""
        vendor_key = vendor.encode()
        if len(vendor_key) != 4 or any(c not in HEX_DIGITS for c in vendor_key):
            return None
        vpos = self._vendor(vendor_key)
        if vpos < 0:
            return None
        return vpos, self._vendor_end(vendor_key, vpos)

    def _vendor(self, vendor: bytes) -> int:
        """Where the vendor's name starts. Bisect on vendor lines to a small window, then
        search it; a miss searches the whole file (so an unsorted file still answers)."""
        data, key = self.data, b"\n" + vendor + b"  "
        lo, hi = 0, len(data)
        while hi - lo > 65536:
            mid = (lo + hi) // 2
            near = self._vendor_line_after(mid, hi)
            if near is None:
                # Inside a long block (Intel's is 370 KB): its vendor line, maybe ours, is
                # behind; if ours is not in [lo, mid) it is after mid.
                pos = data.rfind(key, lo, mid + len(key))
                if pos >= 0:
                    return pos + len(key)
                lo = mid
                continue
            newline, found = near
            if found == vendor:
                return newline + len(key)
            if found > vendor:
                hi = mid + len(key)  # our line, if any, starts before mid
            else:
                lo = newline
        pos = self._find(key, lo, hi)
        return pos if pos >= 0 else self._find(key, 0, len(data))

    def _vendor_end(self, vendor: bytes, start: int) -> int:
        """Where the vendor's block ends: at the next vendor line. Vendors are sorted, so
        that is the first line after `start` starting with the vendor's first digit, or
        failing that with the next higher digit that has one."""
        data = self.data
        for digit in HEX_DIGITS[HEX_DIGITS.index(vendor[0]) :]:
            newline = data.find(b"\n" + bytes((digit,)), start)
            if newline >= 0:
                return newline
        return len(data)

    def _device_end(self, start: int, end: int) -> int:
        """Where a device's block (its subsystem lines, comments, blank lines) ends."""
        data = self.data
        newline = data.find(b"\n", start, end)
        while newline >= 0:
            head = data[newline + 1 : newline + 3]
            if not (head == b"\t\t" or head[:1] == b"#" or head[:1] == b"\n"):
                return newline
            newline = data.find(b"\n", newline + 1, end)
        return end

    def names(
        self, vendor: str, device: str, subvendor: str | None, subdevice: str | None
    ) -> dict[str, str]:
        out: dict[str, str] = {}
        data = self.data
        span = self._vendor_span(vendor)
        if span is None:
            return out
        vpos, vend = span
        out["vendor_name"] = _line_value(data, vpos)
        dpos = self._find(b"\n\t" + device.encode() + b"  ", vpos, vend)
        if dpos < 0:
            return out
        out["device_name"] = _line_value(data, dpos)
        if subvendor and subdevice:
            dend = self._device_end(dpos, vend)
            key = b"\n\t\t" + subvendor.encode() + b" " + subdevice.encode() + b"  "
            spos = self._find(key, dpos, dend)
            if spos >= 0:
                out["subsystem_name"] = _line_value(data, spos)
        return out

    def vendor_devices(self, vendor: str) -> tuple[str, list[tuple[str, str]]] | None:
        """The vendor's name and its devices, (ID, name) in file order; None when pci.ids
        has no such vendor. For `profile lint`, which names the known IDs nearest a typo."""
        data = self.data
        span = self._vendor_span(vendor)
        if span is None:
            return None
        vpos, vend = span
        devices = []
        newline = data.find(b"\n\t", vpos, vend)
        while newline >= 0:
            head = data[newline + 2 : newline + 8]
            if head[4:6] == b"  " and all(c in HEX_DIGITS for c in head[:4]):
                devices.append((head[:4].decode(), _line_value(data, newline + 8)))
            newline = data.find(b"\n\t", newline + 2, vend)
        return _line_value(data, vpos), devices


def open_pci_ids() -> tuple[str, PciIds] | None:
    """The first pci.ids of PCI_IDS_PATHS that can be read, mapped: (path, database)."""
    for path in PCI_IDS_PATHS:
        try:
            with open(path, "rb") as f:
                return path, PciIds(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
        except (OSError, ValueError):  # missing, unreadable, or empty (mmap refuses it)
            continue
    return None


class PciNames:
    """Fills a NIC's vendor/device/subsystem names and remembers what it answered."""

    def __init__(self, r: Reader) -> None:
        self.r = r
        self.answers: dict[str, dict[str, str]] = {}
        self._db: PciIds | None = None
        self._recorded: dict[str, dict[str, str]] | None = None
        self._source = "pci.ids"
        self._missing = False
        if not r.host.live:
            self._load_recorded()

    def _load_recorded(self) -> None:
        """The names recorded in a capture. Damaged names refuse the whole capture (exit 2),
        as any damaged recorded answer does: a guess would make a half-true inventory."""
        from hwcheck.probe import recorded  # captures only: the live probe does not load json

        path = f"recorded/{RECORDED_NAMES}"
        try:
            raw = recorded.loads(self.r.host.recorded(RECORDED_NAMES))
        except FileNotFoundError:
            self._recorded = {}
            self._missing = True
            return
        except OSError as err:
            self._refuse(f"{path} cannot be read: {err.strerror or err}")
        except ValueError as err:
            self._refuse(f"{path} is not valid JSON: {err}")
        self._recorded = self._checked(raw, path)

    def _checked(self, raw: object, path: str) -> dict[str, dict[str, str]]:
        """`{"vendor:device[:subvendor:subdevice]": {"vendor_name": "...", ...}}`, with
        names kept printable; else the capture is refused naming the first bad entry."""
        from hwcheck.probe.reader import printable

        if not isinstance(raw, dict):
            self._malformed(path, "an object", raw)
        names: dict[str, dict[str, str]] = {}
        for key, entry in raw.items():
            if not isinstance(entry, dict):
                self._malformed(path, "an object of names", entry, key)
            for field, name in entry.items():
                if not isinstance(name, str):
                    self._malformed(path, "a string", name, key, field)
            names[key] = {printable(field): printable(name) for field, name in entry.items()}
        return names

    def _malformed(self, path: str, expected: str, got: object, *keys: str) -> NoReturn:
        """Refuse, naming the bad value by its JSON path: `$["1af4:1041"]["vendor_name"]`."""
        from hwcheck.model.documents import shown

        where = "$" + "".join(f"[{shown(key)}]" for key in keys)
        self._refuse(f"{path} is malformed: {where}: expected {expected}; got {shown(got)}")

    def _refuse(self, message: str) -> NoReturn:
        from hwcheck.errors import CaptureError

        raise CaptureError(message, where=self.r.host.root)

    def _database(self) -> PciIds | None:
        if self._db is None and not self._missing:
            for path in PCI_IDS_PATHS:
                try:
                    with open(path, "rb") as f:
                        # Mapped, not read: a lookup touches a few pages of the 1.3 MB file.
                        self._db = PciIds(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
                    self._source = "pci.ids"
                    break
                except FileNotFoundError:
                    continue
                except OSError as err:
                    self.r.gap("pci-names", "pci.ids", "io-error", f"{path}: {err.strerror}")
                    break
            else:
                self._missing = True
        return self._db

    def lookup(
        self, vendor: str, device: str, subvendor: str | None, subdevice: str | None
    ) -> dict[str, str]:
        key = f"{vendor}:{device}"
        subkey = f"{key}:{subvendor}:{subdevice}" if subvendor and subdevice else None
        if self._recorded is not None:
            out = dict(self._recorded.get(key, {}))
            if subkey:
                out.update(self._recorded.get(subkey, {}))
            return out
        db = self._database()
        out = db.names(vendor, device, subvendor, subdevice) if db else {}
        self.answers[key] = {k: v for k, v in out.items() if k != "subsystem_name"}
        if subkey and "subsystem_name" in out:
            self.answers[subkey] = {"subsystem_name": out["subsystem_name"]}
        return out

    def fill(self, nic: Nic) -> None:
        vendor, device = nic["vendor_id"], nic["device_id"]
        if not vendor or not device:
            return
        out = self.lookup(vendor, device, nic["subsystem_vendor_id"], nic["subsystem_device_id"])
        source = self._source
        if not out and self._missing and self.r.host.live:
            out = _udev_names(nic)
            source = "udev hwdb"
        for field in ("vendor_name", "device_name", "subsystem_name"):
            if field in out:
                nic[field] = out[field]
                nic["sources"][field] = source
        if self._missing and not out:
            self.r.gap(
                f"nic[{nic['name']}].device_name",
                "pci.ids",
                "tool-missing",
                "no pci.ids database (install Debian's pci.ids) and no udev hwdb name",
            )


def _udev_names(nic: Nic) -> dict[str, str]:
    from hwcheck.probe import udev

    return udev.pci_names(nic["pci_address"])
