"""Inventories parsed and shape-checked in one pass (msgspec), for a process that reads many.

`hwcheck fleet` and the collector read thousands of inventories. msgspec decodes JSON
straight into the Inventory TypedDict, checking every field's type as it parses, in C: a
third less time than `json.loads` alone, where parsing and then walking the document with
hwcheck.model.documents' shape check costs twice as much (bench/bench_fleet.py prints both).

It is only ever a faster way to the same answer. hwcheck.model.documents takes what it decodes
only when every key of the text is in the result (msgspec drops a key the type does not
name and keeps one copy of a repeated key; either makes the count differ); anything msgspec
refuses, and anything it drops, is read again by `json.loads` and the exact shape check, so
the answer and its message are theirs. tests/test_fast_paths.py holds the two to the same
answer over every mutation of the fixture inventories.

A one-off `check` does not load it: importing msgspec costs more than it saves on one file.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_state: dict[str, tuple[Callable[[bytes], object], tuple[type[Exception], ...]]] = {}


def enable() -> bool:
    """Build the typed decoder for this process (and the processes it forks); False when
    msgspec is not installed (the exact path serves alone)."""
    if "decoder" in _state:
        return True
    try:
        import msgspec
    except ImportError:
        return False
    from hwcheck.model.inventory import Inventory

    decoder = msgspec.json.Decoder(Inventory)
    _state["decoder"] = (decoder.decode, (msgspec.DecodeError, msgspec.ValidationError))
    return True


def disable() -> None:
    _state.pop("decoder", None)


def decode(data: bytes) -> object | None:
    """The inventory msgspec decodes from `data`, its shape checked; None when msgspec
    refuses it or is not enabled (the caller reads it the exact way)."""
    typed = _state.get("decoder")
    if typed is None:
        return None
    decoder, refusals = typed
    try:
        return decoder(data)
    except refusals:
        return None
    except (ValueError, RecursionError):  # a number out of range, a document too deep
        return None


def count_keys(document: object) -> int:
    """The keys of every object in `document`, nested ones included."""
    keys = 0
    stack = [document]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            keys += len(value)
            stack.extend(v for v in value.values() if type(v) is dict or type(v) is list)
        elif type(value) is list:
            stack.extend(v for v in value if type(v) is dict or type(v) is list)
    return keys
