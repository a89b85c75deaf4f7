"""`hwcheck waivers lint FILE...`: check waiver files against the profiles in use.

A waiver for a rule no profile defines never waives anything: a typo in its rule ID
(`nvidia.cx6dx.firmwre`) would leave the failure it was written for failing, or, worse,
be noticed only on the day a node is gated. Lint says so before then:

- error: the file does not load (what `check --waivers` refuses), or a waiver names a rule
  ID that no profile in use defines (`FILE:LINE: waiver for unknown rule 'x.y' (did you
  mean 'x.z'?)`), or a profile in use does not load;
- warning: a waiver has expired (it waives nothing any more), or, with
  `--expiring-within DAYS`, it runs out within DAYS days (a pipeline over a waiver
  repository fails in time for someone to renew it or fix the node).

The profiles in use are those named with --profile (with every layer they extend), else
every profile in the search path (hwcheck.cli.searchpath). Exit 0 when clean, 1 when there
are only warnings, 2 on any error, as `hwcheck profile lint`.
"""

from __future__ import annotations

import argparse
import sys

from hwcheck.status import ExitStatus

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.library import Library


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "waivers",
        help="lint waiver files against the profiles in use",
        description="Check waiver files: that they load, that every waiver names a rule "
        "a profile in use defines, and which have expired.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True
    a = actions.add_parser(
        "lint",
        help="check waiver files; exit 0 clean, 1 warnings, 2 errors",
        description="Load each waiver file and check every waiver's rule against the "
        "profiles in use: those named with --profile, else every profile in the search "
        "path. A rule no profile defines is an error naming FILE:LINE, with the nearest rule "
        "ID; an expired waiver is a warning. Exit 0 when clean, 1 when there are only "
        "warnings, 2 on any error.",
    )
    a.add_argument("files", nargs="+", metavar="FILE", help="a waiver file (YAML)")
    a.add_argument(
        "--profile",
        action="append",
        metavar="NAME|PATH",
        help="the waivers are for this profile (repeatable); default: every profile found",
    )
    from hwcheck.cli.expiring import whole_days

    a.add_argument(
        "--expiring-within",
        type=whole_days,
        metavar="DAYS",
        help="warn, too, of each waiver whose last day is within DAYS days of today "
        "(0: today); default: only expired waivers warn",
    )
    from hwcheck.cli.searchpath import add_search_options

    add_search_options(a)
    a.set_defaults(func=run_lint)


def rule_ids(library: Library, refs: list[str] | None) -> tuple[set[str], list[str]]:
    """The rule IDs the profiles in use define (each layer's rules, the unknown-card rule),
    and an error for each profile that does not load."""
    from hwcheck.errors import ProfileError, UsageError
    from hwcheck.judge.engine import UNKNOWN_NIC_RULE

    ids = {UNKNOWN_NIC_RULE}
    errors: list[str] = []
    for ref in refs or [path for _name, path in library.names()]:
        try:
            profile = library.resolve(ref)
        except (ProfileError, UsageError) as err:
            errors.append(str(err))
            continue
        for layer in profile.layers:
            ids.update(rule.id for rule in layer.rules)
    return ids, errors


def lint_file(
    path: str, ids: set[str], today: str, within: int | None = None
) -> list[tuple[str, str]]:
    """(level, "where: what") problems of the waiver file at `path`; with `within`, a waiver
    that expires within that many days of `today` is a warning too."""
    import difflib

    from hwcheck.errors import ProfileError
    from hwcheck.profile.waivers import load_waivers
    from hwcheck.render.waivers import days_between, expires_when

    try:
        entries = load_waivers(path)
    except ProfileError as err:
        return [("error", str(err))]
    problems: list[tuple[str, str]] = []
    for entry in entries:
        if entry.rule_id not in ids:
            near = difflib.get_close_matches(entry.rule_id, sorted(ids), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            problems.append(
                ("error", f"{entry.where}: waiver for unknown rule '{entry.rule_id}'{hint}")
            )
        if entry.expires < today:
            problems.append(
                (
                    "warning",
                    f"{entry.where}: waiver for {entry.rule_id} expired on {entry.expires}; "
                    "it waives nothing",
                )
            )
            continue
        days = days_between(today, entry.expires) if within is not None else None
        if days is not None and within is not None and days <= within:
            problems.append(
                (
                    "warning",
                    f"{entry.where}: waiver for {entry.rule_id} {expires_when(days)} "
                    f"({entry.expires})",
                )
            )
    return problems


def run_lint(args: argparse.Namespace) -> int:
    import time

    from hwcheck.cli.searchpath import library_of
    from hwcheck.outfile import refuse_empty_path

    for path in args.files:
        refuse_empty_path(path, "FILE")
    library = library_of(args)
    ids, profile_errors = rule_ids(library, args.profile)
    problems = [("error", text) for text in profile_errors]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    for path in args.files:
        problems.extend(lint_file(path, ids, today, args.expiring_within))
    for level, text in problems:
        sys.stdout.write(f"{level}: {text}\n")
    errors = sum(1 for level, _ in problems if level == "error")
    warnings = len(problems) - errors
    from hwcheck.render.words import lint_tally, plural

    sys.stdout.write(lint_tally(plural(len(args.files), "waiver file"), errors, warnings) + "\n")
    if errors:
        return int(ExitStatus.USAGE)
    return int(ExitStatus.NONCOMPLIANT) if warnings else int(ExitStatus.OK)


def waiver_file_lines(library: Library) -> list[str]:
    """`profile list`'s lines for the waiver files in the search path: each is applied only
    when named with --waivers."""
    from hwcheck.errors import ProfileError
    from hwcheck.profile.waivers import load_waivers
    from hwcheck.render.words import plural

    found = library.waiver_files()
    if not found:
        return []
    lines = ["\n", "waiver files (applied only when given with --waivers):\n"]
    width = max(len(name) for name, _ in found)
    for name, path in found:
        try:
            count = plural(len(load_waivers(path)), "waiver")
        except ProfileError as err:
            count = f"INVALID: {err}"
        lines.append(f"{name:<{width}}  {count}  {path}\n")
    return lines
