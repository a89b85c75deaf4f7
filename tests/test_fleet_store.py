"""`hwcheck fleet --store URL [--rejudge]`: the fleet audit over what a collector's store holds.

A real store (SQLite, and a real PostgreSQL from tests/pgcluster.py) is filled through the
Store API with real fixture inventories judged by the real judge (tests/storedocs.py), some
nodes twice (an older and a newer collection); then the real CLI reads it.
"""

from __future__ import annotations

import json
import os

import pytest
import storedocs
from runcli import NO_CACHE, run_hwcheck, write_profile

from hwcheck.collector.store import open_store

pytest_plugins = ("pgcluster",)  # the `pgcluster` fixture


@pytest.fixture(params=("sqlite", "postgresql"))
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/collector.db"
    return request.getfixturevalue("pgcluster").new_database()


def _node(i: int, host: int, collected_at: str, received_at: str = "2026-12-02T10:00:00Z"):
    name = storedocs.HOSTS[host]
    inventory = storedocs.distinct(storedocs.load(name), i, collected_at=collected_at)
    return storedocs.submission(inventory, received_at=received_at)


def _filled(url: str) -> dict[str, object]:
    """Ten nodes, each fixture host twice; nodes 0-3 also have an older submission of another
    host (the fleet must show the newer). Node key -> the submission that is its latest."""
    latest = {}
    older = []
    for i in range(10):
        sub = _node(i, i % 5, "2026-12-02T09:00:00Z")
        latest[sub.node_key] = sub
        if i < 4:
            older.append(_node(i, (i + 2) % 5, "2026-11-01T09:00:00Z", "2026-12-02T11:00:00Z"))
    store = open_store(url)
    try:
        store.submit_batch(list(latest.values())[:5])
        store.submit_batch(older)  # received later, collected earlier: not the latest
        store.submit_batch(list(latest.values())[5:])
    finally:
        store.close()
    return latest


def _fleet(*args: str) -> tuple[int, dict, str]:
    done = run_hwcheck("fleet", *args, "--json", "-", "--jobs", "2", env=NO_CACHE)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, (json.loads(done.stdout) if done.stdout else {}), done.stderr


def test_fleet_over_a_store_lists_each_nodes_latest_as_judged(store_url):
    latest = _filled(store_url)
    code, fleet, stderr = _fleet("--store", store_url)
    rows = {row["node"]: row for row in fleet["nodes"]}
    assert set(rows) == set(latest)
    for key, sub in latest.items():
        row = rows[key]
        assert row["verdict"] == sub.verdict, key
        assert row["exit_code"] == sub.exit_code
        assert row["collected_at"] == sub.collected_at
        assert row["profiles"] == list(sub.profiles)
        assert row["hostname"] == sub.hostname and row["serial"] == sub.serial
        assert row["error"] is None
        assert row["source"].endswith("#" + key)
        assert row["cards"], "the stored inventory gives the node's cards"
        assert row["links"]
    verdicts = [s.verdict for s in latest.values()]
    assert fleet["counts"]["nodes"] == 10
    assert fleet["counts"]["noncompliant"] == verdicts.count("noncompliant")
    assert fleet["counts"]["compliant"] == verdicts.count("compliant")
    assert fleet["rejudged"] is False
    assert fleet["verdict"] == "noncompliant" and code == 1
    first = stderr.splitlines()[0]
    assert first == (
        f"fleet NON-COMPLIANT: 10 nodes: {verdicts.count('compliant')} compliant, "
        f"{verdicts.count('noncompliant')} non-compliant, 0 unknown, 0 error"
    )


def test_rejudge_judges_stored_inventories_with_todays_profiles(store_url, tmp_path):
    latest = _filled(store_url)
    assert {s.verdict for s in latest.values()} == {"compliant", "noncompliant"}
    # a site profile that refuses every card it has no rule for
    (tmp_path / "site").mkdir()
    strict = write_profile(tmp_path, "site/strict", "", "fail")
    code, kept, _ = _fleet("--store", store_url, "--profile", strict)
    assert {r["node"]: r["verdict"] for r in kept["nodes"]} == {
        k: s.verdict for k, s in latest.items()
    }, "without --rejudge a stored result is taken as judged"
    code, again, _ = _fleet("--store", store_url, "--rejudge", "--profile", strict)
    assert again["rejudged"] is True
    assert code == 1
    assert {row["node"] for row in again["nodes"]} == set(latest)
    for row in again["nodes"]:
        assert row["verdict"] == "noncompliant", row["node"]
        assert row["profiles"] == ["site/strict"]
        assert "hwcheck.unknown-nic" in row["failed_rules"]
    # judged again with the shipped profiles: the verdicts stored
    code, same, _ = _fleet("--store", store_url, "--rejudge")
    assert {r["node"]: r["verdict"] for r in same["nodes"]} == {
        k: s.verdict for k, s in latest.items()
    }


def test_fleet_joins_a_store_with_file_inputs(store_url, tmp_path):
    latest = _filled(store_url)
    extra = storedocs.distinct(storedocs.load("intel-e810-ice"), 777)
    path = tmp_path / "extra.json"
    path.write_text(json.dumps(extra), encoding="utf-8")
    code, fleet, _ = _fleet(str(path), "--store", store_url)
    assert code == 1
    assert {row["node"] for row in fleet["nodes"]} == {*latest, "node00777/SN00000777"}


def test_a_store_that_does_not_exist_is_one_clear_error_and_is_not_made(tmp_path):
    path = tmp_path / "nothing.db"
    done = run_hwcheck("fleet", "--store", f"sqlite://{path}", "--json", "-")
    assert done.returncode == 2
    assert (
        done.stderr == f"hwcheck: error: sqlite://{path}: no store here (the collector "
        "makes it when it first starts)\n"
    )
    assert not os.path.exists(path)
    assert done.stdout == ""


def test_an_empty_postgresql_database_is_not_a_store(pgcluster):
    url = pgcluster.new_database()
    done = run_hwcheck("fleet", "--store", url, "--json", "-")
    assert done.returncode == 2
    assert done.stderr.endswith(": this database holds no hwcheck store\n"), done.stderr
    assert done.stderr.count("\n") == 1


def test_an_empty_store_is_no_node_inputs(tmp_path):
    url = f"sqlite://{tmp_path}/empty.db"
    open_store(url).close()
    done = run_hwcheck("fleet", "--store", url, "--json", "-")
    assert done.returncode == 2
    assert done.stderr == f"hwcheck: error: no node inputs found in {url}\n"


def test_no_inputs_and_no_store_is_a_usage_error():
    done = run_hwcheck("fleet", "--json", "-")
    assert done.returncode == 2
    assert "nothing to judge: give INPUT paths, --store URL, or both" in done.stderr


def test_a_bad_store_url_is_refused_at_store():
    done = run_hwcheck("fleet", "--store", "mysql://db/x", "--json", "-")
    assert done.returncode == 2
    assert done.stderr.startswith("hwcheck: error: --store: 'mysql://db/x' is not a store URL")


def test_a_node_no_profile_applies_to_is_its_named_error_row(store_url):
    """The collector stores a node no profile applies to as unjudged (its reason and who it
    is); a fleet over the store shows it as that node's error row, with its name, never as a
    document it cannot read, and exits 6 (no profile applies), not 2 (an unreadable input)."""
    from hwcheck.collector.profiles import Generation
    from hwcheck.collector.submission import judge_submission

    generation = Generation(1, storedocs.shipped(), None, strict=False, fingerprint=())
    inventory = storedocs.distinct(storedocs.load("qlogic-qede"), 7)
    data = json.dumps(inventory).encode()
    sub = judge_submission(data, generation, received_at="2026-12-02T10:00:00Z")
    assert sub.verdict == "error"
    store = open_store(store_url)
    try:
        store.submit_batch([sub])
    finally:
        store.close()
    code, fleet, _ = _fleet("--store", store_url)
    (row,) = fleet["nodes"]
    assert row["verdict"] == "error" and code == 6
    assert row["exit_code"] == 6 and fleet["exit_code"] == 6
    assert row["node"] == sub.node_key
    assert row["hostname"] == "node00007" and row["serial"] == "SN00000007"
    assert "no profile" in row["error"] and "kind" not in row["error"], row["error"]
