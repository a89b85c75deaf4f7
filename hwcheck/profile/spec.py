"""A small declarative schema: validates node trees and generates the published JSON Schema.

One spec drives both the loader and docs/schema/*.schema.json, so they cannot disagree
(tests/test_profile_schema.py regenerates the files and compares). Validation turns the
node tree of `hwcheck.profile.yamlsrc` into plain values: `Doc` (a dict) and `DocList`
(a list) remember where each of their entries was written, for later error messages.
"""

from __future__ import annotations

import re

from hwcheck.errors import ProfileError
from hwcheck.versions import MAX_NUMBER_DIGITS, long_number

_INT = re.compile(r"[0-9]+\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_NULLS = ("", "~", "null", "Null", "NULL")
_MAX_DIGITS = 18
# Dates before this year are refused: year 0 is no date, and no waiver expires before
# the Unix epoch (a typo such as 0000-12-31 or 0202-01-01 must not pass as "expired").
MIN_YEAR = 1970


class Doc(dict[str, object]):
    """A validated mapping; `marks[key]` is the (line, column) of the key's value.

    `paths` is None for a mapping read from one file; a mapping merged from several layers
    (hwcheck.profile.layering) names there the file of each key, and `path` its own."""

    __slots__ = ("column", "line", "marks", "path", "paths")

    def __init__(self, line: int, column: int) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.marks: dict[str, tuple[int, int]] = {}
        self.path: str | None = None
        self.paths: dict[str, str] | None = None


class DocList(list[object]):
    """A validated sequence; `marks[i]` is the (line, column) of item i."""

    __slots__ = ("column", "line", "marks")

    def __init__(self, line: int, column: int) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.marks: list[tuple[int, int]] = []


class Spec:
    __slots__ = ("doc",)

    def __init__(self, doc: str = "") -> None:
        self.doc = doc

    def schema(self) -> dict[str, object]:
        raise NotImplementedError

    def convert(self, node: tuple[object, ...], path: str) -> object:
        raise NotImplementedError

    def _described(self, schema: dict[str, object]) -> dict[str, object]:
        if self.doc:
            schema = {"description": self.doc, **schema}
        return schema


def _fail(message: str, node: tuple[object, ...], path: str) -> ProfileError:
    return ProfileError(message, path=path, line=int(node[2]), column=int(node[3]))  # type: ignore[call-overload]


_KIND_NAMES = {"s": "a single value", "m": "a mapping", "q": "a list"}


def _expect_scalar(node: tuple[object, ...], path: str, what: str) -> str:
    if node[0] != "s":
        raise _fail(f"expected {what}, found {_KIND_NAMES[str(node[0])]}", node, path)
    text = str(node[1])
    if node[4] and text in _NULLS:
        raise _fail(f"expected {what}, found nothing", node, path)
    return text


class Text(Spec):
    """Text. Plain YAML scalars are taken as written (`7.10` stays "7.10")."""

    __slots__ = ("enum", "hint", "pattern")

    def __init__(
        self,
        doc: str = "",
        *,
        enum: tuple[str, ...] | None = None,
        pattern: str | None = None,
        hint: str = "text",
    ) -> None:
        super().__init__(doc)
        self.enum = enum
        self.pattern = pattern
        self.hint = hint

    def schema(self) -> dict[str, object]:
        out: dict[str, object] = {"type": "string", "minLength": 1}
        if self.enum is not None:
            out = {"enum": list(self.enum)}
        if self.pattern is not None:
            out["pattern"] = self.pattern
        return self._described(out)

    def convert(self, node: tuple[object, ...], path: str) -> object:
        text = _expect_scalar(node, path, self.hint if self.enum is None else "one of the words")
        if not text.strip():
            raise _fail(f"expected {self.hint}, found only blanks", node, path)
        if not visible(text):
            seen = ", ".join(f"U+{ord(ch):04X}" for ch in list(dict.fromkeys(text))[:8])
            raise _fail(
                f"expected {self.hint}, found only invisible or control characters ({seen})",
                node,
                path,
            )
        if self.enum is not None and text not in self.enum:
            raise _fail(
                f"'{text}' is not accepted (expected one of: {', '.join(self.enum)})", node, path
            )
        if self.pattern is not None and not _matches(self.pattern, text):
            raise _fail(f"'{text}' is not {self.hint}", node, path)
        return text


def _matches(pattern: str, text: str) -> bool:
    """Whether `text` matches `pattern` as JSON Schema (and the published schema) reads it:
    there `$` is the end of the text, where Python's also matches before a final newline,
    which would let `rule-id\n` (a YAML `|` block, a quoted "\n") pass for `rule-id`."""
    if pattern.endswith("$") and text.endswith("\n"):
        return False
    return re.search(pattern, text) is not None


# Characters that show nothing: a value made only of them (a justification of zero-width
# spaces, no-break spaces, control or bidi characters) says nothing. YAML refuses control
# characters written raw, but a double-quoted escape ("\x1b", "\u200b") makes them.
_UNSEEN_CATEGORIES = frozenset(("Cc", "Cf", "Co", "Cn", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"))
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")  # fillers drawn as nothing


def visible(text: str) -> bool:
    """Whether `text` holds at least one character that shows."""
    if text.isascii():  # the usual case: no table needed
        return any("!" <= ch <= "~" for ch in text)
    import unicodedata  # only for non-ASCII text

    return any(
        ch not in _BLANK_LETTERS and unicodedata.category(ch) not in _UNSEEN_CATEGORIES
        for ch in text
    )


class OneOrMany(Spec):
    """One text, or a list of them: `vendor: Dell Inc.` or `vendor: [Dell Inc., Supermicro]`.
    Converted to a DocList either way."""

    __slots__ = ("item",)

    def __init__(self, item: Text, doc: str = "") -> None:
        super().__init__(doc)
        self.item = item

    def schema(self) -> dict[str, object]:
        one = self.item.schema()
        return self._described({"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]})

    def convert(self, node: tuple[object, ...], path: str) -> object:
        if node[0] == "q":
            return Seq(self.item).convert(node, path)
        out = DocList(int(node[2]), int(node[3]))  # type: ignore[call-overload]
        out.append(self.item.convert(node, path))
        out.marks.append((out.line, out.column))
        return out


class Version(Spec):
    """A version or threshold: kept as the exact text written, even when YAML sees a number."""

    __slots__ = ()

    def schema(self) -> dict[str, object]:
        return self._described({"type": ["string", "number"]})

    def convert(self, node: tuple[object, ...], path: str) -> object:
        text = _expect_scalar(node, path, "a version")
        digits = long_number(text)
        if digits is not None:
            # Version components are read as integers when judged; Python refuses one of more
            # than 4300 digits, and no vendor's component comes near this.
            shown = f"{text[:12]}... ({len(text)} characters)" if len(text) > 24 else text
            raise _fail(
                f"'{shown}' is not a version: it holds a number of {digits} digits "
                f"(a version component has at most {MAX_NUMBER_DIGITS})",
                node,
                path,
            )
        return text


class Int(Spec):
    __slots__ = ("maximum", "minimum")

    def __init__(self, doc: str = "", *, minimum: int = 0, maximum: int | None = None) -> None:
        super().__init__(doc)
        self.minimum = minimum
        self.maximum = maximum

    def schema(self) -> dict[str, object]:
        out: dict[str, object] = {"type": "integer", "minimum": self.minimum}
        out["maximum"] = self.maximum if self.maximum is not None else 10**_MAX_DIGITS - 1
        return self._described(out)

    def convert(self, node: tuple[object, ...], path: str) -> object:
        text = _expect_scalar(node, path, "a whole number")
        digits = text.lstrip("0") if node[4] and _INT.match(text) else None
        if digits is not None and len(digits) > _MAX_DIGITS:
            # Never handed to int(): Python refuses more than 4300 digits, and no count or
            # language version is anywhere near this.
            shown = f"{text[:12]}... ({len(text)} digits)" if len(text) > 24 else text
            if self.maximum is None:
                raise _fail(
                    f"'{shown}' is too large (expected a whole number of at most "
                    f"{_MAX_DIGITS} digits)",
                    node,
                    path,
                )
            text, value = shown, self.maximum + 1
        else:
            value = int(text) if digits is not None else -1
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            accepted = (
                f"{self.minimum}"
                if self.maximum == self.minimum
                else f"a whole number >= {self.minimum}"
            )
            raise _fail(f"'{text}' is not accepted (expected {accepted})", node, path)
        return value


class Bool(Spec):
    __slots__ = ()

    def schema(self) -> dict[str, object]:
        return self._described({"type": "boolean"})

    def convert(self, node: tuple[object, ...], path: str) -> object:
        text = _expect_scalar(node, path, "true or false")
        if not node[4] or text not in ("true", "false"):
            raise _fail(f"'{text}' is not accepted (expected one of: true, false)", node, path)
        return text == "true"


class Date(Spec):
    __slots__ = ()

    def schema(self) -> dict[str, object]:
        return self._described(
            {
                "type": "string",
                "format": "date",
                "pattern": "^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$",
            }
        )

    def convert(self, node: tuple[object, ...], path: str) -> object:
        text = _expect_scalar(node, path, "a date (YYYY-MM-DD)")
        if not _DATE.match(text):
            raise _fail(f"'{text}' is not a date (expected YYYY-MM-DD)", node, path)
        year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
        if year < MIN_YEAR:
            raise _fail(
                f"'{text}' is not a date this file can mean: the year must be {MIN_YEAR} or later",
                node,
                path,
            )
        if not 1 <= month <= 12:
            raise _fail(f"'{text}' is not a date: there is no month {month}", node, path)
        if not 1 <= day <= _month_days(year, month):
            raise _fail(
                f"'{text}' is not a date: month {month} of {year} has "
                f"{_month_days(year, month)} days",
                node,
                path,
            )
        return text


def _month_days(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


class Seq(Spec):
    __slots__ = ("item", "max_items", "min_items")

    def __init__(
        self, item: Spec, doc: str = "", *, min_items: int = 1, max_items: int | None = None
    ) -> None:
        super().__init__(doc)
        self.item = item
        self.min_items = min_items
        self.max_items = max_items

    def schema(self) -> dict[str, object]:
        out: dict[str, object] = {
            "type": "array",
            "items": self.item.schema(),
            "minItems": self.min_items,
        }
        if self.max_items is not None:
            out["maxItems"] = self.max_items
        return self._described(out)

    def convert(self, node: tuple[object, ...], path: str) -> object:
        if node[0] != "q":
            raise _fail(f"expected a list, found {_KIND_NAMES[str(node[0])]}", node, path)
        items: list[tuple[object, ...]] = node[1]  # type: ignore[assignment]
        count = len(items)
        if count < self.min_items or (self.max_items is not None and count > self.max_items):
            want = (
                f"exactly {self.min_items}"
                if self.max_items == self.min_items
                else f"at least {self.min_items}"
            )
            raise _fail(f"expected a list of {want} item(s), found {count}", node, path)
        out = DocList(int(node[2]), int(node[3]))  # type: ignore[call-overload]
        for item in items:
            out.append(self.item.convert(item, path))
            out.marks.append((int(item[2]), int(item[3])))  # type: ignore[call-overload]
        return out


class Obj(Spec):
    """A mapping with a closed set of keys; unknown keys are errors with a suggestion."""

    __slots__ = (
        "at_least_one",
        "at_most_one",
        "exactly_one",
        "fields",
        "needs",
        "required",
        "schema_extra",
    )

    def __init__(
        self,
        fields: dict[str, Spec],
        doc: str = "",
        *,
        required: tuple[str, ...] = (),
        exactly_one: tuple[str, ...] = (),
        at_most_one: tuple[str, ...] = (),
        at_least_one: tuple[str, ...] = (),
        needs: dict[str, str] | None = None,
        schema_extra: dict[str, object] | None = None,
    ) -> None:
        """`schema_extra`: JSON Schema keywords for what the loader checks elsewhere (in
        layering, say), so that the published schema refuses it too."""
        super().__init__(doc)
        self.fields = fields
        self.required = required
        self.exactly_one = exactly_one
        self.at_most_one = at_most_one
        self.at_least_one = at_least_one
        self.needs = needs or {}
        self.schema_extra = schema_extra or {}

    def schema(self) -> dict[str, object]:
        out: dict[str, object] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: spec.schema() for name, spec in self.fields.items()},
        }
        if self.required:
            out["required"] = list(self.required)
        all_of: list[object] = []
        if self.exactly_one:
            all_of.append({"oneOf": [{"required": [k]} for k in self.exactly_one]})
        if self.at_least_one:
            all_of.append({"anyOf": [{"required": [k]} for k in self.at_least_one]})
        if self.at_most_one:
            keys = self.at_most_one
            pairs = [[a, b] for i, a in enumerate(keys) for b in keys[i + 1 :]]
            all_of.append({"not": {"anyOf": [{"required": p} for p in pairs]}})
        if all_of:
            out["allOf"] = all_of
        if self.needs:
            out["dependentRequired"] = {k: [v] for k, v in self.needs.items()}
        out.update(self.schema_extra)
        return self._described(out)

    def convert(self, node: tuple[object, ...], path: str) -> object:
        if node[0] != "m":
            raise _fail(f"expected a mapping, found {_KIND_NAMES[str(node[0])]}", node, path)
        pairs: list[tuple[tuple[object, ...], tuple[object, ...]]] = node[1]  # type: ignore[assignment]
        out = Doc(int(node[2]), int(node[3]))  # type: ignore[call-overload]
        for key, value in pairs:
            name = str(key[1])
            spec = self.fields.get(name)
            if spec is None:
                raise _fail(_unknown_key(name, tuple(self.fields)), key, path)
            out[name] = spec.convert(value, path)
            out.marks[name] = (int(value[2]), int(value[3]))  # type: ignore[call-overload]
        self._check_keys(out, node, path)
        return out

    def _check_keys(self, out: Doc, node: tuple[object, ...], path: str) -> None:
        missing = [k for k in self.required if k not in out]
        if missing:
            raise _fail(f"missing required key '{missing[0]}'", node, path)
        for group, low, high in (
            (self.exactly_one, 1, 1),
            (self.at_least_one, 1, None),
            (self.at_most_one, 0, 1),
        ):
            if not group:
                continue
            present = [k for k in group if k in out]
            if len(present) < low:
                raise _fail(f"expected one of: {', '.join(group)}", node, path)
            if high is not None and len(present) > high:
                raise _fail(
                    f"'{present[0]}' and '{present[1]}' cannot be used together "
                    f"(expected only one of: {', '.join(group)})",
                    node,
                    path,
                )
        for key, needed in self.needs.items():
            if key in out and needed not in out:
                raise _fail(f"'{key}' needs '{needed}' in the same mapping", node, path)


def _unknown_key(name: str, accepted: tuple[str, ...]) -> str:
    import difflib  # only on this error path

    close = difflib.get_close_matches(name, accepted, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{name}' ({hint}expected one of: {', '.join(accepted)})"


def json_schema(spec: Spec, *, title: str) -> dict[str, object]:
    """The JSON Schema (draft 2020-12) document for `spec`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **spec.schema(),
    }
