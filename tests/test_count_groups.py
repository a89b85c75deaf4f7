"""Count rules judged together (`count: {..., any_of: cards}`) when a site layers several
vendor profiles, and judged as always when a vendor profile is judged by itself.

Nodes are the real fixture hosts (tests/fixtures/hosts/*/SOURCE.md): intel-e810-ice has one
E810, mellanox-cx5-dell a ConnectX-5 and a ConnectX-6 Dx, intel-x710-i40e an X710 and an I350
(none of the E810 or ConnectX), broadcom-bnxt-bnx2x a BCM57414 (NetXtreme-E) among others.
"""

from __future__ import annotations

import json
import os

import pytest

from hwcheck.errors import ProfileError
from hwcheck.judge import judge_node
from hwcheck.profile.library import Library

HERE = os.path.dirname(__file__)
SHIPPED = os.path.join(HERE, "..", "profiles")
COUNTS = ("intel.800.count", "nvidia.connectx.count", "broadcom.bnxt.count")


def _host(name: str) -> dict:
    path = os.path.join(HERE, "fixtures/hosts", name, "expected-inventory.json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _site(tmp_path, extends: str, rules: str = "") -> object:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    body = f"rules:\n{rules}" if rules else "rules: []\n"
    text = f"hwcheck_profile: 1\nname: site/x\nextends: [{extends}]\n{body}"
    (site / "x.yaml").write_text(text, encoding="utf-8")
    return Library([str(tmp_path), SHIPPED]).resolve("site/x")


def _judge(profile, host: str) -> dict:
    return judge_node([(profile, "t")], _host(host), today="2026-01-15", judged_at="x")


def _counts(result: dict) -> list[tuple[str, str]]:
    return [(f["rule_id"], f["status"]) for f in result["findings"] if f["rule_id"] in COUNTS]


def _idle(result: dict) -> dict[str, str]:
    return {r["rule_id"]: r["reason"] for r in result["not_applicable"]}


@pytest.mark.parametrize(
    ("host", "counted", "satisfied"),
    [
        ("intel-e810-ice", "intel.800.count", "nvidia.connectx.count"),
        ("mellanox-cx5-dell", "nvidia.connectx.count", "intel.800.count"),
    ],
)
def test_a_node_with_the_cards_of_one_layered_vendor_passes_the_count(
    tmp_path, host, counted, satisfied
):
    result = _judge(_site(tmp_path, "intel/800-series, nvidia/connectx"), host)
    assert _counts(result) == [(counted, "pass")]
    assert _idle(result)[satisfied].endswith(
        f"satisfied together, here by {counted} "
        + (
            "(1 card(s) of 8086:1592, 8086:1593, 8086:159b)."
            if counted == "intel.800.count"
            else "(2 card(s) of 15b3:1015, 15b3:1017, 15b3:101d)."
        )
    )


def test_a_node_with_none_of_the_cards_fails_with_one_finding_naming_every_family(tmp_path):
    profile = _site(tmp_path, "intel/800-series, nvidia/connectx, broadcom/netxtreme-e")
    result = _judge(profile, "intel-x710-i40e")
    assert _counts(result) == [("intel.800.count", "fail")]
    (finding,) = [f for f in result["findings"] if f["rule_id"] == "intel.800.count"]
    assert finding["message"] == (
        "Found none of the cards the count rules of group 'cards' are about; the profile "
        "wants one of: at least 1 card(s) of 8086:1592, 8086:1593, 8086:159b (intel.800.count); "
        "or at least 1 card(s) of 15b3:1015, 15b3:1017, 15b3:101d (nvidia.connectx.count); "
        "or at least 1 card(s) of 14e4:16d6, 14e4:16d7, 14e4:16d8, 14e4:1750, 14e4:1751 "
        "(broadcom.bnxt.count)."
    )
    assert finding["observed"]["raw"] == "0"
    assert result["verdict"] == "noncompliant"
    idle = _idle(result)
    for other in ("nvidia.connectx.count", "broadcom.bnxt.count"):
        assert idle[other].startswith("Judged with intel.800.count (group 'cards')")


def test_a_third_vendor_present_satisfies_the_group(tmp_path):
    profile = _site(tmp_path, "intel/800-series, nvidia/connectx, broadcom/netxtreme-e")
    result = _judge(profile, "broadcom-bnxt-bnx2x")
    assert _counts(result) == [("broadcom.bnxt.count", "pass")]


@pytest.mark.parametrize(
    ("profile", "host"),
    [("nvidia/connectx", "intel-e810-ice"), ("intel/800-series", "mellanox-cx5-dell")],
)
def test_a_vendor_profile_judged_by_itself_still_refuses_a_node_without_its_cards(profile, host):
    result = _judge(Library([SHIPPED]).resolve(profile), host)
    (finding,) = [f for f in result["findings"] if f["rule_id"] in COUNTS]
    assert finding["status"] == "fail"
    assert finding["message"].startswith("Found 0 card(s) of ")
    assert finding["message"].endswith("; the profile wants at least 1.")


def test_two_profiles_selected_side_by_side_are_each_judged_by_themselves():
    library = Library([SHIPPED])
    selected = [
        (library.resolve("intel/800-series"), "t"),
        (library.resolve("nvidia/connectx"), "t"),
    ]
    result = judge_node(selected, _host("intel-e810-ice"), today="2026-01-15", judged_at="x")
    assert sorted(_counts(result)) == [
        ("intel.800.count", "pass"),
        ("nvidia.connectx.count", "fail"),
    ]


def test_a_member_whose_cards_are_present_keeps_its_own_minimum(tmp_path):
    rules = """\
  - id: nvidia.connectx.count
    count: {min: 3}
"""
    result = _judge(
        _site(tmp_path, "intel/800-series, nvidia/connectx", rules), "mellanox-cx5-dell"
    )
    assert _counts(result) == [("nvidia.connectx.count", "fail")]
    assert "here by" not in _idle(result).get("nvidia.connectx.count", "")


def test_a_count_rule_outside_the_group_is_judged_as_always(tmp_path):
    rules = """\
  - id: site.cx6dx.count
    title: Two ConnectX-6 Dx ports
    nic: {devices: ["15b3:101d"]}
    count: {min: 2, per: port}
  - id: site.e810.count
    title: One E810
    nic: {devices: ["8086:1592"]}
    count: {min: 1}
"""
    result = _judge(
        _site(tmp_path, "intel/800-series, nvidia/connectx", rules), "mellanox-cx5-dell"
    )
    statuses = {f["rule_id"]: f["status"] for f in result["findings"]}
    assert statuses["site.cx6dx.count"] == "pass"
    assert statuses["site.e810.count"] == "fail"


def test_a_group_name_that_is_not_a_word_is_refused(tmp_path):
    rules = """\
  - id: site.count
    nic: {devices: ["8086:1592"]}
    count: {min: 1, any_of: "Any Cards"}
"""
    with pytest.raises(
        ProfileError, match=r"x\.yaml:7:29: 'Any Cards' is not a group name like cards"
    ):
        _site(tmp_path, "intel/800-series", rules)
