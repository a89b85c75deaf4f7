"""contrib/hwcheck-gate-boot, the ramdisk's gate step, with the real hwcheck.pyz
(scripts/build-pyz.py) against a real `hwcheck serve`: each exit code the gate gives is
reported as one line with its meaning, and with --enforce a node that did not pass is
powered off (here: a `poweroff` on PATH that records it was called).

The gate step runs `$HWCHECK_PYTHON -I $HWCHECK_PYZ gate`; the interpreter named is a
two-line wrapper around the real python3 that adds `--inventory FILE`, so that the node
judged is a fixture inventory, not this machine.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from collectorproc import Collector
from runcli import ROOT

BOOT = os.path.join(ROOT, "contrib", "hwcheck-gate-boot")
INV = os.path.join(ROOT, "tests", "fixtures", "inventories")


@pytest.fixture(scope="module")
def pyz(tmp_path_factory):
    out = tmp_path_factory.mktemp("pyz") / "hwcheck.pyz"
    build = [sys.executable, os.path.join(ROOT, "scripts", "build-pyz.py"), "--output", str(out)]
    subprocess.run(build, check=True, capture_output=True)
    return str(out)


@pytest.fixture(scope="module")
def collector():
    with Collector() as c:
        yield c


def boot(tmp_path, pyz, collector, inventory, *args):
    python = tmp_path / "python3"
    python.write_text(f'#!/bin/sh\nexec /usr/bin/python3 "$@" --inventory "{inventory}"\n')
    python.chmod(0o755)
    poweroff = tmp_path / "bin" / "poweroff"
    poweroff.parent.mkdir()
    # Records the call and stops the script's wait loop (its parent) with it.
    poweroff.write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/powered-off"\nkill -9 $PPID\n')
    poweroff.chmod(0o755)
    cmdline = tmp_path / "cmdline"
    cmdline.write_text(
        f"quiet hwcheck.url={collector.url} hwcheck.token={collector.enroll_token} "
        f"hwcheck.spool={tmp_path / 'spool'} hwcheck.deadline=30\n"
    )
    env = {
        "PATH": f"{poweroff.parent}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "NO_COLOR": "1",
        "HWCHECK_PYZ": pyz,
        "HWCHECK_PYTHON": str(python),
        "HWCHECK_CMDLINE": str(cmdline),
    }
    return subprocess.run(
        ["sh", BOOT, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
    )


def test_no_profile_applies_is_exit_6_with_its_meaning(tmp_path, pyz, collector):
    done = boot(tmp_path, pyz, collector, os.path.join(INV, "qlogic-qede.json"))
    assert done.returncode == 6, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "hwcheck-gate: exit 6 (no profile applies to this node)"
    assert not (tmp_path / "powered-off").exists()


def test_with_enforce_a_node_no_profile_applies_to_is_powered_off(tmp_path, pyz, collector):
    done = boot(tmp_path, pyz, collector, os.path.join(INV, "qlogic-qede.json"), "--enforce")
    assert "hwcheck-gate: exit 6 (no profile applies to this node)" in done.stdout
    assert "hwcheck-gate: powering off: this node did not pass the gate" in done.stdout
    assert (tmp_path / "powered-off").read_text() == "-f\n"


def test_a_compliant_node_passes_and_is_not_powered_off(tmp_path, pyz, collector):
    done = boot(tmp_path, pyz, collector, os.path.join(INV, "virtio-vm.json"), "--enforce")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "hwcheck-gate: exit 0 (compliant)"
    assert not (tmp_path / "powered-off").exists()
