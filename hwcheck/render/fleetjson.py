"""The fleet document as JSON: stable (keys sorted) and readable at fleet size.

Each top-level key is on its own line, and each node row (and each other list item of the
long lists) on its own line, compact and in UTF-8. msgspec encodes them when it is installed
(three times faster than the standard library's C encoder at 10,000 nodes), the standard
library otherwise, byte for byte the same text (tests/test_fleet_outputs.py holds the two to
it). Validates against docs/schema/fleet.schema.json.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hwcheck.model.fleet import Fleet, NodeRow

_ONE_PER_LINE = frozenset({"nodes", "superseded", "spread", "failing_rules", "known_bad"})

_exact = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def _standard(value: object) -> bytes:
    """The standard library's text. A string that is no Unicode (a lone surrogate that an
    inventory's JSON escaped) is written as its JSON escape again."""
    return _exact(value).encode("utf-8", "backslashreplace")


def encoder(use_msgspec: bool = True) -> Callable[[object], bytes]:
    """One value as compact JSON, keys sorted, UTF-8 (made once per process: a worker asks
    for it for every node it judges)."""
    if not use_msgspec:
        return _standard
    made = _made.get("msgspec")
    if made is None:
        made = _made["msgspec"] = _msgspec_encoder()
    return made


_made: dict[str, Callable[[object], bytes]] = {}


def _msgspec_encoder() -> Callable[[object], bytes]:
    try:
        import msgspec
    except ImportError:
        return _standard
    fast = msgspec.json.Encoder(order="sorted").encode

    def encode(value: object) -> bytes:
        try:
            return fast(value)
        except UnicodeEncodeError:  # a lone surrogate: msgspec writes UTF-8 only
            return _standard(value)

    return encode


def node_line(row: NodeRow) -> bytes:
    """A node row as its line of the document (before the separating comma): what a fleet
    worker makes of each row it judges, so that the document is a join of them."""
    return b"    " + encoder()(row)


def render_fleet_json(fleet: Fleet, *, use_msgspec: bool = True) -> str:
    return fleet_json_bytes(fleet, use_msgspec=use_msgspec).decode("utf-8", "surrogateescape")


def fleet_json_bytes(
    fleet: Fleet, *, use_msgspec: bool = True, node_lines: Sequence[bytes] | None = None
) -> bytes:
    """The document as written (UTF-8). `node_lines`: each row of `fleet["nodes"]` already as
    node_line() makes it, in order (made where the row was, by the worker that judged it)."""
    encode = encoder(use_msgspec)
    parts = [b"{\n"]  # joined once: the nodes' lines are most of 20 MB, copied once
    for index, key in enumerate(sorted(fleet)):
        value = fleet[key]  # type: ignore[literal-required]
        parts += (b",\n  " if index else b"  ", encode(key))
        if key in _ONE_PER_LINE and value:
            if key == "nodes" and node_lines is not None:
                if len(node_lines) != len(value):
                    raise ValueError("one line is needed for each node row")
                items = node_lines
            else:
                items = [b"    " + encode(item) for item in value]
            parts += (b": [\n", b",\n".join(items), b"\n  ]")
        else:
            parts += (b": ", encode(value))
    parts.append(b"\n}\n")
    return b"".join(parts)
