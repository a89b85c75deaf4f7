"""`hwcheck profile new --from INVENTORY`: a golden node's profile, over the profiles that
apply to it.

The profiles that apply to the node are picked as `check` picks them (Selection's
candidates, from the directories `check` searches, with --profile-dir and --profile-path as
for check); the new profile extends them, and the
golden node is judged against them with the one judge. A rule of theirs it fails or warns
on (a golden value below a vendor minimum: a ConnectX-6 Dx on 22.28.1002) is said on stderr,
one line each, and in a comment of the profile: the vendor's rule stays in force, so the
golden value never becomes the site minimum silently. One it cannot judge (an OEM firmware
train) is said too. The text itself is hwcheck.profile.new's.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from hwcheck.model.inventory import Inventory
    from hwcheck.profile.library import Library
    from hwcheck.profile.model import Profile


def run_new(args: argparse.Namespace) -> int:
    from hwcheck.cli.check import read_inventory
    from hwcheck.cli.searchpath import library_of
    from hwcheck.outfile import refuse_empty_path
    from hwcheck.profile.new import check_name, new_profile

    refuse_empty_path(args.output, "-o/--output")
    check_name(args.name)  # before the inventory is read: a bad name is the first thing to say
    inventory = read_inventory(args.source)
    library = library_of(args)  # --profile-dir, --profile-path
    applying = applying_profiles(library, inventory, exclude=args.name)
    extends = [profile.top.name for profile in applying] or [BASELINE]
    below, cannot = shortfalls(applying or [_baseline(library)], inventory)
    text = new_profile(
        inventory,
        name=args.name,
        source=args.source,
        extends=extends,
        below=below + [f"cannot judge: {sentence}" for sentence in cannot],
    )
    if args.output is not None:
        from hwcheck.outfile import write_atomic

        write_atomic(args.output, text)
        sys.stderr.write(f"hwcheck: wrote {args.output}\n")
    else:
        sys.stdout.write(text)
    from hwcheck.render.text import clean

    for sentence in below:
        sys.stderr.write(
            f"hwcheck: warning: golden value below a vendor minimum: {clean(sentence)}\n"
        )
    for sentence in cannot:
        sys.stderr.write(
            f"hwcheck: warning: a vendor rule cannot judge the golden node: {clean(sentence)}\n"
        )
    return 0


BASELINE = "linux/baseline"
"""What the new profile extends when no profile applies to the node."""


def _baseline(library: Library) -> Profile:
    return library.resolve(BASELINE)


def applying_profiles(library: Library, inventory: Inventory, *, exclude: str) -> list[Profile]:
    """The profiles that apply to the node, as `check` would pick them (none: the new
    profile extends linux/baseline, and is judged against it). A profile of the new one's
    own name is left out."""
    from hwcheck.profile.selection import candidates, select_from

    found = [c for c in candidates(library) if c.name != exclude]
    chosen, _ = select_from(found, inventory)
    return [profile for profile, _ in chosen]


def shortfalls(applying: list[Profile], inventory: Inventory) -> tuple[list[str], list[str]]:
    """What the golden node fails or warns on in `applying` (one sentence each: rule, its
    profile, the subject and the judge's message), and what an error-severity rule of
    theirs cannot judge. Unknown NICs are left out: the new profile selects every card."""
    import time

    from hwcheck.judge import judge_node
    from hwcheck.judge.engine import UNKNOWN_NIC_RULE

    now = time.gmtime()
    result = judge_node(
        [(profile, "extended") for profile in applying],
        inventory,
        today=time.strftime("%Y-%m-%d", now),
        judged_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", now),
    )
    below: list[str] = []
    cannot: list[str] = []
    for finding in result["findings"]:
        if finding["rule_id"] == UNKNOWN_NIC_RULE:
            continue
        sentence = (
            f"{finding['rule_id']} ({finding['layer']}) on {finding['subject']['label']}: "
            f"{finding['message']}"
        )
        if finding["status"] in ("fail", "warn"):
            below.append(sentence)
        elif finding["status"] == "unknown" and finding["severity"] == "error":
            cannot.append(sentence)
    return below, cannot
