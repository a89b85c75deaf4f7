"""What a PXE ramdisk or a script can hand hwcheck: a closed stdin, an unset variable as a
path, no home directory, a damaged cache. Each is a clear exit code, never exit 70, and
never a run judging the wrong node."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest
from runcli import ROOT, run_hwcheck

VIRTIO = os.path.join(ROOT, "tests", "fixtures", "inventories", "virtio-vm.json")


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--inventory", "-", "--no-html"],
        ["report", "-", "--no-html"],
        ["profile", "new", "--from", "-"],
    ],
)
def test_reading_a_closed_stdin_is_exit_2(args):
    script = 'exec "$0" -m hwcheck "$@" <&-'
    done = subprocess.run(
        ["sh", "-c", script, sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == "hwcheck: error: -: cannot read: standard input is closed\n"


@pytest.mark.parametrize("option", ["--inventory", "--from-capture", "--waivers"])
def test_an_empty_input_path_is_refused_not_taken_as_absent(option):
    """`--inventory "$INV"` with INV unset must not judge the live node instead."""
    done = run_hwcheck("check", option, "", "--no-html")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"hwcheck: error: {option}: an empty path\n"


def test_a_missing_home_is_never_created(tmp_path):
    home = tmp_path / "no-such-home"
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "HWCHECK_NO_CACHE")}
    env["HOME"] = str(home)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hwcheck",
            "check",
            "--inventory",
            VIRTIO,
            "--html",
            str(tmp_path / "r.html"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not home.exists()


def test_a_damaged_template_cache_entry_only_costs_a_recompile(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HWCHECK_NO_CACHE": ""}
    first = run_hwcheck("check", "--inventory", VIRTIO, "--html", str(tmp_path / "a.html"), env=env)
    assert first.returncode == 0, first.stderr
    entries = glob.glob(str(tmp_path / "cache" / "hwcheck" / "jinja2" / "__jinja2_*.cache"))
    assert entries
    for entry in entries:  # jinja2's header, then a checksum pickle that is garbage
        with open(entry, "wb") as fh:
            fh.write(b"j2\x80\x02K\x05.\x80\x02J\x0b\x00\x00\x03." + b"\x00\x00\x00")
    again = run_hwcheck("check", "--inventory", VIRTIO, "--html", str(tmp_path / "b.html"), env=env)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "b.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
