"""A vendor profile named with --profile on a node without any of its cards fails with a
finding that says so, instead of passing every NIC rule for lack of anything to judge (a
card missing, or bound to vfio-pci, is invisible to the probe). Inventories are the fixture
hosts' (tests/fixtures/inventories/SOURCE.md)."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORIES = os.path.join(ROOT, "tests", "fixtures", "inventories")


def check(profile, inventory):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hwcheck",
            "check",
            "--profile",
            profile,
            "--no-html",
            "--json",
            "-",
            "--inventory",
            os.path.join(INVENTORIES, f"{inventory}.json"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize(
    ("profile", "rule", "inventory"),
    [
        ("nvidia/connectx", "nvidia.connectx.count", "intel-e810-ice"),
        ("intel/700-series", "intel.700.count", "mellanox-cx5-dell"),
        ("intel/800-series", "intel.800.count", "intel-x710-i40e"),
        ("broadcom/netxtreme-e", "broadcom.bnxt.count", "virtio-vm"),
    ],
)
def test_named_vendor_profile_fails_a_node_without_its_cards(profile, rule, inventory):
    code, result = check(profile, inventory)
    (finding,) = [f for f in result["findings"] if f["rule_id"] == rule]
    assert finding["status"] == "fail"
    assert finding["message"].startswith("Found 0 card(s) of ")
    assert code == 1


@pytest.mark.parametrize(
    ("profile", "rule", "inventory"),
    [
        ("nvidia/connectx", "nvidia.connectx.count", "mellanox-cx5-dell"),
        ("intel/700-series", "intel.700.count", "intel-x710-i40e"),
        ("intel/800-series", "intel.800.count", "intel-e810-ice"),
        ("broadcom/netxtreme-e", "broadcom.bnxt.count", "broadcom-bnxt-bnx2x"),
    ],
)
def test_vendor_profile_counts_the_cards_it_is_about(profile, rule, inventory):
    _, result = check(profile, inventory)
    (finding,) = [f for f in result["findings"] if f["rule_id"] == rule]
    assert finding["status"] == "pass", finding["message"]
