"""A cpio archive in the "newc" format the kernel unpacks as an initramfs.

Written here rather than by the cpio tool so entries are owned by root and device nodes
(/dev/console, which the kernel opens before it runs /init) need no mknod on the build host.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

MAGIC = b"070701"


def _pad(n: int) -> bytes:
    return b"\0" * (-n % 4)


class Writer:
    """Entries appended one by one; `close` writes the trailer."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._ino = 300000
        self._written = 0

    def _entry(
        self, name: str, mode: int, data: bytes = b"", mtime: int = 0, rdev: int = 0
    ) -> None:
        encoded = name.encode() + b"\0"
        self._ino += 1
        fields = (
            self._ino,
            mode,
            0,  # uid
            0,  # gid
            2 if stat.S_ISDIR(mode) else 1,
            mtime,
            len(data),
            0,  # devmajor
            0,  # devminor
            os.major(rdev),
            os.minor(rdev),
            len(encoded),
            0,  # check
        )
        header = MAGIC + b"".join(b"%08X" % f for f in fields)
        chunk = header + encoded + _pad(len(header) + len(encoded)) + data + _pad(len(data))
        self._out.write(chunk)
        self._written += len(chunk)

    def directory(self, name: str, mode: int = 0o755) -> None:
        self._entry(name, stat.S_IFDIR | mode)

    def file(self, name: str, data: bytes, mode: int = 0o644, mtime: int = 0) -> None:
        self._entry(name, stat.S_IFREG | mode, data, mtime)

    def symlink(self, name: str, target: str) -> None:
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def char_device(self, name: str, major: int, minor: int, mode: int = 0o600) -> None:
        self._entry(name, stat.S_IFCHR | mode, rdev=os.makedev(major, minor))

    def tree(self, root: str) -> None:
        """Every directory, file and symlink under `root`, named relative to it, parents first."""
        for path in _walk(root):
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                self.symlink(rel, os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                self.directory(rel, stat.S_IMODE(st.st_mode))
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    self.file(rel, f.read(), stat.S_IMODE(st.st_mode), int(st.st_mtime))

    def close(self) -> None:
        self._entry("TRAILER!!!", 0)
        self._out.write(_pad(self._written))


def _walk(root: str) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if dirpath != root:
            yield dirpath
        for name in sorted(filenames):
            yield os.path.join(dirpath, name)
        # os.walk lists symlinks to directories among dirnames and does not descend into them.
        for name in dirnames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                yield full
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
