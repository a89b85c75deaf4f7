"""`hwcheck capture` (not built yet)."""

from __future__ import annotations

import argparse

from hwcheck.errors import UsageError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("capture", help="(not built yet)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise UsageError("'capture' is not built yet")
