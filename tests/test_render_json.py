"""JSON output: stable bytes, the published schema, and the schema agrees with the model."""

from __future__ import annotations

import json
import os
import typing

import jsonschema
import pytest

from hwcheck.model import inventory as inventory_model
from hwcheck.model import result as result_model
from hwcheck.render.json import render_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "results")
SCHEMA_PATH = os.path.join(ROOT, "docs", "schema", "result.schema.json")
NAMES = [
    "failing-node.json",
    "passing-vm.json",
    "hostile-node.json",
    "judged-mellanox-cx5-dell.json",
    "judged-intel-x710-i40e.json",
    "judged-hostile-host.json",
]


def load(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def validator():
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", NAMES)
def test_json_output_validates_against_the_published_schema(validator, name):
    document = json.loads(render_json(load(name)))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


@pytest.mark.parametrize("name", NAMES)
def test_json_output_round_trips_and_is_byte_stable(name):
    result = load(name)
    text = render_json(result)
    assert text.endswith("}\n")
    assert json.loads(text) == result
    shuffled = dict(reversed(list(result.items())))
    assert render_json(shuffled) == text


def test_raw_values_are_kept_exactly():
    result = load("failing-node.json")
    result["inventory"]["nics"][1]["firmware_version"] = " 0. 6-1"  # igb I211, leading space
    again = json.loads(render_json(result))
    assert again["inventory"]["nics"][1]["firmware_version"] == " 0. 6-1"


def test_schema_rejects_what_the_model_forbids(validator):
    result = load("failing-node.json")
    result["findings"][0]["status"] = "failed"
    result["inventory"]["nics"][0]["bogus"] = 1
    messages = {e.message for e in validator.iter_errors(result)}
    assert "'failed' is not one of ['pass', 'fail', 'warn', 'unknown', 'waived']" in messages
    assert any("'bogus' was unexpected" in m for m in messages)


def _model_shape(tp, seen):
    """{TypedDict name: (fields, required fields)} reachable from `tp`."""
    if typing.is_typeddict(tp):
        if tp.__name__ in seen:
            return
        hints = typing.get_type_hints(tp, include_extras=True)
        required = {k for k, h in hints.items() if typing.get_origin(h) is not typing.NotRequired}
        seen[tp.__name__] = (set(hints), required)
        for hint in typing.get_type_hints(tp).values():
            _model_shape(hint, seen)
        return
    for arg in typing.get_args(tp):
        _model_shape(arg, seen)


def test_published_schema_matches_the_model_typeddicts():
    """Drift guard: a field added to hwcheck/model without the schema (or the reverse) fails."""
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema = json.load(handle)
    model = {}
    _model_shape(result_model.Result, model)
    assert "Nic" in model
    assert inventory_model.Inventory.__name__ in model
    published = {"Result": (set(schema["properties"]), set(schema["required"]))}
    for name, definition in schema["$defs"].items():
        published[name] = (set(definition["properties"]), set(definition["required"]))
    assert published == model
