"""Captures: exactly the raw material the probe reads, as a tar.gz that replays anywhere.

`write_capture` runs the probe through a RecordingRoot that remembers every file read,
link followed, directory listed and error met, plus the answers that are not files (driver
info ioctls, pci.ids names, uname, lshw). The archive holds those as a fake root — the same
layout as the test fixtures (docs/inventory.md, "The capture format") — so
`probe(open_capture(path))` gives the same inventory on any machine.

Reading a capture back is the probe's (hwcheck.probe.archive.open_capture, or
hwcheck.probe.host.open_root for an archive or a directory): this module only writes.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import tarfile
import time

from hwcheck import __version__
from hwcheck.probe.host import (
    CAPTURE_META,
    RECORDED,
    HostRoot,
    LiveRoot,
)
from hwcheck.probe.recorded import CAPTURE_FORMAT, CAPTURE_FORMAT_VERSION

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory


class RecordingRoot(HostRoot):
    """Wraps a root and records everything the probe asked of it."""

    def __init__(self, inner: HostRoot) -> None:
        self.inner = inner
        self.root = inner.root
        self.live = inner.live
        self.files: dict[str, bytes] = {}
        self.links: dict[str, str] = {}
        self.dirs: set[str] = set()
        self.listed: set[str] = set()
        self.errors: dict[str, str] = {}
        self.ethtool: dict[str, dict[str, object]] = {}
        self.machine_answer: str | None = None

    def _fail(self, path: str, err: OSError, *, listed: bool = False) -> OSError:
        # Absence replays by itself; only a listed entry that vanished needs recording.
        if err.errno != errno.ENOENT or listed:
            self.errors[path] = errno.errorcode.get(err.errno or 0, "EIO")
        return err

    def read_bytes(self, path: str) -> bytes:
        try:
            data = self.inner.read_bytes(path)
        except OSError as err:
            raise self._fail(path, err) from None
        self.files[path] = data
        return data

    def listdir(self, path: str) -> list[str]:
        try:
            names = self.inner.listdir(path)
        except OSError as err:
            raise self._fail(path, err) from None
        self.dirs.add(path)
        self.listed.update(f"{path}/{name}" for name in names)
        return names

    def readlink(self, path: str) -> str:
        try:
            target = self.inner.readlink(path)
        except OSError as err:
            if err.errno != errno.EINVAL:
                self._fail(path, err, listed=path in self.listed)
            raise
        self.links[path] = target
        return target

    def exists(self, path: str) -> bool:
        found = self.inner.exists(path)
        if found and path not in self.files and path not in self.links:
            try:
                self.files[path] = self.inner.read_bytes(path)
            except IsADirectoryError:
                self.dirs.add(path)
            except OSError as err:
                self._fail(path, err)
        return found

    def _ethtool(self, ifname: str, key: str, call: object) -> object:
        entry = self.ethtool.setdefault(ifname, {})
        try:
            value = call(ifname)  # type: ignore[operator]
        except OSError as err:
            entry[key] = {"errno": errno.errorcode.get(err.errno or 0, "EIO")}
            raise
        entry[key] = value
        return value

    def drvinfo(self, ifname: str) -> dict[str, str]:
        return self._ethtool(ifname, "drvinfo", self.inner.drvinfo)  # type: ignore[return-value]

    def permaddr(self, ifname: str) -> str:
        return str(self._ethtool(ifname, "permaddr", self.inner.permaddr))

    def machine(self) -> str:
        self.machine_answer = self.inner.machine()
        return self.machine_answer


def _pci_names(inventory: Inventory) -> dict[str, dict[str, str]]:
    names: dict[str, dict[str, str]] = {}
    for nic in inventory["nics"]:
        if not nic["vendor_id"] or not nic["device_id"]:
            continue
        key = f"{nic['vendor_id']}:{nic['device_id']}"
        base = {f: nic[f] for f in ("vendor_name", "device_name") if nic[f]}
        if base:
            names[key] = base  # type: ignore[assignment]
        if nic["subsystem_name"]:
            sub = f"{key}:{nic['subsystem_vendor_id']}:{nic['subsystem_device_id']}"
            names[sub] = {"subsystem_name": nic["subsystem_name"]}
    return names


def _under_any(path: str, known: set[str]) -> bool:
    """`path` is recorded itself or something below it is."""
    prefix = path + "/"
    return path in known or any(k.startswith(prefix) for k in known)


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = mtime
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _json(value: object) -> bytes:
    # ASCII escapes carry names that are not UTF-8 (surrogate escapes) through JSON intact.
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode()


def build_capture(host: HostRoot | None = None, *, lshw: bool = True) -> tuple[bytes, Inventory]:
    """Probe `host` (default: this machine) while recording; the archive bytes and inventory."""
    from hwcheck.probe import probe

    rec = RecordingRoot(host or LiveRoot("/"))
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    inventory = probe(rec, now=now)
    extra: dict[str, bytes] = {
        CAPTURE_META: _json(
            {
                "format": CAPTURE_FORMAT,
                "format_version": CAPTURE_FORMAT_VERSION,
                "hwcheck_version": __version__,
                "captured_at": now,
                "hostname": inventory["host"]["hostname"],
            }
        ),
        f"{RECORDED}/pci-names.json": _json(_pci_names(inventory)),
        f"{RECORDED}/errors.json": _json(rec.errors),
    }
    if rec.machine_answer is not None:
        extra[f"{RECORDED}/uname.json"] = _json({"machine": rec.machine_answer})
    for ifname, answers in rec.ethtool.items():
        extra[f"{RECORDED}/ethtool/{ifname}.json"] = _json(answers)
    if lshw and rec.live:
        from hwcheck.probe.lshw import run_lshw

        # lshw is optional; the capture is complete without it.
        with contextlib.suppress(OSError, RuntimeError):
            extra[f"{RECORDED}/lshw-network.json"] = run_lshw()
    buf = io.BytesIO()
    mtime = int(time.time())
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        known = rec.dirs | rec.links.keys() | rec.files.keys() | rec.errors.keys()
        # Entries that were only listed (sys/module/*) are kept as empty directories.
        for path in sorted(rec.dirs | {p for p in rec.listed if not _under_any(p, known)}):
            info = tarfile.TarInfo(path)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
            tar.addfile(info)
        for path, target in sorted(rec.links.items()):
            info = tarfile.TarInfo(path)
            info.type, info.linkname, info.mtime = tarfile.SYMTYPE, target, mtime
            tar.addfile(info)
        for path, data in sorted(rec.files.items()):
            _add(tar, path, data, mtime)
        for path, data in sorted(extra.items()):
            _add(tar, path, data, mtime)
    inventory["source"] = {"kind": "capture", "root": rec.root, "captured_at": now}
    return buf.getvalue(), inventory


def write_capture(out: str, host: HostRoot | None = None, *, lshw: bool = True) -> Inventory:
    from hwcheck.outfile import write_atomic_bytes

    data, inventory = build_capture(host, lshw=lshw)
    write_atomic_bytes(out, data)
    return inventory
