"""Where `check` writes its HTML report by default is deliberate and always said: the path
written is printed (with --quiet too); --reports-dir and HWCHECK_REPORTS_DIR choose the
directory; a current directory on a ramdisk (a real tmpfs mounted here) or one that cannot
be written gets no surprise file, and one line says how to ask for one."""

from __future__ import annotations

import os
import subprocess

import pytest
from runcli import run_hwcheck

from hwcheck.cli.reportsdir import default_reports_dir, filesystem_type
from hwcheck.status import ExitStatus

HERE = os.path.dirname(os.path.abspath(__file__))
VM = os.path.join(HERE, "fixtures", "inventories", "virtio-vm.json")
X710 = os.path.join(HERE, "fixtures", "inventories", "intel-x710-i40e.json")
PROFILES = os.path.join(os.path.dirname(HERE), "profiles")


def check(cwd, *args, env=None):
    return run_hwcheck(
        "check",
        "--inventory",
        VM,
        "--profile-dir",
        PROFILES,
        *args,
        cwd=str(cwd),
        env={"NO_COLOR": "1", "HWCHECK_REPORTS_DIR": "", **(env or {})},
    )


def _mount(*argv):
    done = subprocess.run(["mount", *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"cannot mount (tests run as root in CI): {done.stderr.strip()}")


@pytest.fixture
def ramdisk(tmp_path):
    """A real tmpfs, at a path with a space (mountinfo writes it as `\\040`)."""
    mount = tmp_path / "ram disk"
    mount.mkdir()
    _mount("-t", "tmpfs", "-o", "size=4m", "hwcheck-test", str(mount))
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


@pytest.fixture
def read_only(tmp_path):
    """A directory of the test's own file system, bind-mounted read-only over itself."""
    where = tmp_path / "ro"
    where.mkdir()
    _mount("--bind", str(where), str(where))
    try:
        _mount("-o", "remount,ro,bind", str(where))
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def reports(directory):
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def test_the_default_report_is_said_even_with_quiet(tmp_path):
    done = check(tmp_path, "-q")
    assert done.returncode == ExitStatus.OK, done.stderr
    (name,) = reports(tmp_path / "reports")
    assert done.stdout.splitlines() == [done.stdout.splitlines()[0], f"wrote reports/{name}"]
    assert done.stdout.startswith(" COMPLIANT ")
    assert done.stderr == ""


def test_on_a_ramdisk_no_default_report_is_written_and_one_line_says_how(ramdisk):
    assert filesystem_type(str(ramdisk)) == "tmpfs"
    done = check(ramdisk, "-q")
    assert done.returncode == ExitStatus.OK, done.stderr
    assert os.listdir(ramdisk) == []
    assert done.stdout.startswith(" COMPLIANT ") and len(done.stdout.splitlines()) == 1
    assert done.stderr == (
        f"hwcheck: note: no HTML report: the current directory {ramdisk} is on a ramdisk "
        "(tmpfs); --reports-dir DIR, HWCHECK_REPORTS_DIR=DIR or --html PATH writes one; "
        "--no-html says none is wanted\n"
    )
    # The verdict's exit code stands: a non-compliant node still exits 1.
    failing = run_hwcheck(
        "check", "--inventory", X710, "--profile-dir", PROFILES, "-q", cwd=str(ramdisk)
    )
    assert failing.returncode == ExitStatus.NONCOMPLIANT
    assert "no HTML report" in failing.stderr and os.listdir(ramdisk) == []


def test_asking_for_reports_on_a_ramdisk_writes_them_where_asked(ramdisk, tmp_path):
    done = check(ramdisk, "-q", "--reports-dir", "out")
    assert done.returncode == ExitStatus.OK, done.stderr
    (name,) = reports(ramdisk / "out")
    assert done.stdout.splitlines()[1:] == [f"wrote out/{name}"]
    env_dir = tmp_path / "from-env"
    done = check(ramdisk, env={"HWCHECK_REPORTS_DIR": str(env_dir)})
    assert done.returncode == ExitStatus.OK, done.stderr
    (name,) = reports(env_dir)
    assert f"wrote {env_dir}/{name}\n" in done.stdout
    done = check(ramdisk, "--html", "node.html")
    assert "wrote node.html\n" in done.stdout and (ramdisk / "node.html").is_file()


def test_the_option_wins_over_the_environment(tmp_path):
    done = check(tmp_path, "--reports-dir", "mine", env={"HWCHECK_REPORTS_DIR": "theirs"})
    assert done.returncode == ExitStatus.OK, done.stderr
    assert reports(tmp_path / "mine") and not reports(tmp_path / "theirs")


def test_a_directory_that_cannot_be_written_gets_no_report_and_a_line(read_only):
    assert filesystem_type(str(read_only)) not in ("tmpfs", "ramfs", "rootfs")
    done = check(read_only, "--json", "-")
    assert done.returncode == ExitStatus.OK, done.stderr
    assert done.stdout.startswith("{")  # the JSON on stdout, messages on stderr
    assert (
        f"hwcheck: note: no HTML report: {read_only} cannot be written; --reports-dir DIR"
        in done.stderr
    )
    assert os.listdir(read_only) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--reports-dir", ""), "--reports-dir: an empty path"),
        (("--reports-dir", "d", "--html", "x.html"), "not allowed with argument"),
        (("--reports-dir", "d", "--no-html"), "not allowed with argument"),
    ],
)
def test_contradictory_or_empty_reports_dir_is_a_usage_error(tmp_path, args, message):
    done = check(tmp_path, *args)
    assert done.returncode == ExitStatus.USAGE
    assert message in done.stderr
    assert os.listdir(tmp_path) == []


def test_mountinfo_is_read_as_the_kernel_writes_it(tmp_path):
    """The closest mount point wins, the last of two stacked on one point, and escaped
    characters in mount points are read back."""
    info = tmp_path / "mountinfo"
    info.write_text(
        "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
        "30 22 0:27 / /srv/ram\\040disk rw,relatime shared:5 - tmpfs tmpfs rw\n"
        "31 22 0:28 / /srv/ram rw - ext4 /dev/vdb rw\n"
        "32 31 0:29 / /srv/ram rw - ramfs none rw\n"
        "garbage\n"
    )
    assert filesystem_type("/srv/ram disk/x", str(info)) == "tmpfs"
    assert filesystem_type("/srv/ram/x", str(info)) == "ramfs"
    assert filesystem_type("/srv/rammer", str(info)) == "ext4"
    assert filesystem_type("/", str(info)) == "ext4"
    assert filesystem_type("/x", str(tmp_path / "absent")) is None


def test_without_proc_the_default_stands(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert default_reports_dir(None, {}, mountinfo=str(tmp_path / "absent")) == ("reports", None)
    assert default_reports_dir(None, {"HWCHECK_REPORTS_DIR": "/r"}) == ("/r", None)
