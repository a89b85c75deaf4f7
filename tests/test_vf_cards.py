"""SR-IOV VFs whose domain:bus:device holds no physical function make a card of their own,
flagged `vf_only`: rules with `vfs: true` select it, every other rule and the unknown-NIC
check leave it alone, and the physical card beside it is judged as before.

The node is the intel-e810-ice fixture host (tests/fixtures/hosts, see its SOURCE.md): an
E810-C (8086:1592) at 0000:18:00 whose first port has two VFs (8086:1889, iavf) at
0000:18:01.0 and 0000:18:01.1. Each case runs the real command line on it, or on its
inventory (tests/fixtures/inventories), with any change made to a copy.
"""

from __future__ import annotations

import json
import os
import re

import jsonschema
from runcli import NO_CACHE, ROOT, card_identity, run_hwcheck, write_profile
from runcli import check_json as check
from runcli import findings_of as findings

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
HOST = os.path.join(FIXTURES, "hosts", "intel-e810-ice")
INVENTORY = os.path.join(FIXTURES, "inventories", "intel-e810-ice.json")
VF = "8086:1889"
PF = "8086:1592"
PF_SUBJECT = {
    "kind": "card",
    "id": "0000:18:00",
    "label": "Intel Corporation Ethernet Controller E810-C for QSFP (ens2f0, ens2f1) at 0000:18:00",
    "ports": ["ens2f0", "ens2f1"],
    "pci_addresses": ["0000:18:00.0", "0000:18:00.1"],
    "identity": card_identity(INVENTORY, "0000:18:00"),
}
VF_SUBJECT = {
    "kind": "card",
    "id": "0000:18:01",
    "label": "Intel Corporation Ethernet Adaptive Virtual Function (ens2f0v0, ens2f0v1) "
    "at 0000:18:01",
    "ports": ["ens2f0v0", "ens2f0v1"],
    "pci_addresses": ["0000:18:01.0", "0000:18:01.1"],
    "identity": card_identity(INVENTORY, "0000:18:01"),
}


def profile(tmp_path, rules: str, unknown_nics: str = "ignore") -> str:
    return write_profile(tmp_path, "vf", rules, unknown_nics)


def test_a_rule_forbidding_vfs_fails_where_vfs_exist_and_their_driver_is_judged(tmp_path):
    rules = (
        f'  - {{id: vf.driver, nic: {{devices: ["{VF}"], vfs: true}}, driver: {{exact: iavf}}}}\n'
        f'  - {{id: vf.count, nic: {{devices: ["{VF}"], vfs: true}}, count: {{max: 0}}}}\n'
    )
    prof = profile(tmp_path, rules)
    # The reviewed inventory and a fresh probe of the host give the same answer.
    for source in (("--inventory", INVENTORY), ("--from-capture", HOST)):
        code, result = check(*source, "--profile", prof)
        assert (code, result["verdict"]) == (1, "noncompliant"), source
        assert result["not_applicable"] == []
        (count,) = findings(result, "vf.count")
        assert count["status"] == "fail"
        assert count["message"] == (
            "Found 1 card(s) of 8086:1889 (0000:18:01); the profile wants at most 0."
        )
        (driver,) = findings(result, "vf.driver")
        assert (driver["status"], driver["observed"]["raw"]) == ("pass", "iavf")
        assert driver["subject"] == VF_SUBJECT
        with open(os.path.join(ROOT, "docs", "schema", "result.schema.json"), "rb") as fh:
            jsonschema.validate(result, json.load(fh))


def test_without_vfs_true_the_same_devices_select_nothing(tmp_path):
    rules = (
        f'  - {{id: asked, nic: {{devices: ["{VF}"], vfs: true}}, driver: {{exact: iavf}}}}\n'
        f'  - {{id: default, nic: {{devices: ["{VF}"]}}, driver: {{exact: iavf}}}}\n'
        f'  - {{id: refused, nic: {{devices: ["{VF}"], vfs: false}}, driver: {{exact: iavf}}}}\n'
        '  - {id: by-model, nic: {models: ["Adaptive Virtual Function"]}, driver: {exact: iavf}}\n'
    )
    code, result = check("--inventory", INVENTORY, "--profile", profile(tmp_path, rules))
    assert code == 0
    assert [(f["rule_id"], f["subject"]["id"]) for f in result["findings"]] == [
        ("asked", "0000:18:01")
    ]
    idle = {n["rule_id"]: n["reason"] for n in result["not_applicable"]}
    assert idle == {
        "default": f"No NIC on this node matches {VF}.",
        "refused": f"No NIC on this node matches {VF}.",
        "by-model": "No NIC on this node matches 'adaptive virtual function'.",
    }


def test_vfs_true_leaves_the_physical_cards_findings_as_they_were(tmp_path):
    """A selector asking for VFs too selects the PF card exactly as one that does not."""
    rule = "  - {{id: pf.{0}, nic: {{devices: [{1}]{2}}}, driver: {{exact: ice}}}}\n"
    rules = rule.format("plain", f'"{PF}"', "") + rule.format(
        "both", f'"{PF}", "{VF}"', ", vfs: true"
    )
    code, result = check("--inventory", INVENTORY, "--profile", profile(tmp_path, rules))
    assert code == 1  # the VF card runs iavf, not ice
    (plain,) = findings(result, "pf.plain")
    both = findings(result, "pf.both")
    assert [f["subject"]["id"] for f in both] == ["0000:18:00", "0000:18:01"]
    assert plain["subject"] == both[0]["subject"] == PF_SUBJECT
    for key in ("status", "message", "observed", "expected"):
        assert plain[key] == both[0][key], key
    assert (both[1]["status"], both[1]["observed"]["raw"]) == ("fail", "iavf")


def test_a_profile_made_from_the_node_passes_it_with_unknown_nics_fail(tmp_path):
    """The VF card is in the inventory, yet `profile new` writes no rule for it and the
    unknown-NIC check (which `profile new` sets to fail) does not ask for one."""
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, "", "ignore"))
    cards = {c["card"]: c for c in result["inventory"]["cards"]}
    assert cards["0000:18:01"]["vf_only"] is True
    assert "vf_only" not in cards["0000:18:00"]
    golden = tmp_path / "golden.yaml"
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps(result["inventory"]), encoding="utf-8")
    made = run_hwcheck("profile", "new", "--from", str(inventory), "-o", str(golden))
    assert made.returncode == 0, made.stderr
    text = golden.read_text(encoding="utf-8")
    assert "unknown_nics: fail" in text
    assert "8086:1592" in text
    assert "1889" not in text
    code, result = check("--from-capture", HOST, "--profile", str(golden))
    assert code == 0, [f["message"] for f in result["findings"] if f["status"] != "pass"]
    assert findings(result, "hwcheck.unknown-nic") == []
    # Without a rule for the PF card, the PF card (and only it) is the unknown one.
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, "", "fail"))
    assert code == 1
    unknown = findings(result, "hwcheck.unknown-nic")
    assert [f["subject"]["id"] for f in unknown] == ["0000:18:00"]


def _rows(html: str) -> list[str]:
    """The text of each row of a table body, tags dropped and spaces collapsed."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_html_report_lists_the_vfs_after_the_cards_with_their_cards_findings(tmp_path):
    rules = (
        f'  - {{id: vf.driver, nic: {{devices: ["{VF}"], vfs: true}}, driver: {{exact: ice}}}}\n'
    )
    out = tmp_path / "node.html"
    done = run_hwcheck(
        "check",
        "--from-capture",
        HOST,
        "--profile",
        profile(tmp_path, rules),
        "--html",
        str(out),
        env=NO_CACHE,
    )
    assert done.returncode == 1, done.stderr
    html = out.read_text(encoding="utf-8")
    nics = html.split('<section id="nics">')[1].split("</section>")[0]
    cards, others = nics.split('<tbody class="others">')
    card_rows = [r for r in _rows(cards) if not r.startswith("Status")]
    # One row for the E810; no row for the VF card: its VFs are other interfaces.
    assert len(card_rows) == 1
    assert "0000:18:00" in card_rows[0]
    assert "0000:18:01" not in cards
    for name in ("ens2f0v0", "ens2f0v1"):
        (row,) = [r for r in _rows(others) if f" {name} " in f" {r} "]
        assert row.startswith("FAIL 1 finding Intel Corporation Ethernet Adaptive Virtual Function")
        assert "SR-IOV VF of 0000:18:00.0" in row


def test_probe_writes_the_vf_card_and_its_summary_is_no_multi_port_card(tmp_path):
    done = run_hwcheck("probe", "--from-capture", HOST, "--json", "-")
    assert done.returncode == 0, done.stderr
    cards = json.loads(done.stdout)["cards"]
    assert [(c["card"], c.get("vf_only")) for c in cards] == [
        ("0000:18:00", None),
        ("0000:18:01", True),
    ]
    done = run_hwcheck("probe", "--from-capture", HOST)
    assert done.returncode == 0, done.stderr
    summary = done.stdout.split("Multi-port cards:\n")[1].split("\n\n")[0]
    assert summary == "  0000:18:00: ens2f0, ens2f1"


def test_an_inventory_whose_vf_only_is_not_a_boolean_is_refused(tmp_path):
    with open(INVENTORY, encoding="utf-8") as fh:
        inventory = json.load(fh)
    assert inventory["cards"][1]["vf_only"] is True
    inventory["cards"][1]["vf_only"] = "yes"
    broken = tmp_path / "inventory.json"
    broken.write_text(json.dumps(inventory), encoding="utf-8")
    done = run_hwcheck("check", "--inventory", str(broken), "--no-html", env=NO_CACHE)
    assert done.returncode == 2
    assert done.stderr == (
        f"hwcheck: error: {broken}: malformed inventory: "
        '$.cards[1].vf_only: expected true or false; got "yes"\n'
    )
