"""Running the real `hwcheck` command line from a test: one helper for every test file.

`python -m hwcheck` with this interpreter, text in and out, never raising on a non-zero
exit (the exit code is what the tests assert).
"""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_hwcheck(
    *args: str,
    cwd: str = ROOT,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    stdout: int | object = subprocess.PIPE,
) -> subprocess.CompletedProcess[str]:
    """`hwcheck ARGS` as a user runs it; `env` adds to (or overrides) this environment."""
    return subprocess.run(
        [sys.executable, "-m", "hwcheck", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=stdin,
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=120,
    )
