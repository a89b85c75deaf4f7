"""Write docs/schema/fleet.schema.json from the fleet document's types (hwcheck/model/fleet.py).

The types are the contract (`--baseline` is checked against them); the schema is made from
them, so the two cannot drift. tests/test_fleet_outputs.py holds the file equal to what this
script writes and validates real fleet documents against it.

    .venv/bin/python scripts/fleet_schema.py
"""

from __future__ import annotations

import json
import os
import sys
import types
import typing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from hwcheck.model.fleet import Fleet  # noqa: E402

PATH = os.path.join(ROOT, "docs", "schema", "fleet.schema.json")
_SCALARS = {str: "string", int: "integer", bool: "boolean", type(None): "null"}


def _schema(tp: object, defs: dict[str, object]) -> dict[str, object]:
    if typing.is_typeddict(tp):
        name = tp.__name__  # type: ignore[attr-defined]
        if name not in defs:
            defs[name] = {}  # placeholder while its fields are made
            defs[name] = _object(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    if tp in _SCALARS:
        return {"type": _SCALARS[tp]}
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema(a, defs) for a in args]}
    if origin is list:
        return {"type": "array", "items": _schema(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema(args[1], defs)}
    raise TypeError(f"no schema for {tp!r}")


def _object(tp: object, defs: dict[str, object]) -> dict[str, object]:
    extras = typing.get_type_hints(tp, include_extras=True)
    hints = typing.get_type_hints(tp)
    required = [k for k, h in extras.items() if typing.get_origin(h) is not typing.NotRequired]
    out: dict[str, object] = {"type": "object"}
    doc = (tp.__doc__ or "").strip()  # type: ignore[attr-defined]
    if doc and not doc.startswith(tp.__name__ + "("):  # type: ignore[attr-defined]
        out["description"] = " ".join(doc.split())
    out["required"] = sorted(required)
    out["additionalProperties"] = False
    out["properties"] = {k: _schema(h, defs) for k, h in hints.items()}
    return out


def fleet_schema() -> dict[str, object]:
    defs: dict[str, object] = {}
    root = _object(Fleet, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://hwcheck.invalid/schema/fleet.schema.json",
        "title": "hwcheck fleet",
        "description": "Many nodes judged together: written by `hwcheck fleet --json`, read "
        "by `hwcheck fleet --baseline`. Made from hwcheck/model/fleet.py by "
        "scripts/fleet_schema.py.",
        **{k: v for k, v in root.items() if k != "description"},
        "$defs": dict(sorted(defs.items())),
    }


def text() -> str:
    return json.dumps(fleet_schema(), indent=2) + "\n"


if __name__ == "__main__":
    with open(PATH, "w", encoding="utf-8") as fh:
        fh.write(text())
    print(f"wrote {PATH}")
