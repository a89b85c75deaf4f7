"""Atomic report writes: a reader sees the previous files or the complete new ones, never half,
and a run that fails replaces none of its outputs.

A run's outputs are written as one set (OutputSet). Each file is first staged: written to a
temporary file in the target's own directory (so the final rename stays on one filesystem),
flushed and fsync'ed. Only when every output is staged are they renamed over their targets,
and the directories fsync'ed so the renames survive a crash. On any failure before the
renames, including Ctrl-C, every temporary file is removed and no previous report is
touched. Only a SIGKILL or power loss can leave a `.<name>.<random>.tmp` file behind, and
never in place of a report. A single file is the one-output case of the same set.

A replaced file keeps its permission bits (and, where the system allows, its owner and
group): overwriting a 0600 result must not make it world-readable. A new file gets the
usual 0666 less the umask.
"""

from __future__ import annotations

import os
import stat

from hwcheck.errors import OutputError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_TMP_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def write_atomic(path: str, text: str, *, make_dirs: bool = False) -> None:
    """Write `text` (UTF-8) to `path` atomically. Raises OutputError on any OS failure.

    `make_dirs` creates missing parent directories (used for the default reports/ directory).
    Characters that UTF-8 cannot encode (lone surrogates from undecodable bytes) are written
    as backslash escapes rather than failing the report.
    """
    write_atomic_bytes(path, encode(text), make_dirs=make_dirs)


def write_atomic_bytes(path: str, data: bytes, *, make_dirs: bool = False) -> None:
    """Write `data` to `path` atomically (see OutputSet.add for symlinks and devices)."""
    with OutputSet() as outputs:
        outputs.add(path, data, make_dirs=make_dirs)
        outputs.commit()


def refuse_empty_path(path: str | None, option: str) -> None:
    """An empty output path is a mistake (an unset shell variable), never "no output" nor
    "the default": a usage error naming the option, raised before any work is done."""
    if path == "":
        raise UsageError("an empty path", where=option)


def encode(text: str) -> bytes:
    """A report's text as written: UTF-8, undecodable bytes kept as backslash escapes."""
    return text.encode("utf-8", "backslashreplace")


class _Staged:
    """One output written to its temporary file, waiting to be renamed over its target."""

    def __init__(self, tmp: str, target: str, shown: str) -> None:
        self.tmp = tmp
        self.target = target
        self.shown = shown


class OutputSet:
    """Outputs replaced together or not at all. Use as a context manager: whatever was
    staged but not committed when the block ends (an error, Ctrl-C) is removed.

        with OutputSet() as outputs:
            outputs.add("r.html", html)
            outputs.add("r.json", json)
            outputs.commit()
    """

    def __init__(self) -> None:
        self._staged: list[_Staged] = []
        self._in_place: list[tuple[str, bytes]] = []

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def add(self, path: str, data: bytes, *, make_dirs: bool = False) -> None:
        """Stage `data` for `path`; raises OutputError if it cannot be, leaving nothing of it
        behind (the outputs staged before it are kept, so a caller may go on without it).

        A symlink is followed: its target is replaced, the link stays. A character device or
        a FIFO (`/dev/stdout`, `/dev/null`, a pipe a collector reads) cannot be staged:
        renaming over it would replace the device node with a regular file. It is written in
        place by commit, before any rename.
        """
        if not path:
            raise UsageError("an empty output path")
        try:
            old: os.stat_result | None = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            old = None  # a new file; its directory is dealt with below
        except OSError as err:
            raise OutputError(f"cannot write: {_describe(err)}", where=path) from err
        if old is not None and not stat.S_ISREG(old.st_mode) and not stat.S_ISDIR(old.st_mode):
            self._in_place.append((path, data))
            return
        target = os.path.realpath(path) if os.path.islink(path) else path
        self._staged.append(_stage(target, data, old, make_dirs=make_dirs, shown=path))

    def commit(self) -> None:
        """Write the in-place outputs, then rename every staged file over its target.

        Devices and FIFOs go first: a device that refuses its copy (`/dev/full`, a collector
        that hung up) then fails the run while every previous report is still in place.
        After that only renames remain: a staged file's rename within its own directory
        fails only if something else changes its target meanwhile (a directory put in its
        place, the file made immutable), and the error then names what was already replaced.
        """
        for path, data in self._in_place:
            _write_in_place(path, data)
        self._in_place = []
        with _DeferredSignals(len(self._staged) > 1):
            for done, item in enumerate(self._staged):
                try:
                    os.replace(item.tmp, item.target)
                except OSError as err:
                    replaced, self._staged = self._staged[:done], self._staged[done:]
                    raise OutputError(
                        f"cannot write: {_describe(err)}{_already(replaced)}", where=item.shown
                    ) from err
        staged, self._staged = self._staged, []
        for directory in dict.fromkeys(_directory(item.target) for item in staged):
            _fsync_directory(directory)

    def discard(self) -> None:
        """Remove every staged temporary file; the targets are untouched."""
        for item in self._staged:
            _remove_quietly(item.tmp)
        self._staged = []
        self._in_place = []


def _stage(
    target: str, data: bytes, old: os.stat_result | None, *, make_dirs: bool, shown: str
) -> _Staged:
    directory, base = _directory(target), os.path.basename(target)
    if not base:
        raise OutputError("is a directory, not a file name", where=shown)
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise OutputError("is a directory; give a file name", where=shown)
    if make_dirs:
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as err:
            raise OutputError(f"cannot create directory {directory}: {_describe(err)}") from err
    tmp = os.path.join(directory, f".{base}.{os.urandom(6).hex()}.tmp")
    try:
        # A file that replaces another starts private and takes the old mode once written,
        # so a 0600 result is never readable by others, not even while it is being written.
        fd = os.open(tmp, _TMP_OPEN_FLAGS, 0o666 if old is None else 0o600)
    except OSError as err:
        if not os.path.isdir(directory):
            raise OutputError(f"cannot write: no such directory: {directory}", where=shown) from err
        raise OutputError(
            f"cannot write: cannot create a temporary file in {directory}: {_describe(err)}",
            where=shown,
        ) from err
    try:
        try:
            _write_all(fd, data)
            if old is not None:
                _keep_owner_and_mode(fd, old)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as err:
        _remove_quietly(tmp)
        raise OutputError(f"cannot write: {_describe(err)}", where=shown) from err
    except BaseException:
        _remove_quietly(tmp)  # Ctrl-C or a bug: no debris, and the old report stays
        raise
    return _Staged(tmp, target, shown)


def _keep_owner_and_mode(fd: int, old: os.stat_result) -> None:
    own = os.fstat(fd)
    # Only root may give a file to another user; anyone may keep the file's group if they
    # belong to it. Where the system says no, the file is still written, owned by us.
    uid = old.st_uid if old.st_uid != own.st_uid and os.geteuid() == 0 else -1
    gid = old.st_gid if old.st_gid != own.st_gid else -1
    if uid != -1 or gid != -1:
        _quietly(os.fchown, fd, uid, gid)
    mode = stat.S_IMODE(old.st_mode)
    # Read afresh: a chown clears the set-user-ID and set-group-ID bits.
    if stat.S_IMODE(os.fstat(fd).st_mode) != mode:
        # Refused (vfat has no Unix modes): the file keeps its private creation mode.
        _quietly(os.fchmod, fd, mode)


def _write_in_place(path: str, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise OutputError(f"cannot write: {_describe(err)}", where=path) from err
    try:
        _write_all(fd, data)
    except OSError as err:
        raise OutputError(f"cannot write: {_describe(err)}", where=path) from err
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _DeferredSignals:
    """Hold Ctrl-C and termination signals while several files are renamed, so a run is not
    stopped with half of its reports replaced; they take effect as soon as the renames end.
    One rename is atomic by itself, and the probe's single output must not load `signal`
    (it imports enum)."""

    def __init__(self, needed: bool) -> None:
        self.needed = needed
        self.previous: set[int] | None = None

    def __enter__(self) -> None:
        if self.needed:
            import signal

            held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
            self.previous = {int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, held)}

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            import signal

            signal.pthread_sigmask(signal.SIG_SETMASK, self.previous)


def _already(replaced: list[_Staged]) -> str:
    if not replaced:
        return ""
    return "; already replaced: " + ", ".join(item.shown for item in replaced)


def _directory(path: str) -> str:
    return os.path.dirname(path) or "."


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


def _remove_quietly(tmp: str) -> None:
    _quietly(os.unlink, tmp)  # if it fails, nothing more can be done; the target is untouched


def _quietly(call: Callable[..., object], *args: object) -> None:
    """`call(*args)`, a refusal ignored (contextlib.suppress would load functools, which the
    probe path must not pay for)."""
    try:
        call(*args)
    except OSError:
        return
