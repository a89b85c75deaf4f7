"""The IPA plug-ins inside the real ironic-python-agent (PyPI, the `ironic` extra; tested
with 13.0.0): IPA's own extension loading finds them by entry point, the collector adds the
probe's inventory and verdict to the inspection data, and `verify_hwcheck` passes a
compliant fixture host and raises IPA's own error, with the failed findings, on one that is
not. Each run is a process of its own (tests/ipaagent.py): the agent's configuration and
caches are module globals."""

import json
import os
import subprocess
import sys

import pytest

from hwcheck.interop.ipa.settings import from_params

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS = os.path.join(ROOT, "tests", "fixtures", "hosts")


def agent(action, host, params=None):
    proc = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "tests", "ipaagent.py"),
            action,
            os.path.join(HOSTS, host),
            json.dumps(params or {}),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    return json.loads(proc.stdout)


def expected_inventory(host):
    with open(os.path.join(HOSTS, host, "expected-inventory.json"), encoding="utf-8") as fh:
        return json.load(fh)


def test_the_collector_adds_the_probes_inventory_and_the_verdict():
    out = agent("collect", "intel-x710-i40e", {"ipa-hwcheck-profile": "intel/700-series"})
    assert out["names"] == ["hwcheck"]  # found by IPA's NamedExtensionManager
    assert out["error"] is None
    entry = out["data"]["hwcheck"]
    want = expected_inventory("intel-x710-i40e")
    assert entry["inventory"]["nics"] == want["nics"]
    assert entry["inventory"]["cards"] == want["cards"]
    assert entry["verdict"] == "noncompliant"
    result = entry["result"]
    assert result["kind"] == "hwcheck-result"
    assert "inventory" not in result  # the inventory is beside it, once
    failed = {f["rule_id"] for f in result["findings"] if f["status"] == "fail"}
    assert "intel.700.nvm" in failed


def test_the_collector_without_profiles_adds_the_inventory_alone():
    out = agent("collect", "intel-e810-ice")
    assert out["error"] is None
    assert set(out["data"]["hwcheck"]) == {"inventory"}


def test_a_profile_that_cannot_be_read_fails_inspection_and_keeps_the_inventory():
    out = agent("collect", "intel-e810-ice", {"ipa-hwcheck-profile": "no/such-profile"})
    assert "hwcheck could not judge this node" in out["error"]
    assert "no/such-profile" in out["error"]
    entry = out["data"]["hwcheck"]
    assert entry["verdict"] is None
    assert "no/such-profile" in entry["error"]
    assert entry["inventory"]["system"]["product_name"] == "SYS-120U-TNR"


def test_ipa_finds_the_manager_beside_its_own_and_lists_a_manual_step():
    out = agent("steps", "intel-e810-ice")
    assert "HwcheckHardwareManager" in out["managers"]
    assert "GenericHardwareManager" in out["managers"]
    # never above IPA's generic manager: it offers only its step
    assert out["managers"].index("HwcheckHardwareManager") > out["managers"].index(
        "GenericHardwareManager"
    )
    for steps in (out["clean_steps"], out["deploy_steps"]):
        (step,) = steps
        assert step["step"] == "verify_hwcheck"
        assert step["interface"] == "deploy"
        assert step["priority"] == 0  # runs only when asked for
        assert step["reboot_requested"] is False
    assert out["clean_steps"][0]["abortable"] is True


def test_the_clean_step_passes_a_compliant_node():
    out = agent("clean", "intel-e810-ice")
    assert "error" not in out
    assert out["result"]["verdict"] == "compliant"
    assert out["result"]["profiles"] == ["intel/800-series"]


def test_the_clean_step_fails_a_noncompliant_node_with_ipas_cleaning_error():
    out = agent("clean", "intel-x710-i40e")
    error = out["error"]
    assert error["type"] == "CleaningError"
    assert error["is_cleaning"]
    assert error["str"].startswith("Clean step failed: hwcheck: NON-COMPLIANT (intel/700-series")
    # the failed rule, what was seen and what was expected
    assert "FAIL intel.700.nvm on card 0000:3b:00" in error["str"]
    assert "'8.15 0x8000a4e8 1.2879.0'" in error["str"]
    assert "expected firmware nvm >= 9.01" in error["str"]


def test_the_deploy_step_fails_with_ipas_deployment_error():
    out = agent("deploy", "intel-x710-i40e")
    assert out["error"]["type"] == "DeploymentError"
    assert out["error"]["is_deploy"] and not out["error"]["is_cleaning"]
    assert "intel.700.nvm" in out["error"]["str"]


def test_an_unknown_fact_fails_the_step_too():
    out = agent("clean", "mellanox-cx5-dell")
    message = out["error"]["str"]
    assert "FAIL " in message
    assert "UNKNOWN " in message


def test_a_node_no_profile_applies_to_fails_closed():
    out = agent("clean", "qlogic-qede")
    assert out["error"]["type"] == "CleaningError"
    assert "no profile applies to this node" in out["error"]["str"]


def test_a_named_profile_is_the_one_judged():
    out = agent("clean", "intel-e810-ice", {"ipa-hwcheck-profile": "intel/700-series"})
    # the 700-series profile's count rule finds no X710 on the E810 host
    assert "intel.700.count" in out["error"]["str"]


@pytest.mark.parametrize(
    ("params", "want"),
    [
        ({}, ([], None, None, False, False)),
        (
            {
                "ipa-hwcheck-profile": "intel/800-series, lab/site",
                "ipa-hwcheck-profile-dir": "/etc/hwcheck/profiles",
                "ipa-hwcheck-waivers": "/etc/hwcheck/waivers.yaml",
                "ipa-hwcheck-strict": "1",
            },
            (
                ["intel/800-series", "lab/site"],
                ["/etc/hwcheck/profiles"],
                "/etc/hwcheck/waivers.yaml",
                True,
                True,
            ),
        ),
        ({"ipa-hwcheck-profile-dir": "/p"}, ([], ["/p"], None, False, True)),
    ],
)
def test_the_kernel_parameters(params, want):
    settings = from_params(params, {})
    got = (
        settings.profiles,
        settings.profile_dirs,
        settings.waivers,
        settings.strict,
        settings.configured,
    )
    assert got == want


def test_a_profile_dir_adds_to_the_shipped_profiles_as_check_does(tmp_path):
    """`ipa-hwcheck-profile-dir` names a site directory whose profile extends a shipped one
    (the worked example's dc1/site extends intel/800-series and nvidia/connectx): it is
    found, and so are the profiles it extends, and the step judges as `check --profile-dir`."""
    from hwcheck.interop.ipa.assess import judge
    from hwcheck.interop.ipa.settings import from_params
    from hwcheck.model.documents import parse_inventory

    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
    settings = from_params({"ipa-hwcheck-profile-dir": os.path.join(fixtures, "sites")}, {})
    with open(os.path.join(fixtures, "inventories", "intel-e810-ice.json"), "rb") as fh:
        inventory = parse_inventory(fh.read(), where="intel-e810-ice.json")
    result, why = judge(settings, inventory, now="2026-12-02T10:00:00Z")
    assert why == "" and result is not None
    assert [use["name"] for use in result["profiles"]] == ["dc1/site"]
