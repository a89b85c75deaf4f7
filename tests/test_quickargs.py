"""The probe's command-line fast path says what argparse says, or leaves it to argparse.

`hwcheck probe` with plain options is read without building the argparse parser (it would
cost a fifth of the probe's run). These tests hold that fast path to the real parser: for
any command line it accepts, argparse must accept it too and give the same values.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwcheck.cli import probe
from hwcheck.cli.parser import build_parser
from hwcheck.cli.quickargs import parse_plain

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HWCHECK = os.path.join(os.path.dirname(sys.executable), "hwcheck")


def quick(words: list[str]) -> dict[str, str | bool | None] | None:
    return parse_plain(words, probe.VALUE_OPTIONS, probe.FLAG_OPTIONS)


def by_argparse(words: list[str]) -> dict[str, object] | None:
    """argparse's reading of `hwcheck probe WORDS`, or None when it refuses it."""
    argv = ["probe", *words]
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            args = build_parser(argv).parse_args(argv)
        except SystemExit:
            return None
    return {"json": args.json, "from_capture": args.from_capture, "lshw": args.lshw}


def test_the_fast_path_knows_every_option_the_probe_parser_has():
    parser = build_parser(["probe"])
    sub = next(a for a in parser._actions if a.dest == "command")
    options = {s for a in sub.choices["probe"]._actions for s in a.option_strings}
    assert options - {"-h", "--help"} == {*probe.VALUE_OPTIONS, *probe.FLAG_OPTIONS}


@pytest.mark.parametrize(
    ("words", "want"),
    [
        ([], {"json": None, "from_capture": None, "lshw": False}),
        (["--json", "-"], {"json": "-", "from_capture": None, "lshw": False}),
        (["--json=out.json", "--lshw"], {"json": "out.json", "from_capture": None, "lshw": True}),
        (
            ["--from-capture", "node.tar.gz", "--json", "a b.json"],
            {"json": "a b.json", "from_capture": "node.tar.gz", "lshw": False},
        ),
    ],
)
def test_plain_command_lines_are_read_on_the_fast_path(words, want):
    assert quick(words) == want
    assert by_argparse(words) == want


@pytest.mark.parametrize(
    "words",
    [
        ["--js", "-"],  # an abbreviation: argparse's rules
        ["--json"],  # a missing value: argparse's message
        ["--json", "--lshw"],  # a value that is an option
        ["--json", "-1"],  # a value that looks like an option
        ["--json="],  # an empty value
        ["--json", "a", "--json", "b"],  # a repeat
        ["--lshw=yes"],
        ["--", "--json"],
        ["-h"],
        ["--help"],
        ["extra"],
    ],
)
def test_anything_else_goes_to_argparse(words):
    assert quick(words) is None


WORDS = st.sampled_from(
    [
        "--json",
        "--json=x.json",
        "--json=",
        "--js",
        "--from-capture",
        "--from-capture=c.tar.gz",
        "--lshw",
        "--lshw=1",
        "-",
        "--",
        "-h",
        "-1",
        "-x",
        "x.json",
        "probe",
        "a=b",
        "",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=6))
def test_the_fast_path_never_disagrees_with_argparse(words):
    fast = quick(words)
    if fast is not None:
        assert by_argparse(words) == fast


def test_the_probe_runs_without_argparse_regex_or_json():
    """What the fast path is for: the probe's command line loads none of the stdlib's
    slow-to-import modules (argparse, re with enum and functools, json, gettext)."""
    script = (
        "import sys\nfrom hwcheck.cli import main\n"
        "code = main(['probe', '--json', '-'])\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\nsys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True
    )
    loaded = set(done.stderr.split())
    assert "hwcheck.probe" in loaded
    assert done.stdout.startswith('{"schema_version":1,')
    slow = {"argparse", "re", "json", "enum", "functools", "gettext", "locale", "typing"}
    assert not loaded & slow


def test_help_and_errors_still_come_from_argparse():
    helped = subprocess.run(
        [HWCHECK, "probe", "--help"], capture_output=True, text=True, check=False
    )
    assert helped.returncode == 0
    assert "--from-capture CAPTURE" in helped.stdout
    wrong = subprocess.run(
        [HWCHECK, "probe", "--json"], capture_output=True, text=True, check=False
    )
    assert wrong.returncode == 2
    assert "hwcheck: error: argument --json: expected one argument" in wrong.stderr
