"""Command line: argument parsing, wiring of the stages, errors to exit codes. No logic.

Each subcommand lives in its own module here (`hwcheck.cli.probe`, ...) exposing
`add_parser(subparsers)`; the parser it adds sets `func` to a `run(args) -> int`.
Subcommand modules import what they need inside `run`, so `--help` and the probe path
stay cheap. This package is the only place that wires probe, judge and renderers together.
"""

from __future__ import annotations

import argparse
import sys

from hwcheck import __version__
from hwcheck.errors import HwcheckError
from hwcheck.status import EXIT_CODE_HELP, ExitStatus

SUBCOMMANDS = ("probe", "capture", "check", "report", "profile")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with ExitStatus.USAGE in hwcheck's one format."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"hwcheck: error: {message}\n")
        raise SystemExit(ExitStatus.USAGE)


def build_parser() -> argparse.ArgumentParser:
    from importlib import import_module

    parser = _Parser(
        prog="hwcheck",
        description="Probe a server's NICs, drivers, firmware, kernel modules, OS and DMI facts, "
        "judge them against vendor reference-architecture profiles, and report.",
        epilog="exit codes:\n" + EXIT_CODE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hwcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in SUBCOMMANDS:
        module = import_module(f"hwcheck.cli.{name}")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except HwcheckError as err:
        sys.stderr.write(f"hwcheck: error: {err}\n")
        return int(err.exit_status)
    except KeyboardInterrupt:
        sys.stderr.write("hwcheck: interrupted; no partial output was left\n")
        return int(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (`hwcheck probe | head`): not an error worth a traceback.
        _silence_stdout()
        return int(ExitStatus.OK)
    except Exception as err:  # noqa: BLE001 - the one place a bug becomes exit 70, not a traceback
        return _internal_error(err)


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _internal_error(err: Exception) -> int:
    import os
    import traceback

    if os.environ.get("HWCHECK_DEBUG"):
        traceback.print_exc()
    else:
        sys.stderr.write(
            f"hwcheck: internal error: {type(err).__name__}: {err}\n"
            "hwcheck: this is a bug; please report it (HWCHECK_DEBUG=1 shows the traceback)\n"
        )
    return int(ExitStatus.INTERNAL)
