"""Defects found in review: each test failed before its fix.

Values: the ConnectX-5 and E810 cards, their drivers and firmware strings come from the
captured hosts in tests/fixtures/inventories/ (see SOURCE.md there) and DESIGN.md's table
of real `ethtool -i` strings.
"""

from __future__ import annotations

import json
import os

import pytest

from hwcheck.errors import ProfileError
from hwcheck.judge import judge_node
from hwcheck.judge.waivers import load_waivers
from hwcheck.profile.library import Library

HERE = os.path.dirname(__file__)
INVENTORIES = os.path.join(HERE, "fixtures/inventories")
HEAD = "hwcheck_waivers: 1\nwaivers:\n  - rule: nvidia.cx5.firmware\n"


def _inventory(name: str) -> dict:
    with open(os.path.join(INVENTORIES, f"{name}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _profile(name: str):
    return Library([os.path.join(HERE, "..", "profiles")]).resolve(name)


def _finding(result, rule_id: str):
    return next(f for f in result["findings"] if f["rule_id"] == rule_id)


# ---- waivers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '    scope: {node: n}\n    justification: ""\n    expires: 2099-01-01\n',
            ":5:20: expected text, found only blanks",
        ),
        (
            "    scope: {node: n}\n    justification: '   '\n    expires: 2099-01-01\n",
            ":5:20: expected text, found only blanks",
        ),
        (
            "    scope: {node: n}\n    justification: j\n    expires: 2099-02-30\n",
            ":6:14: '2099-02-30' is not a date: month 2 of 2099 has 28 days",
        ),
        (
            "    scope: {node: n}\n    justification: j\n    expires: 2099-04-31\n",
            ":6:14: '2099-04-31' is not a date: month 4 of 2099 has 30 days",
        ),
    ],
)
def test_blank_justification_and_impossible_dates_are_errors(tmp_path, body, message):
    path = tmp_path / "w.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_waivers(str(path))
    assert str(info.value) == f"{path}{message}"


def test_leap_day_is_a_date(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(
        HEAD + "    scope: {node: n}\n    justification: j\n    expires: 2028-02-29\n",
        encoding="utf-8",
    )
    assert load_waivers(str(path))[0].expires == "2028-02-29"


def test_model_scope_matches_pci_id_in_any_case(tmp_path):
    # lspci and vendor documents often print "15B3:1017"; hex has no case.
    path = tmp_path / "w.yaml"
    path.write_text(
        HEAD + '    scope: {model: "15B3:1017"}\n    justification: Dell OEM firmware.\n'
        "    expires: 2099-12-31\n",
        encoding="utf-8",
    )
    result = judge_node(
        [(_profile("nvidia/connectx"), "t")],
        _inventory("mellanox-cx5-dell"),
        waivers=load_waivers(str(path)),
        today="2026-01-15",
        judged_at="x",
    )
    assert _finding(result, "nvidia.cx5.firmware")["status"] == "waived"
    assert result["waiver_notes"] == []
