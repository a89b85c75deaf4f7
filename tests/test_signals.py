"""SIGTERM and SIGHUP stop a run the way Ctrl-C does: exit 130 and no temporary files.

A FIFO output holds the run between staging and renaming (nobody reads it), which is the
moment a service manager's SIGTERM or a closed terminal's SIGHUP may come.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from hwcheck.status import ExitStatus

RESULT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "fixtures", "results", "failing-node.json"
)

OUTPUTS = ["--html", "r.html", "--json", "fifo", "--junit", "j.xml"]


def staged_then_signalled(tmp_path, signum: int) -> subprocess.CompletedProcess[str]:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "r.html").write_text("previous report\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hwcheck", "report", RESULT, *OUTPUTS],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len([n for n in os.listdir(tmp_path) if n.endswith(".tmp")]) < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run never staged its files"
        time.sleep(0.02)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize(
    ("signum", "name"), [(signal.SIGTERM, "SIGTERM"), (signal.SIGHUP, "SIGHUP")]
)
def test_a_termination_signal_exits_130_and_leaves_no_temporary_file(tmp_path, signum, name):
    done = staged_then_signalled(tmp_path, signum)
    assert done.returncode == ExitStatus.INTERRUPTED, done.stderr
    assert done.stderr == f"hwcheck: stopped by {name}; no partial output was left\n"
    assert sorted(os.listdir(tmp_path)) == ["fifo", "r.html"]
    assert (tmp_path / "r.html").read_text() == "previous report\n"
