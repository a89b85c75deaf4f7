"""The judge on real inventories: verdicts, sentences, per-card findings, unknown never passes."""

from __future__ import annotations

import copy
import json
import os

import pytest
from runcli import card_identity

from hwcheck.judge import judge_node, verdict
from hwcheck.judge.engine import judge
from hwcheck.profile.layering import resolve
from hwcheck.profile.library import Library, load_file

HERE = os.path.dirname(__file__)
SHIPPED = Library([os.path.join(HERE, "..", "profiles")])


def _inventory(name: str) -> dict:
    with open(os.path.join(HERE, "fixtures/inventories", f"{name}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _by_rule(findings: list) -> dict:
    return {(f["rule_id"], f["subject"]["id"]): f for f in findings}


def _profile(tmp_path, rules: str, extra: str = ""):
    path = tmp_path / "t.yaml"
    path.write_text(f"hwcheck_profile: 1\nname: t\n{extra}rules:\n{rules}", encoding="utf-8")
    return resolve(load_file(str(path)), Library([]))


def test_nvidia_psid_connectx_firmware_fails_per_card_with_sentence():
    inv = _inventory("mellanox-cx5-dell")
    for nic in inv["nics"]:  # the same card with an NVIDIA MT_ PSID (illustrative number)
        if nic["firmware_version"] == "16.32.2004 (DEL0000000016)":
            nic["firmware_version"] = "16.32.2004 (MT_0000000080)"
    findings = judge(SHIPPED.resolve("nvidia/connectx"), inv)
    cx5 = _by_rule(findings)[("nvidia.cx5.firmware", "0000:31:00")]
    assert cx5["status"] == "fail"
    assert cx5["message"] == "Firmware fw 16.32.2004 is below the minimum 16.35.2000."
    assert cx5["observed"]["parsed"]["psid"] == "MT_0000000080"
    assert cx5["subject"]["ports"] == ["ens1f0np0", "ens1f1np1"]


def test_dell_oem_connectx_is_not_judged_by_nvidia_numbering():
    findings = judge(SHIPPED.resolve("nvidia/connectx"), _inventory("mellanox-cx5-dell"))
    cx5 = _by_rule(findings)[("nvidia.cx5.firmware", "0000:31:00")]
    assert cx5["status"] == "unknown"
    assert cx5["message"] == (
        "The firmware of ens1f0np0 ('16.32.2004 (DEL0000000016)') is on an OEM firmware "
        "train (PSID DEL0000000016, not an NVIDIA MT_ PSID): OEM firmware follows the server "
        "vendor's numbering, so NVIDIA's firmware fw >= 16.35.2000 (mlx) does not apply; "
        "check it against the server vendor's firmware table, or judge it with a rule for "
        "that train (nic: {firmware_train: {psid_prefix: DEL}})."
    )
    assert cx5["observed"] == {
        "raw": "16.32.2004 (DEL0000000016)",
        "parsed": cx5["observed"]["parsed"],
        "source": "ethtool-ioctl",
    }
    assert cx5["observed"]["parsed"]["psid"] == "DEL0000000016"
    # One finding per card, not per port; the VF (ens1f0v0) is not a port of its own.
    assert cx5["subject"]["ports"] == ["ens1f0np0", "ens1f1np1"]
    assert sum(1 for f in findings if f["rule_id"] == "nvidia.cx5.firmware") == 1


def test_connectx5_minimum_is_never_applied_to_connectx4_lx():
    inv = _inventory("mellanox-cx5-dell")
    card = next(c for c in inv["cards"] if c["device_id"] == "1017")
    card["device_id"], card["device_name"] = "1015", "MT27710 Family [ConnectX-4 Lx]"
    for nic in inv["nics"]:
        if nic["card"] == card["card"]:
            nic["device_id"] = "1015"
            nic["firmware_version"] = "14.32.1010 (MT_2420110034)"
    found = _by_rule(judge(SHIPPED.resolve("nvidia/connectx"), inv))
    assert ("nvidia.cx5.firmware", "0000:31:00") not in found
    cx4 = found[("nvidia.cx4lx.firmware", "0000:31:00")]
    assert cx4["status"] == "pass"
    assert cx4["message"] == "Firmware fw 14.32.1010 is at or above the minimum 14.32.1010."


def test_x710_nvm_fails_and_eetrack_is_not_a_number():
    found = _by_rule(judge(SHIPPED.resolve("intel/700-series"), _inventory("intel-x710-i40e")))
    nvm = found[("intel.700.nvm", "0000:3b:00")]
    assert nvm["message"] == "Firmware nvm 8.15 is below the minimum 9.01."
    assert nvm["observed"]["parsed"]["eetrack"] == "0x8000a4e8"
    unknown = found[("hwcheck.unknown-nic", "0000:01:00")]
    assert unknown["status"] == "warn"
    assert "covers card 8086:1521" in unknown["message"]


def test_this_machine_passes_its_profile():
    result = judge_node(
        [(SHIPPED.resolve("lab/kvm-virtio"), "t")],
        _inventory("virtio-vm"),
        today="2026-01-15",
        judged_at="2026-01-15T10:00:00Z",
    )
    assert (result["verdict"], result["exit_code"]) == ("compliant", 0)
    assert result["counts"]["failed"] == 0 and result["counts"]["passed"] >= 8


def test_empty_firmware_is_unknown_with_reason_never_pass(tmp_path):
    prof = _profile(
        tmp_path,
        "  - id: t.fw\n    nic: {devices: ['1af4:1041']}\n    firmware: {min: '1.0'}\n",
    )
    findings = judge(prof, _inventory("virtio-vm"))
    fw = _by_rule(findings)[("t.fw", "0000:00:03")]
    assert fw["status"] == "unknown"
    assert fw["message"].startswith("firmware '' cannot be read as dotted:")
    assert verdict(findings, strict=False)[:2] == ("unknown", 3)


def test_missing_dmi_is_unknown(tmp_path):
    prof = _profile(tmp_path, "  - id: t.bios\n    system: {bios_version: {min: '2.19.0'}}\n")
    f = judge(prof, _inventory("virtio-vm"))[0]
    assert f["status"] == "unknown"
    assert "no DMI tables" in f["message"]


def test_ports_that_differ_are_named_and_worst_wins(tmp_path):
    inv = _inventory("intel-e810-ice")
    port = next(n for n in inv["nics"] if n["name"] == "ens2f1")
    port["firmware_version"] = "3.20 0x8000d83e 1.3146.0"  # an older E810 NVM on one port
    found = _by_rule(judge(SHIPPED.resolve("intel/800-series"), inv))
    f = found[("intel.800.nvm", "0000:18:00")]
    assert f["status"] == "fail"
    assert f["message"].startswith("Ports differ. ens2f0: Firmware nvm 4.30 is at or above")
    assert "ens2f1: Firmware nvm 3.20 is below the minimum 4.00." in f["message"]


def test_known_bad_gives_reason_and_advisory(tmp_path):
    prof = _profile(
        tmp_path,
        "  - id: t.bad\n    nic: {devices: ['15b3:101d']}\n"
        "    firmware:\n      format: mlx\n      known_bad:\n"
        "        - {version: 22.28.1002, reason: test reason, advisory: 'https://example.org/a'}\n",
    )
    f = judge(prof, _inventory("mellanox-cx5-dell"))[0]
    assert f["status"] == "fail"
    assert f["message"] == "Firmware fw 22.28.1002 is known bad: test reason."
    assert f["advisory"] == "https://example.org/a"


def test_psid_compares_for_equality(tmp_path):
    prof = _profile(
        tmp_path,
        "  - id: t.psid\n    nic: {devices: ['15b3:1017']}\n"
        "    firmware: {format: mlx, component: psid, allowed: [MT_0000000080]}\n",
    )
    f = judge(prof, _inventory("mellanox-cx5-dell"))[0]
    assert f["status"] == "fail"
    assert f["message"] == "Firmware psid DEL0000000016 is not one of the allowed: MT_0000000080."


def test_pair_applies_only_in_its_driver_range(tmp_path):
    rules = (
        "  - id: t.pair\n    nic: {devices: ['8086:1592']}\n"
        "    pair:\n      driver_version: {min: '%s'}\n"
        "      firmware: {format: intel-nvm, min: '4.40'}\n"
    )
    applies = judge(_profile(tmp_path, rules % "1.16.0"), _inventory("intel-e810-ice"))[0]
    assert applies["status"] == "fail"
    assert applies["message"] == (
        "Driver version 1.16.3 is at or above the minimum 1.16.0, "
        "so: firmware nvm 4.30 is below the minimum 4.40."
    )
    skipped = judge(_profile(tmp_path, rules % "1.17.0"), _inventory("intel-e810-ice"))[0]
    assert skipped["status"] == "pass"
    assert skipped["message"].startswith("Does not apply: driver version 1.16.3 is below")


@pytest.mark.parametrize(("state", "status"), [("required", "pass"), ("forbidden", "fail")])
def test_builtin_module_counts_as_present(tmp_path, state, status):
    prof = _profile(tmp_path, f"  - id: t.mod\n    module: {{name: virtio_net, state: {state}}}\n")
    f = judge(prof, _inventory("virtio-vm"))[0]
    assert f["status"] == status
    assert "virtio_net is built in" in f["message"]


def test_count_rule_and_warning_severity(tmp_path):
    prof = _profile(
        tmp_path,
        "  - id: t.count\n    severity: warning\n    nic: {devices: ['15b3:1017']}\n"
        "    count: {min: 2}\n",
    )
    f = judge(prof, _inventory("mellanox-cx5-dell"))[0]
    assert f["status"] == "warn"
    assert (
        f["message"] == "Found 1 card(s) of 15b3:1017 (0000:31:00); the profile wants at least 2."
    )
    assert verdict([f], strict=False)[1] == 0
    assert verdict([f], strict=True)[1] == 1


def test_judge_is_pure_and_deterministic():
    inv = _inventory("mellanox-cx5-dell")
    before = copy.deepcopy(inv)
    prof = SHIPPED.resolve("nvidia/connectx")
    assert judge(prof, inv) == judge(prof, inv)
    assert inv == before


def test_findings_of_one_card_do_not_share_their_subject():
    # A consumer (fleet aggregation, a renderer) that edits one finding's subject must not
    # change another's: each finding owns its subject, lists included.
    findings = judge(SHIPPED.resolve("intel/700-series"), _inventory("intel-x710-i40e"))
    x710 = [f for f in findings if f["subject"]["id"] == "0000:3b:00"]
    assert len(x710) >= 2
    first, second = x710[0]["subject"], x710[1]["subject"]
    assert first == second
    assert first is not second
    assert first["ports"] is not second["ports"]
    assert first["pci_addresses"] is not second["pci_addresses"]
    first["ports"].append("edited")
    assert "edited" not in second["ports"]


def test_a_card_finding_carries_the_cards_identity():
    # Fleet aggregation counts findings per card model from the findings alone.
    inv = _inventory("intel-x710-i40e")
    findings = judge(SHIPPED.resolve("intel/700-series"), inv)
    x710 = next(f for f in findings if f["subject"]["id"] == "0000:3b:00")
    assert x710["subject"]["identity"] == card_identity(inv, "0000:3b:00")
    assert x710["subject"]["identity"]["device_id"] == "1572"
    node = next(f for f in findings if f["subject"]["kind"] != "card")
    assert "identity" not in node["subject"]


def test_a_usb_card_finding_carries_its_usb_identity(tmp_path):
    inv = _inventory("dell-usb-nics")
    prof = _profile(
        tmp_path, '  - {id: u, nic: {devices: ["usb:413c:a102"]}, driver: {exact: x}}\n'
    )
    (finding,) = [f for f in judge(prof, inv) if f["rule_id"] == "u"]
    usb = finding["subject"]["identity"]["usb"]
    assert (usb["vendor_id"], usb["product_id"]) == ("413c", "a102")
    assert finding["subject"]["identity"]["vendor_id"] is None
