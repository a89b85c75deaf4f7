"""Atomic report writes: a reader sees the previous files or the complete new ones, never half,
and a run that fails replaces none of its outputs.

A run's outputs are written as one set (OutputSet). Each file is first staged: written to a
temporary file in the target's own directory (so the final rename stays on one filesystem),
flushed and fsync'ed. Only when every output is staged are they renamed over their targets,
and the directories fsync'ed so the renames survive a crash. On any failure before the
renames, including Ctrl-C, SIGTERM and SIGHUP (hwcheck.cli turns both into the same
unwinding), every temporary file is removed and no previous report is
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
    """An empty path, output or input, is a mistake (an unset shell variable), never "no
    output", "not given" nor "the default": a usage error naming the option, raised before
    any work is done."""
    if path == "":
        raise UsageError("an empty path", where=option)


def is_standard_output(path: str | None) -> bool:
    """Whether `path` is this process's standard output: `-`, or a name for the file that
    descriptor 1 already has open (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`, or the
    very file the shell redirected it to). Such an output is written to descriptor 1 where
    it stands, like `-`: reopening or renaming over it would truncate or replace the file
    a `>>` appends to."""
    if path is None or path == "":
        return False
    if path == "-":
        return True
    try:
        own, named = os.fstat(1), os.stat(path)
    except (OSError, ValueError):
        return False
    return (own.st_dev, own.st_ino) == (named.st_dev, named.st_ino)


def encode(text: str) -> bytes:
    """A report's text as written: UTF-8, undecodable bytes kept as backslash escapes."""
    return text.encode("utf-8", "backslashreplace")


class Output:
    """One output of a set; `shown` is the name it is reported under (a unique name is
    chosen only when the set is committed)."""

    def __init__(self, shown: str) -> None:
        self.shown = shown


class _Staged(Output):
    """One output written to its temporary file, waiting to be renamed over its target."""

    def __init__(self, tmp: str, target: str, shown: str, *, unique: bool = False) -> None:
        super().__init__(shown)
        self.tmp = tmp
        self.target = target
        self.unique = unique


_MAX_UNIQUE = 10000


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
        self._to_stdout: list[bytes] = []

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def add(
        self, path: str, data: bytes, *, make_dirs: bool = False, unique: bool = False
    ) -> Output:
        """Stage `data` for `path`; raises OutputError if it cannot be, leaving nothing of it
        behind (the outputs staged before it are kept, so a caller may go on without it).

        A symlink is followed: its target is replaced, the link stays. A character device or
        a FIFO (`/dev/null`, a pipe a collector reads) cannot be staged: renaming over it
        would replace the device node with a regular file. It is written in place by commit,
        before any rename. Standard output under any name (see is_standard_output) is
        written to descriptor 1 itself, also before any rename.

        `unique` never replaces a file: if `path` exists, commit picks `NAME-2.EXT`,
        `NAME-3.EXT`, ... creating the name exclusively, so runs that ask for the same name
        at the same moment each keep their own file. The name used is the returned
        Output's `shown` once the set is committed.
        """
        if not path:
            raise UsageError("an empty output path")
        if not unique and is_standard_output(path):
            self._to_stdout.append(data)
            return Output(path)
        try:
            old: os.stat_result | None = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            old = None  # a new file; its directory is dealt with below
        except OSError as err:
            raise OutputError(f"cannot write: {_describe(err)}", where=path) from err
        if unique:
            old = None  # never replaced: the file is new whatever name it gets
        elif old is not None and not stat.S_ISREG(old.st_mode) and not stat.S_ISDIR(old.st_mode):
            self._in_place.append((path, data))
            return Output(path)
        target = _resolve_link(path)
        directory, base = _directory(target), os.path.basename(target)
        if not base:
            raise OutputError("is a directory, not a file name", where=path)
        if old is not None and stat.S_ISDIR(old.st_mode):
            raise OutputError("is a directory; give a file name", where=path)
        if make_dirs:
            try:
                os.makedirs(directory, exist_ok=True)
            except OSError as err:
                raise OutputError(f"cannot create directory {directory}: {_describe(err)}") from err
        tmp = os.path.join(directory, f".{base}.{os.urandom(6).hex()}.tmp")
        # Listed before the file exists: a signal at any moment after this leaves a name
        # that discard removes, never an unlisted temporary file.
        item = _Staged(tmp, target, path, unique=unique)
        self._staged.append(item)
        try:
            _stage(item, data, old)
        except BaseException:
            self._staged.remove(item)
            raise
        return item

    def commit(self) -> None:
        """Write the in-place outputs, then rename every staged file over its target.

        Devices and FIFOs go first: a device that refuses its copy (`/dev/full`, a collector
        that hung up) then fails the run while every previous report is still in place.
        After that only renames remain: a staged file's rename within its own directory
        fails only if something else changes its target meanwhile (a directory put in its
        place, the file made immutable), and the error then names what was already replaced.
        """
        for data in self._to_stdout:
            _write_stdout(data)
        self._to_stdout = []
        for path, data in self._in_place:
            _write_in_place(path, data)
        self._in_place = []
        with _DeferredSignals(len(self._staged) > 1):
            for done, item in enumerate(self._staged):
                try:
                    if item.unique:
                        _link_unique(item)
                    else:
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
        self._to_stdout = []


def _stage(item: _Staged, data: bytes, old: os.stat_result | None) -> None:
    directory, shown = _directory(item.target), item.shown
    try:
        # A file that replaces another starts private and takes the old mode once written,
        # so a 0600 result is never readable by others, not even while it is being written.
        fd = os.open(item.tmp, _TMP_OPEN_FLAGS, 0o666 if old is None else 0o600)
    except OSError as err:
        if not _is_live_directory(directory):
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
        _remove_quietly(item.tmp)
        raise OutputError(f"cannot write: {_describe(err)}", where=shown) from err
    except BaseException:
        _remove_quietly(item.tmp)  # Ctrl-C or a bug: no debris, and the old report stays
        raise


def _is_live_directory(directory: str) -> bool:
    """A directory that exists and is still linked: the current directory, once deleted,
    still answers stat but can hold no new file."""
    try:
        found = os.stat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(found.st_mode) and found.st_nlink > 0


def _resolve_link(path: str) -> str:
    """The file a symlink names (its target is replaced, the link kept); `path` itself when
    it is no link, or when it cannot be resolved (a deleted current directory: staging then
    fails with a clear message)."""
    try:
        return os.path.realpath(path) if os.path.islink(path) else path
    except OSError:
        return path


def _link_unique(item: _Staged) -> None:
    """Give the staged file the first free name of `NAME`, `NAME-2`, ...: a hard link is
    created exclusively, so two runs never take the same name and a reader never sees a
    partial file. Where the filesystem has no hard links, the name is claimed with an
    exclusive create and the staged file renamed over that claim."""
    stem, ext = os.path.splitext(item.target)
    shown_stem = os.path.splitext(item.shown)[0]
    for number in range(1, _MAX_UNIQUE + 1):
        suffix = "" if number == 1 else f"-{number}"
        name = f"{stem}{suffix}{ext}"
        try:
            os.link(item.tmp, name)
        except FileExistsError:
            continue
        except OSError:
            if not _claim_and_replace(item.tmp, name):
                continue
        else:
            _remove_quietly(item.tmp)
        item.target, item.shown = name, f"{shown_stem}{suffix}{ext}"
        return
    raise FileExistsError(17, f"{_MAX_UNIQUE} reports of the same name already exist")


def _claim_and_replace(tmp: str, name: str) -> bool:
    """Take `name` with an exclusive create and rename `tmp` over it; False if it is taken."""
    try:
        os.close(os.open(name, _TMP_OPEN_FLAGS, 0o600))
    except FileExistsError:
        return False
    try:
        os.replace(tmp, name)
    except BaseException:
        _remove_quietly(name)  # the empty claim is ours: no debris in place of a report
        raise
    return True


def _write_stdout(data: bytes) -> None:
    """Write to descriptor 1 after what sys.stdout holds, failing like `-` would: a reader
    that went away is not an error (the rest is discarded), a refused write is exit 4."""
    import sys

    sys.stdout.flush()
    try:
        _write_all(1, data)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError as err:
        raise OutputError(f"cannot write: {_describe(err)}", where="standard output") from err


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
