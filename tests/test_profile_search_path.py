"""Where profiles are found: `--profile-dir` adds a directory in front of the default path,
`--profile-path` replaces the path; waiver files in a profile directory are told apart by
their kind key and never break a command.

Every run removes HWCHECK_PROFILE_PATH from the environment: a site profile that extends a
shipped one must lint and judge with no variable set.
"""

from __future__ import annotations

import glob
import os

from runcli import NO_CACHE, ROOT, run_hwcheck

from hwcheck.status import ExitStatus

INVENTORIES = os.path.join(ROOT, "tests", "fixtures", "inventories")
CX5 = os.path.join(INVENTORIES, "mellanox-cx5-dell.json")
VM = os.path.join(INVENTORIES, "virtio-vm.json")

# A site layer over the shipped NVIDIA profile: stricter ConnectX-5 firmware, as a site
# would write it (the shipped profile's own rule ID, a higher minimum).
R650 = """\
hwcheck_profile: 1
name: site/r650
sources: [{title: site standard}]
extends: [nvidia/connectx]
applies_to: {devices: ["15b3:1017"]}
rules:
  - id: nvidia.cx5.firmware
    title: ConnectX-5 firmware at the site standard
    nic: {devices: ["15b3:1017"]}
    firmware: {format: mlx, component: fw, min: "16.99.9999"}
"""

WAIVERS = """\
hwcheck_waivers: 1
waivers:
  - rule: nvidia.cx6dx.firmware
    scope: {model: "15b3:101d"}
    justification: the firmware update is scheduled with the next maintenance window
    expires: 2999-12-31
"""


def _hwcheck(*args: str, cwd: str = ROOT):
    env = {k: v for k, v in os.environ.items() if k != "HWCHECK_PROFILE_PATH"}
    return run_hwcheck(*args, cwd=cwd, env={**env, **NO_CACHE})


def _site(tmp_path) -> str:
    site = tmp_path / "site"
    site.mkdir()
    (site / "r650.yaml").write_text(R650, encoding="utf-8")
    return str(site)


def test_lint_resolves_extends_against_the_shipped_profiles_with_a_directory_added(tmp_path):
    _site(tmp_path)
    done = _hwcheck("profile", "lint", "site/r650.yaml", "--profile-dir", "site", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (ExitStatus.OK, ""), done.stdout
    assert done.stdout == "1 profile: 0 errors, 0 warnings\n"


def test_profile_path_replaces_the_path_so_the_shipped_profiles_are_not_found(tmp_path):
    site = _site(tmp_path)
    done = _hwcheck("profile", "lint", "site/r650.yaml", "--profile-path", "site", cwd=tmp_path)
    assert done.returncode == ExitStatus.USAGE
    assert done.stdout.startswith(
        f"error: {site}/r650.yaml:4:11: no profile named 'nvidia/connectx' in site "
    ), done.stdout
    # Both: the added directory first, then exactly the path given.
    shipped = os.path.join(ROOT, "profiles")
    done = _hwcheck(
        "profile",
        "lint",
        "site/r650.yaml",
        *("--profile-path", shipped, "--profile-dir", "site"),
        cwd=tmp_path,
    )
    assert done.returncode == ExitStatus.OK, done.stdout


def test_an_added_directory_comes_before_the_shipped_profiles(tmp_path):
    """A site copy of a shipped profile's name shadows the shipped one; `profile show` says
    which file it read."""
    lab = tmp_path / "lab"
    lab.mkdir()
    shipped = os.path.join(ROOT, "profiles", "lab", "kvm-virtio.yaml")
    with open(shipped, encoding="utf-8") as fh:
        text = fh.read()
    (lab / "kvm-virtio.yaml").write_text(text, encoding="utf-8")
    done = _hwcheck("profile", "show", "lab/kvm-virtio", "--profile-dir", str(tmp_path))
    assert done.returncode == ExitStatus.OK, done.stderr
    assert f"  file: {lab / 'kvm-virtio.yaml'}\n" in done.stdout
    done = _hwcheck("profile", "show", "lab/kvm-virtio")
    assert f"  file: {shipped}\n" in done.stdout


def test_check_with_an_added_directory_selects_the_site_layer_over_the_shipped_one(tmp_path):
    site = _site(tmp_path)
    done = _hwcheck(
        "check", "--inventory", CX5, "--no-html", "--profile-dir", os.path.dirname(site)
    )
    assert done.returncode == ExitStatus.NONCOMPLIANT, done.stdout + done.stderr
    # The site profile applies and extends the shipped one, so only it is judged.
    assert "profile site/r650 <- nvidia/connectx <- linux/baseline:" in done.stdout
    assert "16.99.9999" in done.stdout


def test_a_waiver_file_in_a_profile_directory_breaks_no_command(tmp_path):
    site = _site(tmp_path)
    (tmp_path / "site" / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    dirs = ("--profile-dir", str(tmp_path))
    listed = _hwcheck("profile", "list", *dirs)
    assert (listed.returncode, listed.stderr) == (ExitStatus.OK, "")
    names = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
    assert "site/r650" in names
    assert listed.stdout.endswith(
        "\nwaiver files (applied only when given with --waivers):\n"
        f"site/waivers  1 waiver  {site}/waivers.yaml\n"
    )
    lint = _hwcheck("profile", "lint", *dirs)
    assert lint.returncode == ExitStatus.OK, lint.stdout
    shipped = len(glob.glob(os.path.join(ROOT, "profiles", "*", "*.yaml")))
    # every shipped profile and the site's one; the waiver file is not linted as a profile
    assert lint.stdout == f"{shipped + 1} profiles: 0 errors, 0 warnings\n"
    # Found in the directory, the waiver file is not applied: the failure stands...
    done = _hwcheck("check", "--inventory", CX5, "--no-html", "-q", *dirs)
    assert (done.returncode, done.stderr) == (ExitStatus.NONCOMPLIANT, ""), done.stderr
    # ...until it is named with --waivers.
    done = _hwcheck(
        "check", "--inventory", CX5, "--no-html", "-q", *dirs, "--waivers", f"{site}/waivers.yaml"
    )
    assert (done.returncode, done.stderr) == (ExitStatus.UNKNOWN, ""), done.stdout
    assert ": 0 failed, 1 unknown, 1 waived, 6 passed (profile site/r650)" in done.stdout
    # Named as a profile, it is refused with what it is.
    done = _hwcheck("check", "--inventory", CX5, "--no-html", *dirs, "--profile", "site/waivers")
    assert done.returncode == ExitStatus.USAGE
    assert done.stderr == (
        f"hwcheck: error: {site}/waivers.yaml: this is a waiver file (hwcheck_waivers), not a "
        "profile; give it with --waivers\n"
    )


def test_a_yaml_file_of_no_known_kind_is_still_an_error_naming_it(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.yaml").write_text("owner: network team\n", encoding="utf-8")
    done = _hwcheck("check", "--inventory", VM, "--no-html", "--profile-dir", str(tmp_path))
    assert done.returncode == ExitStatus.USAGE
    assert done.stderr.startswith(f"hwcheck: error: {site}/notes.yaml:1:1: unknown key 'owner'")
    assert done.stdout == ""
