"""`hwcheck check`: probe (or read) an inventory, pick profiles, judge, report, exit code.

Wiring only: reading inputs, choosing profiles (hwcheck.profile), judging
(hwcheck.judge, pure) and handing the result to the renderers.
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory
    from hwcheck.model.result import Result
    from hwcheck.profile.model import Profile


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="judge this node (or an inventory) against vendor profiles",
        description="Probe this node (or read --inventory / --from-capture), pick the "
        "profiles whose applies_to matches it (or those named with --profile), judge, print "
        "the verdict and exit with a code a PXE hook or CI job can gate on.",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--inventory", metavar="FILE", help="judge an inventory JSON file")
    source.add_argument("--from-capture", metavar="FILE", help="probe a capture instead")
    add_judging_options(p, nodes="this node", strict="warnings fail the check too")
    from hwcheck.cli.report import add_output_options

    add_output_options(p)  # --html/--no-html, --junit, --json, --quiet
    from hwcheck.cli import exporters

    exporters.add_options(p)  # --nfd-features, --nfd-prefix, --nfd-expiry, --prometheus
    p.set_defaults(func=run)


def add_judging_options(p: argparse.ArgumentParser, *, nodes: str, strict: str) -> None:
    """--profile, --profile-dir and --profile-path, --waivers and --strict: how a node is
    judged, the same for `check` and `fleet` (whose every node is judged as `check` judges
    one)."""
    p.add_argument(
        "--profile",
        action="append",
        metavar="NAME|PATH",
        help=f"judge {nodes} against this profile (repeatable); default: the profiles that apply",
    )
    from hwcheck.cli.searchpath import add_search_options

    add_search_options(p)  # --profile-dir (adds), --profile-path (replaces)
    p.add_argument("--waivers", metavar="FILE", help="waiver file (YAML)")
    p.add_argument("--strict", action="store_true", help=strict)


def _refuse_empty_inputs(args: argparse.Namespace) -> None:
    """An empty input path is an unset variable in a script, never "not given": without
    this, `--inventory "$INV"` would judge the live node instead of the one meant."""
    from hwcheck.outfile import refuse_empty_path

    refuse_empty_path(args.inventory, "--inventory")
    refuse_empty_path(args.from_capture, "--from-capture")
    refuse_empty_path(args.waivers, "--waivers")


def run(args: argparse.Namespace) -> int:
    import time

    from hwcheck.cli import exporters
    from hwcheck.cli.report import check_output_options
    from hwcheck.judge import judge_node

    check_output_options(args)
    exporters.check_options(args)
    _refuse_empty_inputs(args)
    started = time.monotonic()
    inventory = _inventory(args)
    probe_seconds = None if args.inventory is not None else time.monotonic() - started
    selected = _profiles(args, inventory)
    waivers = None
    if args.waivers is not None:
        from hwcheck.profile.waivers import load_waivers

        waivers = load_waivers(args.waivers)
    now = time.gmtime()
    result = judge_node(
        selected,
        inventory,
        waivers=waivers,
        today=time.strftime("%Y-%m-%d", now),
        judged_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", now),
        strict=args.strict,
    )
    args.extra_outputs = exporters.outputs(result, args, probe_seconds)
    _report(result, args)
    return result["exit_code"]


def _inventory(args: argparse.Namespace) -> Inventory:
    if args.inventory is not None:
        return read_inventory(args.inventory)
    from hwcheck.probe import probe
    from hwcheck.probe.host import open_root

    return probe(open_root(args.from_capture))


MAX_INVENTORY_BYTES = 64 * 1024 * 1024


def read_inventory(path: str) -> Inventory:
    """An inventory JSON document (`-` reads stdin), checked against the model's types and the
    invariants the judge relies on (hwcheck.model.invariants), so that judging it can neither
    crash nor pass what it cannot see: a problem is an InputError naming the JSON path
    (exit 2)."""
    from hwcheck.interop.ironic import parse_inventory_or_ironic
    from hwcheck.model.documents import read_bytes

    data = read_bytes(path, what="an inventory", max_bytes=MAX_INVENTORY_BYTES)
    return parse_inventory_or_ironic(data, where=path)  # an Ironic inventory is read too


def _profiles(args: argparse.Namespace, inventory: Inventory) -> list[tuple[Profile, str]]:
    from hwcheck.cli.searchpath import library_of
    from hwcheck.errors import NoProfileError
    from hwcheck.profile.selection import Selection

    chosen, none = Selection(library_of(args), args.profile).pick(inventory)
    if none is not None:
        raise NoProfileError(f"{none}; name one with --profile")  # exit 6
    return chosen


def _report(result: Result, args: argparse.Namespace) -> None:
    """Reports (HTML by default, --junit, --json), terminal summary, profile selection."""
    from hwcheck.cli.report import emit

    console = emit(result, args)
    if not args.quiet:
        for use in result["profiles"]:
            layers = " <- ".join(layer["name"] for layer in reversed(use["layers"]))
            console.write(f"profile {layers}: {use['selected_because']}\n")
