"""Collector speed: a boot storm against `hwcheck serve`, side by side with the floor, in one run
(a script, not a timed test).

N simulated nodes (default 1,000) post at once: each one a distinct inventory made from the
real fixture hosts (tests/fleetgen.py: its own hostname, serial, UUID, collection time), sent
as the gate sends it (gzip JSON, `Authorization: Bearer`, one connection per submission,
`Connection: close`). Every node posts `--rounds` times (a new collection time each round, so
each post is a new submission); all N post concurrently. Measured, for the SQLite store and a
private PostgreSQL (tests/pgcluster.py), with `--workers 1` and `--workers 2`:

- lost: submissions not answered 2xx, plus those answered 2xx that are not in the store
  afterwards (read back through the store API by node and digest). Must be 0.
- judged-and-committed submissions per second: submissions / (last answer - first send).
- latency of each submission (connect to last byte of the answer): p50, p99, max.

The floor is raw durable SQLite inserts of the same documents (the decompressed inventories)
in a file on the same disk, WAL and synchronous=FULL as the store: one transaction and commit
per document, and batched (512 per transaction, the store writer's batch size).

Targets (issue 10): 0 lost, at least 1,000 submissions/s sustained, p99 at most 1 s.

The load generator is asyncio streams with pre-built request bytes (the request is the gate's
own, hwcheck.gate.client.request_head): about 0.06 ms of CPU per submission here, where
httpx's AsyncClient (`--client httpx`) spends about 1.2 ms, more than the server itself; it
shares the cores with the server, so it must cost little.

    .venv/bin/python bench/bench_collector.py [--nodes N] [--rounds R] [--workers 1,2]
        [--stores sqlite,postgresql] [--client raw|httpx] [--profile-server FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import fleetgen  # noqa: E402
import pgcluster  # noqa: E402
from collectorproc import Collector  # noqa: E402

from hwcheck.collector.store import open_store  # noqa: E402
from hwcheck.gate.client import Target, request_head  # noqa: E402

FLOOR_BATCH = 512
TARGET_RATE = 1000.0
TARGET_P99 = 1.0


class Body:
    """One submission as the gate sends it, and what identifies it afterwards."""

    __slots__ = ("digest", "gz", "inventory")

    def __init__(self, inventory: bytes) -> None:
        self.inventory = inventory
        self.digest = hashlib.sha256(inventory).hexdigest()
        self.gz = gzip.compress(inventory, compresslevel=6, mtime=0)


def make_bodies(nodes: int, rounds: int) -> list[list[Body]]:
    """bodies[node][round]: `nodes` distinct nodes, each with `rounds` distinct submissions."""
    rng = random.Random(10)  # noqa: S311 - a reproducible fleet
    bases = {name: fleetgen.base(name) for name in fleetgen.PASSING_BASES + fleetgen.FAILING_BASES}
    out = []
    for i in range(nodes):
        inv = fleetgen.node(i, rng, bases, 0.05)
        mine = []
        for r in range(rounds):
            inv["collected_at"] = (
                f"2026-12-{1 + r:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
            )
            text = json.dumps(inv, ensure_ascii=False, separators=(",", ":"))
            mine.append(Body(text.encode("utf-8")))
        out.append(mine)
    return out


# ---- the load generator --------------------------------------------------------------------


class Outcome:
    __slots__ = ("latency", "node", "status")

    def __init__(self, status: int, latency: float, node: str | None) -> None:
        self.status = status
        self.latency = latency
        self.node = node


async def _post_raw(host: str, port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length) if length else await reader.read()
        return status, body
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _storm(
    url: str, token: str, bodies: list[list[Body]], client: str
) -> tuple[list[Outcome], float]:
    """Every node posts its rounds one after another, all nodes at once: outcomes, wall time."""
    target = Target(url + "/api/v1/submissions")
    requests = [[request_head(target, token, len(b.gz)) + b.gz for b in node] for node in bodies]
    go = asyncio.Event()
    outcomes: list[Outcome] = []
    httpx_client = None
    if client == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=0)
        httpx_client = httpx.AsyncClient(limits=limits, timeout=120)

    async def one_node(mine: list[bytes], node_bodies: list[Body]) -> None:
        await go.wait()
        for request, body in zip(mine, node_bodies, strict=True):
            t0 = time.perf_counter()
            if httpx_client is not None:
                answer = await httpx_client.post(
                    target_url,
                    content=body.gz,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                        "Content-Encoding": "gzip",
                        "Connection": "close",
                    },
                )
                status, data = answer.status_code, answer.content
            else:
                status, data = await _post_raw(target.host, target.port, request)
            latency = time.perf_counter() - t0
            node = json.loads(data)["node"] if status == 200 else None
            outcomes.append(Outcome(status, latency, node))

    target_url = url + "/api/v1/submissions"
    tasks = [asyncio.create_task(one_node(r, b)) for r, b in zip(requests, bodies, strict=True)]
    await asyncio.sleep(0.2)  # every task waits at the gate
    start = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    if httpx_client is not None:
        await httpx_client.aclose()
    return outcomes, wall


def storm(
    url: str, token: str, bodies: list[list[Body]], client: str
) -> tuple[list[Outcome], float]:
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    return runner(_storm(url, token, bodies, client))


# ---- what the store holds afterwards ------------------------------------------------------------


def missing_from_store(store_url: str, bodies: list[list[Body]], outcomes: list[Outcome]) -> int:
    """Submissions answered 2xx whose digest the store does not hold."""
    store = open_store(store_url)
    try:
        held: set[str] = set()
        for node in {o.node for o in outcomes if o.node is not None}:
            held.update(entry.digest for entry in store.history(node, limit=10_000))
        sent = {b.digest for node in bodies for b in node}
        answered = sum(1 for o in outcomes if o.status == 200)
        count = store.submission_count()
        missing = len(sent - held)
        if count != len(sent) or answered != len(sent):
            print(f"    store holds {count} submissions, {answered} answered 2xx, {len(sent)} sent")
        return missing
    finally:
        store.close()


# ---- the floor ----------------------------------------------------------------------------------


def floor(bodies: list[list[Body]], directory: str) -> tuple[float, float]:
    """Raw durable SQLite inserts of the same documents: (per-commit/s, batched/s)."""
    docs = [(b.digest, b.inventory) for node in bodies for b in node]
    rates = []
    for batch in (1, FLOOR_BATCH):
        path = os.path.join(directory, f"floor-{batch}.db")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE doc (digest TEXT PRIMARY KEY, inventory BLOB NOT NULL)")
        t0 = time.perf_counter()
        for i in range(0, len(docs), batch):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO doc VALUES (?, ?)", docs[i : i + batch])
            conn.execute("COMMIT")
        rates.append(len(docs) / (time.perf_counter() - t0))
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path + suffix)
    return rates[0], rates[1]


# ---- where a submission's time goes --------------------------------------------------------


def breakdown(bodies: list[list[Body]], directory: str, sample: int = 300) -> None:
    """The server's per-submission work, stage by stage, in this process on one core: the
    same calls hwcheck.collector.submission.judge_submission makes, each timed over `sample`
    submissions, and the store's batch write (one commit per submission and 512 per commit)."""
    from hwcheck.collector.profiles import ProfileSet
    from hwcheck.collector.submission import inflate, judge_submission
    from hwcheck.fleet.identity import node_key
    from hwcheck.judge import judge_node
    from hwcheck.model.documents import check_inventory, parse_json
    from hwcheck.model.summary import node_summary

    chosen = [b for node in bodies for b in node][:sample]
    generation = ProfileSet(None, None, None, strict=False).current
    now = "2026-12-02T10:00:00Z"
    stages: dict[str, float] = {}

    def timed(name: str, fn, items):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        out = [fn(x) for x in items]
        stages[name] = (time.perf_counter() - t0) / len(items)
        return out

    datas = timed("gunzip", lambda b: inflate(b.gz), chosen)
    docs = timed("json parse", lambda d: parse_json(d, what="an inventory", where="s"), datas)
    invs = timed("document check", lambda d: check_inventory(d, where="s"), docs)
    timed(
        "identity",
        lambda i: node_key(*(node_summary(i)[k] for k in ("hostname", "serial", "product_uuid"))),
        invs,
    )
    picks = timed("profile selection", lambda i: generation.selection.pick(i)[0], invs)
    results = timed(
        "judge",
        lambda pair: judge_node(pair[0], pair[1], today=now[:10], judged_at=now),
        list(zip(picks, invs, strict=True)),
    )
    timed(
        "result encode",
        lambda r: json.dumps(
            {k: v for k, v in r.items() if k != "inventory"},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        results,
    )
    subs = timed(
        "judge_submission (all)", lambda d: judge_submission(d, generation, received_at=now), datas
    )
    for batch in (1, FLOOR_BATCH):
        store = open_store("sqlite://" + os.path.join(directory, f"breakdown-{batch}.db"))
        try:
            t0 = time.perf_counter()
            for i in range(0, len(subs), batch):
                store.submit_batch(subs[i : i + batch])
            stages[f"store submit_batch, {batch}/commit"] = (time.perf_counter() - t0) / len(subs)
        finally:
            store.close()
    parts = sum(v for k, v in stages.items() if k in PARTS)
    print(f"per-submission cost, in-process on one core, mean of {len(chosen)}:")
    for name, seconds in stages.items():
        print(f"    {name:<32} {seconds * 1e6:8.0f} us")
    print(f"    {'sum of the parts above':<32} {parts * 1e6:8.0f} us")


def print_profile(path: str) -> None:
    import pstats

    print(f"server profile ({path}), the event loop's thread, top by own time:")
    stats = pstats.Stats(path)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


PARTS = (
    "gunzip",
    "json parse",
    "document check",
    "identity",
    "profile selection",
    "judge",
    "result encode",
)


# ---- one run ----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run_one(
    store_url: str,
    workers: int,
    bodies: list[list[Body]],
    client: str,
    env: dict[str, str],
    *,
    profile_out: str | None = None,
) -> dict[str, float]:
    c = Collector(store_url, workers=workers, env=env)
    if profile_out is not None:  # the server's main thread (the event loop) under cProfile
        at = c.argv.index("-m")
        c.argv[at : at + 2] = ["-m", "cProfile", "-o", profile_out, "-m", "hwcheck"]
    with c:
        assert c.process is not None
        server0, client0 = tree_cpu(c.process.pid), time.process_time()
        outcomes, wall = storm(c.url, c.enroll_token, bodies, client)
        server_cpu = tree_cpu(c.process.pid) - server0
        client_cpu = time.process_time() - client0
        lost_answer = sum(1 for o in outcomes if o.status != 200)
        statuses: dict[int, int] = {}
        for o in outcomes:
            statuses[o.status] = statuses.get(o.status, 0) + 1
        missing = missing_from_store(c.store_url, bodies, outcomes)
        latencies = [o.latency for o in outcomes]
        if lost_answer:
            print(f"    statuses: {statuses}")
        return {
            "lost": lost_answer + missing,
            "rate": len(outcomes) / wall,
            "wall": wall,
            "p50": pct(latencies, 0.50),
            "p99": pct(latencies, 0.99),
            "max": max(latencies),
            "mean": statistics.fmean(latencies),
            "server_cpu": server_cpu / len(outcomes),
            "client_cpu": client_cpu / len(outcomes),
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--stores", default="sqlite,postgresql")
    ap.add_argument("--client", choices=("raw", "httpx"), default="raw")
    ap.add_argument(
        "--profile-server",
        metavar="FILE",
        help="run the server (--workers 1 only) under cProfile and write its stats to FILE, "
        "then print the top functions",
    )
    args = ap.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",")]
    stores = args.stores.split(",")

    t0 = time.perf_counter()
    bodies = make_bodies(args.nodes, args.rounds)
    total = args.nodes * args.rounds
    gz = statistics.fmean(len(b.gz) for node in bodies for b in node)
    raw = statistics.fmean(len(b.inventory) for node in bodies for b in node)
    print(
        f"{args.nodes} nodes x {args.rounds} rounds = {total} distinct submissions "
        f"(inventory {raw / 1024:.1f} KiB, gzip {gz / 1024:.1f} KiB; built in "
        f"{time.perf_counter() - t0:.1f} s); {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} (other work shares them); client {args.client}"
    )
    work = tempfile.mkdtemp(prefix="hwcheck-bench-collector-")
    cluster = None
    pg_base = None
    results: dict[tuple[str, int], dict[str, float]] = {}
    try:
        per_commit, batched = floor(bodies, work)
        print(
            f"floor: raw durable SQLite inserts (WAL, synchronous=FULL) on this disk: "
            f"{per_commit:,.0f}/s one commit per document, "
            f"{batched:,.0f}/s {FLOOR_BATCH} per commit"
        )
        breakdown(bodies, work)
        env = {"HWCHECK_STATE_DIR": work}
        for store in stores:
            for w in workers:
                if store == "sqlite":
                    url = "sqlite://" + os.path.join(work, f"bench-{w}-{time.monotonic_ns()}.db")
                else:
                    if cluster is None:
                        pg_base = tempfile.mkdtemp(prefix="hwcheck-bench-pg-")
                        cluster = pgcluster.start_cluster(pg_base)
                    url = cluster.new_database()
                out = args.profile_server if w == 1 and args.profile_server else None
                r = run_one(url, w, bodies, args.client, env, profile_out=out)
                if out is not None:
                    print_profile(out)
                results[(store, w)] = r
                ok = r["lost"] == 0 and r["rate"] >= TARGET_RATE and r["p99"] <= TARGET_P99
                print(
                    f"{store:<10} --workers {w}: lost {r['lost']:.0f}, {r['rate']:,.0f} "
                    f"submissions/s ({total} in {r['wall']:.2f} s), latency p50 "
                    f"{r['p50'] * 1000:.0f} ms, p99 {r['p99'] * 1000:.0f} ms, max "
                    f"{r['max'] * 1000:.0f} ms; {r['rate'] / per_commit:.2f}x the per-commit "
                    f"floor, {r['rate'] / batched:.3f}x the batched floor  "
                    f"[{'meets' if ok else 'MISSES'} the targets: 0 lost, >= 1,000/s, p99 <= 1 s]"
                )
                print(
                    f"{'':<10}   CPU per submission: server {r['server_cpu'] * 1000:.2f} ms "
                    f"(all its processes and threads), load generator "
                    f"{r['client_cpu'] * 1000:.2f} ms"
                )
    finally:
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.kill()
        if pg_base is not None:
            shutil.rmtree(pg_base, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r["lost"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
