"""The argparse parser: hwcheck's options, help layout and usage errors.

Loaded only when a command line needs it (hwcheck.cli.quickargs reads the probe's plain
options without it). Each subcommand module adds its own parser; given argv naming a
subcommand, only that module is loaded.
"""

from __future__ import annotations

import argparse
import sys

from hwcheck import __version__
from hwcheck.status import EXIT_CODE_HELP, ExitStatus

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

SUBCOMMANDS: tuple[str, ...]
SUBCOMMANDS = ("probe", "capture", "check", "gate", "fleet", "report", "profile", "serve")
SUBCOMMANDS += ("waivers",)  # hwcheck.cli.waivers: `waivers lint`


def _terminal_width() -> int:
    import os

    try:
        return int(os.environ.get("COLUMNS", "")) - 2
    except ValueError:
        pass
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns - 2
    except (OSError, ValueError):
        return 78


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter without its `shutil` import: argparse builds one per argument."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or _terminal_width())

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        # Text laid out by hand (the exit-code table) is kept as written; prose is wrapped.
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


EPILOG = "exit codes:\n" + EXIT_CODE_HELP


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with ExitStatus.USAGE in hwcheck's one format."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("epilog", EPILOG)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from hwcheck.cli import once

        once.register(self)  # an option that takes one value refuses a second

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        from hwcheck.cli import once

        parsed, extra = self.parse_known_args(args)
        if extra:
            # Refused by the subcommand that was given them, with its usage, not hwcheck's.
            _innermost(self, parsed).error(f"unrecognized arguments: {' '.join(extra)}")
        return once.forget(parsed)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"hwcheck: error: {message}\n")
        raise SystemExit(ExitStatus.USAGE)


def _innermost(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The (sub)parser that read the last subcommand named in `args` (`hwcheck profile new`:
    the parser of `new`)."""
    while True:
        chosen = None
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) and action.dest:
                chosen = action.choices.get(getattr(args, action.dest, None) or "")
        if chosen is None:
            return parser
        parser = chosen


def _requested(argv: list[str]) -> str | None:
    """The subcommand named on the command line, if it is the first word that is not an option."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in SUBCOMMANDS else None
        if word in ("-h", "--help", "--version"):
            return None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given argv naming a subcommand, only that subcommand's module is loaded."""

    parser = _Parser(
        prog="hwcheck",
        description="Probe a server's NICs, drivers, firmware, kernel modules, OS and DMI facts, "
        "judge them against vendor reference-architecture profiles, and report.",
    )
    parser.add_argument("--version", action="version", version=f"hwcheck {__version__}")
    # An explicit prog spares argparse a terminal-size query (and `shutil`) on every start.
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, prog="hwcheck"
    )
    sub.required = True
    wanted = _requested(argv) if argv is not None else None
    for name in SUBCOMMANDS:
        if wanted is None or name == wanted:
            # __import__ rather than importlib: the probe path should not load importlib.
            __import__(f"hwcheck.cli.{name}")
            sys.modules[f"hwcheck.cli.{name}"].add_parser(sub)
    return parser
