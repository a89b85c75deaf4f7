"""Where a `hwcheck fleet` run's wall time goes: the real command, its stages timed from
outside (a script, not a timed test, and nothing a user sees).

The stages are wrapped before the run (the workers are forked after, so they inherit the
wrappers), then `hwcheck.cli.main(["fleet", ...])` runs as a user's would. Each worker
appends when each batch began and ended to a file of its own; the parent's marks are kept
in memory. Printed: milliseconds since the interpreter started (so imports count), each
stage's start and end, and the workers' busy time.

    .venv/bin/python bench/fleet_timeline.py [--nodes N] [--jobs J] [DIR]

DIR is a directory of inventories (default: N synthesised from the fixture hosts, as
bench_fleet.py does).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

MARKS = {"file": ""}  # every process appends its marks here (forked ones too)


def mark(label: str, start: float, end: float, cpu: float = -1.0) -> None:
    with open(MARKS["file"], "a", encoding="utf-8") as fh:
        fh.write(f"{start} {end} {cpu} {os.getpid()} {label}\n")


def _since_start() -> float:
    """Seconds since this process started (from /proc: the interpreter's start-up counts)."""
    with open("/proc/self/stat", encoding="ascii") as fh:
        start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime", encoding="ascii") as fh:
        uptime = float(fh.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def wrap(owner: object, name: str, label: str) -> None:
    inner = getattr(owner, name)

    def timed(*args: object, **kwargs: object) -> object:
        start, cpu = time.monotonic(), time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            mark(label, start, time.monotonic(), time.process_time() - cpu)

    # pickled by name (a renderer is handed to a forked process): found where it was
    timed.__module__, timed.__qualname__ = inner.__module__, inner.__qualname__
    setattr(owner, name, timed)


def wrap_generator(owner: object, name: str, label: str) -> None:
    """A generator's first item and its last, and the time its consumer held it."""
    inner = getattr(owner, name)

    def timed(*args: object, **kwargs: object) -> object:
        start = time.monotonic()
        first = None
        for item in inner(*args, **kwargs):
            if first is None:
                first = time.monotonic()
                mark(label + " (first item)", start, first)
            yield item
        mark(label, start, time.monotonic())

    setattr(owner, name, timed)


def main() -> None:
    t0 = time.monotonic() - _since_start()
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10_000)
    ap.add_argument("--jobs", type=int)
    ap.add_argument("inputs", nargs="?")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    inputs = args.inputs
    if inputs is None:
        import fleetgen

        inputs = os.path.join(tmp, "nodes")
        fleetgen.synthesise(inputs, args.nodes)
    log = os.path.join(tmp, "batches")
    os.makedirs(log)
    MARKS["file"] = os.path.join(tmp, "marks")
    t_import = time.monotonic()
    import hwcheck.cli
    import hwcheck.cli.fleet

    mark("imports (hwcheck.cli, fleet)", t_import, time.monotonic())
    instrument(log)
    out = os.path.join(tmp, "out")
    os.makedirs(out)
    argv = ["fleet", inputs, "-q", "--html", os.path.join(out, "fleet.html")]
    argv += ["--csv", os.path.join(out, "fleet.csv"), "--json", os.path.join(out, "fleet.json")]
    if args.jobs is not None:
        argv += ["--jobs", str(args.jobs)]
    start = time.monotonic()
    code = hwcheck.cli.main(argv)
    mark("hwcheck.cli.main (the whole command)", start, time.monotonic())
    report(code, t0, log)
    shutil.rmtree(tmp)


def instrument(log: str) -> None:
    """Every stage wrapped, the workers' batches logged (each worker a file in `log`)."""
    from hwcheck import outfile
    from hwcheck.fleet import pool, rollup
    from hwcheck.profile import library
    from hwcheck.render import fleetcsv, fleetjson, html

    batch = pool._batch

    def timed_batch(items: list[object]) -> object:
        start = time.monotonic()
        out = batch(items)  # type: ignore[arg-type]
        with open(os.path.join(log, str(os.getpid())), "a", encoding="ascii") as fh:
            fh.write(f"{start} {time.monotonic()} {len(items)}\n")
        return out

    # pickled by name: the workers find this wrapper where they look for _batch
    timed_batch.__module__, timed_batch.__qualname__ = pool.__name__, "_batch"
    pool._batch = timed_batch  # type: ignore[assignment]
    wrap(library.Library, "given", "profiles found (Library.given)")
    wrap_generator(pool, "judge_all", "judging (judge_all, all outcomes)")
    wrap(rollup, "keep_newest", "outcomes received, newest kept (keep_newest)")
    wrap(rollup, "build_fleet", "rollups (build_fleet)")
    wrap(pool, "render_all", "reports rendered (render_all)")
    # the JSON and CSV joined from the lines the workers wrote, the page rendered here
    for module, name in ((html, "render_fleet_html"), (fleetjson, "fleet_json_bytes"),
                         (fleetcsv, "fleet_csv_bytes")):  # fmt: skip
        wrap(module, name, name)
    wrap(outfile.OutputSet, "commit", "reports written (OutputSet.commit)")


def report(code: int, t0: float, log: str) -> None:
    with open(MARKS["file"], encoding="utf-8") as fh:
        marks = [line.rstrip("\n").split(" ", 4) for line in fh]
    parent = str(os.getpid())
    print(f"exit {code}; ms since the interpreter started (start .. end, wall, CPU, stage):")
    for a, b, cpu, pid, label in sorted(marks, key=lambda m: float(m[0])):
        a_s, b_s, cpu_s = float(a), float(b), float(cpu)
        where = "" if pid == parent else f"  [process {pid}]"
        spent = f"{cpu_s * 1000:6.0f}" if cpu_s >= 0 else "     -"
        print(
            f"  {(a_s - t0) * 1000:7.0f} .. {(b_s - t0) * 1000:7.0f}  {(b_s - a_s) * 1000:6.0f}"
            f" {spent}  {label}{where}"
        )
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"  CPU: this process {(own.ru_utime + own.ru_stime) * 1000:.0f} ms, "
        f"its children {(kids.ru_utime + kids.ru_stime) * 1000:.0f} ms"
    )
    for name in sorted(os.listdir(log)):
        with open(os.path.join(log, name), encoding="ascii") as fh:
            spans = [tuple(float(x) for x in line.split()) for line in fh]
        busy = sum(b - a for a, b, _ in spans)
        nodes = sum(int(n) for _, _, n in spans)
        first, last = min(a for a, _, _ in spans), max(b for _, b, _ in spans)
        print(
            f"  worker {name}: {(first - t0) * 1000:7.0f} .. {(last - t0) * 1000:7.0f}, "
            f"busy {busy * 1000:6.0f} ms, {len(spans)} batches, {nodes} nodes, "
            f"{busy / max(nodes, 1) * 1000:.3f} ms a node"
        )


if __name__ == "__main__":
    main()
