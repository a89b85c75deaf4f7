"""Recorded answers of the wrong shape, or nested without bound, refuse the capture.

docs/inventory.md promises that a damaged recorded answer refuses the whole capture rather
than replaying as a half-true inventory. Each case here is the virtio-vm fixture host (this
machine's real values; see its SOURCE.md), copied, with one answer replaced; it is tried as
a directory and as the archive `tar` makes of it. Each must be exit 2 and one line naming
the file and what is wrong in it, never exit 0, never an internal error (exit 70).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from runcli import ROOT, run_hwcheck

HOST = os.path.join(ROOT, "tests", "fixtures", "hosts", "virtio-vm")
X710 = os.path.join(ROOT, "tests", "fixtures", "hosts", "intel-x710-i40e")
DEEP = "[" * 100_000 + "]" * 100_000
META = {
    "captured_at": "2026-11-24T12:00:00Z",
    "format": "hwcheck-capture",
    "format_version": 1,
    "hostname": "vm",
    "hwcheck_version": "0.1.0",
}
with open(os.path.join(HOST, "recorded", "ethtool", "eth0.json"), encoding="utf-8") as _f:
    ETH0 = json.load(_f)


def damaged(tmp_path, member: str, content: str, packed: bool, host: str = HOST) -> str:
    tree = tmp_path / "capture"
    shutil.copytree(host, tree, symlinks=True)
    (tree / member).write_text(content, encoding="utf-8")
    if not packed:
        return str(tree)
    archive = str(tmp_path / "capture.tar.gz")
    subprocess.run(["tar", "czf", archive, "-C", str(tree), "."], check=True)
    return archive


def assert_refused(path: str, message: str, *extra: str) -> None:
    done = run_hwcheck("probe", "--from-capture", path, *extra, "--json", "-")
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    assert done.stderr == f"hwcheck: error: {path}: {message}\n"


PACKED = pytest.mark.parametrize("packed", [False, True], ids=["directory", "archive"])

CAPTURE_JSON = [
    ([], "capture.json is malformed: $: expected an object; got []"),
    (
        {**META, "format": "sos-report"},
        'capture.json is malformed: $["format"]: expected "hwcheck-capture"; got "sos-report"',
    ),
    (
        {**META, "format_version": 99},
        'capture.json is malformed: $["format_version"]: '
        "expected 1, the capture format this hwcheck reads; got 99",
    ),
    (
        {**META, "format_version": True},
        'capture.json is malformed: $["format_version"]: '
        "expected 1, the capture format this hwcheck reads; got true",
    ),
    ({"format": "hwcheck-capture"}, 'capture.json is malformed: $: missing "format_version"'),
    (
        {**META, "hostname": 5},
        'capture.json is malformed: $["hostname"]: expected a string or null; got 5',
    ),
    (
        {**META, "captured_at": "yesterday"},
        'capture.json is malformed: $["captured_at"]: '
        'expected an RFC 3339 UTC time such as "2026-11-24T12:00:00Z"; got "yesterday"',
    ),
]


@PACKED
@pytest.mark.parametrize(("meta", "message"), CAPTURE_JSON)
def test_a_wrong_shaped_capture_json_refuses_the_capture(tmp_path, packed, meta, message):
    path = damaged(tmp_path, "capture.json", json.dumps(meta), packed)
    assert_refused(path, message)


ETHTOOL = [
    ([], "$: expected an object; got []"),
    (
        {**ETH0, "drvinfo": {**ETH0["drvinfo"], "driver": 5}},
        '$["drvinfo"]["driver"]: expected a string; got 5',
    ),
    (
        {**ETH0, "drvinfo": {k: v for k, v in ETH0["drvinfo"].items() if k != "version"}},
        '$["drvinfo"]["version"]: expected a string; got null',
    ),
    ({**ETH0, "drvinfo": ["virtio_net"]}, '$["drvinfo"]: expected an object; got ["virtio_net"]'),
    (
        {**ETH0, "drvinfo": {"errno": 95}},
        '$["drvinfo"]["errno"]: expected an errno name such as "EOPNOTSUPP"; got 95',
    ),
    (
        {**ETH0, "drvinfo": {"errno": "ENOTANERRNO"}},
        '$["drvinfo"]["errno"]: expected an errno name such as "EOPNOTSUPP"; got "ENOTANERRNO"',
    ),
    ({**ETH0, "permaddr": 2}, '$["permaddr"]: expected a string or {"errno": NAME}; got 2'),
]


@PACKED
@pytest.mark.parametrize(("answer", "problem"), ETHTOOL)
def test_a_wrong_shaped_ethtool_answer_refuses_the_capture(tmp_path, packed, answer, problem):
    member = "recorded/ethtool/eth0.json"
    path = damaged(tmp_path, member, json.dumps(answer), packed)
    assert_refused(path, f"{member} is malformed: {problem}")


@PACKED
@pytest.mark.parametrize(
    ("errors", "problem"),
    [
        ([], "$: expected an object of paths and errno names; got []"),
        (
            {"sys/class/net/lo/speed": 22},
            '$["sys/class/net/lo/speed"]: expected an errno name such as "EINVAL"; got 22',
        ),
    ],
    ids=["list", "number"],
)
def test_a_wrong_shaped_errors_json_refuses_the_capture(tmp_path, packed, errors, problem):
    path = damaged(tmp_path, "recorded/errors.json", json.dumps(errors), packed)
    assert_refused(path, f"recorded/errors.json is malformed: {problem}")


@PACKED
@pytest.mark.parametrize(
    "member",
    [
        "capture.json",
        "recorded/errors.json",
        "recorded/ethtool/eth0.json",
        "recorded/pci-names.json",
    ],
)
def test_a_recorded_answer_nested_100000_deep_is_refused_not_a_crash(tmp_path, packed, member):
    path = damaged(tmp_path, member, DEEP, packed)
    assert_refused(path, f"{member} is not valid JSON: nested 100000 levels deep; the limit is 64")


@PACKED
def test_recorded_lshw_nested_100000_deep_is_refused_not_a_crash(tmp_path, packed):
    member = "recorded/lshw-network.json"
    path = damaged(tmp_path, member, DEEP, packed, host=X710)
    message = f"{member} is not valid JSON: nested 100000 levels deep; the limit is 64"
    assert_refused(path, message, "--lshw")


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path):
    # An interface alias or firmware string may hold any characters, brackets included.
    answer = {**ETH0, "drvinfo": {**ETH0["drvinfo"], "fw_version": "[" * 200 + '\\"{'}}
    path = damaged(tmp_path, "recorded/ethtool/eth0.json", json.dumps(answer), False)
    done = run_hwcheck("probe", "--from-capture", path, "--json", "-")
    assert done.returncode == 0, done.stderr
    (eth0,) = [n for n in json.loads(done.stdout)["nics"] if n["name"] == "eth0"]
    assert eth0["firmware_version"] == "[" * 200 + '\\"{'


def test_a_well_shaped_capture_json_with_a_later_key_is_read(tmp_path):
    # A later hwcheck may add keys to capture.json without a new format_version.
    path = damaged(tmp_path, "capture.json", json.dumps({**META, "site": "dc1"}), True)
    done = run_hwcheck("probe", "--from-capture", path, "--json", "-")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["collected_at"] == "2026-11-24T12:00:00Z"
