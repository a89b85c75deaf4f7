"""Version spread and known-bad across a fleet: each distinct version of each component per
card model, its node count, what the rule said of it, the majority and the outliers."""

from __future__ import annotations

import json

from test_fleet_inputs import fleet, load, write

# A site profile over the shipped intel/800-series that names one NVM release known bad.
# The release and reason are this test's, not Intel's.
SITE = """hwcheck_profile: 1
name: site/e810
extends: [intel/800-series]
applies_to:
  devices: ["8086:1592"]
rules:
  - id: site.e810.nvm-known-bad
    title: No E810 NVM this site saw fail
    nic: {devices: ["8086:1592"]}
    firmware:
      format: intel-nvm
      component: nvm
      known_bad:
        - version: "4.40"
          reason: link flaps under load in this site's qualification
          advisory: https://example.invalid/site/e810-4.40
"""
PLAN = {"4.30": 6, "4.40": 3, "3.20": 1}


def e810_fleet(tmp_path) -> tuple[int, dict]:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "e810.yaml").write_text(SITE)
    base = load("intel-e810-ice")
    paths = []
    n = 0
    for nvm, count in PLAN.items():
        for _ in range(count):
            doc = json.loads(json.dumps(base))
            doc["host"]["hostname"] = f"e810-{n:02d}"
            for nic in doc["nics"]:
                if nic["driver"] == "ice":
                    nic["firmware_version"] = f"{nvm} 0x8001af27 1.3429.0"
            paths.append(write(str(tmp_path / f"n{n}.json"), doc))
            n += 1
    code, doc, _ = fleet(*paths, "--profile", str(tmp_path / "profiles" / "e810.yaml"))
    return code, doc


def test_spread_counts_each_version_with_what_the_rules_said(tmp_path):
    code, doc = e810_fleet(tmp_path)
    assert code == 1 and doc["counts"]["noncompliant"] == 4
    (model,) = [m for m in doc["spread"] if m["identity"]["device_id"] == "1592"]
    assert model["nodes"] == 10 and model["cards"] == 10
    assert model["label"].startswith("Intel Corporation Ethernet Controller E810-C")
    components = {c["component"]: c for c in model["components"]}
    firmware = components["firmware_version"]
    seen = {v["version"]: (v["nodes"], v["status"], v["majority"]) for v in firmware["versions"]}
    assert seen == {
        "4.30 0x8001af27 1.3429.0": (6, "pass", True),
        "4.40 0x8001af27 1.3429.0": (3, "fail", False),
        "3.20 0x8001af27 1.3429.0": (1, "fail", False),
    }
    assert firmware["majority"] == "4.30 0x8001af27 1.3429.0"
    assert firmware["outlier_count"] == 4
    assert {o["hostname"] for o in firmware["outliers"]} == {f"e810-{i:02d}" for i in range(6, 10)}
    nvm = components["firmware_version.nvm"]
    assert [(v["version"], v["nodes"]) for v in nvm["versions"]] == [
        ("4.30", 6),
        ("4.40", 3),
        ("3.20", 1),
    ]
    driver = components["driver_version"]
    assert [(v["version"], v["nodes"], v["status"]) for v in driver["versions"]] == [
        ("1.16.3", 10, "pass")
    ]
    assert components["driver"]["versions"][0]["version"] == "ice"


def test_known_bad_says_how_many_nodes_run_it_on_which_card(tmp_path):
    _, doc = e810_fleet(tmp_path)
    (entry,) = doc["known_bad"]
    assert entry["rule_id"] == "site.e810.nvm-known-bad"
    assert (entry["version"], entry["nodes"], entry["component"]) == ("4.40", 3, "firmware_version")
    assert entry["reason"] == "link flaps under load in this site's qualification"
    assert entry["advisory"] == "https://example.invalid/site/e810-4.40"
    assert entry["label"].startswith("Intel Corporation Ethernet Controller E810-C")
    rules = {(r["rule_id"], r["status"]): r["nodes"] for r in doc["failing_rules"]}
    assert rules[("site.e810.nvm-known-bad", "fail")] == 3
    assert rules[("intel.800.nvm", "fail")] == 1
