"""`hwcheck check` and `hwcheck profile ...` as users run them."""

from __future__ import annotations

import json
import os

import jsonschema

from hwcheck.status import ExitStatus
from tests.test_exit_codes import INV, PROF, ROOT, check, hwcheck


def test_json_result_holds_profiles_findings_and_inventory(tmp_path):
    out = tmp_path / "r.json"
    run = check(
        "mellanox-cx5-dell", "--json", str(out), "--waivers", os.path.join(PROF, "waivers.yaml")
    )
    assert run.returncode == ExitStatus.NONCOMPLIANT  # the CX-6 Dx waiver has expired
    doc = json.loads(out.read_text(encoding="utf-8"))
    with open(os.path.join(ROOT, "docs/schema/result.schema.json"), encoding="utf-8") as fh:
        jsonschema.validate(doc, json.load(fh))
    assert doc["profiles"][0]["name"] == "nvidia/connectx"
    assert [layer["name"] for layer in doc["profiles"][0]["layers"]] == [
        "linux/baseline",
        "nvidia/connectx",
    ]
    assert doc["profiles"][0]["selected_because"].startswith(
        "applies_to matched: card 15b3:1017 at 0000:31:00"
    )
    assert doc["counts"]["waived"] == 1 and doc["counts"]["failed"] == 1
    assert doc["inventory"]["host"]["hostname"] == "ocp-worker-r750-21"


def test_quiet_prints_the_verdict_line_only():
    run = check("intel-x710-i40e", "--quiet")
    assert run.stdout.count("\n") == 1
    assert run.stdout.startswith(" NON-COMPLIANT   compute-r740-07: 1 failed")


def test_profile_list_shows_shipped_profiles():
    run = hwcheck("profile", "list", "--profile-path", "profiles")
    assert run.returncode == 0
    names = [line.split()[0] for line in run.stdout.splitlines()]
    assert names == [
        "broadcom/netxtreme-e",
        "dpdk/23.11",
        "dpdk/24.11",
        "intel/700-series",
        "intel/800-series",
        "lab/kvm-virtio",
        "linux/baseline",
        "nvidia/connectx",
    ]


def test_profile_show_names_the_deciding_layer():
    run = hwcheck("profile", "show", "nvidia/connectx", "--profile-path", "profiles")
    assert run.returncode == 0
    assert (
        "  nvidia.cx5.firmware  [error]  ConnectX-5 firmware at least 16.35.2000 (mlxup 4.23.0)\n"
        "    checks: firmware on 15b3:1017: fw >= 16.35.2000 (mlx)\n"
        "    decided by: nvidia/connectx\n" in run.stdout
    )


def test_every_shipped_profile_lints_clean():
    run = hwcheck("profile", "lint", "--profile-path", "profiles")
    assert run.returncode == ExitStatus.OK, run.stdout
    assert run.stdout.strip() == "8 profiles: 0 errors, 0 warnings"


def test_lint_refuses_an_ambiguous_threshold_and_errors_on_broken():
    run = hwcheck("profile", "lint", os.path.join(PROF, "ambiguous.yaml"))
    assert run.returncode == ExitStatus.USAGE
    assert "ambiguous.yaml:11:50: threshold '1.6' is ambiguous" in run.stdout
    run = hwcheck("profile", "lint", os.path.join(PROF, "invalid/two-checks.yaml"))
    assert run.returncode == ExitStatus.USAGE
    assert "error: " in run.stdout and "cannot be used together" in run.stdout


def test_profile_new_writes_a_profile_the_golden_node_passes(tmp_path):
    out = tmp_path / "golden.yaml"
    run = hwcheck(
        "profile",
        "new",
        "--from",
        os.path.join(INV, "mellanox-cx5-dell.json"),
        "--name",
        "site/golden",
        "-o",
        str(out),
    )
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert 'firmware: {format: mlx, component: fw, min: "16.32.2004"}' in text
    assert hwcheck("profile", "lint", str(out), "--profile-path", "profiles").returncode in (0, 1)
    run = check("mellanox-cx5-dell", "--profile", str(out))
    # Its own rules pass; the ConnectX-6 Dx below NVIDIA's minimum still fails (said when the
    # profile was written: tests/test_profile_new_golden.py), and only that does.
    assert run.returncode == ExitStatus.NONCOMPLIANT, run.stdout
    assert "FAIL     nvidia.cx6dx.firmware  [error, layer nvidia/connectx]" in run.stdout
    assert run.stdout.startswith(" NON-COMPLIANT   ocp-worker-r750-21: 1 failed, 1 unknown, ")
    assert "golden value below a vendor minimum: nvidia.cx6dx.firmware" in (
        hwcheck("profile", "new", "--from", os.path.join(INV, "mellanox-cx5-dell.json")).stderr
    )
