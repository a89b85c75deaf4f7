"""`hwcheck check --from-capture HOST --json --nfd-features --prometheus` over every fixture
host (tests/fixtures/hosts), run once per host for the NFD and Prometheus tests together.

A host no shipped profile applies to is judged against `linux/baseline` (named with
--profile), so every host's cards reach both exporters.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile

from runcli import NO_CACHE, ROOT, run_hwcheck

HOSTS_DIR = os.path.join(ROOT, "tests", "fixtures", "hosts")
HOSTS = sorted(
    name
    for name in os.listdir(HOSTS_DIR)
    if os.path.isfile(os.path.join(HOSTS_DIR, name, "capture.json"))
)
NO_PROFILE_APPLIES = ("dell-usb-nics", "intel-ixgbe-igb-i211", "qlogic-qede")
_runs: dict[str, Run] = {}
_where = tempfile.mkdtemp(prefix="hwcheck-exporters-")
atexit.register(shutil.rmtree, _where, ignore_errors=True)


class Run:
    """One host's run: its exit code, result document and the two exporter files."""

    def __init__(self, host: str) -> None:
        out = os.path.join(_where, host)
        os.makedirs(out)
        self.nfd_path = os.path.join(out, "hwcheck")
        self.prom_path = os.path.join(out, "hwcheck.prom")
        profile = ["--profile", "linux/baseline"] if host in NO_PROFILE_APPLIES else []
        done = run_hwcheck(
            "check",
            "--from-capture",
            os.path.join(HOSTS_DIR, host),
            *profile,
            "--no-html",
            "--json",
            os.path.join(out, "result.json"),
            "--nfd-features",
            self.nfd_path,
            "--prometheus",
            self.prom_path,
            "--nfd-expiry",
            "2h",
            env=NO_CACHE,
        )
        assert done.returncode in (0, 1, 3), done.stderr
        self.code = done.returncode
        with open(os.path.join(out, "result.json"), encoding="utf-8") as fh:
            self.result = json.load(fh)
        with open(self.nfd_path, "rb") as fh:
            self.nfd = fh.read()
        with open(self.prom_path, "rb") as fh:
            self.prom = fh.read()


def run_host(host: str) -> Run:
    if host not in _runs:
        _runs[host] = Run(host)
    return _runs[host]
