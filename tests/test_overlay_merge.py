"""Overlays change what they name and keep the rest; `replace: true` replaces wholesale.

Each site layer is a real YAML file over the shipped vendor profiles, judged against the
real fixture hosts where a verdict is asserted (tests/fixtures/hosts/*/SOURCE.md).
"""

from __future__ import annotations

import json
import os

import pytest
from runcli import NO_CACHE, run_hwcheck

from hwcheck.cli.profile import show_text
from hwcheck.errors import ProfileError
from hwcheck.judge import judge_node
from hwcheck.profile.layering import provenance
from hwcheck.profile.library import Library

HERE = os.path.dirname(__file__)
SHIPPED = os.path.join(HERE, "..", "profiles")
INTEL = os.path.join(SHIPPED, "intel", "800-series.yaml")


def _site(tmp_path, rules: str, extends: str = "intel/800-series"):
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    path = site / "x.yaml"
    path.write_text(
        f"hwcheck_profile: 1\nname: site/x\nextends: [{extends}]\nrules:\n{rules}",
        encoding="utf-8",
    )
    return Library([str(tmp_path), SHIPPED]).resolve("site/x"), str(path)


def _rule(profile, rule_id: str):
    return next(r for r in profile.rules if r.id == rule_id)


def _host(name: str) -> dict:
    path = os.path.join(HERE, "fixtures/hosts", name, "expected-inventory.json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


RAISE_NVM = """\
  - id: intel.800.nvm
    firmware: {min: "4.40"}
"""
"""DPDK 23.11's matching list: ice 1.13.7 with E810 firmware 4.4 (written 4.40)."""


def test_a_threshold_overlay_keeps_format_component_selector_remediation_and_advisory(tmp_path):
    profile, path = _site(tmp_path, RAISE_NVM)
    base = _rule(Library([SHIPPED]).resolve("intel/800-series"), "intel.800.nvm")
    rule = _rule(profile, "intel.800.nvm")
    assert rule.constraint.ops == (("min", "4.40"),)
    assert (rule.constraint.fmt, rule.constraint.component) == ("intel-nvm", "nvm")
    assert rule.selector.describe() == base.selector.describe()
    assert (rule.title, rule.remediation, rule.advisory, rule.severity) == (
        base.title,
        base.remediation,
        base.advisory,
        base.severity,
    )
    assert rule.layer == "site/x"  # it changed what the rule checks
    assert profile.trace["intel.800.nvm"][-1] == f"site/x ({path}:5:9): firmware.min"


def test_the_merged_threshold_judges_the_real_e810(tmp_path):
    profile, _ = _site(tmp_path, RAISE_NVM)
    result = judge_node(
        [(profile, "t")], _host("intel-e810-ice"), today="2026-01-15", judged_at="x"
    )
    (finding,) = [f for f in result["findings"] if f["rule_id"] == "intel.800.nvm"]
    assert finding["status"] == "fail"  # NVM 4.30 is below 4.40
    assert finding["message"] == "Firmware nvm 4.30 is below the minimum 4.40."
    assert finding["remediation"].startswith("Update the NVM with Intel's nvmupdate64e")
    assert finding["advisory"] == "https://doc.dpdk.org/guides-22.07/nics/ice.html"


def test_provenance_names_the_file_and_line_of_every_field(tmp_path):
    profile, path = _site(tmp_path, RAISE_NVM)
    rows = {
        field: (value, str(where))
        for field, value, where in provenance(_rule(profile, "intel.800.nvm"))
    }
    assert rows["firmware.min"] == ("4.40", f"{path}:6:21")
    assert rows["firmware.format"][0] == "intel-nvm"
    assert rows["firmware.format"][1].startswith(f"{INTEL}:")
    assert rows["remediation"][1].startswith(f"{INTEL}:")
    assert rows["nic.devices"] == ("[8086:1592, 8086:1593, 8086:159b]", rows["nic.devices"][1])
    text = show_text(profile)
    assert f"      firmware.min: 4.40  <- site/x ({path}:6:21)" in text
    advisory = "https://doc.dpdk.org/guides-22.07/nics/ice.html"
    assert f"      advisory: {advisory}  <- intel/800-series ({INTEL}:" in text


def test_replace_true_replaces_the_rule_wholesale(tmp_path):
    profile, path = _site(
        tmp_path,
        """\
  - id: intel.800.nvm
    replace: true
    nic: {devices: ["8086:1592"]}
    firmware: {format: intel-nvm, component: nvm, min: "4.40"}
""",
    )
    rule = _rule(profile, "intel.800.nvm")
    assert (rule.title, rule.remediation, rule.advisory) == (None, None, None)
    assert profile.trace["intel.800.nvm"][-1] == f"site/x ({path}:5:9): replaced"
    assert {str(w).rsplit(":", 2)[0] for _f, _v, w in provenance(rule)} == {path}


def test_an_overlay_of_only_words_keeps_the_check_and_its_layer(tmp_path):
    profile, _ = _site(tmp_path, "  - id: intel.800.nvm\n    severity: warning\n")
    rule = _rule(profile, "intel.800.nvm")
    assert (rule.severity, rule.layer) == ("warning", "intel/800-series")
    assert rule.constraint.ops == (("min", "4.00"),)


def test_a_selector_in_an_overlay_replaces_the_selector(tmp_path):
    profile, _ = _site(tmp_path, '  - id: intel.800.nvm\n    nic: {models: ["E810-C"]}\n')
    rule = _rule(profile, "intel.800.nvm")
    assert (rule.selector.devices, rule.selector.models) == ((), ("e810-c",))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            "  - id: intel.800.nvm\n    driver: {allowed: [ice]}\n",
            r"x\.yaml:6:13: rule 'intel\.800\.nvm' is a firmware rule \(intel/800-series, "
            r".*800-series\.yaml:33:9\); an overlay changes only what it names and cannot make "
            r"it a driver rule: give it a new ID, or write 'replace: true'",
        ),
        (
            "  - id: linux.kernel.release\n    kernel: {arch: {exact: x86_64}}\n",
            r"x\.yaml:6:13: rule 'linux\.kernel\.release' judges kernel\.release "
            r"\(linux/baseline, .*\); an overlay cannot make it judge kernel\.arch",
        ),
        (
            "  - id: site.new\n    replace: true\n    kernel: {arch: {exact: x86_64}}\n",
            r"x\.yaml:6:14: rule 'site\.new' says 'replace: true', but no layer below defines "
            r"it \(is the ID mistyped\?\)",
        ),
        (
            "  - id: intel.800.nvm\n    replace: true\n    title: New\n",
            r"x\.yaml:6:14: rule 'intel\.800\.nvm' says 'replace: true' but has no check",
        ),
        (
            # Checked again in the format it inherits: NVM minors are two hex digits.
            '  - id: intel.800.nvm\n    firmware: {min: "4.4"}\n',
            r"x\.yaml:6:21: '4\.4' is not a valid intel-nvm nvm value: '4\.4' is ambiguous",
        ),
        (
            '  - id: site.fw\n    firmware: {format: intel-nvm, min: "4.40"}\n',
            r"x\.yaml:5:5: 'firmware' needs 'nic' in the same mapping",
        ),
    ],
)
def test_an_overlay_that_cannot_mean_one_thing_is_refused_at_its_line(tmp_path, rules, message):
    with pytest.raises(ProfileError, match=message):
        _site(tmp_path, rules)


def test_lint_gives_an_overlay_no_missing_format_warning_its_rule_has_one(tmp_path):
    _site(tmp_path, RAISE_NVM)
    done = run_hwcheck(
        "profile",
        "lint",
        "--profile-dir",
        str(tmp_path),
        "--profile-dir",
        SHIPPED,
        "site/x",
        env=NO_CACHE,
    )
    assert "no 'format' given" not in done.stdout
    assert done.stdout.endswith("1 profile: 0 errors, 1 warning\n")  # cites no sources


def test_stacked_overlays_each_keep_what_the_layers_below_them_set(tmp_path):
    _profile, site = _site(tmp_path, RAISE_NVM)
    rack = tmp_path / "site" / "rack.yaml"
    rack.write_text(
        "hwcheck_profile: 1\nname: site/rack\nextends: [site/x]\nrules:\n"
        "  - id: intel.800.nvm\n    severity: warning\n    advisory: https://doc.dpdk.org/guides-23.11/nics/ice.html\n",
        encoding="utf-8",
    )
    profile = Library([str(tmp_path), SHIPPED]).resolve("site/rack")
    rule = _rule(profile, "intel.800.nvm")
    assert rule.constraint.ops == (("min", "4.40"),)
    # The rack layer gave no check: the rule's layer stays the site's, which gave the minimum.
    assert (rule.severity, rule.layer) == ("warning", "site/x")
    rows = {field: str(where) for field, _value, where in provenance(rule)}
    assert (rows["firmware.min"], rows["severity"], rows["advisory"]) == (
        f"{site}:6:21",
        f"{rack}:6:15",
        f"{rack}:7:15",
    )
    assert rows["firmware.component"].startswith(f"{INTEL}:")
    assert rows["remediation"].startswith(f"{INTEL}:")
