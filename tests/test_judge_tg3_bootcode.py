"""tg3 bootcode thresholds through `hwcheck check`: the chip prefix says which chip's
bootcode a value is, so a BCM5719 bootcode never passes or fails a BCM5720 minimum by a
meaningless order. Real strings: tg3 on a BCM5720 LOM prints `FFV22.91.5 bc 5720-v1.39`
(tests/fixtures/hosts/broadcom-bnxt-bnx2x/SOURCE.md)."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.path.join(ROOT, "tests", "fixtures", "inventories", "broadcom-bnxt-bnx2x.json")

PROFILE = """\
hwcheck_profile: 1
name: site/tg3-bootcode
version: "1"
description: BCM5720 LOM bootcode at the site-qualified 5720-v1.39 or newer.
rules:
  - id: site.tg3.bootcode
    title: BCM5720 bootcode 5720-v1.39 or newer
    nic: {devices: ["14e4:165f"]}
    firmware: {format: tg3, component: bc, min: "5720-v1.39"}
"""


@pytest.mark.parametrize(
    ("bootcode", "status"),
    [
        ("5720-v1.39", "pass"),
        ("5720-v1.45", "pass"),
        ("5720-v1.30", "fail"),
        ("5719-v1.45", "unknown"),
    ],
)
def test_bootcode_min_is_judged_within_one_chip(tmp_path, bootcode, status):
    with open(INVENTORY, encoding="utf-8") as fh:
        inv = json.load(fh)
    for nic in inv["nics"]:
        if nic["driver"] == "tg3":
            nic["firmware_version"] = f"FFV22.91.5 bc {bootcode}"
    (tmp_path / "inv.json").write_text(json.dumps(inv))
    (tmp_path / "p.yaml").write_text(PROFILE)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hwcheck",
            "check",
            "--inventory",
            str(tmp_path / "inv.json"),
            "--profile",
            str(tmp_path / "p.yaml"),
            "--no-html",
            "--json",
            "-",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    result = json.loads(done.stdout)
    (finding,) = [f for f in result["findings"] if f["rule_id"] == "site.tg3.bootcode"]
    assert finding["status"] == status, finding["message"]
    if status == "unknown":
        assert "bootcodes of different chips (5719 and 5720)" in finding["message"]
        assert done.returncode == 3
