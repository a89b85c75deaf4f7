"""The node reports of `--html-dir`: `nodes/<host>.html` beside the fleet page.

Workers write each report complete to a file of this run's in `nodes/`. Once the run knows
which input of each node counts, and only after the fleet's own reports are written, the kept
reports are renamed into place; the rest are removed. A run that fails (a report that cannot
be written, Ctrl-C) removes every file it staged, those of inputs no worker handed back too,
and leaves the reports of an earlier run in place.
"""

from __future__ import annotations

import contextlib
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.fleet.nodes import Outcome

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


class Staging:
    """Where this run's workers write node reports before they are placed: the `nodes/`
    directory, a prefix no other run shares (so that a failed run removes its own files,
    even those of inputs no worker handed back), and the mode a new file gets."""

    __slots__ = ("directory", "mode", "prefix")

    def __init__(self, html_dir: str) -> None:
        from hwcheck.errors import OutputError

        self.directory = os.path.join(html_dir, "nodes")
        try:
            os.makedirs(self.directory, exist_ok=True)
        except OSError as err:
            raise OutputError(
                f"cannot create: {err.strerror or err}", where=self.directory
            ) from err
        self.prefix = f".node.{os.getpid()}.{os.urandom(4).hex()}."
        umask = os.umask(0o022)
        os.umask(umask)
        self.mode = 0o666 & ~umask  # what any other report of the run gets

    def remove_all(self) -> None:
        """Remove every file this run staged and did not place."""
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name.startswith(self.prefix):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.directory, name))


def file_name(row_node: str, hostname: str | None, taken: set[str]) -> str:
    """A file name for a node's report: its hostname made safe, unique in the run."""
    base = "".join(c if c in _SAFE else "_" for c in (hostname or row_node))[:100]
    base = base.lstrip(".") or "node"
    name, n = f"{base}.html", 1
    while name.lower() in taken:
        n += 1
        name = f"{base}-{n}.html"
    taken.add(name.lower())
    return name


def plan(kept: list[Outcome], staging: Staging, page_dir: str) -> list[tuple[str, str]]:
    """Name each kept node's report and point its row at it (relative to the fleet page's
    directory): the (staged file, target) renames to make once the fleet's own reports are
    written."""
    taken: set[str] = set()
    renames = []
    for outcome in kept:
        if outcome.report_tmp is None:
            continue
        name = file_name(outcome.row["node"], outcome.row["hostname"], taken)
        target = os.path.join(staging.directory, name)
        renames.append((outcome.report_tmp, target))
        outcome.row["report"] = os.path.relpath(target, page_dir).replace(os.sep, "/")
    return renames


def place(renames: list[tuple[str, str]]) -> None:
    """Rename the staged reports over their targets (each replaced whole, never half)."""
    for tmp, target in renames:
        os.replace(tmp, target)
