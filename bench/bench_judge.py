"""Judge and check speed, printed side by side (a script, not a timed test).

1. Judging 10,000 inventories against a three-layer profile (linux/baseline ->
   nvidia/connectx -> tests' site/overlay), in this process, on one core. Inventories are
   the Dell ConnectX fixture with firmware strings varied per node, as a fleet audit sees.
   Target: at least 5,000 inventories a second.
2. `hwcheck check` on this node (probe, profile selection and loading, judging, text
   output) against a bare `python -c pass` of the same interpreter, with the parsed-YAML
   cache warm and with it off. Target: within 5x.

    .venv/bin/python bench/bench_judge.py
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from hwcheck.judge import judge_node  # noqa: E402
from hwcheck.profile.library import Library  # noqa: E402

N = 10_000
RUNS = 15


def fleet() -> list[dict]:
    path = os.path.join(ROOT, "tests/fixtures/inventories/mellanox-cx5-dell.json")
    with open(path, encoding="utf-8") as fh:
        base = json.load(fh)
    variants = []
    for i in range(50):
        inv = copy.deepcopy(base)
        inv["host"]["hostname"] = f"node-{i:03d}"
        for nic in inv["nics"]:
            if nic["device_id"] == "1017":
                nic["firmware_version"] = f"16.{28 + i % 10}.{1000 + i} (MT_0000000080)"
        variants.append(inv)
    return [variants[i % len(variants)] for i in range(N)]


def bench_judge() -> None:
    dirs = [os.path.join(ROOT, "tests/fixtures/profiles/layers"), os.path.join(ROOT, "profiles")]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    profile = Library(dirs).resolve("site/overlay")
    inventories = fleet()
    t0 = time.perf_counter()
    verdicts: dict[str, int] = {}
    for inv in inventories:
        result = judge_node([(profile, "bench")], inv, today="2026-01-15", judged_at="x")
        verdicts[result["verdict"]] = verdicts.get(result["verdict"], 0) + 1
    judge_s = time.perf_counter() - t0
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"judge: {N} inventories x {len(profile.layers)}-layer profile ({len(profile.rules)} rules)"
    )
    print(f"  judging only:  {judge_s:.3f} s = {N / judge_s:,.0f} inventories/s (target >= 5,000)")
    print(f"  whole process: {wall:.3f} s wall, {cpu:.3f} s CPU = {N / wall:,.0f} inventories/s")
    print(f"  verdicts: {verdicts}")


def _median(argv: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_check() -> None:
    py = sys.executable
    env = {**os.environ, "NO_COLOR": "1"}
    # --no-html: the HTML report (jinja2) is the report stage's budget, benched on its own.
    check = [
        py,
        "-m",
        "hwcheck",
        "check",
        "--no-html",
        "--profile-path",
        os.path.join(ROOT, "profiles"),
    ]
    subprocess.run(check, env=env, stdout=subprocess.DEVNULL, check=False)  # warm the cache
    rows = [
        ("python -c pass", _median([py, "-c", "pass"], env)),
        ("hwcheck check (cache warm)", _median(check, env)),
        ("hwcheck check (HWCHECK_NO_CACHE=1)", _median(check, {**env, "HWCHECK_NO_CACHE": "1"})),
    ]
    base = rows[0][1]
    print(f"check on this node, median of {RUNS} runs each, side by side ({py}):")
    for name, secs in rows:
        print(f"  {name:<36} {secs * 1000:7.1f} ms  {secs / base:5.2f}x")
    print("  target: within 5x of python -c pass")


if __name__ == "__main__":
    bench_judge()
    bench_check()
