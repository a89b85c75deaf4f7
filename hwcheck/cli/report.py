"""`hwcheck report RESULT.json`: render a saved result again, on any machine; and the report
options and output stage that `hwcheck check` shares.

`report` reads a result written by `hwcheck check --json`, checks it against the result
model (malformed input: exit 2 with the JSON path of the problem), judges its embedded
inventory again when the profiles it names are at hand (hwcheck.cli.verify: findings that do
not follow are exit 2 unless --unverified), prints the terminal summary and writes the HTML
report (default `<hostname>-<UTC timestamp>.html` in the reports directory, cli/reportsdir.py)
and any JUnit or JSON copy asked for, each saying whether the result was verified. Every
file is written atomically. Exit 0 when everything was written: the node's verdict is in the
reports, not in this command's exit code.
"""

# Imports live inside functions: `hwcheck --help` and the other subcommands must not pay
# for renderers they do not use.

from __future__ import annotations

import argparse

from hwcheck.status import ExitStatus

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

    from hwcheck.model.result import Result, Verification
    from hwcheck.outfile import Output


def add_output_options(p: argparse.ArgumentParser) -> None:
    """--html/--no-html/--reports-dir, --junit, --json and --quiet, as `check` and `report`
    share them."""
    html = p.add_mutually_exclusive_group()
    html.add_argument(
        "--html",
        metavar="PATH",
        help="write the HTML report here (default: <hostname>-<UTC timestamp>.html in the "
        "reports directory)",
    )
    html.add_argument("--no-html", action="store_true", help="do not write an HTML report")
    html.add_argument(
        "--reports-dir",
        metavar="DIR",
        help="the reports directory (default: $HWCHECK_REPORTS_DIR, else ./reports unless the "
        "current directory is on a ramdisk or cannot be written: then no HTML report)",
    )
    p.add_argument("--junit", metavar="PATH", help="write JUnit XML here ('-': stdout)")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON here ('-': stdout)")
    p.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="print only the verdict line and the reports written",
    )
    from hwcheck.cli.expiring import add_expiring_option

    add_expiring_option(p)  # --expiring-within DAYS


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="render a saved result (hwcheck check --json) as HTML, JUnit, JSON and a summary",
        description="Render a result saved by `hwcheck check --json` again: a terminal "
        "summary, a self-contained HTML report, and optionally JUnit XML and JSON.",
    )
    p.add_argument("result", metavar="RESULT.json", help="a result file, or - for stdin")
    from hwcheck.cli.searchpath import add_search_options

    add_search_options(p)  # where the result's profiles are, to judge its inventory again
    p.add_argument(
        "--waivers",
        metavar="FILE",
        help="the waiver file the result was judged with, to check its waived findings too",
    )
    p.add_argument(
        "--unverified",
        action="store_true",
        help="render a result whose findings do not follow from its inventory and profiles, "
        "saying so in every report, instead of refusing it",
    )
    add_output_options(p)
    p.set_defaults(func=run)


def check_output_options(args: argparse.Namespace) -> None:
    """Refuse impossible output combinations before any work is done."""
    refuse_clashing_outputs((("--json", args.json), ("--junit", args.junit), ("--html", args.html)))


def refuse_clashing_outputs(options: tuple[tuple[str, str | None], ...]) -> None:
    """Refuse, as UsageError, report options (option, path) that cannot all be written: an
    empty path, `--html -`, two reports to standard output, two reports to one file."""
    from hwcheck.errors import UsageError
    from hwcheck.outfile import is_standard_output, refuse_empty_path

    for opt, path in options:
        refuse_empty_path(path, opt)
        if opt == "--html" and path == "-":
            raise UsageError("--html needs a file name (the report is one self-contained file)")
    # `-` and any name for the same descriptor (/dev/stdout): one stream, one report.
    order = [opt for opt, _ in sorted(options, key=lambda o: o[0] != "--junit")]  # JUnit first
    to_stdout = sorted((opt for opt, path in options if is_standard_output(path)), key=order.index)
    if len(to_stdout) > 1:
        raise UsageError(f"only one of {' and '.join(to_stdout)} can write to stdout (-)")
    seen: dict[str, str] = {}
    for opt, path in options:
        if path is None or opt in to_stdout:
            continue
        real = _same_file_key(path)
        if real in seen:
            raise UsageError(f"{seen[real]} and {opt} both write {path}; give each its own file")
        seen[real] = opt


def _same_file_key(path: str) -> str:
    """What two paths share when they name one file. The real path, or the path as given
    when the current directory is gone (the write then fails with exit 4, not here)."""
    import os

    try:
        return os.path.realpath(path)
    except OSError:
        return os.path.normpath(path)


def emit(result: Result, args: argparse.Namespace) -> TextIO:
    """Render and write every report asked for in `args`, print the terminal summary and
    the paths written, and return the stream used for messages (stderr when standard
    output carries a report, as `-` or under a name such as `/dev/stdout`).

    The files are one set (hwcheck.outfile.OutputSet): all are replaced or none. Explicit
    paths that cannot be written raise OutputError (exit 4) and leave every previous report
    in place. The default HTML report is a convenience: if it cannot be written (a
    read-only PXE root), a warning is printed, the other reports are still written and the
    verdict's exit code stands.
    """
    import os
    import sys

    from hwcheck.outfile import is_standard_output
    from hwcheck.render.text import render_text, want_color

    reports = (args.junit, args.json, args.html)
    carries_report = any(is_standard_output(path) for path in reports)
    from hwcheck.cli.expiring import soon_of

    soon = soon_of(args)
    outputs, default_html = _render(result, args, soon)
    console = sys.stderr if carries_report else sys.stdout
    written, warning = _write(outputs, default_html)
    console.write(
        render_text(result, color=want_color(console, os.environ), quiet=args.quiet, soon=soon)
    )
    # Where reports went is always said, --quiet too: a file is never written unannounced.
    console.writelines(f"wrote {path}\n" for path in written)
    if warning:
        sys.stderr.write(warning)
    return console


def _render(
    result: Result, args: argparse.Namespace, soon: tuple[str, int]
) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
    """Every report asked for, rendered before anything is written: (path, text) for each
    explicit output, HTML first, and the default HTML report if that is what is wanted."""
    import os
    import sys

    outputs: list[tuple[str, str]] = []
    if args.junit is not None:
        from hwcheck.render.junit import render_junit

        outputs.append((args.junit, render_junit(result)))
    if args.json is not None:
        from hwcheck.render.json import render_json

        outputs.append((args.json, render_json(result)))
    outputs.extend(getattr(args, "extra_outputs", ()))  # check's exporters (cli/exporters.py)
    if args.no_html:
        return outputs, None
    from hwcheck.render.html import render_html

    if args.html is not None:
        return [(args.html, render_html(result, soon=soon)), *outputs], None
    from hwcheck.cli.reportsdir import default_reports_dir
    from hwcheck.render import default_html_path

    directory, note = default_reports_dir(args.reports_dir, os.environ)
    if directory is None:
        sys.stderr.write(note or "")
        return outputs, None
    return outputs, (default_html_path(result, directory), render_html(result, soon=soon))


def _write(
    outputs: list[tuple[str, str]], default_html: tuple[str, str] | None
) -> tuple[list[str], str | None]:
    """Write the outputs as one set; the paths written and a warning if the default HTML
    report could not be."""
    from hwcheck.errors import OutputError
    from hwcheck.outfile import OutputSet, encode

    written: list[Output] = []
    warning = None
    with OutputSet() as files:
        for path, text in outputs:
            # `-` is written to standard output by the set, before any rename, so a refused
            # write (exit 4) replaces no report; it is not a file to name as written.
            output = files.add(path, encode(text))
            if path != "-":
                written.append(output)
        if default_html is not None:
            try:
                # Never over another run's report: a free name is taken when committing.
                report = files.add(
                    default_html[0], encode(default_html[1]), make_dirs=True, unique=True
                )
                written.insert(0, report)
            except OutputError as err:
                warning = (
                    f"hwcheck: warning: no HTML report: {err} (use --html PATH or --no-html)\n"
                )
        files.commit()
    return [item.shown for item in written], warning


def run(args: argparse.Namespace) -> int:
    import sys

    from hwcheck.outfile import refuse_empty_path
    from hwcheck.render.resultdoc import load_result
    from hwcheck.render.words import VERIFICATION_WARNINGS

    check_output_options(args)
    refuse_empty_path(args.waivers, "--waivers")
    result = load_result(args.result)
    _check_verdict(result, args.result)
    verification = _verify(result, args)
    result["verification"] = verification
    console = emit(result, args)
    if verification["status"] == "verified":
        if not args.quiet:
            console.write(f"verified: {verification['detail']}\n")
    else:
        sys.stderr.write(
            f"hwcheck: warning: {args.result}: {VERIFICATION_WARNINGS[verification['status']]}: "
            f"{verification['detail']}\n"
        )
    return int(ExitStatus.OK)


def _verify(result: Result, args: argparse.Namespace) -> Verification:
    """Judge the result's inventory again (hwcheck.cli.verify); refuse a contradicted result
    unless --unverified asks for it as it is."""
    from hwcheck.cli.searchpath import library_of
    from hwcheck.cli.verify import verify
    from hwcheck.errors import HwcheckError, InputError

    try:
        verification = verify(result, library=library_of(args), waivers=args.waivers)
    except HwcheckError as err:
        if not args.unverified:
            raise
        # A profile or waiver file that cannot be read cannot verify anything.
        return {"status": "not-verified", "detail": f"cannot judge it again: {err}"}
    if verification["status"] == "contradicted" and not args.unverified:
        raise InputError(
            "its findings do not follow from its inventory and the profiles at hand: "
            f"{verification['detail']}; it was edited, or the profiles or hwcheck changed since "
            "(--unverified renders it as it is, marked not verified)",
            where=args.result,
        )
    return verification


def _check_findings(result: Result, where: str) -> None:
    """Each finding's status must be one the judge can give: `fail` only on an error-severity
    rule and `warn` only on another; `waived` only with a waiver in force; a waiver in force
    on any other status is impossible; the status a waiver records from before it must be one
    the rule can give, and an expired waiver leaves it as it was."""
    from hwcheck.errors import InputError
    from hwcheck.status import WAIVABLE, finding_status, judged_statuses

    for index, finding in enumerate(result["findings"]):
        status, severity, waiver = finding["status"], finding["severity"], finding["waiver"]
        possible = judged_statuses(severity)
        in_force = waiver is not None and not waiver["expired"]
        problem = None
        if status in ("fail", "warn") and status not in possible:
            problem = (
                f"status {status!r} on a{'n' if severity == 'error' else ''} {severity}-severity "
                f"rule (that is {finding_status('fail', severity)!r})"
            )
        elif status == "waived" and not in_force:
            problem = "status 'waived' without a waiver in force"
        elif in_force and status != "waived":
            problem = f"status {status!r} with a waiver in force (that is 'waived')"
        elif waiver is not None and "judged_status" in waiver:
            before = waiver["judged_status"]
            if before not in possible or before not in WAIVABLE:
                problem = f"a waiver records status {before!r}, which this rule cannot give"
            elif waiver["expired"] and before != status:
                problem = (
                    f"an expired waiver records status {before!r}, but the status is {status!r}"
                )
        if problem:
            raise InputError(
                f"$.findings[{index}] ({finding['rule_id']}): {problem}; the result was edited "
                "or is damaged",
                where=where,
            )


def _check_verdict(result: Result, where: str) -> None:
    """A report must say what its findings say: an edited verdict or count is refused."""
    from hwcheck.errors import InputError
    from hwcheck.judge import verdict

    _check_findings(result, where)

    want, code, counts = verdict(result["findings"], strict=result["strict"])
    got = (result["verdict"], result["exit_code"], result["counts"])
    if got != (want, int(code), counts):
        raise InputError(
            f"the result's verdict and counts ({result['verdict']}, exit {result['exit_code']}, "
            f"{result['counts']}) do not follow from its findings ({want}, exit {int(code)}, "
            f"{counts}); it was edited or is damaged",
            where=where,
        )
