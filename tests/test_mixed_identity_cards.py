"""The functions of one PCI domain:bus:device that carry different vendor/device IDs are
judged each under its own identity: one card per identity, flagged `mixed_identity`.

The node is the mellanox-mixed-function fixture host (tests/fixtures/hosts, see its
SOURCE.md): PCI device 0000:5e:00 holds a ConnectX-4 Lx function (15b3:1015, firmware
`14.32.1900 (MT_2420110034)`) and a ConnectX-6 Dx function (15b3:101d) on old firmware
`22.28.1002 (MT_0000000430)`. Before the split the card took function 0's IDs, and a rule
for 15b3:101d judged nothing ("No NIC on this node matches 15b3:101d"): the node passed.
Each case runs the real command line on the host tree or on an inventory made from it.
"""

from __future__ import annotations

import copy
import json
import os

from runcli import NO_CACHE, ROOT, card_identity, run_hwcheck, write_profile
from runcli import check_json as check
from runcli import findings_of as by_rule

HOST = os.path.join(ROOT, "tests", "fixtures", "hosts", "mellanox-mixed-function")
CX4 = "0000:5e:00/15b3:1015"
CX6 = "0000:5e:00/15b3:101d"
CX6_LABEL = (
    "Mellanox Technologies MT2892 Family [ConnectX-6 Dx] (ens1f1np1) at 0000:5e:00/15b3:101d, "
    "one of several identities on PCI device 0000:5e:00"
)
RULES = """\
  - id: cx6dx.firmware
    nic: {devices: ["15b3:101d"]}
    firmware: {min: "22.36.1010"}
  - id: cx4lx.firmware
    nic: {devices: ["15b3:1015"]}
    firmware: {min: "14.32.1010"}
"""


def profile(tmp_path, rules: str, unknown_nics: str = "ignore") -> str:
    return write_profile(tmp_path, "mixed", rules, unknown_nics)


def expected_inventory() -> dict:
    with open(os.path.join(HOST, "expected-inventory.json"), encoding="utf-8") as fh:
        return json.load(fh)


def test_probe_splits_a_pci_device_with_two_identities_into_two_cards():
    done = run_hwcheck("probe", "--from-capture", HOST, "--json", "-", env=NO_CACHE)
    assert done.returncode == 0, done.stderr
    inv = json.loads(done.stdout)
    assert (inv["nics"], inv["cards"]) == (
        expected_inventory()["nics"],
        expected_inventory()["cards"],
    )
    cards = {c["card"]: c for c in inv["cards"]}
    assert sorted(cards) == [CX4, CX6]
    for key, function, port in (
        (CX4, "0000:5e:00.0", "ens1f0np0"),
        (CX6, "0000:5e:00.1", "ens1f1np1"),
    ):
        card = cards[key]
        assert (card["mixed_identity"], card["pci_device"]) == (True, "0000:5e:00")
        assert (card["functions"], card["ports"]) == ([function], [port])
    assert (cards[CX6]["vendor_id"], cards[CX6]["device_id"]) == ("15b3", "101d")
    assert cards[CX6]["device_name"] == "MT2892 Family [ConnectX-6 Dx]"
    nics = {n["name"]: n["card"] for n in inv["nics"]}
    assert (nics["ens1f0np0"], nics["ens1f1np1"]) == (CX4, CX6)


def test_the_cx6dx_function_on_old_firmware_fails_under_its_own_id(tmp_path):
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, RULES))
    assert (code, result["verdict"]) == (1, "noncompliant")
    (cx6,) = by_rule(result, "cx6dx.firmware")
    assert cx6["status"] == "fail"
    assert cx6["observed"]["raw"] == "22.28.1002 (MT_0000000430)"
    assert cx6["subject"] == {
        "kind": "card",
        "id": CX6,
        "label": CX6_LABEL,
        "ports": ["ens1f1np1"],
        "pci_addresses": ["0000:5e:00.1"],
        "identity": card_identity(expected_inventory(), CX6),
    }
    assert cx6["message"] == "Firmware fw 22.28.1002 is below the minimum 22.36.1010."
    (cx4,) = by_rule(result, "cx4lx.firmware")
    assert (cx4["status"], cx4["subject"]["id"]) == ("pass", CX4)
    assert cx4["observed"]["raw"] == "14.32.1900 (MT_2420110034)"
    assert result["not_applicable"] == []


def test_an_inventory_written_before_the_split_is_judged_per_identity_too(tmp_path):
    """An older inventory holds one card with function 0's IDs; the judge splits it."""
    inv = copy.deepcopy(expected_inventory())
    first = next(c for c in inv["cards"] if c["card"] == CX4)
    old = {k: v for k, v in first.items() if k not in ("mixed_identity", "pci_device")}
    old.update(card="0000:5e:00", functions=["0000:5e:00.0", "0000:5e:00.1"])
    old["ports"] = ["ens1f0np0", "ens1f1np1"]
    inv["cards"] = [old]
    for nic in inv["nics"]:
        if nic["card"]:
            nic["card"] = "0000:5e:00"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(inv), encoding="utf-8")
    code, result = check("--inventory", str(path), "--profile", profile(tmp_path, RULES))
    assert code == 1
    (cx6,) = by_rule(result, "cx6dx.firmware")
    assert (cx6["status"], cx6["subject"]["id"]) == ("fail", CX6)
    assert cx6["subject"]["label"] == CX6_LABEL
    assert cx6["subject"]["pci_addresses"] == ["0000:5e:00.1"]
    (cx4,) = by_rule(result, "cx4lx.firmware")
    assert (cx4["status"], cx4["subject"]["id"]) == ("pass", CX4)


def test_an_identity_no_rule_covers_is_an_unknown_nic(tmp_path):
    rules = '  - {id: cx4lx.driver, nic: {devices: ["15b3:1015"]}, driver: {exact: mlx5_core}}\n'
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, rules, "fail"))
    assert (code, result["verdict"]) == (1, "noncompliant")
    (unknown,) = by_rule(result, "hwcheck.unknown-nic")
    assert unknown["subject"]["id"] == CX6
    assert unknown["message"] == (
        "No rule of profile mixed covers card 15b3:101d (MT2892 Family [ConnectX-6 Dx]); "
        "unknown_nics is fail (set by mixed)."
    )
    (driver,) = by_rule(result, "cx4lx.driver")
    assert (driver["status"], driver["subject"]["id"]) == ("pass", CX4)


def test_count_counts_a_mixed_device_once_and_each_identity_once(tmp_path):
    rules = (
        '  - {id: any.count, nic: {models: ["ConnectX"]}, count: {min: 1, max: 1}}\n'
        '  - {id: cx6.count, nic: {devices: ["15b3:101d"]}, count: {min: 1, max: 1}}\n'
        '  - {id: ports.count, nic: {models: ["ConnectX"]}, count: {min: 2, per: port}}\n'
    )
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, rules))
    assert code == 0
    (both,) = by_rule(result, "any.count")
    assert both["message"] == (
        "Found 1 card(s) of 'connectx' (0000:5e:00); the profile wants at least 1 and at most 1."
    )
    (cx6,) = by_rule(result, "cx6.count")
    assert cx6["status"] == "pass"
    (ports,) = by_rule(result, "ports.count")
    assert ports["message"].startswith("Found 2 port(s) of 'connectx' (ens1f0np0, ens1f1np1)")


def test_terminal_html_and_probe_summary_show_the_mixed_device(tmp_path):
    prof = profile(tmp_path, RULES)
    html = tmp_path / "r.html"
    done = run_hwcheck(
        "check", "--from-capture", HOST, "--profile", prof, "--html", str(html), env=NO_CACHE
    )
    assert done.returncode == 1, done.stderr
    assert CX6_LABEL in done.stdout
    page = html.read_text(encoding="utf-8")
    assert "one of several identities on PCI device 0000:5e:00" in page
    assert CX6 in page
    summary = run_hwcheck("probe", "--from-capture", HOST, env=NO_CACHE)
    assert summary.returncode == 0, summary.stderr
    assert "PCI devices with functions of different identities (one card each):" in summary.stdout
    assert f"  {CX6}: ens1f1np1 (MT2892 Family [ConnectX-6 Dx])" in summary.stdout
