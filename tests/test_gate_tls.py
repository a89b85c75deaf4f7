"""`hwcheck gate` over HTTPS against a real `hwcheck serve --tls-cert/--tls-key`: with the
collector's CA given (`--ca`, as a ramdisk holds it) the submission is judged and stored;
without it the certificate is not trusted, the gate says so in one line and exits 2 (a
certificate that does not verify is not a network hiccup to retry), nothing is stored or
spooled."""

from __future__ import annotations

import os
import subprocess
import sys

from collectorproc import Collector, self_signed
from runcli import ROOT

VM = os.path.join(ROOT, "tests/fixtures/inventories/virtio-vm.json")


def _gate(collector, tmp_path, *extra):
    token = tmp_path / "enroll.token"
    token.write_text(collector.enroll_token + "\n", encoding="utf-8")
    token.chmod(0o600)
    argv = [sys.executable, "-m", "hwcheck", "gate", "--url", collector.url]
    argv += ["--token-file", str(token), "--inventory", VM, "--deadline", "20"]
    argv += ["--spool", str(tmp_path / "spool"), *extra]
    return subprocess.run(
        argv,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _stored(collector):
    import httpx

    with httpx.Client(verify=False) as client:  # noqa: S501 - reading back what was stored
        answer = client.get(collector.url + "/api/v1/nodes", headers=collector.auth("read"))
    return answer.json()["count"]


def test_the_gate_posts_over_https_with_the_collectors_ca(tmp_path):
    cert, key = self_signed(str(tmp_path))
    with Collector(tls=(cert, key)) as c:
        assert c.url.startswith("https://")
        done = _gate(c, tmp_path, "--ca", cert)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"report:    {c.url}/nodes/vm/report.html" in done.stdout
        assert _stored(c) == 1


def test_an_untrusted_certificate_is_one_line_exit_2_and_nothing_stored(tmp_path):
    cert, key = self_signed(str(tmp_path))
    with Collector(tls=(cert, key)) as c:
        done = _gate(c, tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("hwcheck: error: "), done.stderr
        assert "certificate" in lines[0].lower()
        assert "Traceback" not in done.stderr
        assert _stored(c) == 0
        spool = tmp_path / "spool"
        assert not spool.exists() or not any(spool.iterdir())
