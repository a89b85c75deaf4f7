"""`hwcheck profile list|show|lint|new`: browse, explain, check and start profiles."""

from __future__ import annotations

import argparse
import sys

from hwcheck.errors import ProfileError
from hwcheck.status import ExitStatus

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.probe.pciids import PciIds
    from hwcheck.profile.library import Library
    from hwcheck.profile.model import Profile, Rule


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "profile",
        help="list, show, lint or start vendor profiles",
        description="Browse, explain, lint and start vendor profiles.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True
    from hwcheck.cli.searchpath import search_parent

    dirs = search_parent()  # --profile-dir (adds), --profile-path (replaces)
    a = actions.add_parser("list", parents=[dirs], help="list the profiles found")
    a.set_defaults(func=run_list)
    a = actions.add_parser(
        "show", parents=[dirs], help="the resolved profile and which layer set each value"
    )
    a.add_argument("profile", metavar="NAME|PATH")
    a.set_defaults(func=run_show)
    a = actions.add_parser(
        "lint",
        parents=[dirs],
        help="check profiles; exit 0 clean, 1 warnings, 2 errors",
        description="Load, layer and check each profile (all found when none is named). "
        "Exit 0 when clean, 1 when there are only warnings, 2 on any error, a --profile-dir "
        "or --profile-path that does not exist, or no profiles to lint. A profile's extends "
        "resolve against the search path: `profile lint site/r650.yaml --profile-dir site` "
        "finds the shipped profiles it extends.",
    )
    a.add_argument("profiles", nargs="*", metavar="NAME|PATH")
    a.set_defaults(func=run_lint)
    a = actions.add_parser(
        "new", parents=[dirs], help="write a starting profile from a golden node's inventory"
    )
    a.add_argument("--from", dest="source", required=True, metavar="INVENTORY")
    a.add_argument("--name", default="site/golden", help="profile name (default site/golden)")
    a.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    a.set_defaults(func=run_new)
    p.set_defaults(func=run_list)


def _library(args: argparse.Namespace) -> Library:
    from hwcheck.cli.searchpath import library_of

    return library_of(args)


def run_list(args: argparse.Namespace) -> int:
    library = _library(args)
    rows: list[tuple[str, ...]] = []
    for name, path in library.names():
        try:
            prof = library.load(path, name)
        except ProfileError as err:
            rows.append((name, "-", f"INVALID: {err}"))
            continue
        auto = "auto" if prof.applies_to is not None else "layer"
        rows.append((name, prof.version or "-", auto, prof.vendor or "-", path))
    if not rows:
        sys.stdout.write(f"no profiles in {', '.join(library.dirs)}\n")
    else:
        sys.stdout.writelines(aligned(rows))
    from hwcheck.cli.waivers import waiver_file_lines

    sys.stdout.writelines(waiver_file_lines(library))
    return int(ExitStatus.OK)


def aligned(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as lines whose columns line up: each column as wide as its widest cell but the
    last cell of a row, which is written as it is."""
    widths: dict[int, int] = {}
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths.get(i, 0), len(cell))
    return [
        "  ".join([*(f"{cell:<{widths[i]}}" for i, cell in enumerate(row[:-1])), row[-1]]) + "\n"
        for row in rows
    ]


def run_show(args: argparse.Namespace) -> int:
    library = _library(args)
    profile = library.resolve(args.profile)
    sys.stdout.write(show_text(profile))
    return int(ExitStatus.OK)


def show_text(profile: Profile) -> str:
    """The resolved profile, each rule with the layer that decided it and its history."""
    top = profile.top
    out = [f"profile {top.name} {top.version or ''}".rstrip(), f"  file: {top.path}"]
    if top.description:
        out.append(f"  description: {top.description}")
    out.append("  layers (lowest precedence first):")
    out.extend(f"    {layer.name} {layer.version or ''}  {layer.path}" for layer in profile.layers)
    out.append(f"  unknown_nics: {profile.unknown_nics}  (set by {profile.unknown_nics_layer})")
    for name, url in top.sources:
        out.append(f"  source: {name}" + (f" <{url}>" if url else ""))
    out.append("rules:")
    shown = {rule.id for rule in profile.rules}
    for rule in profile.rules:
        out.append(f"  {rule.id}  [{rule.severity}]  {rule.title or ''}".rstrip())
        out.append(f"    checks: {describe_rule(rule)}")
        out.append(f"    decided by: {rule.layer}")
        out.extend(f"    - {step}" for step in profile.trace.get(rule.id, []))
        out.extend(_fields(profile, rule))
    dropped = [rid for rid in profile.trace if rid not in shown]
    for rid in dropped:
        out.append(f"  {rid}  [disabled]")
        out.extend(f"    - {step}" for step in profile.trace[rid])
    return "\n".join(out) + "\n"


def _fields(profile: Profile, rule: Rule) -> list[str]:
    """Each field of the merged rule, its value and the layer and file:line it came from."""
    from hwcheck.profile.layering import provenance

    names = {layer.path: layer.name for layer in profile.layers}
    rows = provenance(rule)
    out = ["    fields:"] if rows else []
    out.extend(
        f"      {field}: {value}  <- {names.get(where.path, where.path)} ({where})"
        for field, value, where in rows
        if field != "id"
    )
    return out


def describe_rule(rule: Rule) -> str:
    text = _describe_check(rule)
    if rule.server is not None:
        text += f" (on servers: {rule.server.describe()})"
    return text


def _describe_check(rule: Rule) -> str:
    subject = f" on {rule.selector.describe()}" if rule.selector is not None else ""
    check = rule.check or ""
    if rule.check == "count" and rule.count is not None:
        low, high, per = rule.count
        bounds = " and ".join(
            b
            for b in (
                f"at least {low}" if low is not None else "",
                f"at most {high}" if high is not None else "",
            )
            if b
        )
        group = f" (any_of {rule.any_of})" if rule.any_of is not None else ""
        return f"count of {per}s{subject}: {bounds}{group}"
    if rule.check == "module" and rule.module is not None:
        text = f"module {rule.module[0]} {rule.module[1]}"
        if rule.constraint is not None:
            text += f", version {rule.constraint.describe()}"
        return text
    if rule.check == "pair" and rule.constraint is not None and rule.pair_firmware is not None:
        return (
            f"pair{subject}: when driver version {rule.constraint.describe()}, "
            f"firmware {rule.pair_firmware.describe()}"
        )
    if rule.fact is not None:
        check = f"{rule.fact[0]} {rule.fact[1]}"
    constraint = rule.constraint.describe() if rule.constraint is not None else ""
    return f"{check}{subject}: {constraint}"


def run_lint(args: argparse.Namespace) -> int:
    from hwcheck.profile.lint import lint, targets

    library = _library(args)
    refs = targets(library, args.profiles)
    pci = _pci_ids()
    errors = warnings = 0
    for ref in refs:
        problems = lint(library, ref, pci=pci)
        for level, text in problems:
            sys.stdout.write(f"{level}: {text}\n")
        errors += sum(1 for level, _ in problems if level == "error")
        warnings += sum(1 for level, _ in problems if level == "warning")
    from hwcheck.render.words import lint_tally, plural

    sys.stdout.write(lint_tally(plural(len(refs), "profile"), errors, warnings) + "\n")
    if errors:
        return int(ExitStatus.USAGE)
    return int(ExitStatus.NONCOMPLIANT) if warnings else int(ExitStatus.OK)


def _pci_ids() -> PciIds | None:
    """This machine's pci.ids, for lint's device ID checks; without one they are skipped,
    and stderr says so."""
    from hwcheck.probe.pciids import PCI_IDS_PATHS, open_pci_ids

    found = open_pci_ids()
    if found is None:
        sys.stderr.write(
            f"hwcheck: warning: no pci.ids ({', '.join(PCI_IDS_PATHS)}): device IDs not checked\n"
        )
        return None
    return found[1]


def run_new(args: argparse.Namespace) -> int:
    from hwcheck.cli.golden import run_new as golden

    return golden(args)  # over the profiles that apply to the node: cli/golden.py
