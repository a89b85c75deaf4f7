"""Layering: precedence, partial overrides, disabling, and the trace of who decided what."""

from __future__ import annotations

import json
import os

import pytest

from hwcheck.cli.profile import show_text
from hwcheck.errors import ProfileError
from hwcheck.judge import judge_node
from hwcheck.profile.library import Library

HERE = os.path.dirname(__file__)
DIRS = [os.path.join(HERE, "fixtures/profiles/layers"), os.path.join(HERE, "..", "profiles")]


def _inventory(name: str) -> dict:
    with open(os.path.join(HERE, "fixtures/inventories", f"{name}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def test_overlay_layers_are_base_first():
    profile = Library(DIRS).resolve("site/overlay")
    assert [layer.name for layer in profile.layers] == [
        "linux/baseline",
        "nvidia/connectx",
        "site/overlay",
    ]


def test_patch_changes_only_given_fields_and_trace_says_so():
    profile = Library(DIRS).resolve("site/overlay")
    rule = next(r for r in profile.rules if r.id == "nvidia.cx5.firmware")
    assert rule.severity == "warning"
    assert rule.layer == "nvidia/connectx"  # the check itself still comes from the vendor
    assert rule.constraint is not None and rule.constraint.ops == (("min", "16.35.2000"),)
    trace = profile.trace["nvidia.cx5.firmware"]
    assert trace[0].startswith("nvidia/connectx (") and trace[0].endswith(": defined")
    assert trace[1].startswith("site/overlay (") and trace[1].endswith(": severity, remediation")


def test_replacement_and_disable_and_unknown_nics_precedence():
    profile = Library(DIRS).resolve("site/overlay")
    ids = [r.id for r in profile.rules]
    assert "linux.os.id" not in ids
    assert profile.trace["linux.os.id"][-1].startswith("site/overlay (")
    cx6 = next(r for r in profile.rules if r.id == "nvidia.cx6dx.firmware")
    assert cx6.layer == "site/overlay"
    assert profile.trace["nvidia.cx6dx.firmware"][-1].endswith(": replaced")
    # Replaced wholesale: nothing of the vendor's rule is left (its remediation, advisory).
    assert (cx6.remediation, cx6.advisory) == (None, None)
    assert (profile.unknown_nics, profile.unknown_nics_layer) == ("fail", "site/overlay")


def test_overlay_changes_the_verdict_on_the_dell_node():
    inv = _inventory("mellanox-cx5-dell")
    shipped = Library(DIRS).resolve("nvidia/connectx")
    overlay = Library(DIRS).resolve("site/overlay")
    base = judge_node([(shipped, "t")], inv, today="2026-01-15", judged_at="x")
    site = judge_node([(overlay, "t")], inv, today="2026-01-15", judged_at="x")
    assert base["verdict"] == "noncompliant"
    assert site["verdict"] == "compliant"  # CX-5 is a warning rule; CX-6 Dx meets the site minimum
    by_rule = {f["rule_id"]: f for f in site["findings"]}
    # Dell OEM PSID: NVIDIA's minimum does not apply, so unknown (not failing) on a warning rule.
    assert by_rule["nvidia.cx5.firmware"]["status"] == "unknown"
    assert by_rule["nvidia.cx6dx.firmware"]["layer"] == "site/overlay"


def test_extends_cycle_is_an_error_with_position():
    with pytest.raises(ProfileError, match=r"cycle-b\.yaml:3:11: 'extends' makes a cycle"):
        Library(DIRS).resolve("site/cycle-a")


def test_patch_of_a_rule_no_layer_defines_is_an_error():
    with pytest.raises(
        ProfileError, match=r"rule 'vendor\.missing' has no check and no layer below"
    ):
        Library(DIRS).resolve("site/orphan-patch")


def test_profile_show_prints_layers_and_deciding_layer():
    text = show_text(Library(DIRS).resolve("site/overlay"))
    assert "unknown_nics: fail  (set by site/overlay)" in text
    assert "  linux.os.id  [disabled]" in text
    assert "    checks: firmware on 15b3:101d: fw >= 22.28.1002 (mlx)" in text
