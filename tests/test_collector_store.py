"""The collector's store (hwcheck.collector.store), on SQLite and on a real PostgreSQL.

Every test runs against both backends (params "sqlite" and "postgresql"; the PostgreSQL
cluster is tests/pgcluster.py's). Submissions are real fixture inventories judged by the real
judge (tests/storedocs.py), made distinct nodes.
"""

from __future__ import annotations

import dataclasses
import json
import threading

import pytest
import storedocs

from hwcheck.collector.store import (
    NodeQuery,
    StoreError,
    open_store,
)
from hwcheck.collector.store.writer import GroupWriter
from hwcheck.errors import HwcheckError

BACKENDS = ("sqlite", "postgresql")


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
    assert store.submission_count() == 2
    assert [n.submissions for n in store.nodes(NodeQuery())] == [1, 1]
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
