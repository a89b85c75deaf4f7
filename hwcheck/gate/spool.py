"""Submissions the collector did not acknowledge, kept until a later gate delivers them.

A spooled submission is the exact gzip body that was posted, in `<sha256>.json.gz`, where
the digest is that of the decompressed inventory JSON: the collector's idempotency key, so a
re-send that crosses a lost answer is stored once. Each file is written to a temporary name
in the spool directory, flushed to disk, renamed into place and the directory flushed:
a power cut leaves either the whole file or none. The next gate re-sends spooled files
first, oldest first, and removes each once the collector has acknowledged it (a file the
collector refuses is renamed `.rejected`, kept for the operator, never re-sent).
`hwcheck gate --inventory FILE` re-sends one by hand.

The directory holds node inventories: it is created 0700 and used only when it is a real
directory owned by this user that nobody else can write.
"""

from __future__ import annotations

import os
import stat

from hwcheck.errors import OutputError

SUFFIX = ".json.gz"
REJECTED = ".rejected"
_HEX = frozenset("0123456789abcdef")


def is_digest(text: object) -> bool:
    return isinstance(text, str) and len(text) == 64 and set(text) <= _HEX


def open_spool(path: str, *, create: bool) -> str | None:
    """`path` checked as a spool directory (created when `create`); None when it does not
    exist and `create` is false. OutputError when it is not fit to hold inventories."""
    if create:
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
        except OSError as err:
            raise OutputError(
                f"cannot create the spool directory: {err.strerror}", where=path
            ) from None
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise OutputError(f"cannot use the spool directory: {err.strerror}", where=path) from None
    if not stat.S_ISDIR(info.st_mode):
        raise OutputError("the spool is not a directory (or is a symbolic link)", where=path)
    if info.st_uid != os.geteuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise OutputError(
            "the spool directory must be owned by this user and writable by nobody else",
            where=path,
        )
    return path


def write(directory: str, digest: str, gz: bytes) -> str:
    """Spool `gz` as `<digest>.json.gz` in `directory`, atomically and durably; its path."""
    final = os.path.join(directory, digest + SUFFIX)
    tmp = os.path.join(directory, f".{digest}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
        try:
            view = memoryview(gz)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        _sync_dir(directory)
    except OSError as err:
        try:  # noqa: SIM105 - contextlib costs the gate's start-up functools and collections
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot spool the submission: {err.strerror}", where=directory) from None
    return final


def _sync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pending(directory: str) -> list[str]:
    """The spooled submissions in `directory`, oldest first."""
    found: list[tuple[float, str]] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    for name in names:
        if not name.endswith(SUFFIX) or not is_digest(name[: -len(SUFFIX)]):
            continue
        path = os.path.join(directory, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            found.append((info.st_mtime, path))
    return [path for _, path in sorted(found)]


def delivered(directory: str, digest: str) -> bool:
    """Remove the spooled copy of `digest`, if there is one; whether there was."""
    try:
        os.unlink(os.path.join(directory, digest + SUFFIX))
    except OSError:
        return False
    return True


def reject(path: str) -> str:
    """Set a spooled file the collector refused aside (never re-sent); its new path."""
    aside = path + REJECTED
    try:
        os.replace(path, aside)
    except OSError:
        return path
    return aside
