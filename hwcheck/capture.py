"""Captures: exactly the raw material the probe reads, as a tar.gz that replays anywhere.

`write_capture` runs the probe through a RecordingRoot that remembers every file read,
link followed, directory listed and error met, plus the answers that are not files (driver
info ioctls, pci.ids names, uname, lshw). The archive holds those as a fake root — the same
layout as the test fixtures (docs/inventory.md, "The capture format") — so
`probe(open_capture(path))` gives the same inventory on any machine.

`open_capture` reads an archive into memory and never extracts it: member names are checked
(no absolute paths, no `..`), sizes and counts are bounded, and only regular files, symlinks
and directories are taken, so a hostile archive can neither escape nor exhaust the machine.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import posixpath
import tarfile
import time
import zlib

from hwcheck import __version__
from hwcheck.errors import CaptureError
from hwcheck.probe.host import (
    CAPTURE_META,
    MAX_FILE_BYTES,
    MAX_TOTAL_BYTES,
    RECORDED,
    HostRoot,
    LiveRoot,
    ReplayRoot,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory

FORMAT = "hwcheck-capture"
FORMAT_VERSION = 1
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 200_000
# MAX_FILE_BYTES and MAX_TOTAL_BYTES come from hwcheck.probe.host: an extracted capture
# (DirRoot) is held to the same limits as an archive.


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
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
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


def _member_name(name: str, where: str) -> str:
    clean = posixpath.normpath(name[2:] if name.startswith("./") else name)
    if name.startswith("/") or clean == ".." or clean.startswith("../") or "\0" in name:
        raise CaptureError(f"member {name!r} points outside the capture", where=where)
    return clean


def _check_link(name: str, target: str, where: str) -> None:
    """A capture's symlinks stay inside it, as sysfs's relative links do."""
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
        raise CaptureError(f"{name} links outside the capture ({target})", where=where)


def _gunzip(path: str) -> bytes:
    """The whole tar, decompressed with a bound and its gzip checksum verified."""
    import gzip

    # Headers and padding add at most a few blocks per member to the file contents.
    limit = MAX_TOTAL_BYTES + 1024 * MAX_MEMBERS
    with gzip.open(path, "rb") as f:
        raw = f.read(limit + 1)
        if len(raw) > limit:
            raise CaptureError(f"unpacks to more than {MAX_TOTAL_BYTES} bytes", where=path)
        f.read()  # reach the end, so that gzip checks its CRC and length trailer
    return raw


class TarRoot(ReplayRoot):
    """A capture archive held in memory."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.root = path
        self.files: dict[str, bytes] = {}
        self.links: dict[str, str] = {}
        self.children: dict[str, set[str]] = {}
        self._load(path)

    def _index(self, path: str) -> None:
        while path not in ("", "."):
            parent, _, name = path.rpartition("/")
            kids = self.children.setdefault(parent, set())
            if name in kids:
                return
            kids.add(name)
            path = parent

    def _load(self, path: str) -> None:
        try:
            size = os.path.getsize(path)
            if size > MAX_ARCHIVE_BYTES:
                raise CaptureError(
                    f"archive is {size} bytes; the limit is {MAX_ARCHIVE_BYTES}", where=path
                )
            raw = _gunzip(path)
        except FileNotFoundError:
            raise CaptureError("no such file", where=path) from None
        except (OSError, EOFError, zlib.error) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else err
            raise CaptureError(f"not a readable capture archive: {reason}", where=path) from None
        try:
            with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
                self._read_members(tar, path)
                end = tar.offset
        except tarfile.TarError as err:
            first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise CaptureError(
                f"not a readable capture archive: {first_line}", where=path
            ) from None
        # tarfile stops quietly at a damaged header: only zero blocks may follow the last member.
        if raw[end:].strip(b"\0"):
            raise CaptureError(
                f"not a readable capture archive: damaged after byte {end} of the tar", where=path
            )
        if CAPTURE_META not in self.files:
            raise CaptureError(f"not a hwcheck capture (no {CAPTURE_META})", where=path)
        self._check_members(path)
        self._check_meta()

    def _read_members(self, tar: tarfile.TarFile, where: str) -> None:
        total = 0
        for count, member in enumerate(tar, start=1):
            if count > MAX_MEMBERS:
                raise CaptureError(f"more than {MAX_MEMBERS} members", where=where)
            name = _member_name(member.name, where)
            if member.issym():
                _check_link(name, member.linkname, where)
                self.links[name] = member.linkname
            elif member.isfile():
                if member.size > MAX_FILE_BYTES:
                    raise CaptureError(f"member {name} is {member.size} bytes", where=where)
                total += member.size
                if total > MAX_TOTAL_BYTES:
                    raise CaptureError(f"unpacks to more than {MAX_TOTAL_BYTES} bytes", where=where)
                f = tar.extractfile(member)
                self.files[name] = f.read() if f is not None else b""
            elif member.isdir():
                self.children.setdefault(name, set())  # an empty directory exists too
            else:
                kind = "hard link" if member.islnk() else "device node or fifo"
                raise CaptureError(f"member {name} is a {kind}; captures hold none", where=where)
            self._index(name)

    def _check_members(self, where: str) -> None:
        """Nothing lies below a symlink: `tar x` would write it through the link, so that
        the archive and its extracted directory would not hold the same tree."""
        for name in self.links:
            if name in self.files or self.children.get(name):
                raise CaptureError(
                    f"member {name} is a symlink and also holds members", where=where
                )

    def _link_at(self, path: str) -> str | None:
        return self.links.get(path)

    def _raw_read(self, path: str) -> bytes:
        if path in self.files:
            return self.files[path]
        code = errno.EISDIR if path in self.children else errno.ENOENT
        raise OSError(code, os.strerror(code), "/" + path)

    def _raw_listdir(self, path: str) -> list[str]:
        if path in self.children:
            return sorted(self.children[path])
        code = errno.ENOTDIR if path in self.files else errno.ENOENT
        raise OSError(code, os.strerror(code), "/" + path)

    def _raw_lexists(self, path: str) -> bool:
        return path in self.files or path in self.links or path in self.children


def open_capture(path: str) -> TarRoot:
    return TarRoot(path)
