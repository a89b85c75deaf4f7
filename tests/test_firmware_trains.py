"""Firmware trains: whose numbers a firmware component is in, chosen by the rule, never by
a profile's `vendor:` metadata.

End to end: profiles written as YAML and loaded by the real loader, judged by the real
judge over the fixture inventories (tests/fixtures/inventories/, see SOURCE.md there).

Real strings used here:
- `16.32.2004 (DEL0000000016)`: a Dell OEM ConnectX-5 (mellanox-cx5-dell fixture).
- `1.67, 0x80000e93, 17.5.10`: a Dell I350 LOM, subsystem 1028:0693 (intel-x710-i40e
  fixture): 17.5.10 is Dell's firmware family version.
- `9.54 0x8000fb2b 24.0.5`: `ethtool -i` of an X710 (8086:1572) with driver i40e on
  Linux 6.12.49, posted by Paul Menzel to intel-wired-lan on 2026-02-23 ("i40e: Dell GBIC
  S28-10G-25G-SR-85C: Rx/Tx is disabled on this device because an unsupported SFP module
  type was detected."); the third field is the Dell firmware family 24.0.5. The Dell
  variant of the X710 below puts it on the fixture's X710 with the Dell subsystem ID
  1028:0000 ("Ethernet 10G X710 rNDC" in pci.ids 2023.04.10).
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from hwcheck.errors import ProfileError
from hwcheck.judge.engine import judge
from hwcheck.profile.layering import resolve
from hwcheck.profile.library import Library, load_file

HERE = os.path.dirname(__file__)
SHIPPED_DIR = os.path.join(HERE, "..", "profiles")
INVENTORIES = os.path.join(HERE, "fixtures", "inventories")
DELL_X710_NVM = "9.54 0x8000fb2b 24.0.5"


def _inventory(name: str) -> dict:
    with open(os.path.join(INVENTORIES, f"{name}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _all_inventories() -> dict[str, dict]:
    return {
        name[: -len(".json")]: _inventory(name[: -len(".json")])
        for name in sorted(os.listdir(INVENTORIES))
        if name.endswith(".json")
    }


def _dell_x710() -> dict:
    """intel-x710-i40e with its X710 branded by Dell: subsystem 1028:0000, Dell NVM."""
    inv = _inventory("intel-x710-i40e")
    for item in inv["cards"] + inv["nics"]:
        if item.get("device_id") == "1572":
            item["subsystem_vendor_id"], item["subsystem_device_id"] = "1028", "0000"
            item["subsystem_name"] = "Ethernet 10G X710 rNDC"
            if "firmware_version" in item:
                item["firmware_version"] = DELL_X710_NVM
    return inv


def _by_rule(findings: list) -> dict:
    return {(f["rule_id"], f["subject"]["id"]): f for f in findings}


def _site(tmp_path, body: str, *, vendor: str | None = None, extends: str = "nvidia/connectx"):
    """A site layer over the shipped profiles, loaded from YAML like any profile."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    head = "hwcheck_profile: 1\nname: site/x\n"
    if vendor is not None:
        head += f"vendor: {vendor}\n"
    (site / "x.yaml").write_text(f"{head}extends: [{extends}]\nrules:\n{body}", encoding="utf-8")
    return Library([str(tmp_path), SHIPPED_DIR]).resolve("site/x")


RESTATE_CX5 = """\
  - id: nvidia.cx5.firmware
    title: ConnectX-5 firmware at least 16.35.2000, restated by the site
    nic: {devices: ["15b3:1017"]}
    firmware: {format: mlx, component: fw, min: "16.35.2000"}
"""

DELL_TRAIN_CX5 = """\
  - id: site.cx5.dell-firmware
    title: Dell OEM ConnectX-5 firmware at least {min}
    nic: {{devices: ["15b3:1017"], firmware_train: {{psid_prefix: DEL}}}}
    firmware: {{format: mlx, component: fw, min: "{min}"}}
"""

DELL_OEM_CX5 = (
    "The firmware of ens1f0np0 ('16.32.2004 (DEL0000000016)') is on an OEM firmware "
    "train (PSID DEL0000000016, not an NVIDIA MT_ PSID): OEM firmware follows the server "
    "vendor's numbering, so NVIDIA's firmware fw >= 16.35.2000 (mlx) does not apply; "
    "check it against the server vendor's firmware table, or judge it with a rule for "
    "that train (nic: {firmware_train: {psid_prefix: DEL}})."
)


# ---- vendor: is metadata ---------------------------------------------------------------


def _rewrite_vendors(src: str, dst: str, vendor: str | None) -> None:
    """Copy a profile tree, giving every layer `vendor: <vendor>` (or none at all)."""
    shutil.copytree(src, dst)
    for folder, _dirs, files in os.walk(dst):
        for name in files:
            if not name.endswith(".yaml"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            text = re.sub(r"(?m)^vendor:.*\n", "", text)
            if vendor is not None:
                text = re.sub(r"(?m)^(name: .*\n)", rf"\1vendor: {vendor}\n", text, count=1)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)


def _every_finding(library: Library, inventories: dict[str, dict]) -> dict:
    return {
        (profile, inv_name): judge(library.resolve(profile), inv)
        for profile in (
            "nvidia/connectx",
            "intel/700-series",
            "intel/800-series",
            "broadcom/netxtreme-e",
            "lab/kvm-virtio",
            "linux/baseline",
            "site/x",
        )
        for inv_name, inv in inventories.items()
    }


@pytest.mark.parametrize("vendor", [None, "NVIDIA", "nvidia", "Intel", "Dell Inc."])
def test_vendor_field_on_any_layer_never_changes_any_finding(tmp_path, vendor):
    inventories = _all_inventories()
    inventories["intel-x710-i40e-dell"] = _dell_x710()
    site_rules = RESTATE_CX5 + DELL_TRAIN_CX5.format(min="16.32.2004")

    def library(root: str, site_vendor: str | None) -> Library:
        os.makedirs(os.path.join(root, "site"))
        head = "hwcheck_profile: 1\nname: site/x\n"
        if site_vendor is not None:
            head += f"vendor: {site_vendor}\n"
        with open(os.path.join(root, "site", "x.yaml"), "w", encoding="utf-8") as fh:
            fh.write(f"{head}extends: [nvidia/connectx]\nrules:\n{site_rules}")
        return Library([root])

    base_root = tmp_path / "base"
    shutil.copytree(SHIPPED_DIR, base_root)
    baseline = _every_finding(library(str(base_root), None), inventories)
    changed_root = tmp_path / "changed"
    _rewrite_vendors(SHIPPED_DIR, str(changed_root), vendor)
    changed = _every_finding(library(str(changed_root), vendor), inventories)
    assert changed == baseline


@pytest.mark.parametrize("vendor", [None, "NVIDIA", "Dell Inc."])
def test_site_layer_restating_nvidia_minimum_leaves_dell_oem_card_unknown(tmp_path, vendor):
    found = _by_rule(
        judge(_site(tmp_path, RESTATE_CX5, vendor=vendor), _inventory("mellanox-cx5-dell"))
    )
    cx5 = found[("nvidia.cx5.firmware", "0000:31:00")]
    assert cx5["layer"] == "site/x"
    assert cx5["status"] == "unknown"
    assert cx5["message"] == DELL_OEM_CX5
    assert cx5["observed"]["raw"] == "16.32.2004 (DEL0000000016)"


def test_shipped_connectx_profile_leaves_dell_oem_card_unknown_with_the_rule_to_write():
    shipped = Library([SHIPPED_DIR]).resolve("nvidia/connectx")
    found = _by_rule(judge(shipped, _inventory("mellanox-cx5-dell")))
    assert found[("nvidia.cx5.firmware", "0000:31:00")]["message"] == DELL_OEM_CX5
    # The ConnectX-6 Dx on NVIDIA's own PSID is judged against NVIDIA's numbers.
    cx6 = found[("nvidia.cx6dx.firmware", "0000:b1:00")]
    assert cx6["status"] == "fail"
    assert cx6["message"] == "Firmware fw 22.28.1002 is below the minimum 22.36.1010."


@pytest.mark.parametrize(
    ("minimum", "status", "message"),
    [
        ("16.32.2004", "pass", "Firmware fw 16.32.2004 is at or above the minimum 16.32.2004."),
        ("16.35.2000", "fail", "Firmware fw 16.32.2004 is below the minimum 16.35.2000."),
    ],
)
def test_rule_for_the_dell_train_judges_the_dell_card(tmp_path, minimum, status, message):
    profile = _site(tmp_path, DELL_TRAIN_CX5.format(min=minimum))
    found = _by_rule(judge(profile, _inventory("mellanox-cx5-dell")))
    dell = found[("site.cx5.dell-firmware", "0000:31:00")]
    assert (dell["status"], dell["message"]) == (status, message)
    assert dell["expected"] == "firmware fw >= " + minimum + " (mlx)"
    # The same node's NVIDIA-numbered rule still leaves the OEM card unknown...
    assert found[("nvidia.cx5.firmware", "0000:31:00")]["status"] == "unknown"
    # ...and the Dell rule selects only cards on the Dell train (the CX-6 Dx is MT_).
    assert not [k for k in found if k[0] == "site.cx5.dell-firmware" and k[1] != "0000:31:00"]


def test_rule_for_nvidias_own_train_does_not_select_the_oem_card(tmp_path):
    body = """\
  - id: site.cx.nvidia-psid-count
    nic: {devices: ["15b3:1017", "15b3:101d"], firmware_train: {psid_prefix: MT_}}
    count: {min: 2}
"""
    found = _by_rule(judge(_site(tmp_path, body), _inventory("mellanox-cx5-dell")))
    count = found[("site.cx.nvidia-psid-count", "node")]
    assert count["status"] == "fail"
    assert count["message"] == (
        "Found 1 card(s) of 15b3:1017, 15b3:101d on firmware train PSID MT_... "
        "(0000:b1:00); the profile wants at least 2."
    )


# ---- Intel: the combo field of an OEM NVM is the OEM's family version ----------------------

INTEL_COMBO = """\
  - id: site.x710.combo
    title: X710 combo image at least Intel's 1.2879.0
    nic: {devices: ["8086:1572"]}
    firmware: {format: intel-nvm, component: combo, min: "1.2879.0"}
"""

DELL_TRAIN_X710 = """\
  - id: site.x710.dell-family
    title: Dell X710 firmware family at least 22.5.7
    nic: {devices: ["8086:1572"], firmware_train: {subsystem_vendor_id: "1028"}}
    firmware: {format: intel-nvm, component: combo, min: "22.5.7"}
"""


def test_dell_intel_nvm_combo_is_unknown_against_intels_numbers(tmp_path):
    profile = _site(tmp_path, INTEL_COMBO, extends="intel/700-series")
    stock = _by_rule(judge(profile, _inventory("intel-x710-i40e")))
    assert stock[("site.x710.combo", "0000:3b:00")]["status"] == "pass"
    found = _by_rule(judge(profile, _dell_x710()))
    combo = found[("site.x710.combo", "0000:3b:00")]
    assert combo["status"] == "unknown"  # 24.0.5 > 1.2879.0 would have passed as Intel's
    assert combo["message"] == (
        "The combo version of ens1f0 ('9.54 0x8000fb2b 24.0.5') is on an OEM firmware "
        "train (subsystem vendor 1028, not the chip vendor's 8086): on an OEM train this "
        "field is the server vendor's firmware family version, so the chip vendor's "
        "firmware combo >= 1.2879.0 (intel-nvm) does not apply; check it against the "
        "server vendor's firmware table, or judge it with a rule for that train "
        '(nic: {firmware_train: {subsystem_vendor_id: "1028"}}).'
    )
    # The NVM version itself is Intel's on every train: the shipped rule judges it.
    nvm = found[("intel.700.nvm", "0000:3b:00")]
    assert (nvm["status"], nvm["message"]) == (
        "pass",
        "Firmware nvm 9.54 is at or above the minimum 9.01.",
    )


def test_rule_for_the_dell_train_judges_the_dell_intel_card(tmp_path):
    profile = _site(tmp_path, INTEL_COMBO + DELL_TRAIN_X710, extends="intel/700-series")
    found = _by_rule(judge(profile, _dell_x710()))
    dell = found[("site.x710.dell-family", "0000:3b:00")]
    assert (dell["status"], dell["message"]) == (
        "pass",
        "Firmware combo 24.0.5 is at or above the minimum 22.5.7.",
    )
    # On the stock node the Dell rule selects nothing: the X710 there is Intel's own.
    stock = _by_rule(judge(profile, _inventory("intel-x710-i40e")))
    assert not [k for k in stock if k[0] == "site.x710.dell-family"]


def test_dell_i350_lom_combo_is_dells_family_version(tmp_path):
    body = """\
  - id: site.i350.combo
    nic: {devices: ["8086:1521"]}
    firmware: {format: igb, component: combo, min: "1.0.0"}
  - id: site.i350.dell-family
    nic: {devices: ["8086:1521"], firmware_train: {subsystem_vendor_id: "1028"}}
    firmware: {format: igb, component: combo, min: "17.5.10"}
  - id: site.i350.nvm
    nic: {devices: ["8086:1521"]}
    firmware: {format: igb, component: nvm, min: "1.67"}
"""
    found = _by_rule(
        judge(_site(tmp_path, body, extends="linux/baseline"), _inventory("intel-x710-i40e"))
    )
    assert found[("site.i350.combo", "0000:01:00")]["status"] == "unknown"
    assert "subsystem vendor 1028" in found[("site.i350.combo", "0000:01:00")]["message"]
    assert found[("site.i350.dell-family", "0000:01:00")]["status"] == "pass"
    assert found[("site.i350.nvm", "0000:01:00")]["status"] == "pass"


def test_unreadable_subsystem_vendor_is_unknown_for_a_train_numbered_component(tmp_path):
    inv = _inventory("intel-x710-i40e")
    for nic in inv["nics"]:
        if nic["device_id"] == "1572":
            nic["subsystem_vendor_id"] = None
    found = _by_rule(judge(_site(tmp_path, INTEL_COMBO, extends="linux/baseline"), inv))
    combo = found[("site.x710.combo", "0000:3b:00")]
    assert combo["status"] == "unknown"
    assert combo["message"] == (
        "The combo version of ens1f0 ('8.15 0x8000a4e8 1.2879.0') cannot be placed on a "
        "firmware train: the card's PCI subsystem vendor was not read, so whether the chip "
        "vendor's firmware combo >= 1.2879.0 (intel-nvm) applies is unknown."
    )


def test_ports_on_another_train_than_the_rule_names_are_unknown(tmp_path):
    inv = _inventory("mellanox-cx5-dell")
    for nic in inv["nics"]:  # one port cross-flashed to NVIDIA's PSID (illustrative)
        if nic["name"] == "ens1f1np1":
            nic["firmware_version"] = "16.35.2000 (MT_0000000080)"
    found = _by_rule(judge(_site(tmp_path, DELL_TRAIN_CX5.format(min="16.32.2004")), inv))
    dell = found[("site.cx5.dell-firmware", "0000:31:00")]
    assert dell["status"] == "unknown"
    assert dell["message"] == (
        "Ports differ. ens1f0np0: Firmware fw 16.32.2004 is at or above the minimum 16.32.2004. "
        "ens1f1np1: The firmware of ens1f1np1 ('16.35.2000 (MT_0000000080)') is on firmware "
        "train PSID MT_0000000080, not the firmware train PSID DEL... this rule names, so its "
        "firmware fw >= 16.32.2004 (mlx) does not apply."
    )


# ---- the language: errors at file:line:column ----------------------------------------------


@pytest.mark.parametrize(
    ("selector", "at", "message"),
    [
        (
            '{devices: ["15b3:1017"], firmware_train: {}}',
            "{}",
            "expected one of: psid_prefix, subsystem_vendor_id",
        ),
        (
            '{devices: ["15b3:1017"], firmware_train: {psid_prefix: DEL, '
            'subsystem_vendor_id: "1028"}}',
            "{psid_prefix",
            "'psid_prefix' and 'subsystem_vendor_id' cannot be used together",
        ),
        (
            '{devices: ["15b3:1017"], firmware_train: {psid: DEL}}',
            "psid:",
            "unknown key 'psid' (expected one of: psid_prefix, subsystem_vendor_id)",
        ),
        (
            '{devices: ["15b3:1017"], firmware_train: {psid_prefix: "DE L"}}',
            '"DE L"',
            "'DE L' is not a PSID prefix like DEL or MT_",
        ),
        (
            '{devices: ["8086:1572"], firmware_train: {subsystem_vendor_id: 1028x}}',
            "1028x",
            "'1028x' is not a PCI vendor ID like 1028",
        ),
        (
            '{devices: ["8086:1572"], firmware_train: DEL}',
            "DEL",
            "expected a mapping, found a single value",
        ),
        (
            "{link_types: [veth], firmware_train: {psid_prefix: DEL}}",
            "{psid_prefix",
            "'firmware_train' selects cards, and virtual links have no firmware train",
        ),
    ],
)
def test_firmware_train_errors_name_file_line_and_column(tmp_path, selector, at, message):
    line = f"    nic: {selector}"
    path = tmp_path / "t.yaml"
    path.write_text(
        f"hwcheck_profile: 1\nname: t\nrules:\n  - id: r\n{line}\n    driver: {{allowed: [x]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as info:
        load_file(str(path))
    assert str(info.value).startswith(f"{path}:5:{line.index(at) + 1}: {message}")


def test_subsystem_vendor_id_may_be_written_in_any_case(tmp_path):
    raw = tmp_path / "p.yaml"
    raw.write_text(
        "hwcheck_profile: 1\nname: p\nrules:\n  - id: r\n"
        '    nic: {devices: ["8086:1572"], firmware_train: {subsystem_vendor_id: "10A8"}}\n'
        "    driver: {allowed: [i40e]}\n",
        encoding="utf-8",
    )
    assert resolve(load_file(str(raw)), Library([])).rules[0].selector.train == (
        "subsystem_vendor_id",
        "10a8",
    )


def test_the_documented_oem_train_rules_load_and_judge(tmp_path):
    with open(os.path.join(HERE, "..", "docs", "profiles.md"), encoding="utf-8") as fh:
        doc = fh.read()
    section = doc[doc.index("### Firmware trains") : doc.index("### Operators")]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1
    profile = _site(tmp_path, blocks[0], extends="linux/baseline")
    cx5 = _by_rule(judge(profile, _inventory("mellanox-cx5-dell")))
    assert cx5[("site.cx5.dell-firmware", "0000:31:00")]["status"] == "pass"
    x710 = _by_rule(judge(profile, _dell_x710()))
    assert x710[("site.x710.dell-family", "0000:3b:00")]["status"] == "pass"


def test_profile_new_from_a_dell_oem_node_names_its_firmware_train(tmp_path):
    from hwcheck.profile.new import new_profile

    inv = _inventory("mellanox-cx5-dell")
    text = new_profile(inv, name="site/golden", source="mellanox-cx5-dell.json")
    assert '    nic: {devices: ["15b3:1017"], firmware_train: {psid_prefix: "DEL"}}\n' in text
    # The ConnectX-6 Dx is on NVIDIA's own train: its rule names no train.
    assert "  - id: site.15b3-101d.firmware\n" in text
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "golden.yaml").write_text(text, encoding="utf-8")
    golden = Library([str(tmp_path), SHIPPED_DIR]).resolve("site/golden")
    found = _by_rule(judge(golden, inv))
    assert found[("site.15b3-1017.firmware", "0000:31:00")]["status"] == "pass"
