"""Reading a capture archive: held in memory and never extracted.

`open_capture` reads a `hwcheck capture` archive (tar.gz): member names are checked (no
absolute paths, no `..`), sizes and counts are bounded, and only regular files, symlinks
and directories are taken, so a hostile archive can neither escape nor exhaust the
machine. The result is a ReplayRoot, like an extracted capture directory (DirRoot), so
links resolve the same way in both. Writing captures is hwcheck.capture's.
"""

from __future__ import annotations

import errno
import io
import os
import posixpath
import tarfile
import zlib

from hwcheck.errors import CaptureError
from hwcheck.probe.host import CAPTURE_META, MAX_FILE_BYTES, MAX_TOTAL_BYTES, ReplayRoot

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 200_000
# MAX_FILE_BYTES and MAX_TOTAL_BYTES come from hwcheck.probe.host: an extracted capture
# (DirRoot) is held to the same limits as an archive.


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


def _gunzip(path: str, data: bytes | None = None) -> bytes:
    """The whole tar, decompressed with a bound and its gzip checksum verified."""
    import gzip

    # Headers and padding add at most a few blocks per member to the file contents.
    limit = MAX_TOTAL_BYTES + 1024 * MAX_MEMBERS
    with gzip.open(path if data is None else io.BytesIO(data), "rb") as f:
        raw = f.read(limit + 1)
        if len(raw) > limit:
            raise CaptureError(f"unpacks to more than {MAX_TOTAL_BYTES} bytes", where=path)
        f.read()  # reach the end, so that gzip checks its CRC and length trailer
    return raw


class TarRoot(ReplayRoot):
    """A capture archive held in memory."""

    def __init__(self, path: str, data: bytes | None = None) -> None:
        super().__init__()
        self.root = path
        self.files: dict[str, bytes] = {}
        self.links: dict[str, str] = {}
        self.children: dict[str, set[str]] = {}
        self._load(path, data)

    def _index(self, path: str) -> None:
        while path not in ("", "."):
            parent, _, name = path.rpartition("/")
            kids = self.children.setdefault(parent, set())
            if name in kids:
                return
            kids.add(name)
            path = parent

    def _load(self, path: str, data: bytes | None) -> None:
        try:
            size = os.path.getsize(path) if data is None else len(data)
            if size > MAX_ARCHIVE_BYTES:
                raise CaptureError(
                    f"archive is {size} bytes; the limit is {MAX_ARCHIVE_BYTES}", where=path
                )
            raw = _gunzip(path, data)
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


def open_capture(path: str, data: bytes | None = None) -> TarRoot:
    """The capture archive at `path`, or held in `data` (a member of a larger archive, which
    `path` then names)."""
    return TarRoot(path, data)
