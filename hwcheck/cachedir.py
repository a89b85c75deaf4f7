"""Where hwcheck may keep caches that only ever save time, and when it may trust them.

A cache lives in `$XDG_CACHE_HOME/hwcheck/<kind>` (or `~/.cache/hwcheck/<kind>`).
`HWCHECK_NO_CACHE=1` turns every cache off, and so does a cache base whose parent does not
exist.

What is in a cache decides verdicts (a parsed profile tree) or runs as code (a compiled
template), so a cache is used only when nobody else can have written it: the cache base,
`hwcheck` and `<kind>` must each be a directory owned by the effective user and writable
by nobody else (no group or other write bit), and so must every entry read (a regular
file). Anything else is not read, and nothing is written there: the caller recompiles.
The directories are opened one below the other (never followed through a link below the
base), and entries are read and written relative to the opened directory, so a path
swapped between the check and the use cannot redirect either. What an entry holds must
still be bound by the caller to the exact bytes of its source (never to a timestamp).
"""

from __future__ import annotations

import contextlib
import os
import stat

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
_MAX_ENTRY = 64 << 20  # far above any profile tree or compiled template


def cache_dir(kind: str) -> str | None:
    """The path of the `kind` cache, or None when caching is off (nothing is checked)."""
    base = _base()
    return None if base is None else os.path.join(base, "hwcheck", kind)


def _base() -> str | None:
    if os.environ.get("HWCHECK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    # The cache base may be created (XDG), but never its parents: a missing home directory
    # (HOME=/nonexistent in a ramdisk) means no cache, not a new /nonexistent.
    if not os.path.isdir(os.path.dirname(os.path.normpath(base))):
        return None
    return os.path.normpath(base)


def _trusted(info: os.stat_result, kind: int) -> bool:
    return (
        stat.S_IFMT(info.st_mode) == kind
        and info.st_uid == os.geteuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


class CacheDir:
    """An opened cache directory that passed the ownership checks."""

    __slots__ = ("fd", "path")

    def __init__(self, fd: int, path: str) -> None:
        self.fd = fd
        self.path = path

    def read(self, name: str) -> bytes | None:
        """The bytes of entry `name`, or None when it is absent, unreadable or not trusted."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=self.fd)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not _trusted(info, stat.S_IFREG) or info.st_size > _MAX_ENTRY:
                return None
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError:
            return None
        finally:
            os.close(fd)

    def write(self, name: str, data: bytes) -> None:
        """Store entry `name` (mode 0600, replaced atomically); any failure is skipped."""
        tmp = f".{name}.{os.getpid()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(tmp, flags, 0o600, dir_fd=self.fd)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self.fd)


_opened: dict[tuple[str, bool], CacheDir | None] = {}


def open_cache(kind: str, *, create: bool = True) -> CacheDir | None:
    """The `kind` cache when caching is on and the directory is trusted (created, mode
    0700, when `create` and it is missing), else None. Opened once per process."""
    base = _base()
    if base is None:
        return None
    key = (os.path.join(base, "hwcheck", kind), create)
    if key not in _opened:
        _opened[key] = _open_chain(base, ("hwcheck", kind), create=create)
    return _opened[key]


def _open_chain(base: str, names: tuple[str, ...], *, create: bool) -> CacheDir | None:
    if create:
        with contextlib.suppress(OSError):
            os.mkdir(base, 0o700)
    try:
        fd = os.open(base, _DIR_FLAGS)  # the base itself may be a link (~/.cache -> /data/c)
    except OSError:
        return None
    path = base
    for name in names:
        try:
            info = os.fstat(fd)
        except OSError:
            os.close(fd)
            return None
        if not _trusted(info, stat.S_IFDIR):
            os.close(fd)
            return None
        if create:
            with contextlib.suppress(OSError):
                os.mkdir(name, 0o700, dir_fd=fd)
        try:
            below = os.open(name, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
        except OSError:
            below = -1
        os.close(fd)
        if below < 0:
            return None
        fd, path = below, os.path.join(path, name)
    try:
        ok = _trusted(os.fstat(fd), stat.S_IFDIR)
    except OSError:
        ok = False
    if not ok:
        os.close(fd)
        return None
    return CacheDir(fd, path)
