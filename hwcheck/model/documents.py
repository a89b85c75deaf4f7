"""JSON documents (inventories, results) read from files and checked against the model.

The shape is checked against the TypedDicts in hwcheck.model themselves (the contract between
the stages), so no later stage meets a missing key or a wrong type halfway through. Problems
name the JSON path: `$.findings[3].status: expected one of 'pass', 'fail', ...; got "failed"`.
This module imports typing: only the paths that read documents from files load it.
"""

from __future__ import annotations

import json
import os
import sys
import types
import typing

from hwcheck.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory

MAX_DEPTH = 64
"""How deeply a document may nest. The deepest hwcheck document (a result's inventory's NIC's
lshw facts) nests 6 deep; a deeper one is hostile or damaged, refused before any stage
recurses into it."""


def read_json(path: str, *, what: str, max_bytes: int) -> object:
    """The JSON document at `path` (`-` reads stdin), or InputError saying why not.

    Refused as well: an object that repeats a key (JSON parsers disagree on which copy
    wins, so no copy may). Nesting deeper than MAX_DEPTH is refused by check_document,
    which every reader of a document calls: only a document that does not fit its type
    can nest deeper than the type, so only such a one is walked for its depth."""
    return parse_json(read_bytes(path, what=what, max_bytes=max_bytes), what=what, where=path)


def read_bytes(path: str, *, what: str, max_bytes: int) -> bytes:
    """The bytes of the file at `path` (`-` reads stdin), at most `max_bytes` of them, or
    InputError saying why not."""
    try:
        if path == "-":
            if sys.stdin is None:  # started with file descriptor 0 closed
                raise InputError("cannot read: standard input is closed", where=path)
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(path, "rb") as handle:
                data = _read_at_most(handle, max_bytes + 1)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", where=path) from err
    if len(data) > max_bytes:
        raise InputError(f"larger than {max_bytes // (1024 * 1024)} MiB; not {what}", where=path)
    return data


def _read_at_most(handle: typing.BinaryIO, limit: int) -> bytes:
    """The file's bytes to its end, but no more than `limit` of them. A regular file's size
    says how much to ask for first: asking for `limit` itself makes the reader allocate
    (and the kernel map) a buffer of 64 MiB for every file, which cost more than reading
    a fleet's node inventory. A file that grows meanwhile is read on, to its end or the
    limit, exactly as one read of `limit` would have read it."""
    size = os.fstat(handle.fileno()).st_size
    if size >= limit - 1:  # as large as the limit allows, or over it (refused)
        return handle.read(limit)
    data = handle.read(size + 1)
    if len(data) <= size:  # the end came first
        return data
    return data + handle.read(limit - len(data))


def parse_json(data: bytes, *, what: str, where: str) -> object:
    """The JSON document in `data`, refused as read_json refuses it (InputError at `where`)."""
    path = where
    repeated: list[tuple[dict[str, object], str]] = []
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_recorder(repeated))
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte {err.start}); not {what}", where=path) from err
    except json.JSONDecodeError as err:
        raise InputError(
            f"not JSON: line {err.lineno} column {err.colno}: {err.msg}", where=path
        ) from err
    except RecursionError as err:
        raise InputError(f"JSON nested too deeply; not {what}", where=path) from err
    except ValueError as err:
        # The one other ValueError json raises: Python's guard against quadratic-time
        # integer parsing (sys.get_int_max_str_digits()). No hwcheck number is that long.
        limit = sys.get_int_max_str_digits()
        raise InputError(
            f"holds an integer of more than {limit} digits; not {what}", where=path
        ) from err
    if repeated:
        if _depth_over(document, MAX_DEPTH):  # before _first_repeat recurses into it
            raise InputError(
                f"JSON nested too deeply (more than {MAX_DEPTH} levels); not {what}", where=path
            )
        duplicates = {id(obj): key for obj, key in repeated}
        at, key = _first_repeat(document, duplicates, "$")  # type: ignore[misc]
        raise InputError(
            f"{at}: key {key!r} appears more than once (JSON parsers disagree on which "
            f"copy counts, so none does); not {what}",
            where=path,
        )
    return document


def parse_document(data: bytes, *, what: str, where: str) -> tuple[object, Inventory | None]:
    """The JSON document in `data` and, when it says it is an inventory, that inventory
    checked: `parse_json`, then `check_inventory` for a document whose `kind` is an
    inventory's, with the same refusals and messages in the same order. (document, None):
    a document of another kind, which the caller checks as what it says it is.

    Faster than the two calls for an inventory that holds: the text is parsed without the
    hook that looks for repeated keys, and the shape check counts the keys of every object
    it visits (a document that fits its type is visited to the bottom). When that count
    equals the key tokens the text writes (`_keys_at_most`), no object lost a repeated key
    to the parser. Anything else (a count that differs, a shape that does not fit, another
    kind, a text that does not parse) is taken through parse_json and check_inventory, so
    that the answer and its message are theirs."""
    inventory = _fast_inventory(data)
    if inventory is not None:
        _hold_invariants(inventory, "$", where)
        return inventory, inventory
    document = parse_json(data, what=what, where=where)
    if isinstance(document, dict) and document.get("kind") == _INVENTORY_KIND:
        return document, check_inventory(document, where=where)
    return document, None


def parse_inventory(data: bytes, *, where: str) -> Inventory:
    """The inventory in `data`: `check_inventory(parse_json(data))`, by parse_document."""
    document, inventory = parse_document(data, what="an inventory", where=where)
    return inventory if inventory is not None else check_inventory(document, where=where)


_INVENTORY_KIND = "hwcheck-inventory"
_LINE_SPACE = (b"\n", b"\t", b"\r")


def _keys_at_most(data: bytes) -> int | None:
    """At least the number of object keys the JSON text `data` writes, or None.

    A key is a string followed by optional whitespace and a colon. When no whitespace is
    followed by a colon anywhere, each key ends in `":` (a JSON writer's usual spelling), so
    counting `":` counts every key, and perhaps more (a string holding `\\":` or starting with
    `:`): the count may be too high, never too low. UTF-8 multi-byte sequences hold no ASCII
    byte, so the bytes are counted as they are. (Tabs and line ends are looked for first, one
    byte at a time: most texts have none, and then only a space can come before a colon.)"""
    for space in _LINE_SPACE:
        if space in data and space + b":" in data:
            return None
    if b" :" in data:
        return None
    return data.count(b'":')


def _fast_inventory(data: bytes) -> Inventory | None:
    """The inventory in `data` when it is one of the right shape with no key repeated, told
    without the pairs hook; None when that cannot be told so (parse_document says why)."""
    bound = _keys_at_most(data)
    if bound is None:
        return None
    from hwcheck.model import INVENTORY_SCHEMA_VERSION, typeddecode
    from hwcheck.model.inventory import Inventory

    typed = typeddecode.decode(data)  # parsed and shape-checked at once, where enabled
    if typed is not None:
        fits = (
            typed["schema_version"] == INVENTORY_SCHEMA_VERSION  # type: ignore[index]
            and typeddecode.inventory_keys(typed) == bound  # msgspec dropped no key
        )
        return typing.cast("Inventory", typed) if fits else None
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, a huge integer: said there
        return None
    if (
        type(document) is not dict
        or document.get("kind") != _INVENTORY_KIND
        or document.get("schema_version") != INVENTORY_SCHEMA_VERSION
        or type(document.get("schema_version")) is not int
    ):
        return None
    keys = _checker(Inventory)(document)
    if keys != bound:  # a problem (a tuple), or a key the parser kept once of two
        return None
    return typing.cast("Inventory", document)


def _recorder(
    repeated: list[tuple[dict[str, object], str]],
) -> typing.Callable[[list[tuple[str, object]]], dict[str, object]]:
    """An object_pairs_hook building plain dicts that notes each object repeating a key."""

    def build(pairs: list[tuple[str, object]]) -> dict[str, object]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            for key, _value in pairs:
                if key in seen:
                    repeated.append((obj, key))
                    break
                seen.add(key)
        return obj

    return build


def _depth_over(document: object, limit: int) -> bool:
    """Whether `document` nests more than `limit` containers deep (no recursion)."""
    if not isinstance(document, (dict, list)):
        return False
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        # only containers are pushed: a value that is not an object is a list
        items = value.values() if isinstance(value, dict) else typing.cast("list[object]", value)
        stack.extend((item, depth + 1) for item in items if isinstance(item, (dict, list)))
    return False


def _first_repeat(value: object, duplicates: dict[int, str], path: str) -> tuple[str, str] | None:
    """(JSON path, key) of the first object, in document order, that repeated a key. Recursion
    is bounded: the document is at most MAX_DEPTH deep."""
    if isinstance(value, dict):
        if id(value) in duplicates:
            return path, duplicates[id(value)]
        items: typing.Iterable[tuple[str, object]] = (
            (f"{path}.{key}", item) for key, item in value.items()
        )
    elif isinstance(value, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for where, item in items:
        found = _first_repeat(item, duplicates, where)
        if found:
            return found
    return None


_hints: dict[type, tuple[dict[str, object], frozenset[str]]] = {}


def _fields(tp: type) -> tuple[dict[str, object], frozenset[str]]:
    """A TypedDict's field types and its required keys. NotRequired is read from the
    annotations (with `from __future__ import annotations`, `__required_keys__` cannot see it)."""
    cached = _hints.get(tp)
    if cached is None:
        extras = typing.get_type_hints(tp, include_extras=True)
        required = frozenset(
            key for key, hint in extras.items() if typing.get_origin(hint) is not typing.NotRequired
        )
        cached = (typing.get_type_hints(tp), required)
        _hints[tp] = cached
    return cached


_SCALAR_WORDS: dict[object, str] = {
    type(None): "null",
    str: "a string",
    bool: "true or false",
    int: "an integer",
}


def _describe(tp: object) -> str:
    if tp in _SCALAR_WORDS:
        return _SCALAR_WORDS[tp]
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(tp))
    return "a list" if origin is list else "an object"


def shown(value: object) -> str:
    try:
        text = json.dumps(value)
    except RecursionError:
        return "a value nested too deeply to show"
    return text if len(text) <= 60 else text[:57] + "..."


# A checker returns, when the value fits, the number of object keys in it (its own, and its
# objects' within, to the bottom: what parse_document compares with the keys its text
# writes), else (path segments innermost first, problem): a tuple, never an int. Paths are
# built only for the problem found: a valid document builds no strings at all.
Problem = tuple[list[str], str]
Checker = typing.Callable[[object], "Problem | int"]
_checkers: dict[tuple[object, bool], Checker] = {}


def _checker(tp: object, quick: bool = True) -> Checker:
    """The compiled check for model type `tp`, made once per type. `quick=False`: the checks
    without the quick paths of objects (_quick_checker), all the way down; the tests hold
    the two to one answer."""
    found = _checkers.get((tp, quick))
    if found is None:
        if typing.is_typeddict(tp):
            found = _object_checker(typing.cast("type", tp), quick)
        else:
            found = _build(tp, quick)
        _checkers[(tp, quick)] = found
    return found


def _build(tp: object, quick: bool) -> Checker:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _union_checker(tp, quick)
    if origin is typing.Literal:
        return _literal_checker(tp)
    if origin is list:
        return _list_checker(tp, quick)
    if origin is dict:
        return _mapping_checker(tp, quick)
    return _scalar_checker(tp)


def _expected(tp: object, value: object) -> Problem:
    return [], f"expected {_describe(tp)}; got {shown(value)}"


def _literal_checker(tp: object) -> Checker:
    allowed = frozenset(typing.get_args(tp))

    def check(value: object) -> Problem | int:
        if not isinstance(value, bool) and isinstance(value, str | int) and value in allowed:
            return 0
        return _expected(tp, value)

    return check


def _union_checker(tp: object, quick: bool) -> Checker:
    args = typing.get_args(tp)
    parts = [_checker(arg, quick) for arg in args]
    if len(args) == 2 and type(None) in args:  # Optional[X]: the common case, kept fast
        other = parts[args.index(type(None)) ^ 1]

        def optional(value: object) -> Problem | int:
            if value is None:
                return 0
            fit = other(value)
            if type(fit) is int:
                return fit
            return _union_problem(tp, value, [fit])  # type: ignore[list-item]

        return optional

    def check(value: object) -> Problem | int:
        problems: list[Problem] = []
        for part in parts:
            fit = part(value)  # the count of the part that fits, never of one that did not
            if type(fit) is int:
                return fit
            problems.append(fit)  # type: ignore[arg-type]
        return _union_problem(tp, value, problems)

    return check


def _union_problem(tp: object, value: object, problems: list[Problem]) -> Problem:
    # a value of the right shape with a deeper problem: report the deeper problem
    for segments, text in problems:
        if segments or not text.startswith("expected"):
            return segments, text
    return _expected(tp, value)


def _exact_types(tp: object) -> frozenset[type] | None:
    """The exact types a value of scalar (or optional scalar) type `tp` has when JSON made
    it, or None for any other type. A container of such values is checked at C speed by the
    types it holds; only a container that fails that is walked for the problem."""
    if tp in (str, int, bool, type(None)):
        return frozenset({tp})
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        parts = [_exact_types(a) for a in typing.get_args(tp)]
        if all(p is not None for p in parts):
            return frozenset().union(*parts)  # type: ignore[arg-type]
    return None


def _list_checker(tp: object, quick: bool) -> Checker:
    (item_type,) = typing.get_args(tp)
    return _container_checker(item_type, list, "a list", enumerate, "[{}]", quick=quick)


def _mapping_checker(tp: object, quick: bool) -> Checker:
    _, value_type = typing.get_args(tp)
    return _container_checker(
        value_type, dict, "an object", lambda v: v.items(), ".{}", quick=quick
    )


def _container_checker(
    item_type: object,
    container: type,
    word: str,
    entries: typing.Callable[[typing.Any], typing.Iterable[tuple[object, object]]],
    segment: str,
    *,
    quick: bool,
) -> Checker:
    """A list's or a mapping's check: each item (each value) of `item_type`, the problem's
    path naming the index (the key) by `segment`."""
    item_check = _checker(item_type, quick)
    exact = _exact_types(item_type)

    def check(value: object) -> Problem | int:
        if not isinstance(value, container):
            return [], f"expected {word}; got {shown(value)}"
        keys = len(value) if container is dict else 0  # type: ignore[arg-type]
        if exact is not None:
            items = value.values() if isinstance(value, dict) else value
            if exact.issuperset(map(type, typing.cast("typing.Iterable[object]", items))):
                return keys  # scalars: no object within
        for where, item in entries(value):
            fit = item_check(item)
            if type(fit) is not int:
                fit[0].append(segment.format(where))  # type: ignore[index]
                return fit
            keys += fit
        return keys

    return check


def _scalar_checker(tp: object) -> Checker:
    if tp is type(None):

        def ok(value: object) -> bool:
            return value is None
    elif tp is bool:

        def ok(value: object) -> bool:
            return value is True or value is False
    elif tp is int:

        def ok(value: object) -> bool:
            return type(value) is int or (isinstance(value, int) and not isinstance(value, bool))
    elif tp is str:

        def ok(value: object) -> bool:
            return isinstance(value, str)
    else:
        raise TypeError(f"no check for {tp!r}")  # a model type this module lacks

    def check(value: object) -> Problem | int:
        return 0 if ok(value) else _expected(tp, value)

    return check


def problem_in(value: object, tp: type, path: str = "$") -> str | None:
    """None when `value` fits the TypedDict `tp`, else the first problem and its JSON path."""
    problem = _checker(tp)(value)
    if type(problem) is int:
        return None
    segments, text = problem  # type: ignore[misc]
    return f"{path}{''.join(reversed(segments))}: {text}"


def _object_checker(tp: type, quick: bool) -> Checker:
    """The check of one TypedDict, generated as one function (as dataclasses generates
    `__init__`): a field of a scalar, optional scalar or literal type is tested inline, any
    other calls its own checker. A valid inventory is checked in a few hundred tests, not
    a few thousand calls. Fields are checked in declaration order. With `quick`, behind the
    quick path of _quick_checker."""
    hints, required = _fields(tp)
    env: dict[str, object] = {
        "dict": dict,
        "str": str,
        "int": int,
        "bool": bool,
        "isinstance": isinstance,
        "type": type,
        "sorted": sorted,
        "shown": shown,
        "required": required,
        "known": frozenset(hints),
        "names": ", ".join(hints),
        "absent": object(),
        "bad": _bad,
    }
    lines = [
        "def check(value):",
        "    if type(value) is not dict and not isinstance(value, dict):",
        "        return [], f'expected an object; got {shown(value)}'",
        "    keys = value.keys()",
        "    if not required <= keys:",
        "        missing = sorted(required - keys)",
        "        return [], 'missing ' + ', '.join(repr(k) for k in missing)",
        "    if not keys <= known:",
        "        unknown = sorted(keys - known)",
        "        return [], f'unknown key {unknown[0]!r} (expected one of: {names})'",
        "    n = len(value)",
    ]
    for n, (key, hint) in enumerate(hints.items()):
        env[f"t{n}"] = hint
        env[f"k{n}"] = key
        if key in required:
            lines.append(f"    x = value[k{n}]")
            guard = ""
        else:
            lines.append(f"    x = value.get(k{n}, absent)")
            guard = "x is not absent and "
        test = _inline_test(hint, n, env)
        if test is not None:
            lines.append(f"    if {guard}{test}:")
            lines.append(f"        return bad('.' + k{n}, x, t{n})")
        else:
            env[f"c{n}"] = _checker(hint, quick)
            indent = "    "
            if guard:
                lines.append("    if x is not absent:")
                indent = "        "
            lines.append(f"{indent}if type(p := c{n}(x)) is not int:")
            lines.append(f"{indent}    p[0].append('.' + k{n})")
            lines.append(f"{indent}    return p")
            lines.append(f"{indent}n += p")
    lines.append("    return n")
    exec("\n".join(lines), env)  # noqa: S102 -- generated from the model's own types
    exact = typing.cast("Checker", env["check"])
    return _quick_checker(hints, required, exact) if quick else exact


def _quick_checker(hints: dict[str, object], required: frozenset[str], exact: Checker) -> Checker:
    """`exact` (the TypedDict's check above) behind a quick path that only accepts: the
    required scalar fields are fetched together (operator.itemgetter) and their types tested
    a group at a time (one `issuperset` per set of exact types JSON gives them), and unknown
    keys are told by counting keys, not by a set test. Whatever the quick path does not
    accept at once (a missing or unknown key, a subclass, a value of another type, a
    container that does not fit) is handed to `exact`, whose answer, problem or count, is
    the answer. What the quick path accepts `exact` accepts too, with the same count."""
    import operator

    env: dict[str, object] = {
        "exact": exact,
        "type": type,
        "map": map,
        "str": str,
        "int": int,
        "isinstance": isinstance,
        "absent": object(),
    }
    groups: dict[frozenset[type], list[str]] = {}
    rest: list[str] = []
    for n, (key, hint) in enumerate(hints.items()):
        types_of = _exact_types(hint)
        if key in required and types_of is not None:
            groups.setdefault(types_of, []).append(key)
            continue
        env[f"k{n}"] = key
        rest.append(f"    x = value.get(k{n}, absent)")
        if key in required:
            rest += ["    if x is absent:", "        return exact(value)"]
            indent = "    "
        else:
            rest += ["    if x is not absent:", "        given += 1"]
            indent = "        "
        test = _inline_test(hint, n, env)
        if test is not None:
            rest += [f"{indent}if {test}:", f"{indent}    return exact(value)"]
            continue
        env[f"c{n}"] = _checker(hint)
        rest += [
            f"{indent}if type(p := c{n}(x)) is not int:",
            f"{indent}    return exact(value)",
            f"{indent}n += p",
        ]
    lines = ["def check(value):", "    if type(value) is not dict:", "        return exact(value)"]
    lines += ["    n = len(value)", "    given = 0", "    try:"]
    for g, (types_of, keys) in enumerate(groups.items()):
        env[f"T{g}"] = types_of
        env[f"G{g}"] = operator.itemgetter(*keys)
        fetched = f"(G{g}(value),)" if len(keys) == 1 else f"G{g}(value)"
        lines += [
            f"        if not T{g}.issuperset(map(type, {fetched})):",
            "            return exact(value)",
        ]
    lines += ["    except KeyError:", "        return exact(value)"]
    lines += rest
    # with every required key there, no other key is there only if the sizes agree
    lines += [f"    if len(value) != {len(required)} + given:", "        return exact(value)"]
    lines.append("    return n")
    exec("\n".join(lines), env)  # noqa: S102 -- generated from the model's own types
    return typing.cast("Checker", env["check"])


_INLINE: dict[object, str] = {
    str: "(type(x) is not str and not isinstance(x, str))",
    int: "(type(x) is not int and (not isinstance(x, int) or isinstance(x, bool)))",
    bool: "(x is not True and x is not False)",
}


def _inline_test(hint: object, n: int, env: dict[str, object]) -> str | None:
    """An expression true when `x` does not fit `hint`, or None when `hint` needs its own
    checker (objects, lists, mappings, wider unions)."""
    if hint in _INLINE:
        return _INLINE[hint]
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        env[f"a{n}"] = frozenset(typing.get_args(hint))
        return f"(type(x) not in (str, int) or x not in a{n})"
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if len(args) == 2 and type(None) in args:
            other = args[args.index(type(None)) ^ 1]
            if other in _INLINE:
                return f"(x is not None and {_INLINE[other]})"
    return None


def _bad(segment: str, value: object, tp: object) -> Problem:
    return [segment], f"expected {_describe(tp)}; got {shown(value)}"


def check_document(
    document: object,
    tp: type,
    *,
    kind: str,
    noun: str,
    versions: tuple[int, ...],
    where: str,
    hints: dict[str, str] | None = None,
    inventory_at: str | None = None,
) -> None:
    """Raise InputError unless `document` is a `kind` document of a supported schema version
    whose shape fits the TypedDict `tp`; `hints` maps another kind to advice for it. The
    inventory at `inventory_at` (`$`, or `$.inventory` in a result) must also hold the
    invariants of hwcheck.model.invariants."""
    if not isinstance(document, dict):
        raise InputError(
            f"not an hwcheck {noun}: expected a JSON object; got {shown(document)}", where=where
        )
    found = document.get("kind")
    if found != kind:
        hint = (hints or {}).get(found, "") if isinstance(found, str) else ""
        raise InputError(
            f'not an hwcheck {noun}: $.kind is {shown(found)}, expected "{kind}"{hint}',
            where=where,
        )
    version = document.get("schema_version")
    if version not in versions or isinstance(version, bool):
        supported = ", ".join(str(v) for v in versions)
        raise InputError(
            f"{noun} schema_version {shown(version)} is not supported by this hwcheck "
            f"(supported: {supported})",
            where=where,
        )
    problem = problem_in(document, tp)
    if problem:
        # A document that fits its type nests no deeper than the type does, so depth is
        # asked only of one that does not: that is when it decides the message.
        if _depth_over(document, MAX_DEPTH):
            raise InputError(
                f"JSON nested too deeply (more than {MAX_DEPTH} levels); "
                f"not {'an' if noun[0] in 'aeiou' else 'a'} {noun}",
                where=where,
            )
        raise InputError(f"malformed {noun}: {problem}", where=where)
    if inventory_at is not None:
        inventory = document if inventory_at == "$" else document[inventory_at[2:]]
        _hold_invariants(inventory, inventory_at, where)  # type: ignore[arg-type]


def _hold_invariants(inventory: Inventory, at: str, where: str) -> None:
    """InputError unless `inventory` (at JSON path `at`) holds hwcheck.model.invariants."""
    from hwcheck.model.invariants import inventory_problem

    problem = inventory_problem(inventory, at)
    if problem:
        raise InputError(problem, where=where)


def check_inventory(document: object, *, where: str) -> Inventory:
    """`document` as an Inventory (shape and invariants), or InputError naming the JSON path."""
    from hwcheck.model import INVENTORY_SCHEMA_VERSION
    from hwcheck.model.inventory import Inventory

    check_document(
        document,
        Inventory,
        kind=_INVENTORY_KIND,
        noun="inventory",
        versions=(INVENTORY_SCHEMA_VERSION,),
        where=where,
        hints={"hwcheck-result": " (a result: render it with `hwcheck report`)"},
        inventory_at="$",
    )
    return typing.cast("Inventory", document)
