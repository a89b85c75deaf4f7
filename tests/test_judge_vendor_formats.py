"""Vendor version formats through the real judge: a real inventory (the X710 node of
tests/fixtures/inventories, its I350 card given another driver and ID), a profile
fragment as an operator writes it, and the status and sentence the report shows.

The firmware and driver strings are the published ones of test_versions_vendor_formats.py
(sources there); each case says which class of issue 8 it stands for.
"""

from __future__ import annotations

import copy
import json
import os

import pytest

from hwcheck.errors import ProfileError
from hwcheck.judge.engine import judge
from hwcheck.profile.layering import resolve
from hwcheck.profile.library import Library, load_file

HERE = os.path.dirname(__file__)
with open(os.path.join(HERE, "fixtures/inventories/intel-x710-i40e.json"), encoding="utf-8") as fh:
    X710 = json.load(fh)


def _node(driver, ids, *, fw=None, dv=None, kernel=None):
    """The I350 card of the X710 node, reporting what `driver` on `ids` reports."""
    inv = copy.deepcopy(X710)
    card = inv["cards"][0]
    card["vendor_id"], card["device_id"] = ids.split(":")
    inv["cards"] = [card]
    inv["nics"] = [nic for nic in inv["nics"] if nic["card"] == card["card"]]
    for nic in inv["nics"]:
        nic["vendor_id"], nic["device_id"] = card["vendor_id"], card["device_id"]
        nic["driver"] = driver
        if fw is not None:
            nic["firmware_version"] = fw
        if dv is not None:
            nic["driver_version"] = dv
    if kernel is not None:
        inv["kernel"]["release"] = kernel
    return inv


def _judge(tmp_path, ids, check, inv):
    path = tmp_path / "site.yaml"
    path.write_text(
        "hwcheck_profile: 1\nname: site/t\nrules:\n  - id: site.t\n    title: t\n"
        f'    nic: {{devices: ["{ids}"]}}\n    {check}\n',
        encoding="utf-8",
    )
    (finding,) = judge(resolve(load_file(str(path)), Library([])), inv)
    return finding["status"], finding["message"]


# (class, driver, PCI ID, firmware, driver version, node kernel, rule, status, sentence)
CASES = [
    (
        "e1000e NVM",
        "e1000e",
        "8086:1502",
        "0.13-3",
        None,
        None,
        'firmware: {format: e1000e, min: "0.13"}',
        "pass",
        "Firmware nvm 0.13 is at or above the minimum 0.13.",
    ),
    (
        "no format of its own: says which was tried",
        "atlantic",
        "1d6a:07b1",
        "fw 3.1.88 x",
        None,
        None,
        'firmware: {min: "3.1.100"}',
        "unknown",
        "firmware 'fw 3.1.88 x' cannot be read as dotted, the format firmware is read in "
        "when its driver (atlantic) has no format of its own (name one with 'format' in the "
        "rule): 'fw 3.1.88 x' does not fit dotted: expected dotted decimal numbers, "
        "optionally followed by ' [<on-flash version>]' (be2net), e.g. '10.0.803.19'.",
    ),
    (
        "new vendor format (cxgb4), short threshold padded",
        "cxgb4",
        "1425:6408",
        "1.25.6.0, TP 0.1.23.2",
        None,
        None,
        'firmware: {format: cxgb4, min: "1.27"}',
        "fail",
        "Firmware fw 1.25.6.0 is below the minimum 1.27.",
    ),
    (
        "new vendor format (r8169): another chip's firmware does not order",
        "r8169",
        "10ec:8168",
        "rtl8168h-2_0.0.2 02/26/15",
        None,
        None,
        'firmware: {format: r8169, min: "rtl8168e-3_0.0.4"}',
        "unknown",
        "firmware fw 'rtl8168h-2_0.0.2' cannot be compared: 'rtl8168h-2_0.0.2' and "
        "'rtl8168e-3_0.0.4' are versions of different firmware (rtl8168h-2 and rtl8168e-3), "
        "which have no common order",
    ),
    (
        "bnx2x VPD version without FFV, bootcode threshold from a matrix",
        "bnx2x",
        "14e4:164f",
        "7.8.16 bc 6.2.26 phy aa0.406",
        None,
        None,
        'firmware: {format: bnx2x, component: bc, min: "7.0"}',
        "fail",
        "Firmware bc 6.2.26 is below the minimum 7.0.",
    ),
    (
        "bnxt package N/A",
        "bnxt_en",
        "14e4:16d7",
        "229.0.121.0/pkg N/A",
        None,
        None,
        'firmware: {format: bnxt, component: pkg, min: "1.0.0.0"}',
        "unknown",
        "firmware '229.0.121.0/pkg N/A' cannot be judged in format bnxt: '229.0.121.0/pkg "
        "N/A' has no pkg version: its pkg reads 'N/A', the blank marker: the card reports no "
        "installed package version.",
    ),
    (
        "mlx on an IPoIB interface, format from the driver name",
        "mlx5_core[ib_ipoib]",
        "15b3:101b",
        "20.43.1014 (MT_0000000224)",
        None,
        None,
        'firmware: {min: "20.40.1000"}',
        "pass",
        "Firmware fw 20.43.1014 is at or above the minimum 20.40.1000.",
    ),
    (
        "igc threshold written as Intel prints the NVM",
        "igc",
        "8086:15f3",
        "1082:8770",
        None,
        None,
        'firmware: {format: igc, min: "1.87"}',
        "fail",
        "Firmware nvm 1082 is below the minimum 1.87.",
    ),
    (
        "I211 from iNVM: the default component is not one it has",
        "igb",
        "8086:1539",
        " 0. 6-1",
        None,
        None,
        'firmware: {format: igb, min: "1.63"}',
        "unknown",
        "firmware ' 0. 6-1' cannot be judged in format igb (the rule names no component; nvm "
        "is the default): ' 0. 6-1' has no nvm component (it has: invm, image_type); an "
        "I210/I211 running from its iNVM (no flash) has no NVM version, only the iNVM "
        "version 'invm'; name component invm for these cards.",
    ),
    (
        "blank option ROM marker is absent, never newer",
        "i40e",
        "8086:1583",
        "6.01 0x80003493 255.65535.255",
        None,
        None,
        'firmware: {format: intel-nvm, component: combo, min: "1.1747.0"}',
        "unknown",
        "firmware '6.01 0x80003493 255.65535.255' cannot be judged in format intel-nvm: "
        "'6.01 0x80003493 255.65535.255' has no combo version: its combo reads "
        "'255.65535.255', the blank marker: the card has no option ROM, so there is no "
        "combo version to judge.",
    ),
    (
        "four-part distribution kernel release",
        "ice",
        "8086:1592",
        None,
        "6.6.12.1-1.azl3",
        "6.6.12.1-1.azl3",
        'driver_version: {min: "1.9.11"}',
        "unknown",
        "The driver version of eno1 is '6.6.12.1-1.azl3', the kernel release: the in-tree "
        "ice carries no version of its own (the kernel release is what identifies it), so a "
        "vendor driver version cannot be judged.",
    ),
    (
        "WSL kernel release, cut at 31 characters, is the node's",
        "hv_netvsc",
        "1414:5353",
        None,
        "5.10.102.1-microsoft-standard-W",
        "5.10.102.1-microsoft-standard-WSL2",
        'driver_version: {min: "1.0"}',
        "unknown",
        "The driver version of eno1 is '5.10.102.1-microsoft-standard-W', the kernel "
        "release: the in-tree hv_netvsc carries no version of its own (the kernel release "
        "is what identifies it), so a vendor driver version cannot be judged.",
    ),
    (
        "a git commit is not a driver version",
        "nfp",
        "19ee:4000",
        "0.0.3.5 0.25 nic-2.1.16 nic",
        "210587a (o-o-t)",
        None,
        'driver_version: {min: "1.0"}',
        "unknown",
        "driver version '210587a (o-o-t)' cannot be read as driver: '210587a (o-o-t)' is not "
        "a version: 210587a is the git commit the driver was built from (the driver says it "
        "was built out of tree), and commits have no order.",
    ),
    (
        "RHEL's ixgbe version is its own, not the node's kernel release",
        "ixgbe",
        "8086:1563",
        None,
        "5.1.0-k-rh8.1.0",
        "4.18.0-147.el8.x86_64",
        'driver_version: {min: "5.0.0-k"}',
        "pass",
        "Driver version 5.1.0-k-rh8.1.0 is at or above the minimum 5.0.0-k.",
    ),
]


@pytest.mark.parametrize(
    ("what", "driver", "ids", "fw", "dv", "kernel", "check", "status", "sentence"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_vendor_formats_through_the_judge(
    tmp_path, what, driver, ids, fw, dv, kernel, check, status, sentence
):
    inv = _node(driver, ids, fw=fw, dv=dv, kernel=kernel)
    assert _judge(tmp_path, ids, check, inv) == (status, sentence), what


def test_nfp_application_firmware_is_judged_by_its_version(tmp_path):
    inv = _node("nfp", "19ee:4000", fw="0.0.3.5 0.25 nic-2.1.16 nic")
    assert _judge(tmp_path, "19ee:4000", 'firmware: {format: nfp, min: "nic-2.1.7"}', inv) == (
        "pass",
        "Firmware fw nic-2.1.16 is at or above the minimum nic-2.1.7.",
    )


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (
            'firmware: {format: igb, component: nvm, min: "1.6"}',
            "threshold '1.6' is ambiguous: '1.6' is ambiguous for igb nvm: the kernel prints "
            "the minor without a leading zero, so '1.6' would be 1.06, while Intel writes two "
            "digits, where it would be 1.60 (write 1.06 or 1.60)",
        ),
        (
            'firmware: {format: mlx, component: fw, min: "16.35.200"}',
            "threshold '16.35.200' is ambiguous: '16.35.200' is ambiguous for mlx fw",
        ),
        (
            'firmware: {format: intel-nvm, component: nvm, min: "7.2"}',
            "'7.2' is ambiguous for intel-nvm nvm: the kernel prints the NVM minor as two hex "
            "digits (7.02 or 7.20?)",
        ),
    ],
)
def test_ambiguous_thresholds_are_load_errors_in_every_format(tmp_path, check, message):
    path = tmp_path / "site.yaml"
    path.write_text(
        "hwcheck_profile: 1\nname: site/t\nrules:\n  - id: site.t\n    title: t\n"
        f'    nic: {{devices: ["8086:1521"]}}\n    {check}\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as err:
        load_file(str(path))
    assert message in str(err.value)
    assert ":7:" in str(err.value)  # the line of the threshold


def test_an_ambiguous_threshold_the_load_could_not_check_is_unknown(tmp_path):
    """A firmware rule naming no format is read in each card's format only when judged:
    an ambiguous threshold there is unknown with the reason, never judged by a guess."""
    inv = _node("igb", "8086:1521", fw="1.67, 0x80000e93, 17.5.10")
    status, sentence = _judge(tmp_path, "8086:1521", 'firmware: {min: "1.6"}', inv)
    assert status == "unknown"
    assert sentence == (
        "the profile's threshold '1.6' cannot be read as igb nvm: '1.6' is ambiguous for "
        "igb nvm: the kernel prints the minor without a leading zero, so '1.6' would be "
        "1.06, while Intel writes two digits, where it would be 1.60 (write 1.06 or 1.60)"
    )
