"""`--expiring-within DAYS`: how far ahead `check`, `report` and `fleet` look for waivers
about to expire (hwcheck.render.waivers lists a node's in the terminal and the HTML report;
hwcheck.fleet.rollup a fleet's, in the fleet document)."""

from __future__ import annotations

import argparse

from hwcheck.render.waivers import DEFAULT_EXPIRING_DAYS


def whole_days(text: str) -> int:
    """A `--expiring-within` value: a whole number of days, 0 or more."""
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, 0 or more; got {text!r}")
    return days


def add_expiring_option(
    p: argparse.ArgumentParser, where: str = "in the terminal and the HTML report"
) -> None:
    p.add_argument(
        "--expiring-within",
        type=whole_days,
        default=DEFAULT_EXPIRING_DAYS,
        metavar="DAYS",
        help=f"list the waivers in force that expire within DAYS days of today, {where} "
        f"(default {DEFAULT_EXPIRING_DAYS}; 0: those whose last day is today)",
    )


def soon_of(args: argparse.Namespace) -> tuple[str, int]:
    """(today, days): today is the UTC date now, as `check` judges waivers."""
    import time

    return time.strftime("%Y-%m-%d", time.gmtime()), args.expiring_within
