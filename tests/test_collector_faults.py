"""The collector under faults: what it acknowledged is never lost, and the gates' retries
deliver the rest.

Against a real `hwcheck serve` (tests/collectorproc.py) over SQLite and a real PostgreSQL
(tests/pgcluster.py), with real `hwcheck gate` processes and a pool of HTTP clients posting
distinct inventories (tests/fleetgen.py: copies of the real fixture hosts, each its own
node), the gzip body the gate sends:

- SIGKILL of the collector in the middle of a storm, then a restart on the same port and
  store: every submission answered 200 is in the store (by node and digest); every gate
  (those posting when it died, and nodes booting while it was down) exits with the verdict
  the collector stored for its node, none with 5 (unreachable).
- A full disk (a SQLite store on a tiny tmpfs filled up): 503 with Retry-After and one
  sentence; after space is freed, the waiting gate's retry is stored and answered.
- PostgreSQL stopped and started again under load: 503 with Retry-After meanwhile, never
  another error; the gates' retries deliver.
- Two collectors on one store: each serves what the other stored; one killed, the other
  keeps answering, and gates pointed at it succeed.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import fleetgen
import httpx
import pytest
from collectorproc import Collector
from runcli import ROOT

from hwcheck.collector.store import open_store
from hwcheck.fleet.identity import node_key

pytest_plugins = ("pgcluster",)  # the `pgcluster` fixture (a private PostgreSQL)

BACKENDS = ("sqlite", "postgresql")
GATE_DEADLINE = 120


class Doc:
    """One node's inventory as a file the gate posts, and what identifies it in the store."""

    def __init__(self, directory: str, inventory: dict) -> None:
        data = json.dumps(inventory, separators=(",", ":")).encode()
        self.digest = hashlib.sha256(data).hexdigest()
        self.gz = gzip.compress(data, mtime=0)
        system = inventory["system"]
        self.key = node_key(
            inventory["host"]["hostname"], system["product_serial"], system["product_uuid"]
        )
        self.path = os.path.join(directory, f"{inventory['host']['hostname']}.json")
        with open(self.path, "wb") as handle:
            handle.write(data)


def make_docs(directory, count: int, *, first: int = 0) -> list[Doc]:
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(first)  # noqa: S311 - a reproducible fleet
    bases = {n: fleetgen.base(n) for n in fleetgen.PASSING_BASES + fleetgen.FAILING_BASES}
    return [
        Doc(str(directory), fleetgen.node(i, rng, bases, 0.2)) for i in range(first, first + count)
    ]


def store_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> str:
    if backend == "sqlite":
        return "sqlite://" + str(tmp_path / "collector.db")
    return request.getfixturevalue("pgcluster").new_database()


# ---- posting ----------------------------------------------------------------------------------


class Poster:
    """A pool of clients posting docs; what each post got back."""

    def __init__(self, collector: Collector, threads: int = 16) -> None:
        self.url = collector.url + "/api/v1/submissions"
        self.headers = {
            **collector.auth("enroll"),
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }
        self.client = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=threads))
        self.pool = ThreadPoolExecutor(threads)
        self.lock = threading.Lock()
        self.acked: dict[str, str] = {}  # digest -> node key, answered 200
        self.refusals: list[httpx.Response] = []  # any other status
        self.failures = 0  # no answer at all (connection refused, reset)
        self.stopped = threading.Event()

    def post(self, doc: Doc) -> None:
        if self.stopped.is_set():
            return
        try:
            answer = self.client.post(self.url, content=doc.gz, headers=self.headers)
        except httpx.TransportError:
            with self.lock:
                self.failures += 1
            return
        with self.lock:
            if answer.status_code == 200:
                body = answer.json()
                assert body["submission"] == doc.digest
                assert body["node"] == doc.key
                self.acked[doc.digest] = doc.key
            else:
                self.refusals.append(answer)

    def start(self, docs: list[Doc], *, pace: float = 0.0) -> list:
        def paced(doc: Doc) -> None:
            self.post(doc)
            if pace:
                time.sleep(pace)

        return [self.pool.submit(paced, doc) for doc in docs]

    def wait_acked(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acked) < count:
            assert time.monotonic() < deadline, f"only {len(self.acked)} acknowledged"
            time.sleep(0.005)

    def close(self) -> None:
        self.stopped.set()
        self.pool.shutdown(wait=True)
        self.client.close()


@contextlib.contextmanager
def poster(collector: Collector, threads: int = 16):
    p = Poster(collector, threads)
    try:
        yield p
    finally:
        p.close()


def start_gate(collector: Collector, doc: Doc, tmp_path, url: str | None = None):
    """A real `hwcheck gate --inventory` for one doc; its stderr goes to a file."""
    work = tmp_path / "gates" / doc.digest[:12]
    work.mkdir(parents=True)
    token = work / "enroll.token"
    token.write_text(collector.enroll_token + "\n")
    token.chmod(0o600)
    cmdline = work / "cmdline"
    cmdline.write_text("BOOT_IMAGE=/vmlinuz\n")
    stderr = open(work / "stderr", "w+")  # noqa: SIM115 - read back in finish_gate
    process = subprocess.Popen(
        [sys.executable, "-m", "hwcheck", "gate", "--url", url or collector.url,
         "--token-file", str(token), "--inventory", doc.path, "--spool", str(work / "spool"),
         "--deadline", str(GATE_DEADLINE)],
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1", "HWCHECK_CMDLINE": str(cmdline)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )  # fmt: skip
    return process, stderr, doc


def finish_gate(gate) -> tuple[int, str]:
    process, stderr, _ = gate
    out, _ = process.communicate(timeout=GATE_DEADLINE + 60)
    stderr.seek(0)
    text = out + stderr.read()
    stderr.close()
    return process.returncode, text


def gate_stderr(gate) -> str:
    gate[1].flush()
    with open(gate[1].name, encoding="utf-8") as handle:
        return handle.read()


# ---- what the store holds -------------------------------------------------------------------


def missing(url: str, acked: dict[str, str]) -> list[str]:
    """The acknowledged digests the store does not hold."""
    store = open_store(url)
    try:
        held: dict[str, set[str]] = {}
        for key in set(acked.values()):
            held[key] = {entry.digest for entry in store.history(key, limit=1000)}
        return [digest for digest, key in acked.items() if digest not in held[key]]
    finally:
        store.close()


def check_gates(url: str, gates: list, results: list[tuple[int, str]]) -> None:
    """Every gate exited with the exit code of the verdict stored for its node, and its
    submission is in the store."""
    store = open_store(url)
    try:
        for gate, (rc, output) in zip(gates, results, strict=True):
            doc = gate[2]
            node = store.node(doc.key)
            assert node is not None, (doc.key, output)
            assert rc in (0, 1, 3), output
            assert rc == node.exit_code, (node, output)
            assert f"node:      {doc.key.split('/')[0]}" in output, output
            assert doc.digest in {e.digest for e in store.history(doc.key)}, output
    finally:
        store.close()


def assert_503(answer: httpx.Response) -> None:
    """A 503 as the contract has it: Retry-After in seconds and one clear sentence."""
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["retry-after"]) >= 1
    sentence = answer.json()["error"]
    assert sentence.endswith(".") and "\n" not in sentence, sentence
    assert sentence.count(". ") == 0, sentence


# ---- SIGKILL in the middle of a storm -----------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_mid_storm_loses_nothing_acknowledged_and_gates_deliver_the_rest(
    backend, request, tmp_path
):
    url = store_url(backend, request, tmp_path)
    docs = make_docs(tmp_path / "docs", 430)
    pool_docs, early, late = docs[:400], docs[400:415], docs[415:]
    with Collector(url) as c, poster(c, threads=24) as p:
        p.start(pool_docs)
        gates = [start_gate(c, doc, tmp_path) for doc in early]  # posting when it dies
        p.wait_acked(60)
        c.kill()
        acked_at_kill = len(p.acked)
        gates += [start_gate(c, doc, tmp_path) for doc in late]  # booting while it is down
        p.pool.shutdown(wait=True)  # what was left fails: nothing listens
        time.sleep(1.0)
        c.start()
        results = [finish_gate(g) for g in gates]

        assert acked_at_kill >= 60
        assert p.failures > 0, "the kill came after the storm, not in it"
        assert len(p.acked) + p.failures + len(p.refusals) == len(pool_docs)
        assert not p.refusals, [r.text for r in p.refusals]
        assert missing(url, p.acked) == []
        check_gates(url, gates, results)
        for _, output in results[len(early) :]:
            assert "retrying" in output, output  # it met the dead collector, and retried
        store = open_store(url)
        try:
            stored = store.submission_count()
        finally:
            store.close()
        # Acknowledged + gates, plus any the collector committed but could not answer.
        assert len(p.acked) + len(gates) <= stored <= len(docs)


# ---- a full disk ----------------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 6 MiB tmpfs: room for the schema and a few hundred submissions."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "hwcheck-test", str(mount)], check=True
    )
    try:
        yield mount
    finally:
        done = subprocess.run(["umount", str(mount)], check=False, capture_output=True)
        if done.returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(path) -> None:
    """Write `path` until the file system has no room left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1 << 9):
            chunk = b"\0" * size
            with contextlib.suppress(OSError):
                while os.write(fd, chunk):
                    pass
    finally:
        os.close(fd)


def test_full_disk_answers_503_and_the_gate_retry_succeeds_once_space_is_freed(tiny_disk, tmp_path):
    url = "sqlite://" + str(tiny_disk / "collector.db")
    docs = make_docs(tmp_path / "docs", 801)
    with Collector(url) as c, poster(c, threads=1) as p:
        for doc in docs[:20]:
            p.post(doc)
        assert len(p.acked) == 20
        filler = tiny_disk / "filler"
        fill(filler)
        for doc in docs[20:800]:
            p.post(doc)
            if p.refusals:
                break
        assert p.refusals, "the store never filled up"
        full = p.refusals[0]
        assert_503(full)
        assert full.json()["error"] == "The collector's store is full; try again later."
        assert len(p.refusals) == 1

        gate = start_gate(c, docs[800], tmp_path)
        deadline = time.monotonic() + 30
        while "HTTP 503" not in gate_stderr(gate):
            assert gate[0].poll() is None, finish_gate(gate)
            assert time.monotonic() < deadline, gate_stderr(gate)
            time.sleep(0.1)
        os.unlink(filler)  # space again: the gate's next try (after Retry-After) is stored
        rc, output = finish_gate(gate)
        assert "HTTP 503: The collector's store is full; try again later." in output
        check_gates(url, [gate], [(rc, output)])
        assert missing(url, p.acked) == []
        assert httpx.get(c.url + "/readyz", timeout=10).status_code == 200


# ---- PostgreSQL restarted under load ------------------------------------------------------------


def test_postgresql_restarted_under_load_answers_503_and_the_gates_deliver(pgcluster, tmp_path):
    url = pgcluster.new_database()
    docs = make_docs(tmp_path / "docs", 2021)
    pool_docs, early, late, after = docs[:2000], docs[2000:2010], docs[2010:2020], docs[2020]
    with Collector(url) as c, poster(c, threads=8) as p:
        p.start(pool_docs, pace=0.05)
        p.wait_acked(50)
        gates = [start_gate(c, doc, tmp_path) for doc in early]
        pgcluster.stop()
        try:
            gates += [start_gate(c, doc, tmp_path) for doc in late]
            time.sleep(3)
            ready = httpx.get(c.url + "/readyz", timeout=10)
            refused_while_down = len(p.refusals)
        finally:
            pgcluster.start()
        results = [finish_gate(g) for g in gates]
        p.stopped.set()
        p.pool.shutdown(wait=True)
        refused = len(p.refusals)
        p.stopped.clear()
        p.post(after)  # taken again at once
        assert after.digest in p.acked
        assert len(p.refusals) == refused

        assert ready.status_code == 503
        assert refused_while_down > 0, "no post met the stopped database"
        for answer in p.refusals:
            assert_503(answer)
            assert answer.json()["error"] == (
                "The collector's store cannot be reached; try again shortly."
            )
        assert p.failures == 0  # the collector itself always answered
        assert missing(url, p.acked) == []
        check_gates(url, gates, results)


# ---- two collectors on one store -----------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_collectors_on_one_store_serve_each_other_and_one_survives_the_other(
    backend, request, tmp_path
):
    url = store_url(backend, request, tmp_path)
    docs = make_docs(tmp_path / "docs", 610)
    with Collector(url) as a, Collector(url) as b:
        # A node posted to A is read from B, and the other way round.
        for poster_side, reader_side, doc in ((a, b, docs[0]), (b, a, docs[1])):
            gate = start_gate(poster_side, doc, tmp_path)
            rc, output = finish_gate(gate)
            quoted = urllib.parse.quote(doc.key, safe="/")
            seen = httpx.get(
                f"{reader_side.url}/api/v1/nodes/{quoted}",
                headers=reader_side.auth("read"),
                timeout=30,
            )
            assert seen.status_code == 200, seen.text
            assert seen.json()["exit_code"] == rc, output
            assert rc in (0, 1, 3)

        # A storm on both; A dies in the middle of it; B keeps answering.
        with poster(a, threads=8) as on_a, poster(b, threads=8) as on_b:
            on_a.start(docs[2:302])
            on_b.start(docs[302:600], pace=0.005)
            on_a.wait_acked(30)
            a.kill()
            gates = [start_gate(b, doc, tmp_path) for doc in docs[600:]]
            results = [finish_gate(g) for g in gates]
            on_a.pool.shutdown(wait=True)
            on_b.pool.shutdown(wait=True)
            assert on_a.failures > 0, "A died after its storm"
            assert on_b.failures == 0
            assert not on_b.refusals, [r.text for r in on_b.refusals]
            assert len(on_b.acked) == 298
            check_gates(url, gates, results)
            for _, output in results:
                assert "retrying" not in output, output  # B answered at once
            assert missing(url, {**on_a.acked, **on_b.acked}) == []
            # What A acknowledged before it died is served by B.
            key = next(iter(on_a.acked.values()))
            quoted = urllib.parse.quote(key, safe="/")
            assert (
                httpx.get(
                    f"{b.url}/api/v1/nodes/{quoted}", headers=b.auth("read"), timeout=30
                ).status_code
                == 200
            )
