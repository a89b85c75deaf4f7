"""The collector store's speed, printed side by side in one run (a script, not a timed test).

Documents: real fixture inventories (tests/fixtures/inventories, the hosts the shipped
profiles judge) made distinct nodes (hostname, serial, UUID) and judged by the real judge
(tests/storedocs.py), so each submission carries the inventory, result and answer bytes the
collector stores (about 30 KB in all). Then, on this machine's disk:

- floor, single commits: raw sqlite3 (WAL, synchronous=FULL) inserting the same documents
  into one plain table, one durable commit per row: what a store without group commit gets;
- floor, one transaction: the same rows with executemany and one commit (no indexes, no
  idempotency, no node rows): what no store of these documents can beat;
- the SQLite store: submit_batch in batches, and GroupWriter fed by many threads that each
  wait for their submission's commit (as the collector's request handlers do);
- the PostgreSQL store (a private cluster from tests/pgcluster.py, fsync on): the same two.

Each line gives submissions per second (wall) and this process's CPU time per submission:
the collector's target is 1,000 judged-and-committed submissions a second on 2 cores, so the
store should cost a small fraction of 1 ms of CPU per submission.

    .venv/bin/python bench/bench_store.py [--nodes N] [--threads T] [--no-postgresql]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import storedocs  # noqa: E402

from hwcheck.collector.store import Submission, open_store  # noqa: E402
from hwcheck.collector.store.writer import GroupWriter  # noqa: E402

TARGET = 1000.0  # judged-and-committed submissions a second, for the whole collector


def make(n: int, offset: int = 0) -> list[Submission]:
    hosts = [storedocs.load(h) for h in storedocs.HOSTS]
    return [
        storedocs.submission(storedocs.distinct(hosts[i % len(hosts)], offset + i))
        for i in range(n)
    ]


class Timed:
    def __enter__(self) -> Timed:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def _raw_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE s (digest TEXT, inventory BLOB, result BLOB, answer BLOB)")
    return conn


def floor_single(subs: list[Submission], where: str, seconds: float) -> tuple[int, Timed]:
    conn = _raw_connect(os.path.join(where, "single.db"))
    done = 0
    with Timed() as t:
        end = time.perf_counter() + seconds
        for s in subs:
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO s VALUES (?, ?, ?, ?)", (s.digest, s.inventory, s.result, s.answer)
            )
            conn.execute("COMMIT")
            done += 1
            if time.perf_counter() > end:
                break
    conn.close()
    return done, t


def floor_many(subs: list[Submission], where: str) -> tuple[int, Timed]:
    conn = _raw_connect(os.path.join(where, "many.db"))
    with Timed() as t:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO s VALUES (?, ?, ?, ?)",
            [(s.digest, s.inventory, s.result, s.answer) for s in subs],
        )
        conn.execute("COMMIT")
    conn.close()
    return len(subs), t


def store_batches(url: str, subs: list[Submission], batch: int) -> tuple[int, Timed]:
    store = open_store(url)
    try:
        with Timed() as t:
            for at in range(0, len(subs), batch):
                store.submit_batch(subs[at : at + batch])
        assert store.submission_count() == len(subs)
    finally:
        store.close()
    return len(subs), t


def store_writer(url: str, subs: list[Submission], threads: int) -> tuple[int, Timed, int]:
    writer = GroupWriter(lambda: open_store(url))
    writer.submit(subs[0]).result()  # opened and warm
    rest = subs[1:]
    errors: list[BaseException] = []

    def handler(k: int) -> None:
        try:
            for s in rest[k::threads]:
                writer.submit(s).result()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    workers = [threading.Thread(target=handler, args=(k,)) for k in range(threads)]
    before = writer.batches
    with Timed() as t:
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    batches = writer.batches - before
    writer.close()
    if errors:
        raise errors[0]
    return len(rest), t, batches


def line(name: str, n: int, t: Timed, floor: float | None, note: str = "") -> None:
    rate = n / t.wall
    cpu_us = t.cpu / n * 1e6
    ratio = f"{rate / floor:6.2f}x" if floor else "      "
    share = f"{cpu_us / (1e6 / TARGET) * 100:5.1f}%"
    print(f"  {name:<44} {rate:>9,.0f}/s {ratio} {cpu_us:>8.0f} us CPU {share}  {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    subs = make(args.nodes)
    size = sum(len(s.inventory) + len(s.result) + len(s.answer) for s in subs) / len(subs)
    print(
        f"{len(subs)} submissions from {len(storedocs.HOSTS)} fixture hosts, judged in "
        f"{time.perf_counter() - t0:.1f} s; {size / 1024:.1f} KiB stored each"
    )
    where = tempfile.mkdtemp(prefix="hwcheck-bench-store-", dir=os.environ.get("TMPDIR"))
    cluster = None
    print(f"disk: {where}  (CPU: this process; share: of 1 ms, the budget at 1,000/s)")
    print(f"  {'':<44} {'rate':>11} {'vs floor':>7} {'CPU/sub':>14} {'share':>6}")
    try:
        n, t = floor_single(subs, where, seconds=3.0)
        single = n / t.wall
        line("floor: raw SQLite, one durable commit per row", n, t, None)
        n, t = floor_many(subs, where)
        many = n / t.wall
        line("floor: raw SQLite executemany, one commit", n, t, None)
        print(f"  (ratios below are to the single-commit floor, {single:,.0f}/s)")
        n, t = store_batches(f"sqlite://{where}/batches.db", subs, args.batch)
        line(
            f"SQLite store: submit_batch of {args.batch}",
            n,
            t,
            single,
            f"{n / t.wall / many:.2f}x executemany floor",
        )
        n, t, batches = store_writer(f"sqlite://{where}/writer.db", subs, args.threads)
        line(
            f"SQLite store: GroupWriter, {args.threads} waiting threads",
            n,
            t,
            single,
            f"{n / max(1, batches):.0f} per commit",
        )
        if not args.no_postgresql:
            import pgcluster

            base = tempfile.mkdtemp(prefix="hwcheck-bench-pg-")
            os.chmod(base, 0o700)
            try:
                cluster = pgcluster.start_cluster(base)
                n, t = store_batches(cluster.new_database(), subs, args.batch)
                line(f"PostgreSQL store: submit_batch of {args.batch}", n, t, single)
                n, t, batches = store_writer(cluster.new_database(), subs, args.threads)
                line(
                    f"PostgreSQL store: GroupWriter, {args.threads} waiting threads",
                    n,
                    t,
                    single,
                    f"{n / max(1, batches):.0f} per commit",
                )
            finally:
                if cluster is not None:
                    cluster.kill()
                shutil.rmtree(base, ignore_errors=True)
    finally:
        shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
