"""`probe --lshw` in a minimal ramdisk with no pseudo-terminals: lshw is run through a pipe,
so it still answers, and the probe never fails for it (it used to exit 70)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from runcli import ROOT


@pytest.mark.skipif(os.geteuid() != 0, reason="a mount namespace needs root")
@pytest.mark.skipif(not shutil.which("unshare"), reason="util-linux unshare is not installed")
@pytest.mark.skipif(not shutil.which("lshw"), reason="lshw is not installed")
def test_probe_with_lshw_works_without_ptys():
    script = (
        "mount --make-rprivate / && mount --bind /dev/null /dev/ptmx && "
        f'exec "{sys.executable}" -m hwcheck probe --lshw --json -'
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    inventory = json.loads(done.stdout)
    assert not [g for g in inventory["gaps"] if g["what"] == "lshw"]
    physical = [n for n in inventory["nics"] if n["kind"] == "physical"]
    assert physical
    assert all(n["lshw"] is not None for n in physical)
