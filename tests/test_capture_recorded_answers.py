"""A capture whose recorded answers (driver info, read errors, uname) are damaged is refused
as a whole (exit 2, one line naming the file), never an internal error or a half-true
inventory. The tree is the virtio-vm fixture host, copied and then damaged."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = os.path.join(ROOT, "tests", "fixtures", "hosts", "virtio-vm")


@pytest.mark.parametrize(
    "damaged", ["recorded/errors.json", "recorded/ethtool/eth0.json", "recorded/uname.json"]
)
def test_damaged_recorded_answer_refuses_the_capture(tmp_path, damaged):
    tree = tmp_path / "capture"
    shutil.copytree(HOST, tree, symlinks=True)
    target = tree / damaged
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text('{"drvinfo": {"driver": ')  # cut off mid-document
    done = subprocess.run(
        [sys.executable, "-m", "hwcheck", "probe", "--from-capture", str(tree), "--json", "-"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith(f"hwcheck: error: {tree}: {damaged} is not valid JSON: ")
    assert len(done.stderr.splitlines()) == 1
