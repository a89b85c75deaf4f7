"""Running a command as the unprivileged user `nobody`, for tests that need a second user
(unreadable files, a cache planted by someone else). Tests run as root in CI."""

from __future__ import annotations

import contextlib
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path


def as_nobody() -> list[str] | None:
    """The command prefix that runs a command as `nobody`, or None when no tool can."""
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    if shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--"]
    return None


@contextlib.contextmanager
def traversable_by_others(path: Path) -> Iterator[None]:
    """`path` and its parents made traversable (not readable) by others, then restored."""
    restore = []
    while path != path.parent:
        mode = stat.S_IMODE(path.stat().st_mode)
        if not mode & stat.S_IXOTH:
            restore.append((path, mode))
            path.chmod(mode | stat.S_IXOTH)
        path = path.parent
    try:
        yield
    finally:
        for changed, mode in restore:
            changed.chmod(mode)
