"""Profile discovery never skips a profile silently.

A profile that `hwcheck check` cannot see is a stricter site rule that is not applied: the
node passes against a laxer profile. So discovery follows symlinked subdirectories (as
lookup by name does, and without looping), and a directory or profile file it cannot read
is exit 2 naming it. The unreadable cases run hwcheck as the user `nobody` (root reads
everything).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from asnobody import as_nobody, traversable_by_others
from runcli import ROOT, run_hwcheck
from runcli import STRICT_VM_PROFILE as STRICT

from hwcheck.status import ExitStatus

SHIPPED = os.path.join(ROOT, "profiles")
VM = os.path.join(ROOT, "tests", "fixtures", "inventories", "virtio-vm.json")
HWCHECK = os.path.join(os.path.dirname(sys.executable), "hwcheck")
NO_CACHE = {"HWCHECK_NO_CACHE": "1"}


def _site(top: Path, text: str = STRICT) -> Path:
    """`top/site/strict.yaml` holding `text`; returns `top/site`."""
    site = top / "site"
    site.mkdir(parents=True)
    (site / "strict.yaml").write_text(text)
    return site


def _check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_hwcheck(
        "check", "--inventory", VM, "--no-html", "-q", *args, env={**NO_CACHE, **(env or {})}
    )


# ---------------------------------------------------------------- symlinked subdirectories


def test_a_symlinked_subdirectory_is_searched_like_lookup_by_name(tmp_path):
    _site(tmp_path / "real")
    pdir = tmp_path / "pdir"
    pdir.mkdir()
    (pdir / "site").symlink_to(tmp_path / "real" / "site", target_is_directory=True)
    # A search directory that does not exist stays fine (like an absent /etc/hwcheck/profiles).
    env = {"HWCHECK_PROFILE_PATH": f"{tmp_path / 'absent'}:{pdir}"}

    run = _check(env=env)
    assert run.returncode == ExitStatus.NONCOMPLIANT, run.stdout + run.stderr
    assert "profile site/strict" in run.stdout

    listed = run_hwcheck("profile", "list", env={**NO_CACHE, **env})
    assert listed.returncode == ExitStatus.OK, listed.stderr
    assert str(pdir / "site" / "strict.yaml") in listed.stdout

    linted = run_hwcheck("profile", "lint", env={**NO_CACHE, **env})
    assert str(pdir / "site" / "strict.yaml") in linted.stdout + linted.stderr


def test_symlink_loops_end_and_every_profile_is_listed_once(tmp_path):
    pdir = tmp_path / "pdir"
    site = _site(tmp_path / "real")
    pdir.mkdir()
    (pdir / "site").symlink_to(site, target_is_directory=True)
    (pdir / "loop").symlink_to(pdir, target_is_directory=True)  # back to the search directory
    (site / "up").symlink_to("..", target_is_directory=True)  # back up through the link
    (site / "self").symlink_to(".", target_is_directory=True)

    listed = run_hwcheck("profile", "list", "--profile-path", str(pdir), env=NO_CACHE)
    assert listed.returncode == ExitStatus.OK, listed.stderr
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert names == ["site/strict"]


def test_a_search_path_entry_that_is_a_file_is_exit_2_naming_it(tmp_path):
    not_dir = tmp_path / "strict.yaml"
    not_dir.write_text(STRICT)
    run = _check(env={"HWCHECK_PROFILE_PATH": str(not_dir)})
    assert run.returncode == ExitStatus.USAGE
    assert run.stderr == (
        f"hwcheck: error: {not_dir}: not a directory (in the profile search path)\n"
    )


# ---------------------------------------------------------------- unreadable, as nobody


@pytest.fixture
def nobody(tmp_path: Path) -> Iterator[list[str]]:
    """The command prefix that runs as `nobody`, with tmp_path and its parents made
    traversable (not readable) by others for the test, then restored."""
    prefix = as_nobody()
    if prefix is None:
        pytest.skip("neither setpriv nor runuser is installed")
    if os.geteuid() != 0:
        pytest.skip("switching to nobody needs root")
    probe = subprocess.run(
        [*prefix, sys.executable, "-B", "-m", "hwcheck", "--version"],
        capture_output=True,
        cwd="/",
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("nobody cannot run hwcheck from this checkout")
    with traversable_by_others(tmp_path):
        yield prefix


def _run_as(prefix: list[str], *args: str, path: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
        "LC_ALL": "C.UTF-8",
        "HWCHECK_NO_CACHE": "1",
        "HWCHECK_PROFILE_PATH": path,
    }
    # -B: nobody cannot write __pycache__ and must not try.
    argv = [*prefix, sys.executable, "-B", "-m", "hwcheck", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd="/", check=False)


def _world_readable(top: Path) -> None:
    for root, _dirs, files in os.walk(top):
        os.chmod(root, 0o755)  # noqa: S103 - nobody must read the test tree
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)


def _inventory(tmp_path: Path) -> str:
    copy = tmp_path / "vm.json"
    shutil.copyfile(VM, copy)
    copy.chmod(0o644)
    return str(copy)


@pytest.mark.parametrize("closed", ["secret", "secret/site"])
def test_an_unreadable_directory_in_the_search_path_is_exit_2_naming_it(nobody, tmp_path, closed):
    secret = tmp_path / "secret"
    _site(secret)
    _world_readable(tmp_path)
    inventory = _inventory(tmp_path)
    (tmp_path / closed).chmod(0o700)
    path = f"{secret}:{SHIPPED}"
    want = f"hwcheck: error: {tmp_path / closed}: cannot read this profile directory: "
    want += "permission denied\n"

    run = _run_as(nobody, "check", "--inventory", inventory, "--no-html", "-q", path=path)
    assert (run.returncode, run.stdout, run.stderr) == (ExitStatus.USAGE, "", want)

    listed = _run_as(nobody, "profile", "list", path=path)
    assert (listed.returncode, listed.stderr) == (ExitStatus.USAGE, want)


def test_a_listable_but_unsearchable_directory_is_exit_2_naming_it(nobody, tmp_path):
    site = _site(tmp_path / "secret")
    _world_readable(tmp_path)
    site.chmod(0o744)  # others may list its names but not open what they name
    run = _run_as(nobody, "profile", "list", path=str(tmp_path / "secret"))
    assert run.returncode == ExitStatus.USAGE
    assert run.stderr == (
        f"hwcheck: error: {site}: cannot read this profile directory: permission denied\n"
    )


def test_an_unreadable_profile_file_is_exit_2_naming_it(nobody, tmp_path):
    site = _site(tmp_path / "secret")
    _world_readable(tmp_path)
    (site / "strict.yaml").chmod(0o600)
    run = _run_as(nobody, "profile", "list", path=f"{tmp_path / 'secret'}:{SHIPPED}")
    assert run.returncode == ExitStatus.USAGE
    assert run.stderr == (
        f"hwcheck: error: {site / 'strict.yaml'}: cannot read this profile file: "
        "permission denied\n"
    )


def test_a_name_hidden_by_an_unreadable_directory_is_not_taken_from_a_later_one(nobody, tmp_path):
    # The same name in a later directory, laxer: finding that one instead would pass.
    lax = STRICT.replace('min: "99.0"', 'min: "1.0"')
    _site(tmp_path / "secret")
    _site(tmp_path / "public", lax)
    _world_readable(tmp_path)
    inventory = _inventory(tmp_path)
    (tmp_path / "secret" / "site").chmod(0o700)
    path = f"{tmp_path / 'secret'}:{tmp_path / 'public'}:{SHIPPED}"
    run = _run_as(
        nobody,
        "check",
        "--inventory",
        inventory,
        "--profile",
        "site/strict",
        "--no-html",
        "-q",
        path=path,
    )
    assert run.returncode == ExitStatus.USAGE, run.stdout
    assert run.stderr.startswith(f"hwcheck: error: {tmp_path / 'secret' / 'site'}/strict.y")
    assert run.stderr.endswith("permission denied\n")
    assert run.stderr.count("\n") == 1


# ---------------------------------------------------------------- deleted working directory


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--inventory", VM, "--no-html", "--profile", "./x.yaml"],
        ["profile", "lint", "./x.yaml"],
        ["profile", "show", "./x.yaml"],
    ],
    ids=["check", "lint", "show"],
)
def test_a_relative_profile_path_in_a_deleted_directory_is_exit_2(tmp_path, command):
    gone = tmp_path / "gone"
    gone.mkdir()
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    run = subprocess.run(
        ["sh", "-c", script, "sh", str(gone), HWCHECK, *command],
        capture_output=True,
        text=True,
        env={**os.environ, **NO_CACHE},
        check=False,
    )
    assert run.returncode == ExitStatus.USAGE, run.stderr
    assert "Traceback" not in run.stderr
    assert "./x.yaml: the current directory no longer exists" in run.stdout + run.stderr
