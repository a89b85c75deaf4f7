"""A path that names standard output (`/dev/stdout`, `/proc/self/fd/1`, the file stdout was
redirected to) is written there in place, like `-`: never renamed over, and the messages
go to stderr so the stream carries the report alone."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile

import pytest
from runcli import run_hwcheck

from hwcheck.status import ExitStatus

TESTS = os.path.dirname(os.path.abspath(__file__))
RESULT = os.path.join(TESTS, "fixtures", "results", "failing-node.json")
INVENTORY = os.path.join(TESTS, "fixtures", "inventories", "mellanox-cx5-dell.json")
HOST = os.path.join(TESTS, "fixtures", "hosts", "virtio-vm")


def appended(tmp_path, *args: str) -> tuple[str, str, int]:
    """`hwcheck ARGS >> log` where log already holds a line: (log text, stderr, exit)."""
    log = tmp_path / "ci.log"
    log.write_text("old line\n")
    words = [str(log) if a == "LOG" else a for a in args]
    with open(log, "a", encoding="utf-8") as out:
        done = run_hwcheck(*words, cwd=str(tmp_path), stdout=out)
    return log.read_text(encoding="utf-8"), done.stderr, done.returncode


@pytest.mark.parametrize("name", ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1", "LOG"])
def test_junit_to_a_name_for_stdout_appends_to_the_redirected_file(tmp_path, name):
    text, err, code = appended(tmp_path, "report", RESULT, "--no-html", "--junit", name)
    assert code == ExitStatus.OK, err
    assert text.startswith("old line\n<?xml ")
    assert text.rstrip().endswith("</testsuites>")
    assert "NON-COMPLIANT" in err  # the summary went to stderr, not into the XML stream
    assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")] == []


def test_probe_json_to_dev_stdout_appends(tmp_path):
    text, err, code = appended(tmp_path, "probe", "--from-capture", HOST, "--json", "/dev/stdout")
    assert code == ExitStatus.OK, err
    first, second = text.split("\n", 1)
    assert first == "old line"
    assert json.loads(second)["kind"] == "hwcheck-inventory"


def test_profile_new_to_dev_stdout_appends(tmp_path):
    text, err, code = appended(
        tmp_path, "profile", "new", "--from", INVENTORY, "--name", "site/x", "-o", "/dev/stdout"
    )
    assert code == ExitStatus.OK, err
    assert text.startswith("old line\n")
    assert "site/x" in text


def test_json_to_dev_stdout_is_the_only_thing_on_the_pipe(tmp_path):
    done = run_hwcheck("report", RESULT, "--no-html", "--json", "/dev/stdout", cwd=str(tmp_path))
    assert done.returncode == ExitStatus.OK, done.stderr
    assert json.loads(done.stdout)["verdict"] == "noncompliant"
    assert "wrote /dev/stdout" in done.stderr


def test_html_to_dev_stdout_keeps_the_summary_off_the_page(tmp_path):
    done = run_hwcheck("report", RESULT, "--html", "/dev/stdout", cwd=str(tmp_path))
    assert done.returncode == ExitStatus.OK, done.stderr
    assert done.stdout.rstrip().endswith("</html>")
    assert "NON-COMPLIANT" in done.stderr


def test_capture_to_dev_stdout_is_a_clean_archive(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "hwcheck", "capture", "/dev/stdout", "--no-lshw"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == ExitStatus.OK, done.stderr
    with tarfile.open(fileobj=io.BytesIO(done.stdout), mode="r:gz") as archive:
        assert "capture.json" in archive.getnames()
    assert b"hwcheck: captured " in done.stderr


def test_two_reports_on_stdout_under_different_names_are_refused(tmp_path):
    done = run_hwcheck(
        "report", RESULT, "--no-html", "--junit", "-", "--json", "/dev/stdout", cwd=str(tmp_path)
    )
    assert done.returncode == ExitStatus.USAGE
    assert done.stderr == "hwcheck: error: only one of --junit and --json can write to stdout (-)\n"
    assert done.stdout == ""
