"""`hwcheck gate` against a real `hwcheck serve` on loopback (tests/collectorproc.py), and
against a port where nothing listens: exit codes, the verdict the collector stored, refusals,
the deadline, the spool and its re-sending, and a collector that comes up late.

Inventories are the real fixture captures in tests/fixtures/inventories (virtio-vm is
compliant against the shipped lab/kvm-virtio profile; intel-x710-i40e fails intel.700.nvm).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from collectorproc import Collector
from runcli import ROOT

from hwcheck.gate.client import MAX_DELAY, backoff, retry_after

INV = os.path.join(ROOT, "tests/fixtures/inventories")
VM = os.path.join(INV, "virtio-vm.json")
X710 = os.path.join(INV, "intel-x710-i40e.json")


def gate(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "hwcheck", "gate", *args],
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def token_file(tmp_path, token, name="enroll.token"):
    path = tmp_path / name
    path.write_text(token + "\n", encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def stored(collector, node):
    quoted = urllib.parse.quote(node, safe="/")
    request = urllib.request.Request(
        f"{collector.url}/api/v1/nodes/{quoted}", headers=collector.auth("read")
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def spooled(directory):
    return sorted(p for p in os.listdir(directory) if p.endswith(".json.gz"))


@pytest.fixture
def later():
    """A collector with its port and tokens chosen but not started: nothing listens there
    until the test starts it."""
    c = Collector()
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(scope="module")
def collector():
    with Collector() as c:
        yield c


def test_compliant_node_exits_0_and_the_collector_stored_that(collector, tmp_path):
    tok = token_file(tmp_path, collector.enroll_token)
    done = gate(
        "--url",
        collector.url,
        "--token-file",
        tok,
        "--inventory",
        VM,
        "--spool",
        str(tmp_path / "s"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "####  ###  #   # ####  #     #####" in lines[1]  # COMPLIANT, in block letters
    assert "next:      This node meets its reference architecture" in done.stdout
    assert f"report:    {collector.url}/nodes/vm/report.html" in done.stdout
    node = stored(collector, "vm")
    assert node["verdict"] == "compliant"
    assert node["exit_code"] == 0


def test_noncompliant_node_exits_1_with_its_failed_finding(collector, tmp_path):
    tok = token_file(tmp_path, collector.enroll_token)
    env = {"HWCHECK_URL": collector.url, "HWCHECK_TOKEN_FILE": tok}
    done = gate("--inventory", X710, "--spool", str(tmp_path / "s"), env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL    intel.700.nvm  Intel Corporation Ethernet Controller X710" in done.stdout
    assert "        Firmware nvm 8.15 is below the minimum 9.01." in done.stdout
    assert "next:      Do not deploy this node" in done.stdout
    for line in done.stdout.splitlines():
        assert len(line) <= 80, line
        assert line.isascii()
    node = stored(collector, "compute-r740-07/7XJ2Q63")
    assert node["verdict"] == "noncompliant"
    # The same answer again (a retry after a lost answer): the same verdict, stored once.
    again = gate("--inventory", X710, "--spool", str(tmp_path / "s"), "--quiet", env=env)
    assert again.returncode == 1
    assert again.stdout == "hwcheck gate: compute-r740-07: noncompliant\n"
    assert stored(collector, "compute-r740-07/7XJ2Q63")["submissions"] == node["submissions"]


def test_a_node_no_profile_applies_to_exits_6_not_2(collector, tmp_path):
    """Hardware no profile knows: the collector stores it unjudged and answers exit code 6;
    the gate exits with it, so a boot script tells it from a broken setting (2)."""
    tok = token_file(tmp_path, collector.enroll_token)
    qede = os.path.join(INV, "qlogic-qede.json")
    done = gate("--url", collector.url, "--token-file", tok, "--inventory", qede, "--quiet")
    assert done.returncode == 6, done.stdout + done.stderr
    assert done.stdout == "hwcheck gate: dl380g10-ceph-05: error\n"
    node = stored(collector, "dl380g10-ceph-05/MXQ91904KT")
    assert (node["verdict"], node["exit_code"]) == ("error", 6)
    loud = gate("--url", collector.url, "--token-file", tok, "--inventory", qede)
    assert loud.returncode == 6
    assert "error:     no profile applies to this node (broadcom/netxtreme-e: " in loud.stdout
    assert "next:      No profile applies to this hardware: add one" in loud.stdout


def test_hostile_strings_reach_the_console_as_plain_ascii(collector, tmp_path):
    with open(VM, encoding="utf-8") as fh:
        doc = json.load(fh)
    doc["host"]["hostname"] = "evil\x1b[2J\x1b]0;owned\x07-ünï"
    inv = tmp_path / "evil.json"
    inv.write_text(json.dumps(doc), encoding="utf-8")
    tok = token_file(tmp_path, collector.enroll_token)
    done = gate(
        "--url",
        collector.url,
        "--token-file",
        tok,
        "--inventory",
        str(inv),
        "--spool",
        str(tmp_path / "s"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\x1b" not in done.stdout
    assert "\x07" not in done.stdout
    assert done.stdout.isascii()
    assert "node:      evil?[2J?]0;owned?-?n?" in done.stdout


def test_wrong_token_exits_2_with_the_collectors_sentence(collector, tmp_path):
    tok = token_file(tmp_path, "enroll-not-a-real-token")
    spool = tmp_path / "s"
    done = gate(
        "--url", collector.url, "--token-file", tok, "--inventory", VM, "--spool", str(spool)
    )
    assert done.returncode == 2
    assert done.stdout == ""
    last = done.stderr.splitlines()[-1]
    assert last.startswith(f"hwcheck: error: {collector.url}/api/v1/submissions: ")
    assert last.endswith("(HTTP 401)")
    assert "retrying" not in done.stderr  # a refusal is final
    assert not spool.exists()
    # A read token may not post: the collector says so, and the gate says what it said.
    read = token_file(tmp_path, collector.read_token, "read.token")
    done = gate(
        "--url", collector.url, "--token-file", read, "--inventory", VM, "--spool", str(spool)
    )
    assert done.returncode == 2
    assert "(HTTP 403)" in done.stderr


def test_unreachable_collector_spools_within_the_deadline_and_a_later_gate_delivers(
    tmp_path, later
):
    spool = tmp_path / "spool"
    tok = token_file(tmp_path, later.enroll_token)
    url = later.url
    started = time.monotonic()
    done = gate(
        "--url",
        url,
        "--token-file",
        tok,
        "--inventory",
        X710,
        "--spool",
        str(spool),
        "--deadline",
        "3",
    )
    took = time.monotonic() - started
    assert done.returncode == 5, done.stdout + done.stderr
    assert took < 3 + 2.5  # the deadline, plus starting python and judging locally
    assert "NOT CONFIRMED BY THE COLLECTOR (judged here)" in done.stdout
    assert "FAIL    intel.700.nvm" in done.stdout  # the local verdict, the one judge's
    assert "connection refused" in done.stdout
    assert "retrying in" in done.stderr
    files = spooled(spool)
    with open(X710, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    assert files == [f"{digest}.json.gz"]
    path = spool / files[0]
    with gzip.open(path) as fh, open(X710, "rb") as orig:
        assert fh.read() == orig.read()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert f"spooled:   {path}" in done.stdout

    with later as c:
        # The spooled file itself, re-sent by hand: the collector's verdict, and the spooled
        # copy is gone once acknowledged.
        done = gate(
            "--url", url, "--token-file", tok, "--inventory", str(path), "--spool", str(spool)
        )
        assert done.returncode == 1, done.stdout + done.stderr + c.log()
        assert spooled(spool) == []
        assert stored(c, "compute-r740-07/7XJ2Q63")["verdict"] == "noncompliant"


def test_spooled_submissions_are_resent_first(tmp_path, later):
    spool = tmp_path / "spool"
    tok = token_file(tmp_path, later.enroll_token)
    url = later.url
    done = gate(
        "--url",
        url,
        "--token-file",
        tok,
        "--inventory",
        X710,
        "--spool",
        str(spool),
        "--deadline",
        "1",
    )
    assert done.returncode == 5
    assert len(spooled(spool)) == 1
    with later as c:
        done = gate("--url", url, "--token-file", tok, "--inventory", VM, "--spool", str(spool))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "delivered the spooled" in done.stderr
        assert "noncompliant" in done.stderr
        assert spooled(spool) == []
        assert stored(c, "compute-r740-07/7XJ2Q63")["verdict"] == "noncompliant"
        assert stored(c, "vm")["verdict"] == "compliant"


def test_a_collector_that_starts_after_the_gate_is_reached_by_its_retries(tmp_path, later):
    tok = token_file(tmp_path, later.enroll_token)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hwcheck",
            "gate",
            "--url",
            later.url,
            "--token-file",
            tok,
            "--inventory",
            VM,
            "--spool",
            str(tmp_path / "s"),
            "--deadline",
            "90",
        ],
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(2)
        assert process.poll() is None  # still retrying
        with later as c:
            out, err = process.communicate(timeout=90)
            assert process.returncode == 0, out + err
            assert "retrying in" in err
            assert stored(c, "vm")["verdict"] == "compliant"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not os.path.exists(tmp_path / "s") or spooled(tmp_path / "s") == []


def test_backoff_is_full_jitter_under_an_exponential_cap():
    assert backoff(0, lambda: 0.0) == 0.0
    highest = [backoff(n, lambda: 0.999999) for n in range(12)]
    assert highest[:5] == pytest.approx([1, 2, 4, 8, 16], rel=1e-5)
    assert all(h <= MAX_DELAY for h in highest)
    assert highest[-1] == pytest.approx(MAX_DELAY, rel=1e-5)
    assert backoff(3, lambda: 0.5) == 4.0


def test_retry_after_seconds_and_http_date():
    now = 1_800_000_000.0
    assert retry_after("7", now) == 7.0
    assert retry_after(None, now) == 0.0
    assert retry_after("soon", now) == 0.0
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 12))
    assert retry_after(date, now) == pytest.approx(12.0)
