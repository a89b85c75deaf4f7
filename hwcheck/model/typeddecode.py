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
    from typing import Any

    import msgspec

    Count = Callable[[Any], int]
    Plan = int | Count | None  # how many keys a value of a type holds (see _plan)

_state: dict[str, tuple[Callable[[bytes], object], tuple[type[Exception], ...]]] = {}
_counts: dict[str, Count] = {}


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
    _counts["inventory"] = _function(_plan(msgspec.inspect.type_info(Inventory)))
    return True


def disable() -> None:
    _state.pop("decoder", None)
    _counts.pop("inventory", None)


def inventory_keys(inventory: object) -> int:
    """The keys of every object in `inventory`, as decode() made it: count_keys' answer,
    told from the type where the type tells it (every Module holds its four keys, for one),
    so that only the objects that may vary are looked at (a tenth of the walk's time)."""
    return _counts.get("inventory", count_keys)(inventory)


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


def _plan(info: msgspec.inspect.Type) -> Plan:
    """How to count the keys in a value of `info`, as msgspec decodes it: None when it holds
    no object; an int when every such value holds that many keys (a TypedDict whose fields
    are all required and hold no object: msgspec refuses one that lacks a field and drops
    a key it does not name); else a function of the value."""
    from msgspec import inspect as mi

    if isinstance(info, _scalars()):
        return None
    kinds: tuple[tuple[type | tuple[type, ...], Callable[[Any], Plan]], ...] = (
        (mi.UnionType, _union),
        (mi.TypedDictType, _typed_dict),
        ((mi.ListType, mi.VarTupleType), _items),
        (mi.DictType, _mapping),
    )
    for kind, plan in kinds:
        if isinstance(info, kind):
            return plan(info)
    return count_keys  # anything else (Any, a tuple, ...): walked


def _union(info: msgspec.inspect.UnionType) -> Plan:
    from msgspec import inspect as mi

    kinds = [kind for kind in info.types if not isinstance(kind, mi.NoneType)]
    plans = [_plan(kind) for kind in kinds]
    if all(plan is None for plan in plans):
        return None
    if len(kinds) > 1:
        return count_keys  # an object or something else: walked
    counted = _function(plans[0])
    return lambda value: 0 if value is None else counted(value)


def _typed_dict(info: msgspec.inspect.TypedDictType) -> Plan:
    """Its keys, and those of each field that holds objects (a field that is null, or
    absent, holds none)."""
    fields = [(field.name, _plan(field.type)) for field in info.fields]
    nested = [(name, _function(plan)) for name, plan in fields if plan is not None]
    if not nested and all(field.required for field in info.fields):
        return len(info.fields)

    def count(value: dict[str, object]) -> int:
        keys = len(value)
        for name, counted in nested:
            field = value.get(name)
            if field is not None:
                keys += counted(field)
        return keys

    return count


def _items(info: msgspec.inspect.ListType | msgspec.inspect.VarTupleType) -> Plan:
    item = _plan(info.item_type)
    if item is None:
        return None
    if isinstance(item, int):
        each = item
        return lambda values: each * len(values)
    counted = item
    return lambda values: sum(map(counted, values))


def _mapping(info: msgspec.inspect.DictType) -> Plan:
    value = _plan(info.value_type)
    if value is None:
        return len
    counted = _function(value)
    return lambda mapping: len(mapping) + sum(map(counted, mapping.values()))


def _function(plan: Plan) -> Count:
    if plan is None:
        return lambda _value: 0
    if isinstance(plan, int):
        keys = plan
        return lambda _value: keys
    return plan


def _scalars() -> tuple[type, ...]:
    from msgspec import inspect as mi

    return (
        mi.NoneType,
        mi.BoolType,
        mi.IntType,
        mi.FloatType,
        mi.StrType,
        mi.LiteralType,
        mi.BytesType,
        mi.DateTimeType,
        mi.DateType,
        mi.UUIDType,
    )
