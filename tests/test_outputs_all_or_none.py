"""A run's output files are replaced together or not at all: a run that fails (exit 4)
leaves every previous report exactly as it was, and no temporary file behind."""

from __future__ import annotations

import os
import shutil

import pytest
from runcli import run_hwcheck

from hwcheck.errors import OutputError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIRTIO_VM = os.path.join(ROOT, "tests", "fixtures", "inventories", "virtio-vm.json")
FAILING_RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "failing-node.json")


@pytest.fixture
def previous(tmp_path):
    """Reports from an earlier run, which a failed run must not touch."""
    for name in ("prev.html", "prev.xml", "prev.json"):
        (tmp_path / name).write_text(f"OLD {name}\n")
    return tmp_path


def assert_untouched(directory):
    assert sorted(os.listdir(directory)) == ["prev.html", "prev.json", "prev.xml"]
    for name in ("prev.html", "prev.xml", "prev.json"):
        assert (directory / name).read_text() == f"OLD {name}\n"


def check(*options, cwd, **kwargs):
    return run_hwcheck(
        "check",
        "--inventory",
        VIRTIO_VM,
        *options,
        cwd=str(cwd),
        env={"HWCHECK_NO_CACHE": "1"},
        **kwargs,
    )


def test_a_path_that_cannot_be_written_replaces_none_of_the_other_reports(previous):
    """The last output named fails: the HTML and JUnit before it must still be the old ones."""
    done = check(
        "--html", "prev.html", "--junit", "prev.xml", "--json", "/nonexistent/r.json", cwd=previous
    )
    assert done.returncode == 4
    assert done.stderr == (
        "hwcheck: error: /nonexistent/r.json: cannot write: no such directory: /nonexistent\n"
    )
    assert_untouched(previous)
    done = check("--html", "prev.html", "--junit", "prev.xml", "--json", "prev.json", cwd=previous)
    assert done.returncode == 0, done.stderr  # once every path can be written, all are replaced
    assert (previous / "prev.html").read_text().startswith("<!DOCTYPE html>")
    assert (previous / "prev.xml").read_text().startswith("<?xml")
    assert (previous / "prev.json").read_text().startswith("{")
    assert sorted(os.listdir(previous)) == ["prev.html", "prev.json", "prev.xml"]


def test_with_the_default_html_report_a_failed_run_replaces_and_adds_nothing(previous):
    done = check("--junit", "prev.xml", "--json", "missing/r.json", cwd=previous)
    assert done.returncode == 4
    assert_untouched(previous)  # in particular, no reports/ directory with a new HTML file


def test_a_device_that_refuses_its_copy_replaces_no_report(previous):
    """A device cannot be staged, so it is written before the renames: /dev/full failing
    is then a failed run like any other."""
    done = check("--html", "prev.html", "--junit", "prev.xml", "--json", "/dev/full", cwd=previous)
    assert done.returncode == 4
    assert done.stderr == "hwcheck: error: /dev/full: cannot write: No space left on device\n"
    assert_untouched(previous)


def test_a_refused_standard_output_replaces_no_report(previous):
    """`--json -` into a full disk: standard output is written before the files are
    renamed into place, so exit 4 leaves the previous HTML and JUnit reports."""
    with open("/dev/full", "w") as full:
        done = check(
            "--html", "prev.html", "--junit", "prev.xml", "--json", "-", cwd=previous, stdout=full
        )
    assert done.returncode == 4
    assert done.stderr == (
        "hwcheck: error: standard output: cannot write: No space left on device\n"
    )
    assert_untouched(previous)


def test_report_command_gives_the_same_guarantee(previous):
    shutil.copy(FAILING_RESULT, previous / "prev.json")
    before = (previous / "prev.json").read_bytes()
    done = run_hwcheck(
        "report",
        "prev.json",
        "--html",
        "prev.html",
        "--junit",
        "prev.xml",
        "--json",
        "no/r.json",
        cwd=str(previous),
    )
    assert done.returncode == 4
    assert (previous / "prev.html").read_text() == "OLD prev.html\n"
    assert (previous / "prev.xml").read_text() == "OLD prev.xml\n"
    assert (previous / "prev.json").read_bytes() == before
    assert sorted(os.listdir(previous)) == ["prev.html", "prev.json", "prev.xml"]


def test_a_rename_that_fails_names_what_was_already_replaced_and_leaves_no_debris(tmp_path):
    """The one failure left after staging: a target that changes under hwcheck (here a
    directory appears where the second file was) between staging and the renames."""
    from hwcheck.outfile import OutputSet

    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old a")
    with pytest.raises(OutputError) as caught, OutputSet() as outputs:
        outputs.add(str(first), b"new a")
        outputs.add(str(second), b"new b")
        second.mkdir()
        (second / "keep").write_text("not empty")
        outputs.commit()
    assert str(caught.value).startswith(f"{second}: cannot write: ")
    assert str(caught.value).endswith(f"; already replaced: {first}")
    assert first.read_text() == "new a"
    assert sorted(os.listdir(tmp_path)) == ["a.json", "b.json"]


def test_an_output_set_left_without_commit_removes_its_temporary_files(tmp_path):
    from hwcheck.outfile import OutputSet

    target = tmp_path / "r.json"
    target.write_text("old")
    with OutputSet() as outputs:
        outputs.add(str(target), b"new")
        assert len(os.listdir(tmp_path)) == 2  # the staged temporary file beside the target
    assert os.listdir(tmp_path) == ["r.json"]
    assert target.read_text() == "old"
