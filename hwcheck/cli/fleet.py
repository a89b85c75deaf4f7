"""`hwcheck fleet INPUT...`: judge many nodes as `check` would, and report on the fleet.

Wiring only: expanding the inputs and a collector store's nodes (hwcheck.fleet.sources),
judging them in parallel (hwcheck.fleet.pool, each node through hwcheck.judge.judge_node),
rolling up (hwcheck.fleet.rollup, drift) and writing the reports as one set
(hwcheck.outfile).
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

    from hwcheck.collector.store import Store
    from hwcheck.fleet.nodes import Judging
    from hwcheck.model.fleet import Fleet, NodeRow


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "fleet",
        help="judge many nodes (inventories, results, captures) and report on the fleet",
        description="Judge every node the inputs hold exactly as `hwcheck check` would (the "
        "same profile selection, waivers and rules), in parallel, and report on the fleet: "
        "counts per profile and cohort, the rules that fail most, version spread per card "
        "model, known-bad versions, drift against --baseline, and one row per node. INPUT is "
        "an inventory or result JSON, a capture archive or directory, a directory (walked), a "
        "tar archive of these, or - (paths on standard input, one per line). With --store, "
        "each node's latest submission in a collector's store is one more input.",
    )
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="what to judge (see above)")
    p.add_argument(
        "--store",
        metavar="URL",
        help="also each node's latest submission in this collector store (sqlite:///PATH.db "
        "or postgresql://...; see docs/store.md): taken as judged, or with --rejudge its "
        "inventory judged again",
    )
    from hwcheck.cli.check import add_judging_options

    add_judging_options(p, nodes="every node", strict="warnings fail nodes too")
    p.add_argument(
        "--rejudge",
        action="store_true",
        help="judge the inventory embedded in result inputs (and stored inventories) again "
        "(default: a result is taken as judged)",
    )
    p.add_argument("--html", metavar="PATH", help="write the fleet HTML report")
    p.add_argument(
        "--html-dir",
        metavar="DIR",
        help="write DIR/index.html (unless --html names the page) and each node's report "
        "as DIR/nodes/<host>.html, linked from the node table",
    )
    p.add_argument("--json", metavar="PATH", help="write the fleet document (JSON; - for stdout)")
    p.add_argument("--csv", metavar="PATH", help="write one row per node and card (CSV)")
    p.add_argument(
        "--junit", metavar="PATH", help="write JUnit XML: a suite per cohort, a case per node"
    )
    p.add_argument(
        "--baseline", metavar="FLEET.json", help="an earlier --json: report drift against it"
    )
    from hwcheck.cli.expiring import add_expiring_option

    add_expiring_option(p, where="in the terminal, the fleet HTML and the fleet JSON")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the verdict line")
    p.set_defaults(func=run)


def _check_options(args: argparse.Namespace) -> None:
    import os

    from hwcheck.cli.report import refuse_clashing_outputs
    from hwcheck.errors import UsageError
    from hwcheck.outfile import refuse_empty_path

    if not args.inputs and args.store is None:
        raise UsageError("nothing to judge: give INPUT paths, --store URL, or both")
    for option in ("html_dir", "baseline", "waivers", "store"):
        refuse_empty_path(getattr(args, option), "--" + option.replace("_", "-"))
    for given in args.inputs:
        refuse_empty_path(given, "INPUT")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1; got {args.jobs}")
    if args.inputs.count("-") > 1:
        raise UsageError("'-' (paths on standard input) may be given once")
    page = ("--html", args.html)
    if args.html is None and args.html_dir is not None:
        page = ("--html-dir", os.path.join(args.html_dir, "index.html"))
    refuse_clashing_outputs(
        (("--junit", args.junit), ("--json", args.json), ("--csv", args.csv), page)
    )


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    store = None
    if args.store is not None:
        from hwcheck.collector.store import open_store

        store = open_store(args.store, create=False)  # refused before any work
    try:
        return _run(args, store)
    finally:
        if store is not None:
            store.close()


def _run(args: argparse.Namespace, store: Store | None) -> int:
    import itertools
    import os
    import sys

    from hwcheck.fleet import nodereports
    from hwcheck.fleet.pool import default_jobs, judge_all
    from hwcheck.fleet.rollup import build_fleet, keep_newest
    from hwcheck.fleet.sources import expand, from_store

    baseline = None
    if args.baseline is not None:
        from hwcheck.fleet.drift import read_baseline

        baseline = read_baseline(args.baseline)
    page = args.html
    if page is None and args.html_dir is not None:
        page = os.path.join(args.html_dir, "index.html")
    # Each node's lines of the JSON and CSV are written by the worker that judged it; not
    # with --html-dir, which names each node's report in its row once all are judged.
    texts = _node_texts(args) if args.html_dir is None else {}
    how = _judging(args, tuple(texts.values()))  # bad profiles or waivers: before any output
    staging = nodereports.Staging(args.html_dir) if args.html_dir is not None else None
    how.reports = staging
    try:
        items = expand(args.inputs, sys.stdin)
        if store is not None:
            items = itertools.chain(items, from_store(store, rejudge=args.rejudge))
        outcomes = judge_all(items, how, args.jobs or default_jobs())
        kept, superseded = keep_newest(outcomes)
        if not kept:
            from hwcheck.errors import UsageError

            named = [*args.inputs, *([store.url] if store is not None else [])]
            raise UsageError(f"no node inputs found in {', '.join(named)}")
        renames = []
        if staging is not None and page is not None:
            renames = nodereports.plan(kept, staging, os.path.dirname(page) or ".")
        fleet = build_fleet(
            kept,
            superseded,
            judged_at=how.judged_at,
            strict=args.strict,
            rejudged=args.rejudge,
            today=how.today,
            expiring_within=args.expiring_within,
        )
        if baseline is not None:
            from hwcheck.fleet.drift import drift

            fleet["drift"] = drift(fleet, baseline, args.baseline)
        made = {}
        if all(len(o.texts) == len(texts) for o in kept):  # else each renders from the rows
            made = {name: [o.texts[i] for o in kept] for i, name in enumerate(texts)}
        console = _write(fleet, args, page, made)
        nodereports.place(renames)
    finally:
        if staging is not None:
            staging.remove_all()  # what was not placed: superseded inputs, a failed run
    _summary(fleet, console, quiet=args.quiet)
    return fleet["exit_code"]


def _judging(args: argparse.Namespace, texts: tuple[Callable[[NodeRow], bytes], ...]) -> Judging:
    """What every node is judged with: the profiles and waivers read once, today's date."""
    import time

    from hwcheck.cli.searchpath import library_of
    from hwcheck.fleet.nodes import Judging
    from hwcheck.profile.selection import Selection

    selection = Selection(library_of(args), args.profile)
    waivers = None
    if args.waivers is not None:
        from hwcheck.profile.waivers import load_waivers

        waivers = load_waivers(args.waivers)
    now = time.gmtime()
    return Judging(
        selection,
        waivers=waivers,
        today=time.strftime("%Y-%m-%d", now),
        judged_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", now),
        strict=args.strict,
        rejudge=args.rejudge,
        reports=None,
        texts=texts,
    )


def _node_texts(args: argparse.Namespace) -> dict[str, Callable[[NodeRow], bytes]]:
    """For each report asked for that is a line (or a few) per node, what writes a row."""
    writers: dict[str, Callable[[NodeRow], bytes]] = {}
    if args.json is not None:
        from hwcheck.render.fleetjson import node_line

        writers["json"] = node_line
    if args.csv is not None:
        from hwcheck.render.fleetcsv import node_text

        writers["csv"] = node_text
    return writers


def _write(
    fleet: Fleet, args: argparse.Namespace, page: str | None, made: dict[str, list[bytes]]
) -> TextIO:
    """Every report asked for, rendered first and written as one set; the stream for the
    summary (stderr when a report goes to standard output). `made`: the nodes' lines of the
    JSON and CSV, written by the workers (a join here)."""
    import functools
    import sys

    from hwcheck.fleet.pool import default_jobs, render_all
    from hwcheck.outfile import OutputSet

    targets: list[tuple[str, Callable[[Fleet], str | bytes]]] = []
    document: Callable[[Fleet], str | bytes] | None = None
    if page is not None:
        from hwcheck.render.html import render_fleet_html  # jinja2: only when asked

        targets.append((page, render_fleet_html))
    if args.json is not None:
        from hwcheck.render.fleetjson import fleet_json_bytes

        document = functools.partial(fleet_json_bytes, node_lines=made.get("json"))
        targets.append((args.json, document))
    if args.csv is not None:
        from hwcheck.render.fleetcsv import fleet_csv_bytes

        targets.append((args.csv, functools.partial(fleet_csv_bytes, node_texts=made.get("csv"))))
    if args.junit is not None:
        from hwcheck.render.fleetjunit import render_fleet_junit

        targets.append((args.junit, render_fleet_junit))
    # The fleet document first: the largest, it renders in this process (render_all). With
    # the nodes' lines made by the workers, what is left is joins and the page: all here
    # (a forked renderer pays for every page of rows it touches, more than it saves).
    jobs = 1 if made else args.jobs or default_jobs()
    ranked = sorted(range(len(targets)), key=lambda i: targets[i][1] is not document)
    texts = render_all(fleet, [targets[i][1] for i in ranked], jobs)
    rendered = dict(zip(ranked, texts, strict=True))
    outputs = [(path, rendered[i]) for i, (path, _) in enumerate(targets)]
    written = []
    with OutputSet() as files:
        for path, data in outputs:
            output = files.add(path, data, make_dirs=path == page and args.html is None)
            if path != "-":
                written.append(output.shown)
        files.commit()
    console = sys.stderr if "-" in (p for p, _ in outputs) else sys.stdout
    if not args.quiet:
        console.writelines(f"wrote {path}\n" for path in written)
    return console


def _summary(fleet: Fleet, console: TextIO, *, quiet: bool) -> None:
    from hwcheck.render.words import (
        FLEET_VERDICT_HEADINGS,
        FLEET_VERDICT_WORDS,
        plural,
        status_word,
    )

    counts = fleet["counts"]
    tally = ", ".join(
        f"{counts[v]} {FLEET_VERDICT_HEADINGS[v]}"
        for v in ("compliant", "noncompliant", "unknown", "error")
    )
    nodes = plural(counts["nodes"], "node")
    line = f"fleet {FLEET_VERDICT_WORDS[fleet['verdict']]}: {nodes}: {tally}"
    if counts["superseded"]:
        line += f" ({plural(counts['superseded'], 'superseded input')})"
    console.write(line + "\n")
    if quiet:
        return
    for rule in fleet["failing_rules"][:10]:
        console.write(
            f"  {status_word(rule['status']):<7} {plural(rule['nodes'], 'node'):>12}  "
            f"{rule['rule_id']} "
            f"({rule['profile']}): {rule['title']}\n"
        )
    from hwcheck.render.waivers import fleet_expiring_lines

    expiring = fleet.get("expiring_waivers")
    if expiring is not None:
        console.writelines(f"{line}\n" for line in fleet_expiring_lines(expiring))
    errors = [row for row in fleet["nodes"] if row["verdict"] == "error"]
    for row in errors[:10]:
        console.write(f"  {FLEET_VERDICT_WORDS['error']:<7} {row['source']}: {row['error']}\n")
    if len(errors) > 10:
        console.write(f"  ... and {len(errors) - 10} more error rows (see the reports)\n")
