"""`hwcheck gate` from hwcheck.pyz under `python3 -I` (probe this node, post to a real
`hwcheck serve` on loopback, print the verdict in full) beside `python3 -I -c pass`, in one run.

    .venv/bin/python bench/bench_gate.py [--runs 200] [--python /usr/bin/python3]

The two commands alternate, run after run, so that the machine's load falls on both
alike; each figure is the median wall time of its runs. The floor: at most 3x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from collectorproc import Collector  # noqa: E402

LIMIT = 3.0


def timed(cmd, env):
    start = time.perf_counter()
    done = subprocess.run(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    took = time.perf_counter() - start
    return took, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--python", default="/usr/bin/python3")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hwcheck-bench-gate-") as tmp:
        pyz = os.path.join(tmp, "hwcheck.pyz")
        subprocess.run(
            [
                sys.executable,
                os.path.join(ROOT, "scripts/build-pyz.py"),
                "--output",
                pyz,
                "--python",
                args.python,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with Collector() as collector:
            token = os.path.join(tmp, "enroll.token")
            with open(token, "w", encoding="utf-8") as fh:
                fh.write(collector.enroll_token + "\n")
            env = {"PATH": os.environ["PATH"], "HOME": tmp, "NO_COLOR": "1"}
            gate = [args.python, "-I", pyz, "gate", "--url", collector.url, "--token-file", token]
            gate += ["--spool", os.path.join(tmp, "spool")]
            bare = [args.python, "-I", "-c", "pass"]
            for _ in range(5):  # warm the page cache and the collector
                timed(bare, env)
                _, done = timed(gate, env)
                if done.returncode not in (0, 1, 3):
                    sys.exit(
                        f"bench_gate: the gate exited {done.returncode}: {done.stderr.decode()}"
                    )
            passes, gates = [], []
            for _ in range(args.runs):
                passes.append(timed(bare, env)[0])
                took, done = timed(gate, env)
                if done.returncode not in (0, 1, 3):
                    sys.exit(
                        f"bench_gate: the gate exited {done.returncode}: {done.stderr.decode()}"
                    )
                gates.append(took)
    p, g = statistics.median(passes), statistics.median(gates)
    print(f"python3 -I -c pass:                  median {p * 1000:7.2f} ms  ({args.runs} runs)")
    print(f"python3 -I hwcheck.pyz gate (post):  median {g * 1000:7.2f} ms  ({args.runs} runs)")
    print(f"ratio: {g / p:.2f}x (limit {LIMIT:.0f}x) {'ok' if g / p <= LIMIT else 'OVER'}")
    return 0 if g / p <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
