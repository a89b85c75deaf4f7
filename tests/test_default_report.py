"""The default HTML report's name has one-second resolution; runs that share it each keep
their own report (`-2`, `-3`, ...), and the name is taken exclusively, so runs at the same
moment never write one file."""

from __future__ import annotations

import os
import subprocess
import sys

from runcli import run_hwcheck

from hwcheck.status import ExitStatus

RESULT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "fixtures", "results", "failing-node.json"
)
BASE = "r640-compute-07.dc1.example.net-20261124T140212Z"


def test_a_second_run_in_the_same_second_keeps_the_first_report(tmp_path):
    first = run_hwcheck("report", RESULT, cwd=str(tmp_path))
    assert first.returncode == ExitStatus.OK, first.stderr
    before = (tmp_path / "reports" / f"{BASE}.html").read_bytes()
    second = run_hwcheck("report", RESULT, cwd=str(tmp_path))
    assert second.returncode == ExitStatus.OK, second.stderr
    assert f"wrote reports/{BASE}-2.html\n" in second.stdout
    assert sorted(os.listdir(tmp_path / "reports")) == [f"{BASE}-2.html", f"{BASE}.html"]
    assert (tmp_path / "reports" / f"{BASE}.html").read_bytes() == before


def test_concurrent_runs_each_get_their_own_report(tmp_path):
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "hwcheck", "report", RESULT, "--quiet"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(6)
    ]
    for proc in runs:
        assert proc.wait(timeout=120) == ExitStatus.OK, proc.stderr and proc.stderr.read()
        if proc.stderr:
            proc.stderr.close()
    names = sorted(os.listdir(tmp_path / "reports"))
    assert names == sorted([f"{BASE}.html", *(f"{BASE}-{n}.html" for n in range(2, 7))])
    assert all((tmp_path / "reports" / n).read_text().rstrip().endswith("</html>") for n in names)
