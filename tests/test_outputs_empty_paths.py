"""An empty output path (`--json "$UNSET"`) is a usage error naming the option, for every
option of every subcommand that takes an output path: never "no output", never the default
path, never a confusing "is a directory". Refused before any work, so nothing is written."""

from __future__ import annotations

import os

import pytest
from runcli import run_hwcheck

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIRTIO_VM = os.path.join(ROOT, "tests", "fixtures", "inventories", "virtio-vm.json")
RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "failing-node.json")
CAPTURE = os.path.join(ROOT, "tests", "fixtures", "hosts", "virtio-vm")

CASES = [
    (["probe", "--json", ""], "--json"),
    (["probe", "--json="], "--json"),
    (["probe", "--from-capture", CAPTURE, "--json", ""], "--json"),
    (["capture", ""], "OUT.tar.gz"),
    (["capture", "--no-lshw", ""], "OUT.tar.gz"),
    (["check", "--inventory", VIRTIO_VM, "--json", ""], "--json"),
    (["check", "--inventory", VIRTIO_VM, "--junit", ""], "--junit"),
    (["check", "--inventory", VIRTIO_VM, "--html", ""], "--html"),
    (
        ["check", "--inventory", VIRTIO_VM, "--no-html", "--json", "r.json", "--junit", ""],
        "--junit",
    ),
    (["report", RESULT, "--json", ""], "--json"),
    (["report", RESULT, "--junit", ""], "--junit"),
    (["report", RESULT, "--html", ""], "--html"),
    (["profile", "new", "--from", VIRTIO_VM, "-o", ""], "-o/--output"),
    (["profile", "new", "--from", VIRTIO_VM, "--output", ""], "-o/--output"),
]


@pytest.mark.parametrize(("argv", "option"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_an_empty_output_path_is_a_usage_error_naming_the_option(tmp_path, argv, option):
    done = run_hwcheck(*argv, cwd=str(tmp_path), env={"HWCHECK_NO_CACHE": "1"})
    assert (done.returncode, done.stderr, done.stdout) == (
        2,
        f"hwcheck: error: {option}: an empty path\n",
        "",
    )
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--inventory", "no-such-inventory.json", "--json", ""],
        ["report", "no-such-result.json", "--html", ""],
        ["profile", "new", "--from", "no-such-inventory.json", "-o", ""],
    ],
)
def test_the_empty_path_is_refused_before_any_input_is_read(tmp_path, argv):
    done = run_hwcheck(*argv, cwd=str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.endswith(": an empty path\n"), done.stderr
