"""Waivers: scoped, justified, expiring; a broken waiver file is an error."""

from __future__ import annotations

import json
import os

import pytest

from hwcheck.errors import ProfileError
from hwcheck.judge import judge_node
from hwcheck.profile.library import Library
from hwcheck.profile.waivers import load_waivers

HERE = os.path.dirname(__file__)
WAIVERS = os.path.join(HERE, "fixtures/profiles/waivers.yaml")
HEAD = "hwcheck_waivers: 1\nwaivers:\n  - rule: a\n"


def _result(today: str = "2026-01-15"):
    with open(
        os.path.join(HERE, "fixtures/inventories/mellanox-cx5-dell.json"), encoding="utf-8"
    ) as fh:
        inv = json.load(fh)
    prof = Library([os.path.join(HERE, "..", "profiles")]).resolve("nvidia/connectx")
    return judge_node([(prof, "t")], inv, waivers=load_waivers(WAIVERS), today=today, judged_at="x")


def test_valid_waiver_waives_with_justification():
    result = _result()
    cx5 = next(f for f in result["findings"] if f["rule_id"] == "nvidia.cx5.firmware")
    assert cx5["status"] == "waived"
    assert cx5["waiver"] is not None and cx5["waiver"]["expired"] is False
    assert cx5["waiver"]["where"].endswith("waivers.yaml:4")
    assert "Waived until 2099-12-31: Dell OEM firmware" in cx5["message"]
    # What the finding is without waivers stays in the result: the Dell OEM card is unknown
    # against NVIDIA's numbering, and a fleet counts it so before counting the waiver.
    assert cx5["waiver"]["judged_status"] == "unknown"


def test_expired_waiver_stops_waiving_and_says_so():
    result = _result()
    cx6 = next(f for f in result["findings"] if f["rule_id"] == "nvidia.cx6dx.firmware")
    assert cx6["status"] == "fail"
    assert cx6["waiver"] is not None and cx6["waiver"]["expired"] is True
    assert cx6["waiver"]["judged_status"] == "fail"
    assert any("expired on 2001-01-01; it no longer waives" in n for n in result["waiver_notes"])
    assert result["verdict"] == "noncompliant"


def test_waiver_that_matched_nothing_is_noted():
    notes = _result()["waiver_notes"]
    assert any(
        n.startswith("waiver for linux.kernel.release") and n.endswith("matched no finding")
        for n in notes
    )


def test_expiry_day_itself_still_waives():
    result = _result(today="2099-12-31")
    cx5 = next(f for f in result["findings"] if f["rule_id"] == "nvidia.cx5.firmware")
    assert cx5["status"] == "waived"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + "    scope: {node: n}\n    expires: 2099-01-01\n",
            ":3:5: missing required key 'justification'",
        ),
        (
            HEAD + "    scope: {node: n}\n    justification: j\n    expires: 31/12/2099\n",
            ":6:14: '31/12/2099' is not a date (expected YYYY-MM-DD)",
        ),
        (
            HEAD + "    scope: {}\n    justification: j\n    expires: 2099-01-01\n",
            ":4:12: expected one of: node, serial, model, card",
        ),
        ("", ": the file is empty"),
    ],
)
def test_malformed_waiver_file_is_an_error(tmp_path, text, message):
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_waivers(str(path))
    assert str(info.value) == f"{path}{message}"
