"""A run whose current directory was deleted cannot write a relative output: exit 4 with
the reason, not an internal error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hwcheck.status import ExitStatus

RESULT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "fixtures", "results", "failing-node.json"
)


def in_deleted_directory(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    gone = tmp_path / "gone"
    gone.mkdir()
    # The shell enters the directory, removes it, and runs hwcheck there.
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    return subprocess.run(
        ["sh", "-c", script, "sh", str(gone), sys.executable, "-m", "hwcheck", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--html", "x.html"], "x.html"),
        (["--no-html", "--json", "x.json"], "x.json"),
        (["--no-html", "--json", "x.json", "--junit", "x.xml"], "x.xml"),
    ],
)
def test_outputs_in_a_deleted_directory_are_exit_4(tmp_path, args, where):
    done = in_deleted_directory(tmp_path, "report", RESULT, *args)
    assert done.returncode == ExitStatus.OUTPUT, done.stderr
    assert done.stderr.startswith(f"hwcheck: error: {where}: cannot write: no such directory")
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
