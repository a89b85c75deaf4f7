"""`hwcheck report RESULT.json`: render a saved result again, on any machine.

Reads a result written by `hwcheck check --json`, checks it against the result model
(malformed input: exit 2 with the JSON path of the problem), prints the terminal summary
and writes the HTML report (default `reports/<hostname>-<UTC timestamp>.html`), and any
JUnit or JSON copy asked for. Every file is written atomically. Exit 0 when everything was
written: the node's verdict is in the reports, not in this command's exit code.
"""

# Imports live inside run(): `hwcheck --help` and the other subcommands must not pay for them.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse

from hwcheck.status import ExitStatus


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="render a saved result (hwcheck check --json) as HTML, JUnit, JSON and a summary",
        description="Render a result saved by `hwcheck check --json` again: a terminal "
        "summary, a self-contained HTML report, and optionally JUnit XML and JSON.",
    )
    p.add_argument("result", metavar="RESULT.json", help="a result file, or - for stdin")
    p.add_argument(
        "--html",
        metavar="PATH",
        help="write the HTML report here (default: reports/<hostname>-<UTC timestamp>.html)",
    )
    p.add_argument("--no-html", action="store_true", help="do not write an HTML report")
    p.add_argument("--junit", metavar="PATH", help="write JUnit XML here (- for stdout)")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON here (- for stdout)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the verdict line")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os
    import sys

    from hwcheck.errors import UsageError
    from hwcheck.outfile import write_atomic
    from hwcheck.render import default_html_path
    from hwcheck.render.resultdoc import load_result
    from hwcheck.render.text import render_text, want_color

    if args.no_html and args.html:
        raise UsageError("--html and --no-html contradict each other")
    to_stdout = [opt for opt in ("junit", "json") if getattr(args, opt) == "-"]
    if len(to_stdout) > 1:
        raise UsageError("only one of --junit and --json can write to stdout (-)")
    if args.html == "-":
        raise UsageError("--html needs a file name (the report is one self-contained file)")

    result = load_result(args.result)

    outputs: list[tuple[str, str, bool]] = []  # (path, text, make_dirs)
    if not args.no_html:
        from hwcheck.render.html import render_html

        path = args.html or default_html_path(result)
        outputs.append((path, render_html(result), args.html is None))
    if args.junit:
        from hwcheck.render.junit import render_junit

        outputs.append((args.junit, render_junit(result), False))
    if args.json:
        from hwcheck.render.json import render_json

        outputs.append((args.json, render_json(result), False))

    console = sys.stderr if to_stdout else sys.stdout
    summary = render_text(result, color=want_color(console, os.environ), quiet=args.quiet)
    for path, text, make_dirs in outputs:
        if path == "-":
            sys.stdout.write(text)
        else:
            write_atomic(path, text, make_dirs=make_dirs)
    console.write(summary)
    for path, _, _ in outputs:
        if path != "-" and not args.quiet:
            console.write(f"wrote {path}\n")
    return int(ExitStatus.OK)
