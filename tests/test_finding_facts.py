"""A finding says what it judged: the NIC field a NIC rule compared (`fact`), and the
profile's known-bad value the observed value matched (`known_bad`), so that findings can be
grouped and counted (fleet audits, a store of results) without the profile or the inventory
beside them."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest
from runcli import check_json, findings_of, write_profile

from hwcheck.judge import judge_node
from hwcheck.judge.engine import judge
from hwcheck.profile.layering import resolve
from hwcheck.profile.library import Library, load_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHIPPED = Library([os.path.join(ROOT, "profiles")])
HOSTS = os.path.join(HERE, "fixtures", "hosts")
FIELDS = {"driver": "driver", "driver_version": "driver_version", "firmware": "firmware_version"}


def inventory(name):
    with open(
        os.path.join(HERE, "fixtures", "inventories", f"{name}.json"), encoding="utf-8"
    ) as fh:
        return json.load(fh)


def profile(tmp_path, rules):
    path = tmp_path / "t.yaml"
    path.write_text(
        f"hwcheck_profile: 1\nname: t\nunknown_nics: ignore\nrules:\n{rules}", encoding="utf-8"
    )
    return resolve(load_file(str(path)), Library([]))


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("intel-x710-i40e", "intel/700-series"),
        ("mellanox-cx5-dell", "nvidia/connectx"),
        ("intel-e810-ice", "intel/800-series"),
        ("broadcom-bnxt-bnx2x", "broadcom/netxtreme-e"),
    ],
)
def test_every_nic_field_finding_names_its_field_and_no_other_finding_does(host, name):
    resolved = SHIPPED.resolve(name)
    checks = {rule.id: rule.check for rule in resolved.rules}
    findings = judge(resolved, inventory(host))
    assert any(checks.get(f["rule_id"]) in FIELDS for f in findings)
    for finding in findings:
        check = checks.get(finding["rule_id"])
        if check in FIELDS:
            assert finding["fact"] == FIELDS[check], finding["rule_id"]
        else:  # count, module, kernel, os, system, pair, the unknown-card rule
            assert "fact" not in finding, finding["rule_id"]


def test_a_virtual_link_finding_names_its_field(tmp_path):
    rules = "  - id: t.bridge\n    nic: {link_types: [bridge]}\n    driver: {exact: bridge}\n"
    (f,) = judge(profile(tmp_path, rules), inventory("intel-e810-ice"))
    assert f["subject"]["kind"] == "nic"
    assert f["fact"] == "driver"


def test_a_known_bad_firmware_names_the_profiles_value_and_reason(tmp_path):
    rules = (
        "  - id: t.bad\n    nic: {devices: ['15b3:101d']}\n"
        "    firmware:\n      format: mlx\n      known_bad:\n"
        "        - {version: 22.27.1016, reason: another release}\n"
        "        - {version: 22.28.1002, reason: link flaps under load,"
        " advisory: 'https://example.org/a'}\n"
    )
    (f,) = judge(profile(tmp_path, rules), inventory("mellanox-cx5-dell"))
    assert f["status"] == "fail"
    assert f["fact"] == "firmware_version"
    assert f["observed"]["raw"] == "22.28.1002 (MT_0000000430)"
    assert f["known_bad"] == {"value": "22.28.1002", "reason": "link flaps under load"}
    assert f["advisory"] == "https://example.org/a"


def test_a_known_bad_text_value_and_an_equality_component_are_named(tmp_path):
    rules = (
        "  - id: t.driver\n    nic: {devices: ['15b3:101d']}\n"
        "    driver: {known_bad: [{value: mlx5_core, reason: use the other one}]}\n"
        "  - id: t.psid\n    nic: {devices: ['15b3:1017']}\n"
        "    firmware:\n      format: mlx\n      component: psid\n"
        "      known_bad: [{version: DEL0000000016, reason: recalled image}]\n"
    )
    found = {
        f["rule_id"]: f for f in judge(profile(tmp_path, rules), inventory("mellanox-cx5-dell"))
    }
    assert found["t.driver"]["known_bad"] == {"value": "mlx5_core", "reason": "use the other one"}
    assert found["t.driver"]["fact"] == "driver"
    assert found["t.psid"]["known_bad"] == {"value": "DEL0000000016", "reason": "recalled image"}


def test_no_known_bad_unless_one_matched(tmp_path):
    rules = (
        "  - id: t.fw\n    nic: {devices: ['15b3:101d']}\n"
        "    firmware:\n      format: mlx\n      min: 22.36.1010\n"
        "      known_bad: [{version: 22.27.1016, reason: another release}]\n"
    )
    (f,) = judge(profile(tmp_path, rules), inventory("mellanox-cx5-dell"))
    assert f["status"] == "fail"  # below the minimum, but not a known-bad version
    assert "known_bad" not in f
    assert f["advisory"] is None


def test_a_known_bad_node_fact_is_named_without_a_nic_field(tmp_path):
    rules = "  - id: t.os\n    os: {id: {known_bad: [{value: debian, reason: not this one}]}}\n"
    (f,) = judge(profile(tmp_path, rules), inventory("virtio-vm"))
    assert f["known_bad"] == {"value": "debian", "reason": "not this one"}
    assert "fact" not in f


def test_check_writes_both_and_the_schema_takes_them(tmp_path):
    write_profile(
        tmp_path,
        "t",
        "  - id: t.bad\n    nic: {devices: ['15b3:101d']}\n"
        "    firmware:\n      format: mlx\n"
        "      known_bad: [{version: 22.28.1002, reason: link flaps under load}]\n",
        "ignore",
    )
    code, result = check_json(
        "--from-capture",
        os.path.join(HOSTS, "mellanox-cx5-dell"),
        "--profile-path",
        str(tmp_path),
        "--profile",
        "t",
    )
    assert code == 1
    (f,) = findings_of(result, "t.bad")
    assert f["fact"] == "firmware_version"
    assert f["known_bad"] == {"value": "22.28.1002", "reason": "link flaps under load"}
    with open(os.path.join(ROOT, "docs", "schema", "result.schema.json"), encoding="utf-8") as fh:
        jsonschema.validate(result, json.load(fh))


def test_a_waived_known_bad_finding_keeps_what_it_matched(tmp_path):
    from hwcheck.profile.waivers import WaiverEntry

    rules = (
        "  - id: t.bad\n    nic: {devices: ['15b3:101d']}\n"
        "    firmware: {format: mlx, known_bad: [{version: 22.28.1002, reason: flaps}]}\n"
    )
    waiver = WaiverEntry(
        rule_id="t.bad",
        scope={},
        justification="replacement ordered",
        expires="2099-01-01",
        owner=None,
        where="w.yaml:3",
    )
    result = judge_node(
        [(profile(tmp_path, rules), "named")],
        inventory("mellanox-cx5-dell"),
        waivers=[waiver],
        today="2026-01-01",
        judged_at="2026-01-01T00:00:00Z",
    )
    (f,) = result["findings"]
    assert f["status"] == "waived"
    assert f["known_bad"] == {"value": "22.28.1002", "reason": "flaps"}
