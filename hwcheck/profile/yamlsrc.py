"""Safe YAML reading for profiles and waivers: a node tree that remembers line and column.

Built from PyYAML's event stream (C parser when available), not its constructor, so that:
- every scalar stays the text the author wrote (`min: 4.10` is "4.10", never the float 4.1);
- duplicate keys, tags, several documents and non-text keys are errors with a position;
- the file size, nesting depth and alias expansion are bounded: a "billion laughs" file
  fails after a few aliases, not after filling memory;
- the tree is made of tuples, lists and strings only, so it can be cached with `marshal`
  (see `hwcheck.profile.cache`) and a later run need not import PyYAML at all.

Node shapes (positions are 1-based):
    ("s", text, line, column, plain)   scalar; `plain` is False when quoted or a block scalar
    ("m", [(key_node, value_node), ...], line, column)
    ("q", [node, ...], line, column)
"""

from __future__ import annotations

import contextlib
import os
import re
import stat

from hwcheck.errors import ProfileError

MAX_BYTES = 1 << 20  # 1 MiB: profiles are hand-written; anything larger is a mistake or hostile
MAX_DEPTH = 64
MAX_NODES = 100_000  # counted with aliases expanded


def read_bytes(path: str, *, pipe_ok: bool = False) -> bytes:
    """The file's bytes, refusing anything over MAX_BYTES before reading it all.

    Only a regular file is read (a FIFO, socket or device is refused, naming it): opening
    is non-blocking, so a FIFO nobody writes cannot hold the run. `pipe_ok` accepts a pipe
    the operator named on the command line (`--waivers <(...)`)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        with contextlib.suppress(OSError):
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                raise not_regular(path, mode) from None
        raise ProfileError(f"cannot read: {err.strerror or err}", path=path) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISFIFO(mode) and pipe_ok:
            os.set_blocking(fd, True)
        elif not stat.S_ISREG(mode):
            raise not_regular(path, mode)
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES and (chunk := os.read(fd, MAX_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise ProfileError(f"cannot read: {err.strerror or err}", path=path) from None
    finally:
        os.close(fd)
    if size > MAX_BYTES:
        raise ProfileError(
            f"file is larger than {MAX_BYTES // 1024} KiB (profiles and waivers are small)",
            path=path,
        )
    return b"".join(chunks)


def not_regular(path: str, mode: int) -> ProfileError:
    """The error for a profile or waiver file that is a FIFO, socket or device: reading one
    could wait forever (a FIFO nobody writes) or never end (a device)."""
    kind = (
        "a FIFO"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a directory"
        if stat.S_ISDIR(mode)
        else "not a file"
    )
    return ProfileError(
        f"not a regular file ({kind}); profiles and waiver files are regular files", path=path
    )


# What YAML refuses in a stream (PyYAML's reader does too, with no line or column): found
# first, so the error says where. Tab, LF, CR and NEL are line structure, not refused.
_REFUSED = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NAMES = {0: "a NUL byte", 0x1B: "an ESC character", 0x7F: "a DEL character"}


def _position(before: str) -> tuple[int, int]:
    """The 1-based line and column just after `before` (the text ahead of a character),
    counting line breaks as YAML does."""
    breaks = list(_BREAKS.finditer(before))
    if not breaks:
        return 1, len(before) + 1
    return len(breaks) + 1, len(before) - breaks[-1].end() + 1


def parse(data: bytes, path: str) -> tuple[object, ...]:
    """Parse one YAML document into a node tree; raise ProfileError on anything unsafe."""
    if len(data) > MAX_BYTES:
        raise ProfileError(f"file is larger than {MAX_BYTES // 1024} KiB", path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _position(data[: err.start].decode("utf-8"))
        raise ProfileError(
            f"not UTF-8 text (byte {err.start}: {data[err.start : err.end]!r})",
            path=path,
            line=line,
            column=column,
        ) from None
    bad = _REFUSED.search(text)
    if bad is not None:
        line, column = _position(text[: bad.start()])
        code = ord(bad.group())
        name = _NAMES.get(code, "a control character" if code < 0xA0 else "a non-character")
        raise ProfileError(
            f"{name} (U+{code:04X}) is not allowed in YAML text",
            path=path,
            line=line,
            column=column,
        )
    import yaml  # imported here: a cached profile never needs it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    builder = _Builder(path)
    try:
        for event in yaml.parse(text, Loader=loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or err.context or "invalid YAML"
        if mark is None:
            raise ProfileError(f"invalid YAML: {what}", path=path) from None
        raise ProfileError(
            f"invalid YAML: {what}", path=path, line=mark.line + 1, column=mark.column + 1
        ) from None
    except yaml.YAMLError as err:
        raise ProfileError(f"invalid YAML: {err}", path=path) from None
    return builder.result()


class _Open:
    __slots__ = ("anchor", "column", "items", "kind", "line", "size")

    def __init__(self, kind: str, line: int, column: int, anchor: str | None) -> None:
        self.kind = kind
        self.line = line
        self.column = column
        self.anchor = anchor
        self.items: list[tuple[object, ...]] = []
        self.size = 1  # nodes in this container, aliases expanded


class _Builder:
    """Turns parser events into the node tree, enforcing the limits as it goes."""

    __slots__ = ("anchors", "docs", "nodes", "path", "root", "stack")

    def __init__(self, path: str) -> None:
        self.path = path
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[tuple[object, ...], int]] = {}
        self.nodes = 0  # every node read so far, aliases expanded
        self.docs = 0
        self.root: tuple[object, ...] | None = None

    def error(self, message: str, event: object) -> ProfileError:
        mark = getattr(event, "start_mark", None)
        if mark is None:
            return ProfileError(message, path=self.path)
        return ProfileError(message, path=self.path, line=mark.line + 1, column=mark.column + 1)

    def feed(self, event: object) -> None:
        name = type(event).__name__
        if name == "ScalarEvent":
            self._tag_check(event)
            mark = event.start_mark  # type: ignore[attr-defined]
            plain = event.style in (None, "")  # type: ignore[attr-defined]
            value = event.value  # type: ignore[attr-defined]
            node = ("s", value, mark.line + 1, mark.column + 1, plain)
            self._count(1, event)
            anchor = event.anchor  # type: ignore[attr-defined]
            if anchor is not None:
                self.anchors[anchor] = (node, 1)
            self._add(node, 1)
        elif name in ("MappingStartEvent", "SequenceStartEvent"):
            self._tag_check(event)
            if len(self.stack) >= MAX_DEPTH:
                raise self.error(f"nested deeper than {MAX_DEPTH} levels", event)
            self._count(1, event)
            mark = event.start_mark  # type: ignore[attr-defined]
            kind = "m" if name == "MappingStartEvent" else "q"
            anchor = event.anchor  # type: ignore[attr-defined]
            self.stack.append(_Open(kind, mark.line + 1, mark.column + 1, anchor))
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            top = self.stack.pop()
            done: tuple[object, ...]
            if top.kind == "q":
                done = ("q", top.items, top.line, top.column)
            else:
                done = ("m", self._pairs(top), top.line, top.column)
            if top.anchor is not None:
                self.anchors[top.anchor] = (done, top.size)
            self._add(done, top.size)
        elif name == "AliasEvent":
            anchor = event.anchor  # type: ignore[attr-defined]
            if anchor not in self.anchors:
                raise self.error(f"unknown alias *{anchor}", event)
            target, size = self.anchors[anchor]
            self._count(size, event)
            self._add(target, size)
        elif name == "DocumentStartEvent":
            self.docs += 1
            if self.docs > 1:
                raise self.error("more than one YAML document in the file", event)

    def _tag_check(self, event: object) -> None:
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise self.error(f"YAML tags are not allowed here ({tag})", event)

    def _count(self, size: int, event: object) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise self.error(
                f"alias expansion or size exceeds {MAX_NODES} nodes "
                "(aliases are expanded when read: is this a 'billion laughs' file?)",
                event,
            )

    def _add(self, node: tuple[object, ...], size: int) -> None:
        if self.stack:
            top = self.stack[-1]
            top.items.append(node)
            top.size += size
        else:
            self.root = node

    def _pairs(self, top: _Open) -> list[tuple[tuple[object, ...], tuple[object, ...]]]:
        items = top.items
        pairs: list[tuple[tuple[object, ...], tuple[object, ...]]] = []
        seen: dict[str, int] = {}
        for i in range(0, len(items), 2):
            key, value = items[i], items[i + 1]
            if key[0] != "s":
                raise ProfileError(
                    "mapping keys must be plain text",
                    path=self.path,
                    line=int(key[2]),  # type: ignore[call-overload]
                    column=int(key[3]),  # type: ignore[call-overload]
                )
            text = str(key[1])
            if text in seen:
                raise ProfileError(
                    f"duplicate key '{text}' (first set on line {seen[text]})",
                    path=self.path,
                    line=int(key[2]),  # type: ignore[call-overload]
                    column=int(key[3]),  # type: ignore[call-overload]
                )
            seen[text] = int(key[2])  # type: ignore[call-overload]
            pairs.append((key, value))
        return pairs

    def result(self) -> tuple[object, ...]:
        if self.root is None:
            raise ProfileError("the file is empty", path=self.path)
        return self.root
