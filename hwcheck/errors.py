"""Errors that reach the user as one line: `hwcheck: error: WHERE: WHAT`.

Every error the CLI reports derives from HwcheckError and carries its exit code.
Anything else that escapes is a bug (exit 70).
"""

from __future__ import annotations

from hwcheck.status import ExitStatus


class HwcheckError(Exception):
    """An error with a user-facing message and an exit code."""

    exit_status = ExitStatus.USAGE

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class UsageError(HwcheckError):
    """A bad command line or option combination."""


class InputError(HwcheckError):
    """An input file (inventory, result, capture) is unreadable or invalid."""


class CaptureError(InputError):
    """A capture archive is unreadable, malformed, too large or hostile."""


class ProfileError(InputError):
    """A profile or waiver file is invalid; `where` is `path:line:column`."""

    def __init__(
        self, message: str, *, path: str, line: int | None = None, column: int | None = None
    ) -> None:
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(message, where=where)
        self.path = path
        self.line = line
        self.column = column


class NoProfileError(HwcheckError):
    """No profile applies to the node judged: hardware no profile knows, not a bad command
    line (a PXE gate must tell the two apart)."""

    exit_status = ExitStatus.NO_PROFILE


class OutputError(HwcheckError):
    """An output file could not be written."""

    exit_status = ExitStatus.OUTPUT
