"""Standard output that fails like an output file: a write that the system refuses (a full
disk, `>/dev/full`, an I/O error, a closed descriptor) is an OutputError naming standard
output (exit 4), not a bug (exit 70).

Standard error that cannot be written is given up quietly: there is nowhere left to say
so, and the exit code must stay the command's own (not Python's 1 for a failed write).

A reader that goes away (`hwcheck check | head -3`) is not an error: the rest of the output
is discarded and the command runs to its end, so its exit code (the verdict a PXE hook
gates on) is still the one it returns.
"""

from __future__ import annotations

import io
import os

from hwcheck.errors import OutputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TextIO

WHERE = "standard output"


def silence(stream: TextIO | None) -> None:
    """Point the stream's file descriptor at /dev/null, so the interpreter's last flush of
    what could not be written neither fails nor prints."""
    if stream is None:
        return
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return  # not backed by a file descriptor: nothing will be flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def escaping(stream: TextIO | None) -> TextIO | None:
    """The stream, set to write what its encoding cannot carry as backslash escapes. Lone
    surrogates (undecodable bytes read from a capture or a JSON document) then print as
    `\\udc9b`: never a raw C1 byte to a terminal (surrogateescape, the C locale's
    default), never an encoding error that would end the run (strict UTF-8)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:  # noqa: SIM105 - contextlib costs the probe path functools and collections
            reconfigure(errors="backslashreplace")
        except (OSError, ValueError):
            pass  # a stream that cannot change; what it cannot write still fails cleanly
    return stream


class GuardedStdout(io.TextIOBase):
    """Wraps sys.stdout for one command."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self.stream = escaping(stream)

    def _open(self) -> TextIO:
        if self.stream is None:  # started with file descriptor 1 closed
            raise OutputError("cannot write: it is closed", where=WHERE)
        return self.stream

    def _failed(self, err: OSError) -> OutputError:
        silence(self.stream)
        return OutputError(f"cannot write: {err.strerror or err}", where=WHERE)

    def write(self, text: str) -> int:
        try:
            return self._open().write(text)
        except BrokenPipeError:
            silence(self.stream)
            return len(text)
        except OSError as err:
            raise self._failed(err) from None

    def writelines(self, lines: Iterable[str]) -> None:  # type: ignore[override]
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            if self.stream is not None:
                self.stream.flush()
        except BrokenPipeError:
            silence(self.stream)
        except OSError as err:
            raise self._failed(err) from None

    def isatty(self) -> bool:
        return self.stream is not None and self.stream.isatty()

    def fileno(self) -> int:
        return self._open().fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._open().encoding


class QuietStderr(io.TextIOBase):
    """Wraps sys.stderr for one command: a write that fails is dropped."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self.stream = escaping(stream)

    def write(self, text: str) -> int:
        if self.stream is not None:
            try:
                self.stream.write(text)
                self.stream.flush()
            except OSError:
                silence(self.stream)
                self.stream = None
        return len(text)

    def flush(self) -> None:
        pass  # every write is flushed as it is made

    def isatty(self) -> bool:
        return self.stream is not None and self.stream.isatty()
