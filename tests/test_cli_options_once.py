"""An option that takes one value, given twice, is a usage error on every subcommand
(hwcheck.cli.once); repeatable options stay repeatable; leftover words are refused with the
usage of the subcommand they were given to."""

from __future__ import annotations

import argparse

import pytest
from runcli import run_hwcheck

from hwcheck.cli import main
from hwcheck.cli.once import Once
from hwcheck.cli.parser import SUBCOMMANDS, build_parser


def _parsers():
    """(words naming the (sub)command, its parser) for every command and profile action."""
    top = build_parser()
    todo = [((), top)]
    while todo:
        words, parser = todo.pop()
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if words:
            yield words, parser
        for sub in subs:
            for name, child in sub.choices.items():
                todo.append(((*words, name), child))


SINGLE = [
    (words, action)
    for words, parser in _parsers()
    for action in parser._actions
    if isinstance(action, Once) and action.option_strings
]


def test_every_option_that_takes_a_value_refuses_a_second_one_or_is_repeatable():
    commands = {words[0] for words, _ in SINGLE}
    # capture takes OUT.tar.gz alone
    assert commands == set(SUBCOMMANDS) - {"capture"}
    for words, parser in _parsers():
        for action in parser._actions:
            if action.option_strings and action.nargs is None and not action.const:
                kind = type(action)
                assert kind is Once or kind.__name__ in ("_AppendAction", "_HelpAction"), (
                    words,
                    action.option_strings,
                    kind,
                )


@pytest.mark.parametrize(
    ("words", "action"), SINGLE, ids=[f"{' '.join(w)} {a.option_strings[-1]}" for w, a in SINGLE]
)
def test_a_single_valued_option_given_twice_is_exit_2_naming_it(words, action, capsys):
    value = str(action.choices[0]) if action.choices else "1"
    option = action.option_strings[-1]
    with pytest.raises(SystemExit) as stopped:
        main([*words, option, value, option, value])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: hwcheck {' '.join(words)} ")
    assert err.endswith(f"hwcheck: error: {option}: given twice (it takes one value)\n")


def test_the_refusal_through_the_real_command_line_and_either_spelling():
    done = run_hwcheck("check", "--from-capture", "A", "--from-capture", "B")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "hwcheck: error: --from-capture: given twice (it takes one value)"
    )
    assert done.stdout == ""
    # `-o` then `--output=`: one option, two names.
    done = run_hwcheck("profile", "new", "--from", "x.json", "-o", "a", "--output=b")
    assert done.returncode == 2
    assert done.stderr.endswith("hwcheck: error: --output: given twice (it takes one value)\n")


def test_the_probe_fast_path_refuses_a_repeat_too():
    """`hwcheck probe` reads plain command lines without argparse (cli/quickargs.py); a repeat
    is not plain, and argparse refuses it."""
    done = run_hwcheck("probe", "--json", "a.json", "--json", "b.json")
    assert done.returncode == 2
    assert done.stderr == (
        "usage: hwcheck probe [-h] [--json FILE] [--from-capture CAPTURE] [--lshw]\n"
        "hwcheck: error: --json: given twice (it takes one value)\n"
    )
    gated = run_hwcheck("gate", "--url", "http://a", "--url", "http://b")
    assert gated.returncode == 2
    assert gated.stderr.endswith("hwcheck: error: --url: given twice (it takes one value)\n")


def test_repeatable_options_stay_repeatable():
    argv = ["check", "--profile", "a", "--profile", "b", "--profile-dir", "x", "--profile-dir", "y"]
    args = build_parser(argv).parse_args(argv)
    assert args.profile == ["a", "b"] and args.profile_dir == ["x", "y"]
    assert not [k for k in vars(args) if k.startswith("_")]


def test_report_with_two_results_prints_reports_usage_and_one_error_line():
    done = run_hwcheck("report", "a.json", "b.json")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: hwcheck report ")
    errors = [line for line in done.stderr.splitlines() if line.startswith("hwcheck:")]
    assert errors == ["hwcheck: error: unrecognized arguments: b.json"]
    nested = run_hwcheck("profile", "show", "a", "b")
    assert nested.returncode == 2
    assert nested.stderr.startswith("usage: hwcheck profile show ")
