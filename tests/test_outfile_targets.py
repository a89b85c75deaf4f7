"""Output paths that are not plain files: a symlink keeps pointing at the new file, and a
device or FIFO is written in place, never replaced by a regular file (we run as root in
PXE hooks and CI, where `--json /dev/null` must not clobber /dev/null)."""

import os
import stat
import subprocess
import sys
import threading

from runcli import run_hwcheck

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INTEL_X710 = os.path.join(ROOT, "tests", "fixtures", "inventories", "intel-x710-i40e.json")


def probe_json(target):
    return run_hwcheck("probe", "--json", str(target))


def test_symlink_target_is_replaced_and_the_link_kept(tmp_path):
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    real.write_text("old")
    link.symlink_to(real)
    done = probe_json(link)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink()
    assert real.read_text().startswith('{"schema_version":1')


def test_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "collector"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    done = probe_json(fifo)
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got[0].startswith(b'{"schema_version":1')


def test_dev_null_stays_a_device():
    before = os.stat("/dev/null")
    done = probe_json("/dev/null")
    assert done.returncode == 0, done.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_dev_full_is_an_output_error_and_stays_a_device():
    done = probe_json("/dev/full")
    assert done.returncode == 4
    assert done.stderr == "hwcheck: error: /dev/full: cannot write: No space left on device\n"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


STDOUT_COMMANDS = [
    ["probe"],
    ["probe", "--json", "-"],
    ["check", "--no-html"],
    ["profile", "list"],
    ["--version"],
]


def test_a_full_standard_output_is_an_output_error_not_a_bug():
    """`> /dev/full` (or a full disk under a redirect): exit 4 naming standard output,
    for every command that prints, however little it prints."""
    for argv in STDOUT_COMMANDS:
        with open("/dev/full", "w") as full:
            done = run_hwcheck(*argv, stdout=full, env={"HWCHECK_NO_CACHE": "1"})
        assert done.returncode == 4, (argv, done.stderr)
        assert done.stderr == (
            "hwcheck: error: standard output: cannot write: No space left on device\n"
        ), argv


def test_a_closed_standard_output_is_an_output_error():
    done = subprocess.run(
        ["sh", "-c", 'exec "$0" -m hwcheck probe --json - >&-', sys.executable],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 4
    assert done.stderr == "hwcheck: error: standard output: cannot write: it is closed\n"


def test_a_reader_that_goes_away_is_not_an_error():
    """`hwcheck check | head -1`: the reader has gone when hwcheck writes (here it is gone
    before, so the write certainly fails). Nothing on stderr, and the command's own exit code
    stands: a non-compliant node must not pass a gate because its output was cut short."""
    noncompliant = ["check", "--no-html", "--inventory", INTEL_X710, "--profile-path", "profiles"]
    for argv, want in [*((a, 0) for a in STDOUT_COMMANDS), (noncompliant, 1)]:
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            done = run_hwcheck(*argv, stdout=write_end)
        finally:
            os.close(write_end)
        assert (done.returncode, done.stderr) == (want, ""), argv
