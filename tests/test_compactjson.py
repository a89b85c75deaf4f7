"""hwcheck.compactjson writes exactly what `json.dumps` writes with the same settings.

The probe writes its inventory through the C encoder directly (importing `json` costs
the probe more than its work); the text must not differ by a byte.
"""

from __future__ import annotations

import json
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwcheck.compactjson import dumps

HOSTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "hosts")


def reference(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("host", sorted(os.listdir(HOSTS)))
def test_fixture_inventories_are_written_as_json_dumps_writes_them(host):
    path = os.path.join(HOSTS, host, "expected-inventory.json")
    if not os.path.exists(path):
        pytest.skip("no expected inventory")
    with open(path, encoding="utf-8") as fh:
        inventory = json.load(fh)
    assert dumps(inventory) == reference(inventory)
    assert json.loads(dumps(inventory)) == inventory


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_any_json_value_is_written_as_json_dumps_writes_it(value):
    assert dumps(value) == reference(value)


def test_control_characters_and_non_ascii_are_escaped_alike():
    text = 'firmware "16.35" \\ \x00\x1f\t\n é 中 \u2028'
    assert dumps({"v": text}) == reference({"v": text})
    assert math.isnan(json.loads(dumps(float("nan"))))


def test_what_json_refuses_is_refused_alike():
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        dumps({"x": {1}})
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps(cycle)
