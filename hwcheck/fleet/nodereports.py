"""The node reports of `--html-dir`: `nodes/<host>.html` beside the fleet page.

Workers write each report complete to a temporary file in `nodes/`; once the run knows which
input of each node counts, the kept reports are renamed into place and the rest removed. A run
that fails removes every temporary file and leaves the reports of an earlier run in place.
"""

from __future__ import annotations

import contextlib
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.fleet.nodes import Outcome

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def prepare(html_dir: str) -> str:
    """The `nodes/` directory under `html_dir`, created; OutputError if it cannot be."""
    from hwcheck.errors import OutputError

    nodes = os.path.join(html_dir, "nodes")
    try:
        os.makedirs(nodes, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create: {err.strerror or err}", where=nodes) from err
    return nodes


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


def place(kept: list[Outcome], dropped: list[Outcome], nodes_dir: str, page_dir: str) -> None:
    """Rename each kept report into place and point its row at it (relative to the fleet
    page's directory); remove the reports of superseded inputs."""
    taken: set[str] = set()
    for outcome in kept:
        if outcome.report_tmp is None:
            continue
        name = file_name(outcome.row["node"], outcome.row["hostname"], taken)
        target = os.path.join(nodes_dir, name)
        os.replace(outcome.report_tmp, target)
        outcome.report_tmp = None
        outcome.row["report"] = os.path.relpath(target, page_dir).replace(os.sep, "/")
    discard(dropped)


def discard(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.report_tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(outcome.report_tmp)
            outcome.report_tmp = None
