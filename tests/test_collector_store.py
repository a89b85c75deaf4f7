"""The collector's store (hwcheck.collector.store), on SQLite and on a real PostgreSQL.

Every test runs against both backends (params "sqlite" and "postgresql"; the PostgreSQL
cluster is tests/pgcluster.py's). Submissions are real fixture inventories judged by the real
judge (tests/storedocs.py), made distinct nodes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading

import pytest
import storedocs
from runcli import run_hwcheck

from hwcheck.collector.store import (
    NodeQuery,
    Stored,
    StoreError,
    StoreFull,
    StoreUnavailable,
    common,
    migrations,
    open_store,
)
from hwcheck.collector.store.writer import GroupWriter
from hwcheck.errors import HwcheckError

pytest_plugins = ("pgcluster",)  # the `pgcluster` fixture
BACKENDS = ("sqlite", "postgresql")
TESTS = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """A fresh, empty store's URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/collector.db"
    cluster = request.getfixturevalue("pgcluster")
    return cluster.new_database()


@pytest.fixture
def store(store_url):
    opened = open_store(store_url)
    yield opened
    opened.close()


_made: dict[tuple[int, str | None, str], object] = {}


def sub(
    i: int,
    *,
    host: int | None = None,
    collected_at: str | None = None,
    received_at: str = "2026-12-02T10:00:00Z",
):
    """Node `i`'s submission: fixture host number `host` (default i mod the hosts)."""
    name = storedocs.HOSTS[(i if host is None else host) % len(storedocs.HOSTS)]
    key = (i, name, collected_at, received_at)
    if key not in _made:
        inventory = storedocs.distinct(storedocs.load(name), i, collected_at=collected_at)
        _made[key] = storedocs.submission(inventory, received_at=received_at)
    return _made[key]


def test_a_batch_is_stored_and_read_back_as_submitted(store):
    subs = [sub(i) for i in range(10)]
    stored = store.submit_batch(subs)
    assert [s.digest for s in stored] == [s.digest for s in subs]
    assert not any(s.duplicate for s in stored)
    assert len({s.id for s in stored}) == 10
    assert [s.answer for s in stored] == [s.answer for s in subs]

    nodes = store.nodes(NodeQuery())
    assert [n.node_key for n in nodes] == sorted(s.node_key for s in subs)
    by_key = {s.node_key: (s, st) for s, st in zip(subs, stored, strict=True)}
    for node in nodes:
        s, st = by_key[node.node_key]
        assert (node.hostname, node.serial, node.product_uuid) == (
            s.hostname,
            s.serial,
            s.product_uuid,
        )
        assert (node.system_vendor, node.system_model) == (s.system_vendor, s.system_model)
        assert (node.collected_at, node.received_at) == (s.collected_at, s.received_at)
        assert (node.verdict, node.exit_code, node.profiles) == (s.verdict, s.exit_code, s.profiles)
        assert (node.submission_id, node.submissions) == (st.id, 1)
        assert store.node(node.node_key) == node
        assert store.document(st.id, "inventory") == s.inventory
        assert store.document(st.id, "result") == s.result
    assert store.node("no-such-node") is None
    assert store.document(max(st.id for st in stored) + 1000, "result") is None
    assert store.submission_count() == 10


def test_a_replay_is_stored_once_and_answered_with_the_first_answer(store):
    first = sub(1)
    (original,) = store.submit_batch([first])
    later = dataclasses.replace(first, received_at="2026-12-02T11:00:00Z", answer=b'{"other":1}')
    (replay,) = store.submit_batch([later])
    assert replay == dataclasses.replace(original, duplicate=True)
    assert replay.answer == first.answer
    # twice in one batch, beside a new one
    again = store.submit_batch([sub(2), later, sub(2)])
    assert [s.duplicate for s in again] == [False, True, True]
    assert again[0].id == again[2].id and again[1].id == original.id
    assert again[2].answer == sub(2).answer
    # two copies that differ in their answer (received at different times): the first's
    a = sub(9)
    b = dataclasses.replace(a, received_at="2026-12-02T12:00:00Z", answer=b'{"second":1}')
    pair = store.submit_batch([a, b])
    assert [s.duplicate for s in pair] == [False, True]
    assert pair[0].answer == pair[1].answer == a.answer
    assert store.node(a.node_key).received_at == a.received_at  # type: ignore[union-attr]
    (replay,) = store.submit_batch([b])
    assert replay.answer == a.answer
    assert store.submission_count() == 3
    assert [n.submissions for n in store.nodes(NodeQuery())] == [1, 1, 1]
    assert len(store.history(first.node_key)) == 1


def test_the_latest_is_the_newest_collected_then_the_latest_received(store):
    new = sub(3, collected_at="2026-12-02T09:00:00Z")
    old = sub(3, host=1, collected_at="2026-12-01T09:00:00Z", received_at="2026-12-02T12:00:00Z")
    assert new.node_key == old.node_key and new.verdict != old.verdict
    (got_new,) = store.submit_batch([new])
    (got_old,) = store.submit_batch([old])  # arrives later, but was collected earlier
    node = store.node(new.node_key)
    assert node is not None
    assert (node.submission_id, node.verdict, node.submissions) == (got_new.id, new.verdict, 2)
    assert store.verdict_counts()[new.verdict] == 1
    assert store.verdict_counts()[old.verdict] == 0
    # the same collection time: the later received counts
    tie = sub(3, host=2, collected_at="2026-12-02T09:00:00Z", received_at="2026-12-02T13:00:00Z")
    (got_tie,) = store.submit_batch([tie])
    node = store.node(new.node_key)
    assert node is not None and (node.submission_id, node.verdict) == (got_tie.id, tie.verdict)
    assert [h.submission_id for h in store.history(new.node_key)] == [
        got_tie.id,
        got_new.id,
        got_old.id,
    ]
    assert [h.submission_id for h in store.history(new.node_key, limit=1)] == [got_tie.id]
    # the node's filters follow its latest: its rules are the tie's now, not the earlier's
    assert set(store.rule_counts()) == set(tie.rules)
    gone = {r for r, _ in new.rules} - {r for r, _ in tie.rules}
    assert gone
    for rule in gone:
        assert store.nodes(NodeQuery(rule=rule)) == []
    for rule, _ in tie.rules:
        assert [n.node_key for n in store.nodes(NodeQuery(rule=rule))] == [new.node_key]


def test_within_one_batch_the_newest_of_a_node_counts(store):
    a = sub(4, collected_at="2026-12-02T08:00:00Z")
    b = sub(4, host=3, collected_at="2026-12-02T09:00:00Z")
    stored = store.submit_batch([b, a])
    node = store.node(a.node_key)
    assert node is not None
    assert (node.submission_id, node.submissions, node.verdict) == (stored[0].id, 2, b.verdict)


def test_filters_and_counts_are_over_each_nodes_latest(store):
    subs = [sub(i) for i in range(20)]
    store.submit_batch(subs)
    everyone = {s.node_key for s in subs}

    def keys(**filters: object) -> set[str]:
        return {n.node_key for n in store.nodes(NodeQuery(**filters))}  # type: ignore[arg-type]

    for verdict in ("compliant", "noncompliant", "unknown", "error"):
        assert keys(verdict=verdict) == {s.node_key for s in subs if s.verdict == verdict}
    models = {m for s in subs for m in s.card_models}
    for model in models:
        assert keys(model=model) == {s.node_key for s in subs if model in s.card_models}
    for profile in {p for s in subs for p in s.profiles}:
        assert keys(profile=profile) == {s.node_key for s in subs if profile in s.profiles}
    rules = {r for s in subs for r, _ in s.rules}
    assert rules, "the fixtures have failing rules"
    for rule in rules:
        assert keys(rule=rule) == {s.node_key for s in subs if rule in dict(s.rules)}
    assert keys(rule="no.such.rule") == set()
    verdict, model = "noncompliant", "15b3:101d:15b3:0016"
    assert keys(verdict=verdict, model=model) == {
        s.node_key for s in subs if s.verdict == verdict and model in s.card_models
    }
    assert keys() == everyone
    ordered = [n.node_key for n in store.nodes(NodeQuery())]
    assert [n.node_key for n in store.nodes(NodeQuery(limit=5, offset=5))] == ordered[5:10]
    counts = store.verdict_counts()
    assert set(counts) == {"compliant", "noncompliant", "unknown", "error"}
    for v, n in counts.items():
        assert n == sum(1 for s in subs if s.verdict == v)
    expected: dict[tuple[str, str], int] = {}
    for s in subs:
        for rule in set(s.rules):
            expected[rule] = expected.get(rule, 0) + 1
    assert store.rule_counts() == expected


def test_latest_streams_every_nodes_latest_documents(store):
    subs = [sub(i) for i in range(7)]
    store.submit_batch(subs)
    store.submit_batch([sub(0, host=1, collected_at="2020-01-01T00:00:00Z")])  # older: no change
    by_key = {s.node_key: s for s in subs}
    walked = list(store.latest(with_inventory=True))
    assert [n.node_key for n, _, _ in walked] == sorted(by_key)
    for node, result, inventory in walked:
        assert result == by_key[node.node_key].result
        assert inventory == by_key[node.node_key].inventory
        assert json.loads(result)["kind"] == "hwcheck-result"
    bare = list(store.latest(with_inventory=False))
    assert [(n, r) for n, r, _ in bare] == [(n, r) for n, r, _ in walked]
    assert all(i is None for _, _, i in bare)


def test_what_a_batch_stored_is_there_after_reopening(store_url):
    first = open_store(store_url)
    stored = first.submit_batch([sub(i) for i in range(5)])
    first.close()
    again = open_store(store_url)
    try:
        assert {n.submission_id for n in again.nodes(NodeQuery())} == {s.id for s in stored}
        assert again.submission_count() == 5
        assert again.ping() is None
    finally:
        again.close()


def test_group_writer_commits_many_waiting_submissions_in_few_transactions(store_url):
    writer = GroupWriter(lambda: open_store(store_url))
    subs = [sub(i) for i in range(200)]
    futures: list[object] = [None] * len(subs)

    def post(at: int) -> None:
        for i in range(at, len(subs), 8):
            futures[i] = writer.submit(subs[i])

    threads = [threading.Thread(target=post, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results = [f.result(timeout=60) for f in futures]  # type: ignore[attr-defined]
    replay = writer.submit(subs[0]).result(timeout=60)
    batches = writer.batches
    writer.close()
    assert [r.digest for r in results] == [s.digest for s in subs]
    assert not any(r.duplicate for r in results) and replay.duplicate
    assert batches < len(subs) + 1, "submissions were grouped into transactions"
    reader = open_store(store_url)
    try:
        assert reader.submission_count() == 200
        assert len(reader.nodes(NodeQuery())) == 200
    finally:
        reader.close()
    late = writer.submit(subs[1])
    with pytest.raises(StoreError):
        late.result(timeout=5)


@pytest.mark.parametrize(
    "url",
    ["mysql://x/y", "sqlite://relative.db", "sqlite:", "sqlite:///tmp/dir/", "", "/tmp/x.db"],
)
def test_a_bad_url_is_one_clear_error_at_store(url):
    with pytest.raises(HwcheckError) as caught:
        open_store(url)
    assert caught.value.where == "--store"
    assert "\n" not in caught.value.message


# ---- migrations ----------------------------------------------------------------------------


def _raw(url: str):  # a DB-API connection of either backend
    """A plain connection to the store's database, and the placeholder its SQL uses."""
    if url.startswith("sqlite:"):
        import sqlite3

        from hwcheck.collector.store.sqlite import sqlite_path

        return sqlite3.connect(sqlite_path(url), isolation_level=None), "?"
    import psycopg

    return psycopg.connect(url, autocommit=True), "%s"


def test_a_store_at_an_older_schema_version_is_migrated_on_open(store_url):
    """A version-1 store (no filter tables) holding a node: opened, it is at the latest
    version and its node is found by the filters version 2 added."""
    conn, mark = _raw(store_url)
    dialect = "sqlite" if mark == "?" else "postgresql"
    s = sub(7)
    assert s.rules
    try:
        migrations.migrate(conn.execute, 0, dialect=dialect, where="t", upto=1)
        row = common._submission_row(s)  # the columns version 1 has
        conn.execute(common.INSERT_SUBMISSION.replace("?", mark), row)
        (row_id,) = conn.execute("SELECT id FROM submissions").fetchone()
        conn.execute(common.INSERT_DOCUMENTS.replace("?", mark), (row_id, s.inventory, s.result))
        conn.execute(
            common.UPSERT_NODE.replace("?", mark),
            (s.node_key, row_id, s.collected_at, s.received_at, s.digest, s.verdict, 1),
        )
        (version,) = conn.execute("SELECT version FROM schema_version").fetchone()
        assert version == 1
    finally:
        conn.close()
    store = open_store(store_url)
    try:
        assert store.schema_version() == migrations.LATEST  # type: ignore[attr-defined]
        rule, _ = s.rules[0]
        assert [n.node_key for n in store.nodes(NodeQuery(rule=rule))] == [s.node_key]
        assert [n.node_key for n in store.nodes(NodeQuery(model=s.card_models[0]))] == [s.node_key]
        assert [n.node_key for n in store.nodes(NodeQuery(profile=s.profiles[0]))] == [s.node_key]
        assert store.rule_counts() == dict.fromkeys(s.rules, 1)
        (again,) = store.submit_batch([s, sub(8)])[:1]
        assert again.duplicate and again.id == row_id
    finally:
        store.close()


def test_a_store_newer_than_this_hwcheck_knows_is_refused(store_url):
    open_store(store_url).close()
    conn, _ = _raw(store_url)
    try:
        conn.execute(f"UPDATE schema_version SET version = {migrations.LATEST + 1}")  # noqa: S608
    finally:
        conn.close()
    with pytest.raises(StoreError) as caught:
        open_store(store_url)
    message = str(caught.value)
    assert f"version {migrations.LATEST + 1}, newer than this hwcheck knows" in message
    assert "\n" not in message and caught.value.where is not None
    conn, _ = _raw(store_url)
    try:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == (
            migrations.LATEST + 1
        )
    finally:
        conn.close()
    # the CLI says it in one line, and exits 2
    done = run_hwcheck("fleet", "--store", store_url, "--json", "-")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("hwcheck: error: ") and "newer than this hwcheck" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


OPEN_AT_ONCE = """
import sys, time
sys.path.insert(0, {tests!r})
import storedocs
from hwcheck.collector.store import open_store
i, url, at = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
s = storedocs.submission(storedocs.distinct(storedocs.load(storedocs.HOSTS[i % 5]), 900 + i))
time.sleep(max(0.0, at - time.time()))
store = open_store(url)
store.submit_batch([s])
print(store.schema_version())
store.close()
"""


def test_several_processes_opening_one_new_store_at_once_migrate_it_once(store_url):
    import subprocess
    import sys
    import time

    code = OPEN_AT_ONCE.format(tests=TESTS)
    at = time.time() + 2.0
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(i), store_url, str(at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(6)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        assert out.strip() == str(migrations.LATEST)
    store = open_store(store_url)
    try:
        assert store.submission_count() == 6
        conn, _ = _raw(store_url)
        try:
            assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 1
        finally:
            conn.close()
    finally:
        store.close()


# ---- durability and faults -----------------------------------------------------------------

SUBMIT_LOOP = """
import sys
sys.path.insert(0, {tests!r})
import storedocs
from hwcheck.collector.store import open_store
url, start = sys.argv[1], int(sys.argv[2])
hosts = [storedocs.load(h) for h in storedocs.HOSTS]
store = open_store(url)
i = start
while True:
    batch = [storedocs.submission(storedocs.distinct(hosts[n % 5], n)) for n in range(i, i + 7)]
    i += 7
    for stored in store.submit_batch(batch):
        print(stored.id, stored.digest, flush=True)
"""


def test_every_batch_that_returned_survives_kill_9(store_url):
    """A writer killed with SIGKILL at random points, five times: whatever submit_batch
    returned is in the store when it is opened again."""
    import random
    import signal
    import subprocess
    import sys

    code = SUBMIT_LOOP.format(tests=TESTS)
    acked: dict[str, int] = {}
    start = 0
    for _ in range(5):
        child = subprocess.Popen(
            [sys.executable, "-c", code, store_url, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        want = random.randint(20, 120)  # noqa: S311 - where to kill, not a secret
        seen = 0
        for line in child.stdout:
            row_id, digest = line.split()
            acked[digest] = int(row_id)
            seen += 1
            if seen >= want:
                break
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        rest = child.stdout.read()  # acknowledged in the pipe before the kill landed
        for line in rest.splitlines():
            row_id, digest = line.split()
            acked[digest] = int(row_id)
        assert seen >= want, child.stderr.read() if child.stderr else ""
        start += 100_000
    store = open_store(store_url)
    try:
        for digest, row_id in acked.items():
            document = store.document(row_id, "inventory")
            assert document is not None, f"acknowledged submission {row_id} lost"
            assert hashlib.sha256(document).hexdigest() == digest
        assert store.submission_count() >= len(acked)
    finally:
        store.close()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 512 KiB tmpfs, unmounted afterwards."""
    import subprocess

    where = tmp_path / "tiny"
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def test_a_full_disk_is_store_full_and_what_was_stored_stays(tiny_disk):
    url = f"sqlite://{tiny_disk}/collector.db"
    store = open_store(url)
    stored: list[Stored] = []
    try:
        with pytest.raises(StoreFull) as caught:
            for n in range(0, 10_000, 3):
                stored += store.submit_batch([sub(n + k) for k in range(3)])
        assert "full" in str(caught.value) and "\n" not in str(caught.value)
        assert stored, "some batches fitted before the disk filled"
        # still full: the next batch is refused the same way, and reads go on
        with pytest.raises(StoreFull):
            store.submit_batch([sub(20_000)])
        assert store.submission_count() == len(stored)
    finally:
        store.close()
    again = open_store(url)
    try:
        assert {n.submission_id for n in again.nodes(NodeQuery(limit=100_000))} == {
            s.id for s in stored
        }
        for s in stored:
            assert again.document(s.id, "result") is not None
    finally:
        again.close()


@pytest.fixture
def pg_tiny_tablespace(pgcluster):
    """A database whose tablespace is a 12 MiB tmpfs (the template's copy fills most of it)."""
    import subprocess

    import psycopg

    if pgcluster.data is None:
        pytest.skip("HWCHECK_TEST_POSTGRES names a server whose disks these tests cannot fill")
    where = os.path.join(os.path.dirname(pgcluster.data), "tablespace")  # the server can reach it
    os.mkdir(where)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(where)], check=True)
    name = f"tiny_{os.getpid()}"
    try:
        os.chown(where, *_postgres_ids())
        with psycopg.connect(pgcluster.url, autocommit=True) as conn:
            conn.execute(f"CREATE TABLESPACE {name} LOCATION '{where}'")
            conn.execute(f"CREATE DATABASE {name} TABLESPACE {name}")
        yield pgcluster.url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(pgcluster.url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"DROP TABLESPACE IF EXISTS {name}")
        subprocess.run(["umount", str(where)], check=True)
        os.rmdir(where)


def _postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def test_a_full_postgresql_tablespace_is_store_full_and_what_was_stored_stays(
    pg_tiny_tablespace,
):
    store = open_store(pg_tiny_tablespace)
    stored: list[Stored] = []
    try:
        with pytest.raises(StoreFull):
            for n in range(0, 100_000, 10):
                stored += store.submit_batch([sub(n + k) for k in range(10)])
        assert stored
        assert store.submission_count() == len(stored)
        for s in stored[:: max(1, len(stored) // 20)]:
            assert store.document(s.id, "inventory") is not None
    finally:
        store.close()


def test_postgresql_restarted_is_unavailable_then_the_writer_goes_on(pgcluster):
    url = pgcluster.new_database()
    store = open_store(url)
    writer = GroupWriter(lambda: open_store(url))
    try:
        assert not writer.submit(sub(1)).result(timeout=30).duplicate
        store.submit_batch([sub(2)])
        pgcluster.stop()
        try:
            with pytest.raises(StoreUnavailable):
                store.submit_batch([sub(3)])
            with pytest.raises(StoreUnavailable):
                store.ping()
            with pytest.raises(StoreUnavailable):
                writer.submit(sub(4)).result(timeout=60)
            with pytest.raises(StoreUnavailable):
                open_store(url)
        finally:
            pgcluster.start()
        assert not writer.submit(sub(4)).result(timeout=30).duplicate
        assert not store.submit_batch([sub(3)])[0].duplicate
        store.ping()
        assert store.submission_count() == 4
        # a restart under a writer with work queued: retried by its caller, nothing doubled
        pgcluster.restart()
        futures = [writer.submit(sub(n)) for n in range(5, 25)]
        failed = []
        for n, future in zip(range(5, 25), futures, strict=True):
            try:
                future.result(timeout=60)
            except StoreUnavailable:
                failed.append(n)
        for n in failed:
            writer.submit(sub(n)).result(timeout=60)
        assert store.submission_count() == 24
    finally:
        writer.close()
        store.close()


def test_two_writers_storing_overlapping_batches_at_once_store_each_digest_once(store_url):
    """Two collectors on one store (two stores opened on it), each storing the same
    submissions in its own order at the same time: every digest once, both answered with
    its one row, and each node counted once per digest."""
    subs = [sub(i) for i in range(60)]
    stores = [open_store(store_url), open_store(store_url)]
    got: list[list[Stored]] = [[], []]
    errors: list[BaseException] = []

    def write(k: int) -> None:
        order = subs if k == 0 else subs[::-1]
        try:
            for at in range(0, len(order), 6):
                got[k] += stores[k].submit_batch(order[at : at + 6])
        except BaseException as err:  # noqa: BLE001 - asserted below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        ids = [{s.digest: s.id for s in got[k]} for k in (0, 1)]
        assert ids[0] == ids[1] and len(ids[0]) == 60
        for k in (0, 1):
            assert {s.digest: s.answer for s in got[k]} == {s.digest: s.answer for s in subs}
        assert sum(not s.duplicate for k in (0, 1) for s in got[k]) == 60
        assert stores[0].submission_count() == 60
        assert all(n.submissions == 1 for n in stores[0].nodes(NodeQuery()))
    finally:
        for store in stores:
            store.close()


def test_the_default_store_is_under_the_state_directory(monkeypatch, tmp_path):
    from hwcheck.collector.store import default_store_url

    monkeypatch.setenv("HWCHECK_STATE_DIR", str(tmp_path / "state"))
    assert default_store_url() == f"sqlite://{tmp_path}/state/collector.db"
    monkeypatch.delenv("HWCHECK_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    expected = "/var/lib/hwcheck" if os.geteuid() == 0 else f"{tmp_path}/xdg/hwcheck"
    assert default_store_url() == f"sqlite://{expected}/collector.db"


def test_a_store_names_itself_without_its_password(pgcluster):
    from hwcheck.collector.store import shown_url

    assert shown_url("postgresql://u:s3cret@db:5432/x?sslmode=require") == (
        "postgresql://u:***@db:5432/x?sslmode=require"
    )
    url = pgcluster.new_database().replace("postgres@", "postgres:s3cret@")
    store = open_store(url)  # trust authentication: the password is not needed
    try:
        assert "s3cret" not in store.url and store.url.startswith("postgresql://postgres:***@")
    finally:
        store.close()
    wrong = url.rsplit(":", 1)[0] + ":1/x"  # a port nothing listens on
    with pytest.raises(StoreUnavailable) as caught:
        open_store(wrong)
    assert "s3cret" not in str(caught.value)
