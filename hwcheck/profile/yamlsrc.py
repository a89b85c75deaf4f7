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

from hwcheck.errors import ProfileError

MAX_BYTES = 1 << 20  # 1 MiB: profiles are hand-written; anything larger is a mistake or hostile
MAX_DEPTH = 64
MAX_NODES = 100_000  # counted with aliases expanded


def read_bytes(path: str) -> bytes:
    """The file's bytes, refusing anything over MAX_BYTES before reading it all."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as err:
        raise ProfileError(f"cannot read: {err.strerror or err}", path=path) from None
    if len(data) > MAX_BYTES:
        raise ProfileError(
            f"file is larger than {MAX_BYTES // 1024} KiB (profiles and waivers are small)",
            path=path,
        )
    return data


def parse(data: bytes, path: str) -> tuple[object, ...]:
    """Parse one YAML document into a node tree; raise ProfileError on anything unsafe."""
    if len(data) > MAX_BYTES:
        raise ProfileError(f"file is larger than {MAX_BYTES // 1024} KiB", path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProfileError(f"not UTF-8 text (byte {err.start})", path=path) from None
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
