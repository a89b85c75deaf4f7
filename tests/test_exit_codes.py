"""Each exit code of `hwcheck check`, through the real command line."""

from __future__ import annotations

import os
import subprocess

import pytest
from runcli import run_hwcheck

from hwcheck.status import ExitStatus

HERE = os.path.dirname(__file__)
ROOT = os.path.dirname(HERE)
INV = os.path.join(HERE, "fixtures/inventories")
PROF = os.path.join(HERE, "fixtures/profiles")


def hwcheck(*args: str) -> subprocess.CompletedProcess[str]:
    return run_hwcheck(*args, env={"NO_COLOR": "1", "HWCHECK_NO_CACHE": "1"})


def check(inventory: str, *args: str) -> subprocess.CompletedProcess[str]:
    return hwcheck(
        "check",
        "--no-html",
        "--inventory",
        os.path.join(INV, f"{inventory}.json"),
        "--profile-path",
        "profiles",
        *args,
    )


def test_exit_0_compliant_virtio_vm():
    run = check("virtio-vm")
    assert run.returncode == ExitStatus.OK, run.stderr
    assert run.stdout.startswith(" COMPLIANT ")


def test_exit_1_noncompliant_x710():
    run = check("intel-x710-i40e")
    assert run.returncode == ExitStatus.NONCOMPLIANT
    assert "Firmware nvm 8.15 is below the minimum 9.01." in run.stdout


def test_warnings_pass_unless_strict():
    assert check("broadcom-bnxt-bnx2x").returncode == ExitStatus.OK
    assert check("broadcom-bnxt-bnx2x", "--strict").returncode == ExitStatus.NONCOMPLIANT


def test_exit_3_unknown_on_required_rule():
    run = check("virtio-vm", "--profile", os.path.join(PROF, "virtio-firmware.yaml"))
    assert run.returncode == ExitStatus.UNKNOWN
    assert "firmware '' cannot be read as dotted" in run.stdout


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ("--profile", "tests/fixtures/profiles/invalid/unknown-operator.yaml"),
            "7:35: unknown key 'gte'",
        ),
        (
            ("--waivers", "tests/fixtures/profiles/invalid/missing-name.yaml"),
            "2:1: unknown key 'hwcheck_profile' (did you mean 'hwcheck_waivers'?",
        ),
        (("--profile", "no/such-profile"), "no profile named 'no/such-profile'"),
        (("--waivers", "/nonexistent/w.yaml"), "/nonexistent/w.yaml: cannot read: No such file"),
    ],
)
def test_exit_2_broken_profile_or_waiver_fails_closed(args, stderr):
    run = check("virtio-vm", *args)
    assert run.returncode == ExitStatus.USAGE
    assert run.stderr.startswith("hwcheck: error: ")
    assert stderr in run.stderr
    assert "Traceback" not in run.stderr
    assert "COMPLIANT" not in run.stdout


def test_exit_2_bad_inventory_and_usage(tmp_path):
    bad = tmp_path / "inv.json"
    bad.write_text('{"kind": "something-else"}', encoding="utf-8")
    run = hwcheck("check", "--no-html", "--inventory", str(bad))
    assert run.returncode == ExitStatus.USAGE
    assert "not an hwcheck inventory" in run.stderr
    assert (
        hwcheck("check", "--no-html", "--inventory", str(bad), "--from-capture", "x").returncode
        == ExitStatus.USAGE
    )


def test_exit_6_when_no_profile_applies():
    """Hardware no profile knows is not a broken command line: a PXE hook tells 6 from 2."""
    run = hwcheck(
        "check",
        "--no-html",
        "--inventory",
        os.path.join(INV, "qlogic-qede.json"),
        "--profile-path",
        "profiles",
    )
    assert run.returncode == ExitStatus.NO_PROFILE == 6
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith("hwcheck: error: no profile applies to this node")
    assert "nvidia/connectx: no card with PCI ID 15b3:1015, 15b3:1017, 15b3:101d is present" in line
    assert line.endswith("; name one with --profile")


def test_every_exit_code_has_a_distinct_documented_meaning():
    from hwcheck.status import EXIT_CODE_HELP, EXIT_CODE_MEANINGS

    codes = [int(code) for code in EXIT_CODE_MEANINGS]
    assert len(set(codes)) == len(codes)
    assert 6 in codes and "no profile applies to this node" in EXIT_CODE_MEANINGS[6]
    assert "    6  no_profile" in EXIT_CODE_HELP
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    for code in codes:
        assert f"| {code} |" in readme, code


@pytest.mark.live
def test_live_check_of_this_node_is_compliant():
    run = hwcheck("check", "--no-html", "--profile-path", "profiles")
    assert run.returncode == ExitStatus.OK, run.stdout + run.stderr
    assert (
        "profile lab/kvm-virtio <- linux/baseline: "
        "applies_to matched: card 1af4:1041 at 0000:00:03 is present" in run.stdout
    )


def test_exit_5_gate_cannot_reach_the_collector(tmp_path):
    # Port 9 (discard) on loopback: nothing listens there.
    run = run_hwcheck(
        "gate",
        "--url",
        "http://127.0.0.1:9",
        "--deadline",
        "1",
        "--inventory",
        os.path.join(INV, "virtio-vm.json"),
        "--spool",
        str(tmp_path / "spool"),
        env={"NO_COLOR": "1", "HWCHECK_TOKEN": "enroll-token-for-nothing"},
    )
    assert run.returncode == ExitStatus.UNREACHABLE == 5
    assert "NOT CONFIRMED BY THE COLLECTOR" in run.stdout
    assert len(os.listdir(tmp_path / "spool")) == 1


def fleet(tmp_path, *names: str) -> tuple[int, dict]:
    """`hwcheck fleet` over fixture inventories (and `broken`: a file that is not JSON)."""
    import json

    inputs = []
    for name in names:
        if name == "broken":
            bad = tmp_path / "broken.json"
            bad.write_text("{not json", encoding="utf-8")
            inputs.append(str(bad))
        else:
            inputs.append(os.path.join(INV, f"{name}.json"))
    out = tmp_path / "fleet.json"
    run = hwcheck("fleet", *inputs, "--profile-dir", "profiles", "--json", str(out), "-q")
    assert "Traceback" not in run.stderr
    return run.returncode, json.loads(out.read_text(encoding="utf-8"))


def test_fleet_error_rows_keep_their_cause_and_the_exit_follows_the_precedence(tmp_path):
    """noncompliant (1) > unreadable input (2) > no profile (6) > unknown (3) > compliant (0)."""
    code, doc = fleet(tmp_path, "qlogic-qede", "virtio-vm")
    assert code == doc["exit_code"] == ExitStatus.NO_PROFILE
    rows = {row["source"].rsplit("/", 1)[-1]: row for row in doc["nodes"]}
    assert (rows["qlogic-qede.json"]["verdict"], rows["qlogic-qede.json"]["exit_code"]) == (
        "error",
        6,
    )
    code, doc = fleet(tmp_path, "qlogic-qede", "broken", "virtio-vm")
    assert code == doc["exit_code"] == ExitStatus.USAGE
    rows = {row["source"].rsplit("/", 1)[-1]: row for row in doc["nodes"]}
    assert rows["broken.json"]["exit_code"] == 2 and rows["qlogic-qede.json"]["exit_code"] == 6
    code, _ = fleet(tmp_path, "qlogic-qede", "broken", "intel-x710-i40e")
    assert code == ExitStatus.NONCOMPLIANT


def test_fleet_exit_precedence_is_defined_once():
    from hwcheck.status import FLEET_EXIT_PRECEDENCE, FLEET_PRECEDENCE, VERDICT_EXITS, fleet_exit

    assert [int(c) for c in FLEET_EXIT_PRECEDENCE] == [1, 2, 6, 3, 0]
    # The codes follow the verdicts' order: each verdict's codes sit where it does.
    assert [c for v in FLEET_PRECEDENCE for c in VERDICT_EXITS[v]] == list(FLEET_EXIT_PRECEDENCE)
    assert fleet_exit([0, 3, 6]) == 6 and fleet_exit([6, 2]) == 2 and fleet_exit([]) == 0
