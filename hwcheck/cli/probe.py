"""`hwcheck probe`: print this node's inventory, or write it as JSON."""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "probe",
        help="show this node's NICs, drivers, firmware, modules, kernel, OS and DMI facts",
        description="Read every fact hwcheck judges from this node (or a capture) and print a "
        "summary, or write the inventory as versioned JSON. What could not be read is listed "
        "with its reason; the probe itself never fails for it.",
    )
    p.add_argument(
        "--json", metavar="FILE", help="write the inventory as JSON to FILE ('-' for stdout)"
    )
    p.add_argument(
        "--from-capture", metavar="CAPTURE", help="probe a capture (.tar.gz or extracted directory)"
    )
    p.add_argument(
        "--lshw", action="store_true", help="also ask lshw (slower) and record what it says"
    )
    p.set_defaults(func=run)


# The options above, for the command-line fast path (hwcheck.cli.quickargs): each option
# that takes a value, and each flag.
VALUE_OPTIONS = ("--json", "--from-capture")
FLAG_OPTIONS = ("--lshw",)


def run(args: argparse.Namespace) -> int:
    return probe_node(json=args.json, from_capture=args.from_capture, lshw=args.lshw)


def probe_node(*, json: str | None, from_capture: str | None, lshw: bool) -> int:
    from hwcheck.outfile import refuse_empty_path

    # Here, where the fast path and argparse meet: the fast path hands an empty value to
    # argparse, which takes it as a file name.
    refuse_empty_path(json, "--json")
    from hwcheck.probe import probe
    from hwcheck.probe.host import open_root

    inventory = probe(open_root(from_capture), lshw=lshw)
    if json is None:
        from hwcheck.render.inventory_text import render_inventory_text

        sys.stdout.write(render_inventory_text(inventory))
        return 0
    from hwcheck.compactjson import dumps

    text = dumps(inventory) + "\n"
    if json == "-":
        sys.stdout.write(text)
    else:
        from hwcheck.outfile import write_atomic

        write_atomic(json, text)
    return 0
