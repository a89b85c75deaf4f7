"""`hwcheck profile lint` never passes by linting nothing.

A CI job running `profile lint --profile-path DIR` with a mistyped DIR, or a DIR that
holds no profiles, used to print "0 profiles: 0 errors" and exit 0.
"""

from __future__ import annotations

import os
import shutil

import pytest
from runcli import ROOT, run_hwcheck

from hwcheck.status import ExitStatus

SHIPPED = os.path.join(ROOT, "profiles")
NO_CACHE = {"HWCHECK_NO_CACHE": "1"}


def _lint(*args: str):
    return run_hwcheck("profile", "lint", *args, env=NO_CACHE)


def test_a_profile_dir_that_does_not_exist_is_exit_2_naming_it(tmp_path):
    missing = str(tmp_path / "profiels")
    run = _lint("--profile-path", missing)
    assert run.returncode == ExitStatus.USAGE
    assert run.stderr == (
        f"hwcheck: error: {missing}: no such profile directory (given with --profile-path)\n"
    )
    assert run.stdout == ""
    # Also when profiles are named: the directory was meant to resolve them.
    run = _lint(os.path.join(SHIPPED, "linux/baseline.yaml"), "--profile-path", missing)
    assert run.returncode == ExitStatus.USAGE
    assert missing in run.stderr


def test_a_profile_dir_that_is_a_file_is_exit_2(tmp_path):
    not_dir = tmp_path / "baseline.yaml"
    shutil.copy(os.path.join(SHIPPED, "linux/baseline.yaml"), not_dir)
    run = _lint("--profile-path", SHIPPED, "--profile-path", str(not_dir))
    assert run.returncode == ExitStatus.USAGE
    assert run.stderr == (
        f"hwcheck: error: {not_dir}: not a directory (given with --profile-path)\n"
    )
    run = _lint("--profile-dir", str(not_dir))
    assert run.returncode == ExitStatus.USAGE
    assert run.stderr == f"hwcheck: error: {not_dir}: not a directory (given with --profile-dir)\n"


def test_a_directory_without_profiles_is_exit_2_unless_profiles_are_named(tmp_path):
    empty = tmp_path / "profiles"
    (empty / "site").mkdir(parents=True)
    (empty / "README.md").write_text("profiles go here\n", encoding="utf-8")
    run = _lint("--profile-path", str(empty))
    assert run.returncode == ExitStatus.USAGE
    assert run.stderr.startswith(f"hwcheck: error: {empty}: no profiles found")
    assert run.stderr.count("\n") == 1
    assert run.stdout == ""
    # Naming what to lint needs nothing from the directory.
    named = tmp_path / "virtio.yaml"
    shutil.copy(os.path.join(ROOT, "tests/fixtures/profiles/virtio-firmware.yaml"), named)
    run = _lint(str(named), "--profile-path", str(empty))
    assert run.returncode == ExitStatus.OK, run.stdout + run.stderr
    assert run.stdout.endswith("1 profile: 0 errors, 0 warnings\n")


@pytest.mark.parametrize("option", ["--profile-dir", "--profile-path"])
@pytest.mark.parametrize(
    "command",
    [
        ["check", "--no-html"],
        ["profile", "list"],
        ["profile", "show", "lab/kvm-virtio"],
        ["profile", "lint"],
        ["fleet", "tests/fixtures/inventories/virtio-vm.json"],
        ["report", "tests/fixtures/results/judged-intel-x710-i40e.json", "--no-html"],
    ],
)
def test_every_command_refuses_a_mistyped_profile_dir(tmp_path, command, option):
    """A directory with a typo, added or replacing the path, must not read as "no profiles"
    (list: exit 0, nothing listed; check: "no profile applies to this node")."""
    missing = str(tmp_path / "profiels")
    done = run_hwcheck(*command, option, missing)
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    assert done.stderr == (
        f"hwcheck: error: {missing}: no such profile directory (given with {option})\n"
    )
