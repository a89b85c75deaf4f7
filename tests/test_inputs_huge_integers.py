"""Integers too wide to be what they claim, through the real command line.

Python refuses to turn more than 4300 decimal digits into an int (or an int that long into
text), so such a number must be stopped where it enters: a JSON inventory or result is
refused with exit 2 and one line, and a kernel file holding one is a gap, never a value
that cannot be written out. The documents and trees are the fixtures, copied and changed
in one place.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest
from runcli import ROOT, run_hwcheck

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
VIRTIO_VM = os.path.join(FIXTURES, "hosts", "virtio-vm")
NO_CACHE = {"HWCHECK_NO_CACHE": "1"}
DIGITS = sys.get_int_max_str_digits()
HUGE = "1" * (DIGITS + 700)


def with_huge_tainted(source: str, target) -> str:
    """The JSON document at `source` with kernel.tainted replaced by a 5000-digit number."""
    with open(source, encoding="utf-8") as f:
        text = f.read()
    tainted = '"tainted": 0' if '"tainted": 0' in text else '"tainted": 12288'
    assert tainted in text
    target.write_text(text.replace(tainted, f'"tainted": {HUGE}', 1), encoding="utf-8")
    return str(target)


def assert_one_line_refusal(done, path: str, what: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr == (
        f"hwcheck: error: {path}: holds an integer of more than {DIGITS} digits; not {what}\n"
    )


def test_check_refuses_an_inventory_that_is_one_huge_integer(tmp_path):
    bare = tmp_path / "big.json"
    bare.write_text(HUGE + "\n")
    done = run_hwcheck("check", "--inventory", str(bare), "--no-html", env=NO_CACHE)
    assert_one_line_refusal(done, str(bare), "an inventory")
    assert done.stdout == ""


def test_check_refuses_an_inventory_with_a_huge_integer_inside(tmp_path):
    path = with_huge_tainted(
        os.path.join(FIXTURES, "inventories", "virtio-vm.json"), tmp_path / "inv.json"
    )
    out = tmp_path / "result.json"
    done = run_hwcheck("check", "--inventory", path, "--json", str(out), "--no-html", env=NO_CACHE)
    assert_one_line_refusal(done, path, "an inventory")
    assert not out.exists()


def test_check_refuses_a_huge_integer_on_stdin(tmp_path):
    with open(os.path.join(FIXTURES, "inventories", "virtio-vm.json"), encoding="utf-8") as f:
        text = f.read().replace('"tainted": 0', f'"tainted": {HUGE}', 1)
    done = run_hwcheck("check", "--inventory", "-", "--no-html", stdin=text, env=NO_CACHE)
    assert_one_line_refusal(done, "-", "an inventory")


def test_report_refuses_a_result_with_a_huge_integer(tmp_path):
    path = with_huge_tainted(
        os.path.join(FIXTURES, "results", "failing-node.json"), tmp_path / "result.json"
    )
    html = tmp_path / "node.html"
    done = run_hwcheck("report", path, "--html", str(html), env=NO_CACHE)
    assert_one_line_refusal(done, path, "a result")
    assert not html.exists()


def capture_with_tainted(tmp_path, value: str) -> str:
    tree = tmp_path / "capture"
    shutil.copytree(VIRTIO_VM, tree, symlinks=True)
    (tree / "proc" / "sys" / "kernel" / "tainted").write_text(value + "\n")
    return str(tree)


@pytest.mark.parametrize(
    "value",
    ["0x" + "f" * 4000, HUGE, str(2**64), str(-(2**63) - 1)],
    ids=["hex-4000-digits", "decimal-5000-digits", "2**64", "below-int64"],
)
def test_a_kernel_integer_wider_than_64_bits_is_a_gap(tmp_path, value):
    tree = capture_with_tainted(tmp_path, value)
    done = run_hwcheck("probe", "--from-capture", tree, "--json", "-", env=NO_CACHE)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    inventory = json.loads(done.stdout)
    assert inventory["kernel"]["tainted"] is None
    assert inventory["kernel"]["taint_flags"] == []
    (gap,) = [g for g in inventory["gaps"] if g["what"] == "kernel.tainted"]
    assert gap["source"] == "procfs"
    assert gap["reason"] == "invalid"
    shown = repr(value[:40]) + ("..." if len(value) > 40 else "")
    assert gap["detail"] == f"/proc/sys/kernel/tainted: wider than 64 bits: {shown}"


def test_the_widest_64_bit_taint_is_still_read(tmp_path):
    # The limit is the kernel's: 2**64 - 1 is a value (every bit tainted), 2**64 is not.
    widest = run_hwcheck(
        "probe",
        "--from-capture",
        capture_with_tainted(tmp_path / "a", hex(2**64 - 1)),
        "--json",
        "-",
        env=NO_CACHE,
    )
    wider = run_hwcheck(
        "probe",
        "--from-capture",
        capture_with_tainted(tmp_path / "b", hex(2**64)),
        "--json",
        "-",
        env=NO_CACHE,
    )
    assert json.loads(widest.stdout)["kernel"]["tainted"] == 2**64 - 1
    assert json.loads(wider.stdout)["kernel"]["tainted"] is None


def test_check_writes_its_json_result_for_a_capture_with_a_huge_taint(tmp_path):
    tree = capture_with_tainted(tmp_path, "0x" + "f" * 4000)
    out = tmp_path / "result.json"
    done = run_hwcheck(
        "check", "--from-capture", tree, "--json", str(out), "--no-html", env=NO_CACHE
    )
    assert done.returncode in (0, 1, 3), done.stderr
    assert "internal error" not in done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["inventory"]["kernel"]["tainted"] is None
