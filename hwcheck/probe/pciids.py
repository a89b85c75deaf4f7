"""PCI vendor/device/subsystem names from the pci.ids database (Debian's `pci.ids`/`hwdata`).

The database belongs to the machine running hwcheck, not to the probed host, so names are
looked up locally for a live probe and recorded in captures (`recorded/pci-names.json`);
replaying a capture uses the recorded names and gives the same inventory on any machine.
Without pci.ids the udev hwdb (through pyudev) is asked; IDs are always present.

Lookups scan the 1.3 MB file as bytes for just the IDs needed: parsing it all would cost
more than the whole probe.
"""

from __future__ import annotations

import json
import mmap
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
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


# Where a vendor's block ends (the next line that is not indented, a comment or blank),
# and where a device's block ends (additionally: the next line indented by one tab).
_VENDOR_LINE = re.compile(rb"\n([0-9a-f]{4})  ")
_VENDOR_END = re.compile(rb"\n[^\t#\n]")
_DEVICE_END = re.compile(rb"\n(?:[^\t#\n]|\t[^\t])")


def _block_end(data: bytes | mmap.mmap, start: int, pattern: re.Pattern[bytes]) -> int:
    found = pattern.search(data, start)
    return found.start() if found else len(data)


class PciIds:
    """Lookups in one pci.ids file, read once."""

    __slots__ = ("data",)

    def __init__(self, data: bytes | mmap.mmap) -> None:
        # The file opens with comments, so every entry is preceded by a newline.
        self.data = data

    def _find(self, key: bytes, start: int, end: int) -> int:
        pos = self.data.find(key, start, end)
        return -1 if pos < 0 else pos + len(key)

    def _vendor(self, vendor: bytes) -> int:
        """Where the vendor's name starts. Vendors are sorted by ID in pci.ids, so bisect
        on vendor lines to a small window, then search it; a miss searches the whole file."""
        data, key = self.data, b"\n" + vendor + b"  "
        lo, hi = 0, len(data)
        while hi - lo > 65536:
            mid = (lo + hi) // 2
            found = _VENDOR_LINE.search(data, mid, hi)  # the first vendor line after mid
            if found is not None and found.group(1) == vendor:
                return found.end()
            if found is None or found.group(1) > vendor:
                hi = mid + len(key)  # the line, if any, starts before mid
            else:
                lo = found.start()
        pos = self._find(key, lo, hi)
        return pos if pos >= 0 else self._find(key, 0, len(data))

    def names(
        self, vendor: str, device: str, subvendor: str | None, subdevice: str | None
    ) -> dict[str, str]:
        out: dict[str, str] = {}
        data = self.data
        vpos = self._vendor(vendor.encode())
        if vpos < 0:
            return out
        out["vendor_name"] = _line_value(data, vpos)
        vend = _block_end(data, vpos, _VENDOR_END)
        dpos = self._find(b"\n\t" + device.encode() + b"  ", vpos, vend)
        if dpos < 0:
            return out
        out["device_name"] = _line_value(data, dpos)
        if subvendor and subdevice:
            dend = _block_end(data, dpos, _DEVICE_END)
            key = b"\n\t\t" + subvendor.encode() + b" " + subdevice.encode() + b"  "
            spos = self._find(key, dpos, dend)
            if spos >= 0:
                out["subsystem_name"] = _line_value(data, spos)
        return out


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
        try:
            raw = json.loads(self.r.host.recorded(RECORDED_NAMES))
        except FileNotFoundError:
            self._recorded = {}
            self._missing = True
            return
        except (OSError, ValueError) as err:
            self.r.gap("pci-names", "capture", "invalid", f"recorded/{RECORDED_NAMES}: {err}")
            self._recorded = {}
            return
        self._recorded = raw if isinstance(raw, dict) else {}
        self._source = "pci.ids"

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
