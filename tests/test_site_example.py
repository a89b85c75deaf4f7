"""The worked site example of docs/profiles.md, run as an operator runs it.

tests/fixtures/sites/dc1/site.yaml layers intel/800-series and nvidia/connectx for two
server models; tests/fixtures/site-waivers/dc1.yaml waives the R750's two ConnectX
findings. Every node is a real fixture host (tests/fixtures/hosts/*/SOURCE.md): the
Supermicro SYS-120U-TNR with an E810 (intel-e810-ice), the PowerEdge R750 with ConnectX-5
and ConnectX-6 Dx cards (mellanox-cx5-dell), a PowerEdge R740 with neither (intel-x710-i40e)
and a ConnectX node without DMI tables (mellanox-mixed-function).
"""

from __future__ import annotations

import json
import os
import re
import shlex

import jsonschema
import yaml
from runcli import NO_CACHE, ROOT, check_json, findings_of, run_hwcheck

# --profile-dir adds the site's directory in front of the default path (the shipped profiles).
SITE = ("--profile-dir", "tests/fixtures/sites")
WAIVERS = "tests/fixtures/site-waivers/dc1.yaml"


def _host(name: str) -> str:
    return f"tests/fixtures/hosts/{name}/expected-inventory.json"


def _idle(result: dict, rule_id: str) -> str:
    return next(r["reason"] for r in result["not_applicable"] if r["rule_id"] == rule_id)


def _status(result: dict, rule_id: str) -> list[str]:
    return [f["status"] for f in findings_of(result, rule_id)]


def test_the_e810_supermicro_node_is_compliant_by_the_site_profile_picked_for_it():
    code, result = check_json("--inventory", _host("intel-e810-ice"), *SITE)
    assert code == 0 and result["verdict"] == "compliant"
    # Picked by its applies_to, the vendor profiles it extends dropped as its layers.
    assert [p["name"] for p in result["profiles"]] == ["dc1/site"]
    assert _status(result, "intel.800.count") == ["pass"]
    # The ConnectX count rule does not fail a node with no ConnectX: the E810 satisfies it.
    assert "nvidia.connectx.count" not in {f["rule_id"] for f in result["findings"]}
    assert "here by intel.800.count (1 card(s)" in _idle(result, "nvidia.connectx.count")
    # The Supermicro BIOS rule judges it; the Dell one is about another server.
    (bios,) = findings_of(result, "dc1.bios.supermicro")
    assert (bios["status"], bios["observed"]["raw"]) == ("pass", "1.4b")
    assert _idle(result, "dc1.bios.poweredge") == (
        "This node's vendor is 'Supermicro': the rule is about vendor 'Dell Inc.', "
        "product 'PowerEdge R750'."
    )


def test_the_overlay_raises_the_nvm_minimum_and_keeps_the_vendor_remediation():
    _code, result = check_json("--inventory", _host("intel-e810-ice"), *SITE)
    (nvm,) = findings_of(result, "intel.800.nvm")
    assert nvm["status"] == "pass" and nvm["layer"] == "dc1/site"
    assert nvm["expected"] == "firmware nvm >= 4.30 (intel-nvm)"
    assert nvm["title"] == "E810 NVM at least 4.30 (DPDK 23.07 matching list)"
    # Not written in the site profile: kept from intel/800-series.
    assert nvm["remediation"].startswith("Update the NVM with Intel's nvmupdate64e")
    assert nvm["advisory"] == "https://doc.dpdk.org/guides-22.07/nics/ice.html"


def test_the_r750_fails_on_its_connectx_firmware_until_the_waivers_are_given():
    code, result = check_json("--inventory", _host("mellanox-cx5-dell"), *SITE)
    assert code == 1 and result["verdict"] == "noncompliant"
    assert _status(result, "nvidia.cx6dx.firmware") == ["fail"]
    assert _status(result, "nvidia.cx5.firmware") == ["unknown"]  # Dell's firmware train
    assert _status(result, "nvidia.connectx.count") == ["pass"]
    assert "here by nvidia.connectx.count (2 card(s)" in _idle(result, "intel.800.count")
    (bios,) = findings_of(result, "dc1.bios.poweredge")
    assert (bios["status"], bios["observed"]["raw"]) == ("pass", "1.13.2")
    assert "dc1.bios.supermicro" in {r["rule_id"] for r in result["not_applicable"]}

    code, result = check_json(
        "--inventory", _host("mellanox-cx5-dell"), *SITE, "--waivers", WAIVERS
    )
    assert code == 0 and result["verdict"] == "compliant"
    assert result["counts"]["waived"] == 2 and result["waiver_notes"] == []


def test_a_node_with_none_of_the_cards_fails_once_naming_both_families():
    code, result = check_json(
        "--inventory", _host("intel-x710-i40e"), *SITE, "--profile", "dc1/site"
    )
    assert code == 1
    counts = [f for f in result["findings"] if f["rule_id"].endswith(".count")]
    assert [(f["rule_id"], f["status"]) for f in counts] == [("intel.800.count", "fail")]
    message = counts[0]["message"]
    assert "at least 1 card(s) of 8086:1592, 8086:1593, 8086:159b (intel.800.count)" in message
    assert (
        "at least 1 card(s) of 15b3:1015, 15b3:1017, 15b3:101d (nvidia.connectx.count)" in message
    )
    assert _idle(result, "nvidia.connectx.count").startswith("Judged with intel.800.count")
    # A PowerEdge, but not the model the BIOS rule is about.
    assert "product is 'PowerEdge R740'" in _idle(result, "dc1.bios.poweredge")


def test_server_scoped_rules_are_unknown_on_a_node_without_dmi_tables():
    code, result = check_json(
        "--inventory", _host("mellanox-mixed-function"), *SITE, "--profile", "dc1/site"
    )
    for rule_id in ("dc1.bios.poweredge", "dc1.bios.supermicro"):
        (finding,) = findings_of(result, rule_id)
        assert finding["status"] == "unknown"
        assert finding["message"].startswith("This node has no DMI tables")
    assert code == 1  # its ConnectX-6 Dx firmware fails as well


def test_profile_show_prints_the_merged_rule_and_where_each_field_came_from():
    done = run_hwcheck("profile", "show", *SITE, "dc1/site", env=NO_CACHE)
    assert done.returncode == 0, done.stderr
    block = done.stdout.split("  intel.800.nvm  ")[1].split("\n  intel.800.driver-version")[0]
    assert "checks: firmware on 8086:1592, 8086:1593, 8086:159b: nvm >= 4.30 (intel-nvm)" in block
    assert "- dc1/site (tests/fixtures/sites/dc1/site.yaml:24:9): title, firmware.min" in block
    assert "firmware.min: 4.30  <- dc1/site (tests/fixtures/sites/dc1/site.yaml:26:21)" in block
    shipped = os.path.join(ROOT, "profiles", "intel", "800-series.yaml")
    assert f"firmware.format: intel-nvm  <- intel/800-series ({shipped}:" in block
    assert re.search(
        rf"remediation: Update the NVM .*  <- intel/800-series \({re.escape(shipped)}:", block
    )
    assert "advisory: https://doc.dpdk.org/guides-22.07/nics/ice.html  <- intel/800-series" in block


def test_the_site_profile_lints_clean():
    done = run_hwcheck("profile", "lint", *SITE, "dc1/site", env=NO_CACHE)
    assert (done.returncode, done.stdout) == (0, "1 profile: 0 errors, 0 warnings\n")


def test_editors_validating_with_the_published_schema_accept_the_site_profile():
    with open(os.path.join(ROOT, "docs/schema/profile.schema.json"), encoding="utf-8") as fh:
        validator = jsonschema.Draft202012Validator(json.load(fh))
    with open(os.path.join(ROOT, "tests/fixtures/sites/dc1/site.yaml"), encoding="utf-8") as fh:
        document = yaml.safe_load(fh)
    # The overlay names no `nic`: the schema leaves that to the layer below, as hwcheck does.
    assert list(validator.iter_errors(document)) == []


def test_the_commands_of_the_worked_example_in_the_docs_run_as_they_say():
    """Each `$ hwcheck ...` line of the docs' worked example, run, exits as its `# exit N`
    comment says, exactly as written (`check` writing no HTML report into the checkout)."""
    with open(os.path.join(ROOT, "docs", "profiles.md"), encoding="utf-8") as fh:
        text = fh.read()
    section = text.split("## Worked example: a site profile")[1].split("\n## ")[0]
    commands = re.findall(r"^\$ hwcheck (.+?)\s+# exit (\d)$", section, flags=re.M)
    assert len(commands) == 6
    for line, code in commands:
        args = shlex.split(line)
        assert args[args.index("--profile-dir") + 1] == "tests/fixtures/sites"
        extra = ["--no-html"] if args[0] == "check" else []
        done = run_hwcheck(*args, *extra, env=NO_CACHE)
        assert done.returncode == int(code), (line, done.stdout, done.stderr)
