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
from hwcheck.profile.library import Library
from hwcheck.profile.waivers import load_waivers

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


# ---- several profiles, in-tree drivers, truncation ----------------------------------


def _two_card_node() -> dict:
    """The Dell R750 (ConnectX-5, ConnectX-6 Dx) with the captured E810 card added."""
    inv = _inventory("mellanox-cx5-dell")
    e810 = _inventory("intel-e810-ice")
    inv["cards"] += e810["cards"]
    inv["nics"] += [n for n in e810["nics"] if n["card"] is not None]
    return inv


@pytest.mark.parametrize("policy", ["warn", "fail"])
def test_a_card_another_selected_profile_covers_is_not_unknown(policy):
    nvidia, intel = _profile("nvidia/connectx"), _profile("intel/800-series")
    nvidia.unknown_nics = intel.unknown_nics = policy
    result = judge_node(
        [(nvidia, "a"), (intel, "b")], _two_card_node(), today="2026-01-15", judged_at="x"
    )
    assert [f for f in result["findings"] if f["rule_id"] == "hwcheck.unknown-nic"] == []
    # each profile still judges its own card
    assert _finding(result, "intel.800.nvm")["subject"]["id"] == "0000:18:00"
    assert _finding(result, "nvidia.cx6dx.firmware")["status"] == "fail"


def test_a_card_no_selected_profile_covers_is_unknown_once():
    nvidia, intel = _profile("nvidia/connectx"), _profile("intel/800-series")
    nvidia.unknown_nics = intel.unknown_nics = "fail"
    inv = _two_card_node()
    x710 = _inventory("intel-x710-i40e")
    inv["cards"] += x710["cards"]
    inv["nics"] += [n for n in x710["nics"] if n["card"] is not None]
    result = judge_node([(nvidia, "a"), (intel, "b")], inv, today="2026-01-15", judged_at="x")
    unknown = [f for f in result["findings"] if f["rule_id"] == "hwcheck.unknown-nic"]
    assert [f["subject"]["id"] for f in unknown] == [c["card"] for c in x710["cards"]]
    assert unknown[0]["message"].endswith("No other selected profile covers it either.")


def _e810_with(**fields) -> dict:
    inv = _inventory("intel-e810-ice")
    for nic in inv["nics"]:
        if nic["driver"] == "ice":
            nic.update(fields)
    return inv


def test_in_tree_ice_reporting_the_kernel_release_is_unknown():
    # An in-tree ice on a kernel.org 6.6.43 kernel reports UTS_RELEASE, "6.6.43".
    inv = _e810_with(driver_version="6.6.43", module_version=None)
    inv["kernel"]["release"] = "6.6.43"
    result = judge_node([(_profile("intel/800-series"), "t")], inv, today="x", judged_at="x")
    found = _finding(result, "intel.800.driver-version")
    assert found["status"] == "unknown"
    assert (
        "is '6.6.43', the kernel release: the in-tree ice carries no version of its own"
        in (found["message"])
    )
    assert found["observed"]["raw"] == "6.6.43"


def test_vendor_ice_version_equal_to_nothing_in_the_kernel_still_passes():
    inv = _e810_with(driver_version="1.16.3")
    result = judge_node([(_profile("intel/800-series"), "t")], inv, today="x", judged_at="x")
    assert _finding(result, "intel.800.driver-version")["status"] == "pass"


def test_cut_driver_version_is_judged_through_sys_module():
    # A 31-character cut of an out-of-tree build string; /sys/module/ice/version is whole.
    cut = "1.16.3-1.el9_4.x86_64.dkms.buil"
    assert len(cut) == 31
    inv = _e810_with(driver_version=cut, driver_version_truncated=True, module_version="1.8.8")
    result = judge_node([(_profile("intel/800-series"), "t")], inv, today="x", judged_at="x")
    found = _finding(result, "intel.800.driver-version")
    assert found["status"] == "fail"
    assert found["observed"]["raw"] == "1.8.8"
    assert found["observed"]["source"] == "sysfs /sys/module/ice/version"
    assert f"ethtool's {cut!r} was cut at 31 characters" in found["message"]


def test_cut_driver_version_without_a_module_version_is_unknown():
    # The same 31-character cut, on a node whose ice exposes no /sys/module/ice/version.
    cut = "1.16.3-1.el9_4.x86_64.dkms.buil"
    inv = _e810_with(driver_version=cut, driver_version_truncated=True, module_version=None)
    result = judge_node([(_profile("intel/800-series"), "t")], inv, today="x", judged_at="x")
    found = _finding(result, "intel.800.driver-version")
    assert found["status"] == "unknown"
    assert found["observed"]["raw"] == cut
    assert "31 characters" in found["message"]
    assert result["exit_code"] == 3
