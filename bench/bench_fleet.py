"""Fleet audit speed, printed side by side in one run (a script, not a timed test).

10,000 node inventories are synthesised from the real fixture hosts (tests/fleetgen.py:
varied versions, about 5% failing), then, interleaved over several rounds:

- the floor: reading and json-parsing the same 10,000 files on one core (a bare interpreter
  doing nothing else), what no fleet tool can beat;
- `hwcheck fleet DIR --html --csv --json` on all cores: its wall time, and in one more run
  (not timed: sampling /proc would take a share of 2 cores) the peak RSS of the whole process
  tree (the parent and its workers, sampled every 20 ms);
- the shell loop a user would otherwise write, `hwcheck check --inventory F --no-html` per
  file, timed over 200 files and extrapolated to 10,000.

Targets (issue 9): fleet at most 4 s wall on a 2-core machine and at most 1 GiB peak RSS; at
most 3x the floor; at least 50x faster than the loop; the HTML at most 5 MB.

    .venv/bin/python bench/bench_fleet.py [--nodes N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import fleetgen  # noqa: E402

PY = os.path.join(ROOT, ".venv", "bin", "python")
HWCHECK = os.path.join(ROOT, ".venv", "bin", "hwcheck")
LOOP_FILES = 200
FLOOR = """
import json, os, sys
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    with open(os.path.join(d, name), "rb") as f:
        json.loads(f.read())
"""


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def timed(cmd: list[str], *, sample: bool = False) -> tuple[float, int, int, float]:
    """(wall seconds, peak tree RSS bytes, exit code, CPU seconds of the process tree) of one
    command. The RSS is sampled (every 20 ms, from /proc) only when asked: on 2 cores the
    sampling would be timed too. The CPU (user and system, the command's workers included)
    moves far less than the wall from one minute to the next on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sampling() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sampling)
    if sample:
        sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    done.set()
    if sample:
        sampler.join()
    if proc.returncode not in (0, 1, 3):
        sys.exit(f"bench: {' '.join(cmd[:3])} failed ({proc.returncode}): {err.decode()[-500:]}")
    return wall, peak, proc.returncode, cpu


BREAKDOWN = """
import gc, json, sys, time
from hwcheck.fleet.nodes import Judging, _outcome
from hwcheck.fleet.sources import expand
from hwcheck.judge import judge_node
from hwcheck.model.documents import parse_document, read_bytes
from hwcheck.profile.library import Library
from hwcheck.profile.selection import Selection
how = Judging(Selection(Library.given(None), None), waivers=None, today="2026-12-01",
              judged_at="x", strict=False, rejudge=False, reports=None)
items = list(expand([sys.argv[1]]))[:2000]
gc.freeze()
def best(f):
    b, out = 9.0, None
    for _ in range(3):
        t = time.process_time(); out = f(); b = min(b, (time.process_time() - t) / len(items))
    return b * 1000, out
def read(i):
    return read_bytes(i.path, what="x", max_bytes=1 << 26)
stages = {}
floor, _ = best(lambda: [json.loads(read(i).decode()) for i in items])
exact, _ = best(lambda: [parse_document(read(i), what="x", where="x")[1] for i in items])
from hwcheck.model import typeddecode
typeddecode.enable()  # as fleet reads: msgspec's typed decode in front of the exact path
whole, docs = best(lambda: [parse_document(read(i), what="x", where="x")[1] for i in items])
stages["read, parse, shape, invariants"] = whole
print(json.dumps({"exact": exact, "floor": floor}), file=sys.stderr)
stages["profile selection"], sel = best(lambda: [how.selection.pick(d)[0] for d in docs])
# Each result is dropped as soon as it is made, as a worker drops it once its row is built:
# 2,000 results kept alive would cost twice the judging in allocation and collection.
stages["judge_node"], _ = best(
    lambda: [judge_node(s, d, today="x", judged_at="x") and None for s, d in zip(sel, docs)])
res = [judge_node(s, d, today="x", judged_at="x") for s, d in zip(sel, docs)]
stages["node row and facts"], outs = best(
    lambda: [_outcome(i, how, r, d) for i, r, d in zip(items, res, docs)])
from hwcheck.render.fleetcsv import node_text
from hwcheck.render.fleetjson import node_line
rows = [o.row for o in outs]
stages["its JSON line and CSV rows"], _ = best(
    lambda: [(node_line(r), node_text(r)) for r in rows])
print(json.dumps(stages))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        inputs = os.path.join(tmp, "nodes")
        paths = fleetgen.synthesise(inputs, args.nodes)
        out = os.path.join(tmp, "out")
        os.makedirs(out)
        fleet_cmd = [
            HWCHECK, "fleet", inputs, "-q",
            "--html", os.path.join(out, "fleet.html"),
            "--csv", os.path.join(out, "fleet.csv"),
            "--json", os.path.join(out, "fleet.json"),
        ]  # fmt: skip
        floor_cmd = [PY, "-c", FLOOR, inputs]
        subprocess.run(floor_cmd, check=True)  # warm the page cache
        floors, fleets, floor_cpus, fleet_cpus = [], [], [], []
        code = 0
        for _ in range(args.rounds):
            wall, _, _, cpu = timed(floor_cmd)
            floors.append(wall)
            floor_cpus.append(cpu)
            wall, _, code, cpu = timed(fleet_cmd)
            fleets.append(wall)
            fleet_cpus.append(cpu)
        _, peak, _, _ = timed(fleet_cmd, sample=True)  # a run of its own, not timed
        step = max(1, len(paths) // LOOP_FILES)
        sample = paths[::step][:LOOP_FILES]
        start = time.perf_counter()
        for path in sample:
            subprocess.run(
                [HWCHECK, "check", "--inventory", path, "--no-html", "-q"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        loop = (time.perf_counter() - start) / len(sample) * args.nodes
        html = os.path.getsize(os.path.join(out, "fleet.html"))
        breakdown = subprocess.run(
            [PY, "-c", BREAKDOWN, inputs], check=True, capture_output=True, text=True
        )
        stages = json.loads(breakdown.stdout)
        reading = json.loads(breakdown.stderr)
    floor, fleet = statistics.median(floors), statistics.median(fleets)
    floor_cpu, fleet_cpu = statistics.median(floor_cpus), statistics.median(fleet_cpus)
    print(f"{args.nodes} nodes on {cores} cores, {args.rounds} rounds (median wall), exit {code}")
    print(f"  floor (read + json.loads, 1 core) {floor:7.2f} s")
    print(f"  hwcheck fleet (+html, csv, json)  {fleet:7.2f} s   target <= 4 s on 2 cores")
    print(f"  check loop, from {len(sample)} runs      {loop:7.1f} s")
    print(f"  fleet / floor                     {fleet / floor:7.2f} x   target <= 3x")
    print(
        f"  CPU: floor {floor_cpu:.2f} s, fleet {fleet_cpu:.2f} s (process tree); "
        f"fleet CPU / {cores} cores / floor CPU {fleet_cpu / cores / floor_cpu:.2f} x "
        "(the wall ratio if every step ran on all cores)"
    )
    print(f"  loop / fleet                      {loop / fleet:7.1f} x   target >= 50x")
    print(f"  peak RSS (process tree)           {peak / 2**20:7.0f} MiB target <= 1024 MiB")
    print(f"  fleet HTML                        {html / 2**20:7.2f} MB  target <= 5 MB")
    print("where one node's time goes, one core (ms, best of 3 over 2,000 nodes):")
    for stage, ms in stages.items():
        print(f"  {stage:<32} {ms:6.3f}")
    print(f"  {'total':<32} {sum(stages.values()):6.3f}")
    print(
        f"  (the floor's read + json.loads alone: {reading['floor']:.3f}; reading, parsing and "
        f"checking by the exact path, as `check` reads one file: {reading['exact']:.3f}; "
        "fleet reads with msgspec's typed decode in front of it)"
    )


if __name__ == "__main__":
    main()
