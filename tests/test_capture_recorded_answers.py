"""A capture whose recorded answers (driver info, read errors, uname) are damaged is refused
as a whole (exit 2, one line naming the file), never an internal error or a half-true
inventory. The tree is the virtio-vm fixture host, copied and then damaged."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from runcli import run_hwcheck

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = os.path.join(ROOT, "tests", "fixtures", "hosts", "virtio-vm")


@pytest.mark.parametrize(
    "damaged",
    [
        "recorded/errors.json",
        "recorded/ethtool/eth0.json",
        "recorded/uname.json",
        "recorded/pci-names.json",
    ],
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


def damaged_copy(tmp_path, name: str, content: str | None) -> str:
    """The virtio-vm tree with `name` holding `content`, or made a directory for None."""
    tree = tmp_path / "capture"
    shutil.copytree(HOST, tree, symlinks=True)
    target = tree / name
    if target.exists():
        target.unlink()
    if content is None:
        target.mkdir(parents=True)
    else:
        target.write_text(content)
    return str(tree)


def assert_refused(tree: str, message: str, *argv: str) -> None:
    command = argv or ("probe", "--from-capture", tree, "--json", "-")
    done = run_hwcheck(*command, env={"HWCHECK_NO_CACHE": "1"})
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr == f"hwcheck: error: {tree}: {message}\n"


@pytest.mark.parametrize("name", ["recorded/errors.json", "recorded/pci-names.json"])
def test_a_recorded_answer_that_is_a_directory_refuses_the_capture(tmp_path, name):
    tree = damaged_copy(tmp_path, name, None)
    assert_refused(tree, f"{name} cannot be read: Is a directory")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"1af4:1041": [1]}', '$["1af4:1041"]: expected an object of names; got [1]'),
        (
            '{"1af4:1041": {"vendor_name": 5}}',
            '$["1af4:1041"]["vendor_name"]: expected a string; got 5',
        ),
        (
            '{"1af4:1041": {"device_name": null}}',
            '$["1af4:1041"]["device_name"]: expected a string; got null',
        ),
        ('["1af4:1041"]', '$: expected an object; got ["1af4:1041"]'),
    ],
    ids=["list-entry", "number-name", "null-name", "list-document"],
)
def test_malformed_recorded_pci_names_refuse_the_capture(tmp_path, content, problem):
    tree = damaged_copy(tmp_path, "recorded/pci-names.json", content)
    message = f"recorded/pci-names.json is malformed: {problem}"
    assert_refused(tree, message)
    # check meets the same capture and refuses it the same way, before judging anything
    assert_refused(tree, message, "check", "--from-capture", tree, "--no-html")


def test_recorded_pci_names_with_lone_surrogates_stay_printable(tmp_path):
    # JSON can spell a lone surrogate, which no UTF-8 output can carry.
    names = '{"1af4:1041": {"vendor_name": "Red Hat \\udcff", "device_name": "x\\ud800"}}'
    tree = damaged_copy(tmp_path, "recorded/pci-names.json", names)
    done = run_hwcheck("probe", "--from-capture", tree, "--json", "-")
    assert done.returncode == 0, done.stderr
    (eth0,) = [n for n in json.loads(done.stdout)["nics"] if n["name"] == "eth0"]
    assert (eth0["vendor_name"], eth0["device_name"]) == ("Red Hat \\xff", "x\\ud800")


def test_recorded_driver_info_with_lone_surrogates_stays_printable(tmp_path):
    with open(os.path.join(HOST, "recorded", "ethtool", "eth0.json"), encoding="utf-8") as f:
        answers = json.load(f)
    answers["drvinfo"]["fw_version"] = "1.0\udcfe"
    answers["permaddr"] = "02:fc\ud800"
    tree = damaged_copy(tmp_path, "recorded/ethtool/eth0.json", json.dumps(answers))
    done = run_hwcheck("probe", "--from-capture", tree, "--json", "-")
    assert done.returncode == 0, done.stderr
    (eth0,) = [n for n in json.loads(done.stdout)["nics"] if n["name"] == "eth0"]
    assert eth0["firmware_version"] == "1.0\\xfe"
    assert eth0["permanent_mac_address"] == "02:fc\\ud800"


@pytest.mark.parametrize("content", ['{"machine": 5}', '{"arch": "x86_64"}', '"x86_64"'])
def test_recorded_uname_without_a_machine_string_refuses_the_capture(tmp_path, content):
    tree = damaged_copy(tmp_path, "recorded/uname.json", content)
    assert_refused(tree, 'recorded/uname.json is malformed: no "machine" string')


def test_non_utf8_arch_is_kept_escaped_like_other_kernel_text(tmp_path):
    # Without recorded/uname.json the architecture is the kernel's own file; bytes that are
    # not UTF-8 there are kept with backslash escapes, as the probe keeps any other text.
    tree = tmp_path / "capture"
    shutil.copytree(HOST, tree, symlinks=True)
    assert not (tree / "recorded" / "uname.json").exists()
    (tree / "proc" / "sys" / "kernel" / "arch").write_bytes(b"x86\xff\n")
    done = run_hwcheck("probe", "--from-capture", str(tree), "--json", "-")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["kernel"]["arch"] == "x86\\xff"
