"""Numbers too long to be a version component, in what a node reports: unknown, never exit 70.

Python refuses int() of more than 4300 digits; an inventory (or a capture) holding such a
firmware, driver, module, kernel or BIOS string used to end `check` as an internal error.
Profiles were already guarded at load time (tests/test_profile_hostile_files.py); this is
the observed side, through the same limit (versions.MAX_NUMBER_DIGITS).
"""

from __future__ import annotations

import json
import os

import pytest

from hwcheck import versions
from tests.runcli import ROOT, run_hwcheck

BIG = "9" * 5000
INVENTORIES = os.path.join(ROOT, "tests", "fixtures", "inventories")


def _hostile(name: str, tmp_path) -> str:
    with open(os.path.join(INVENTORIES, f"{name}.json"), encoding="utf-8") as fh:
        inv = json.load(fh)
    for nic in inv["nics"]:
        nic["firmware_version"] = f"1.{BIG}.0"
        nic["driver_version"] = f"{BIG}.1"
        nic["module_version"] = f"1.{BIG}"
    for module in inv["modules"]:
        module["version"] = BIG
    inv["kernel"]["release"] = f"5.{BIG}.0-1"
    if inv["system"]["present"]:
        inv["system"]["bios_version"] = f"2.{BIG}"
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(inv), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "name", ["intel-x710-i40e", "mellanox-cx5-dell", "broadcom-bnxt-bnx2x", "virtio-vm"]
)
def test_a_node_reporting_5000_digit_versions_is_unknown_not_a_crash(name, tmp_path):
    done = run_hwcheck("check", "--inventory", _hostile(name, tmp_path), "--no-html")
    assert done.returncode == 3, done.stderr
    assert "internal error" not in done.stderr
    assert "holds a number of 5000 digits" in done.stdout


def test_the_sentence_names_the_limit():
    with pytest.raises(versions.VersionError) as err:
        versions.parse(f"8.15 0x8000a4e8 1.{BIG}.0", "intel-nvm")
    assert str(err.value).endswith(
        "is not a version: it holds a number of 5000 digits "
        f"(a version component has at most {versions.MAX_NUMBER_DIGITS})"
    )
    with pytest.raises(versions.VersionError):
        versions.sort_key("dotted", "version", f"1.{BIG}")
    # At the limit a number is still read.
    assert versions.parse("1." + "9" * versions.MAX_NUMBER_DIGITS, "dotted")
