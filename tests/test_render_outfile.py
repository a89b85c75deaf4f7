"""Atomic report writes, tested with real failures: a full filesystem, a directory in the way,
Ctrl-C and SIGKILL in the middle of a write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from hwcheck.errors import OutputError
from hwcheck.outfile import write_atomic
from hwcheck.status import ExitStatus

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def listing(directory):
    return sorted(os.listdir(directory))


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "r.html"
    target.write_text("old report")
    write_atomic(str(target), "new report ✓")
    assert target.read_text(encoding="utf-8") == "new report ✓"
    assert listing(tmp_path) == ["r.html"]


def test_new_file_gets_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(str(tmp_path / "r.json"), "{}\n")
    finally:
        os.umask(old)
    assert oct((tmp_path / "r.json").stat().st_mode & 0o777) == "0o644"


def test_lone_surrogates_are_written_escaped_not_fatal(tmp_path):
    write_atomic(str(tmp_path / "r.txt"), "fw \udcff end")
    assert (tmp_path / "r.txt").read_bytes() == b"fw \\udcff end"


def test_missing_directory_is_an_output_error_unless_asked_to_create_it(tmp_path):
    target = tmp_path / "reports" / "deep" / "r.html"
    with pytest.raises(OutputError) as caught:
        write_atomic(str(target), "x")
    assert caught.value.exit_status == ExitStatus.OUTPUT
    assert str(caught.value) == f"{target}: cannot write: no such directory: {target.parent}"
    write_atomic(str(target), "x", make_dirs=True)
    assert target.read_text() == "x"


def test_a_directory_in_the_way_is_refused_and_left_alone(tmp_path):
    (tmp_path / "r.html").mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        write_atomic(str(tmp_path / "r.html"), "x")
    assert listing(tmp_path) == ["r.html"]


@pytest.fixture
def tiny_fs(tmp_path):
    """A real 64 KiB tmpfs: writes beyond it fail with ENOSPC from the kernel."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (tests run as root in CI): {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.live
def test_disk_full_keeps_the_previous_report_and_removes_the_temporary(tiny_fs):
    target = tiny_fs / "r.html"
    target.write_text("previous good report")
    with pytest.raises(OutputError) as caught:
        write_atomic(str(target), "x" * 200_000)
    assert "No space left on device" in str(caught.value)
    assert target.read_text() == "previous good report"
    assert listing(tiny_fs) == ["r.html"]


# A writer caught between staging its temporary file and renaming it over the report: its
# disk is made slow (fsync of the staged file waits, as on a busy disk), so the signal
# always lands in that window, however loaded the machine running the test is.
_WRITER = """
import os, sys, time
from hwcheck.outfile import write_atomic
real_fsync = os.fsync
def slow_fsync(fd):
    sys.stdout.write("staged\\n"); sys.stdout.flush()
    time.sleep(60)
    real_fsync(fd)
os.fsync = slow_fsync
write_atomic(sys.argv[1], "y" * (1024 * 1024))
"""


def _start_writer(target):
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline() == "staged\n"
    assert any(n.endswith(".tmp") for n in os.listdir(target.parent)), "nothing staged"
    return proc


def test_ctrl_c_mid_write_removes_the_temporary_and_keeps_the_old_report(tmp_path):
    target = tmp_path / "r.html"
    target.write_text("previous good report")
    proc = _start_writer(target)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "KeyboardInterrupt" in err
    assert target.read_text() == "previous good report"
    assert listing(tmp_path) == ["r.html"]


def test_sigkill_mid_write_never_leaves_a_half_report_in_place(tmp_path):
    target = tmp_path / "r.html"
    target.write_text("previous good report")
    proc = _start_writer(target)
    proc.kill()
    proc.wait(timeout=30)
    assert target.read_text() == "previous good report"
    leftovers = [n for n in listing(tmp_path) if n != "r.html"]
    assert all(n.startswith(".r.html.") and n.endswith(".tmp") for n in leftovers)
