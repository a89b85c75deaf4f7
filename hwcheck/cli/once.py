"""Options that take one value are given once: `--from-capture A --from-capture B` is a
usage error, never "the last one wins".

argparse's own `store` action keeps the last value of a repeated option, so a script that
builds a command line from two sources (a default and an override, a typo) runs with
whichever came last, silently. hwcheck's parser (hwcheck.cli.parser) registers `Once` as
its `store` action, so every option that takes one value refuses a second, on every
subcommand; `append` options (`--profile`, `--profile-dir`) stay repeatable.

The probe's and the gate's fast path (hwcheck.cli.quickargs) hands any repeated option to
argparse, so the refusal is this module's there too. Standard library only, Python 3.9+:
the probe and gate paths load it whenever they build the parser.
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

_SEEN = "_hwcheck_options_given"
"""The namespace attribute where the options given so far are remembered."""


def given_twice(option: str) -> str:
    """The usage error's text for `option` given a second time."""
    return f"{option}: given twice (it takes one value)"


class Once(argparse._StoreAction):
    """argparse's `store`, refusing an option given a second time (by any of its names,
    `-o` and `--output` alike) with `hwcheck: error: OPTION: given twice (it takes one
    value)`, exit 2."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[object] | None,
        option_string: str | None = None,
    ) -> None:
        if self.option_strings:
            seen: set[int] = namespace.__dict__.setdefault(_SEEN, set())
            if id(self) in seen:
                parser.error(given_twice(option_string or self.option_strings[-1]))
            seen.add(id(self))
        super().__call__(parser, namespace, values, option_string)


def register(parser: argparse.ArgumentParser) -> None:
    """Make `Once` the `store` action of `parser` and of its argument groups."""
    parser.register("action", None, Once)
    parser.register("action", "store", Once)


def forget(namespace: argparse.Namespace) -> argparse.Namespace:
    """`namespace` without the record of the options given (a command's `args` carries only
    its options)."""
    namespace.__dict__.pop(_SEEN, None)
    return namespace
