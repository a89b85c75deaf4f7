"""The gate's deadline holds while the collector's name cannot be resolved: a resolver that
never answers (a real glibc lookup in a network namespace whose only name server, on its
loopback, takes the queries and never replies; resolv.conf asks for 30 s x 5 attempts) must
not keep a booting node waiting past the deadline. The gate gives up on the lookup, spools
the submission and exits 5."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from runcli import ROOT

VM = os.path.join(ROOT, "tests/fixtures/inventories/virtio-vm.json")
SILENT_SERVER = (
    "import socket, time\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
    "s.bind(('127.0.0.1', 53))\n"
    "print('ready', flush=True)\n"
    "while True:\n"
    "    s.recvfrom(4096)  # every query is read and never answered\n"
)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")


@pytest.fixture
def silent_dns_namespace():
    name = "hwdns" + uuid.uuid4().hex[:8]
    etc = f"/etc/netns/{name}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    server = None
    try:
        os.makedirs(etc)
        with open(os.path.join(etc, "resolv.conf"), "w", encoding="utf-8") as fh:
            fh.write("nameserver 127.0.0.1\noptions timeout:30 attempts:5\n")
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        server = subprocess.Popen(
            ["ip", "netns", "exec", name, sys.executable, "-c", SILENT_SERVER],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        yield name
    finally:
        if server is not None:
            server.kill()
            server.wait(timeout=10)
        subprocess.run(["ip", "netns", "delete", name], check=False)
        shutil.rmtree(etc, ignore_errors=True)


def test_an_unanswered_name_lookup_does_not_outlast_the_deadline(silent_dns_namespace, tmp_path):
    token = tmp_path / "enroll.token"
    token.write_text("enroll-token-0123456789abcdef\n", encoding="utf-8")
    token.chmod(0o600)
    spool = tmp_path / "spool"
    deadline = 4
    started = time.monotonic()
    argv = ["ip", "netns", "exec", silent_dns_namespace, sys.executable, "-m", "hwcheck", "gate"]
    argv += ["--url", "http://collector.hwcheck.test:8740", "--token-file", str(token)]
    argv += ["--inventory", VM, "--deadline", str(deadline), "--spool", str(spool)]
    done = subprocess.run(
        argv,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    took = time.monotonic() - started
    assert done.returncode == 5, done.stdout + done.stderr
    assert took < deadline + 3, f"the gate took {took:.1f} s against a {deadline} s deadline"
    assert "cannot resolve collector.hwcheck.test" in done.stdout + done.stderr
    assert [p.name for p in spool.iterdir() if p.name.endswith(".json.gz")]
