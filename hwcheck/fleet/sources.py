"""What a fleet input names, expanded into items one worker each can read.

An input is a file (inventory or result JSON, a capture archive, a tar archive holding many
of these), a capture directory, a directory walked recursively, or `-` (one path per line on
standard input). A collector store is one more producer of the same Items.

A path named on the command line is always read (what it is not is an error row); in a walk,
only names that look like inputs are read (`*.json`, tar archives, capture directories), so
that the HTML and CSV a previous audit wrote beside its inputs are not taken for nodes.
"""

from __future__ import annotations

import os
import posixpath
import tarfile

from hwcheck.probe.host import CAPTURE_META

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Literal, TextIO

    from hwcheck.collector.store import Store

    Kind = Literal["json", "capture", "capture-dir", "error"]

MAX_MEMBER_BYTES = 64 * 1024 * 1024
"""The largest tar member read as one input: the limit on an inventory or a capture."""
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz")
_GZIP = b"\x1f\x8b"


class Item:
    """One input for one node. `data` holds the bytes of a tar member (`path` is then the
    archive's) or an error item's reason; otherwise the worker reads `path`. `walked`: found
    by walking a directory or an archive, not named."""

    __slots__ = ("data", "kind", "label", "path", "walked")

    def __init__(
        self,
        kind: Kind,
        label: str,
        *,
        path: str,
        data: bytes | None = None,
        walked: bool = False,
    ) -> None:
        self.kind = kind
        self.label = label
        self.path = path
        self.data = data
        self.walked = walked


def expand(inputs: Iterable[str], stdin: TextIO | None = None) -> Iterator[Item]:
    """Every item the inputs name, in order; `-` reads paths from `stdin`."""
    for given in inputs:
        if given == "-":
            if stdin is None:
                yield Item("error", "-", path="-", data=b"standard input is closed")
                continue
            for line in stdin:
                path = line.rstrip("\n")
                if path.strip():
                    yield from _named(path)
        else:
            yield from _named(given)


def _named(path: str) -> Iterator[Item]:
    if os.path.isdir(path):
        yield from _directory(path, walked=False)
        return
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError as err:
        yield _error(path, f"cannot read: {err.strerror or err}")
        return
    if _is_archive(head):
        yield from _archive(path, walked=False)
    else:
        # JSON or not: the worker reads it and says what it is not
        yield Item("json", path, path=path)


def _error(label: str, reason: str) -> Item:
    return Item("error", label, path=label, data=reason.encode())


def _is_archive(head: bytes) -> bool:
    return head.startswith(_GZIP) or head[257:262] == b"ustar"


def _directory(path: str, *, walked: bool) -> Iterator[Item]:
    if os.path.isfile(os.path.join(path, CAPTURE_META)):
        yield Item("capture-dir", path, path=path, walked=walked)
        return
    try:
        with os.scandir(path) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as err:
        yield _error(path, f"cannot list: {err.strerror or err}")
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue  # hidden files, and the .NAME.tmp files of a write in progress
        full = os.path.join(path, name)
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _directory(full, walked=True)
                continue
            is_file = entry.is_file()
        except OSError:
            is_file = False
        if name.endswith(".json") and is_file:
            yield Item("json", full, path=full, walked=True)
        elif name.endswith(ARCHIVE_SUFFIXES) and is_file:
            yield from _archive(full, walked=True)


def _archive(path: str, *, walked: bool) -> Iterator[Item]:
    """A capture archive is one item; any other tar archive holds many inputs."""
    try:
        if os.path.getsize(path) <= MAX_MEMBER_BYTES and _holds_capture_meta(path):
            yield Item("capture", path, path=path, walked=walked)
            return
        yield from _members(path)
    except (OSError, EOFError, tarfile.TarError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        yield _error(path, f"not a readable tar archive: {reason}")


def _holds_capture_meta(path: str) -> bool:
    with tarfile.open(path, mode="r|*") as tar:
        return any(_clean(member.name) == CAPTURE_META for member in tar)


def _clean(name: str) -> str:
    return posixpath.normpath(name[2:] if name.startswith("./") else name)


def _members(path: str) -> Iterator[Item]:
    """The inputs inside a tar archive of many (what archiving an Ansible fetch gives), read
    in one pass: JSON members and capture archives. A capture directory inside such an
    archive is an error row: extract the archive, or archive each capture by itself."""
    errors: list[Item] = []
    with tarfile.open(path, mode="r|*") as tar:
        for member in tar:
            name = _clean(member.name)
            label = f"{path}:{name}"
            base = posixpath.basename(name)
            if base == CAPTURE_META:
                errors.append(
                    _error(
                        f"{path}:{posixpath.dirname(name)}",
                        "a capture directory inside a tar archive is not read; extract the "
                        "archive, or pass each capture as its own archive",
                    )
                )
                continue
            wanted = base.endswith(".json") or base.endswith(ARCHIVE_SUFFIXES)
            if not member.isfile() or not wanted or base.startswith("."):
                continue
            if member.size > MAX_MEMBER_BYTES:
                errors.append(_error(label, f"member is {member.size} bytes; too large"))
                continue
            handle = tar.extractfile(member)
            data = handle.read() if handle is not None else b""
            if base.endswith(".json"):
                yield Item("json", label, path=path, data=data, walked=True)
            else:
                yield Item("capture", label, path=path, data=data, walked=True)
    yield from errors


def from_store(store: Store, *, rejudge: bool) -> Iterator[Item]:
    """Each node's latest submission in a collector store, as one item, streamed: its
    result with its inventory embedded (a result input, taken as judged), or with `rejudge`
    its inventory alone (judged again with this run's profiles and waivers)."""
    for summary, result, inventory in store.latest(with_inventory=True):
        label = f"{store.url}#{summary.node_key}"
        if inventory is None:  # pragma: no cover - with_inventory=True always gives it
            yield _error(label, "the store holds no inventory for this submission")
        elif rejudge:
            yield Item("json", label, path=label, data=inventory)
        else:
            yield Item("json", label, path=label, data=embed_inventory(result, inventory))


def embed_inventory(result: bytes, inventory: bytes) -> bytes:
    """A result stored without its inventory (hwcheck.model.summary.without_inventory) with
    it embedded again, as `hwcheck check --json` writes it; the worker checks the whole.
    What is not a JSON object stays as it is, for the worker to refuse."""
    body = result.rstrip()
    if not body.endswith(b"}") or not inventory.strip():
        return result
    head = body[:-1].rstrip()
    joiner = b"," if not head.endswith(b"{") else b""
    return head + joiner + b'"inventory":' + inventory + b"}"
