"""Write tests/fixtures/results/judged-*.json again: real `hwcheck check --json` output.

Each is `hwcheck check --from-capture tests/fixtures/hosts/<host>` with the profiles shipped
in profiles/, its `judged_at` pinned so that reports of it keep their names. Run it from the
repository root whenever the judge, the shipped profiles or the result model change:
`hwcheck report` re-judges these results and refuses them when they no longer follow
(tests/test_report_verify.py says so first).

    .venv/bin/python scripts/regenerate-judged-results.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join("tests", "fixtures", "results")
HOSTS = {  # fixture result -> the fixture host it judges
    "judged-intel-x710-i40e.json": "intel-x710-i40e",
    "judged-mellanox-cx5-dell.json": "mellanox-cx5-dell",
    "judged-hostile-host.json": "hostile",
}
JUDGED_AT = "2026-11-24T14:54:45Z"


def main() -> int:
    for name, host in HOSTS.items():
        capture = os.path.join("tests", "fixtures", "hosts", host)
        done = subprocess.run(
            [
                *(sys.executable, "-m", "hwcheck", "check", "--from-capture", capture),
                *("--json", "-", "--no-html", "--quiet"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in (0, 1, 3):
            sys.stderr.write(done.stderr)
            return done.returncode
        result = json.loads(done.stdout)
        result["judged_at"] = JUDGED_AT
        with open(os.path.join(ROOT, RESULTS, name), "w", encoding="utf-8") as handle:
            handle.write(json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"wrote {os.path.join(RESULTS, name)}: {result['verdict']}, {result['counts']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
