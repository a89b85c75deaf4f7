"""Atomic report writes: a reader sees the previous file or the complete new one, never half.

The text goes to a temporary file in the target's own directory (so the final rename stays on
one filesystem), is flushed and fsync'ed, then renamed over the target; the directory is
fsync'ed so the rename survives a crash. On any failure, including Ctrl-C, the temporary
file is removed and the previous report is left untouched. Only a SIGKILL or power loss can
leave a `.<name>.<random>.tmp` file behind, and never in place of the report.
"""

from __future__ import annotations

import os
import stat

from hwcheck.errors import OutputError

_TMP_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _temp_path(directory: str, base: str) -> str:
    return os.path.join(directory, f".{base}.{os.urandom(6).hex()}.tmp")


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # some filesystems refuse to open directories; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass  # fsync on a directory is not supported everywhere (EINVAL); best effort
    finally:
        os.close(fd)


def _describe(err: OSError) -> str:
    return err.strerror or str(err)


def write_atomic(path: str, text: str, *, make_dirs: bool = False) -> None:
    """Write `text` (UTF-8) to `path` atomically. Raises OutputError on any OS failure.

    `make_dirs` creates missing parent directories (used for the default reports/ directory).
    Characters that UTF-8 cannot encode (lone surrogates from undecodable bytes) are written
    as backslash escapes rather than failing the report.
    """
    write_atomic_bytes(path, text.encode("utf-8", "backslashreplace"), make_dirs=make_dirs)


def write_atomic_bytes(path: str, data: bytes, *, make_dirs: bool = False) -> None:
    """Write `data` to `path` atomically (see write_atomic).

    A symlink is followed: its target is replaced, the link stays. A character device or a
    FIFO (`/dev/stdout`, `/dev/null`, a pipe a collector reads) is written in place: renaming
    over it would replace the device node with a regular file.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = 0  # a new file; its directory is dealt with below
    except OSError as err:
        raise OutputError(f"cannot write: {_describe(err)}", where=path) from err
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISBLK(mode):
        _write_in_place(path, data)
        return
    target = os.path.realpath(path) if os.path.islink(path) else path
    _replace(target, data, make_dirs=make_dirs, shown=path)


def _write_in_place(path: str, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise OutputError(f"cannot write: {_describe(err)}", where=path) from err
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as err:
        raise OutputError(f"cannot write: {_describe(err)}", where=path) from err
    finally:
        os.close(fd)


def _replace(path: str, data: bytes, *, make_dirs: bool, shown: str) -> None:
    directory, base = os.path.split(path)
    directory = directory or "."
    if not base:
        raise OutputError("is a directory, not a file name", where=shown)
    if os.path.isdir(path):
        raise OutputError("is a directory; give a file name", where=shown)
    if make_dirs:
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as err:
            raise OutputError(f"cannot create directory {directory}: {_describe(err)}") from err
    tmp = _temp_path(directory, base)
    try:
        fd = os.open(tmp, _TMP_OPEN_FLAGS, 0o666)
    except OSError as err:
        if not os.path.isdir(directory):
            raise OutputError(f"cannot write: no such directory: {directory}", where=shown) from err
        raise OutputError(
            f"cannot write: cannot create a temporary file in {directory}: {_describe(err)}",
            where=shown,
        ) from err
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as err:
        _remove_quietly(tmp)
        raise OutputError(f"cannot write: {_describe(err)}", where=shown) from err
    except BaseException:
        _remove_quietly(tmp)  # Ctrl-C or a bug: no debris, and the old report stays
        raise
    _fsync_directory(directory)


def _remove_quietly(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    except OSError:
        pass  # nothing more we can do; the target itself is untouched
