"""What both backends do the same: one batch's SQL, and rows back into dataclasses.

SQL here is written with `?` placeholders (sqlite3's); the PostgreSQL backend turns them into
`%s` once. Statements run on a DB-API cursor inside the caller's transaction.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hwcheck.collector.store import (
    VERDICTS,
    HistoryEntry,
    NodeQuery,
    NodeSummary,
    Stored,
    Submission,
    sort_key,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    Row = Sequence[Any]

CHUNK = 500  # digests looked up per statement

if TYPE_CHECKING:
    Returning = Callable[[Any, str, Sequence[Sequence[object]]], list[Any]]

INSERT_SUBMISSION = (
    "INSERT INTO submissions (digest, node_key, hostname, serial, product_uuid, system_vendor,"
    " system_model, collected_at, received_at, verdict, exit_code, profiles, rules, card_models,"
    " answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (digest) DO NOTHING RETURNING id"
)
INSERT_DOCUMENTS = "INSERT INTO documents (submission_id, inventory, result) VALUES (?, ?, ?)"
# A node's row: a new node, or one more count and (when the new one is newer) the new latest.
UPSERT_NODE = (  # noqa: S608 - constant text
    "INSERT INTO nodes (node_key, submission_id, collected_at, received_at, digest, verdict,"
    " submissions) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (node_key) DO UPDATE SET"
    " submissions = nodes.submissions + excluded.submissions,"
    " submission_id = CASE WHEN {newer} THEN excluded.submission_id"
    " ELSE nodes.submission_id END,"
    " verdict = CASE WHEN {newer} THEN excluded.verdict ELSE nodes.verdict END,"
    " digest = CASE WHEN {newer} THEN excluded.digest ELSE nodes.digest END,"
    " received_at = CASE WHEN {newer} THEN excluded.received_at ELSE nodes.received_at END,"
    " collected_at = CASE WHEN {newer} THEN excluded.collected_at ELSE nodes.collected_at END"
    " RETURNING submission_id"
).format(
    newer="(COALESCE(excluded.collected_at, ''), excluded.received_at, excluded.digest)"
    " > (COALESCE(nodes.collected_at, ''), nodes.received_at, nodes.digest)"
)
FILTER_TABLES = (
    ("node_profiles", "INSERT INTO node_profiles (node_key, profile) VALUES (?, ?)"),
    ("node_models", "INSERT INTO node_models (node_key, model) VALUES (?, ?)"),
    ("node_rules", "INSERT INTO node_rules (node_key, rule_id, status) VALUES (?, ?, ?)"),
)

SUMMARY_COLUMNS = (
    "n.node_key, s.hostname, s.serial, s.product_uuid, s.system_vendor, s.system_model,"
    " s.collected_at, s.received_at, s.verdict, s.exit_code, s.profiles, s.id, n.submissions"
)
SUMMARY_FROM = "FROM nodes n JOIN submissions s ON s.id = n.submission_id"
HISTORY = (
    "SELECT id, digest, collected_at, received_at, verdict, exit_code, profiles"
    " FROM submissions WHERE node_key = ?"
    " ORDER BY COALESCE(collected_at, '') DESC, received_at DESC, digest DESC LIMIT ?"
)
VERDICT_COUNTS = "SELECT verdict, COUNT(*) FROM nodes GROUP BY verdict"
RULE_COUNTS = "SELECT rule_id, status, COUNT(*) FROM node_rules GROUP BY rule_id, status"
DOCUMENT = {
    "inventory": "SELECT inventory FROM documents WHERE submission_id = ?",
    "result": "SELECT result FROM documents WHERE submission_id = ?",
}
SUBMISSION_COUNT = "SELECT COALESCE(SUM(submissions), 0) FROM nodes"


def latest_query(*, with_inventory: bool) -> str:
    documents = "d.result, d.inventory" if with_inventory else "d.result, NULL"
    return (
        f"SELECT {SUMMARY_COLUMNS}, {documents} {SUMMARY_FROM}"
        " JOIN documents d ON d.submission_id = n.submission_id ORDER BY n.node_key"
    )


def nodes_query(query: NodeQuery) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    if query.verdict is not None:
        where.append("n.verdict = ?")
        params.append(query.verdict)
    for value, table, column in (
        (query.model, "node_models", "model"),
        (query.profile, "node_profiles", "profile"),
        (query.rule, "node_rules", "rule_id"),
    ):
        if value is not None:
            where.append(f"n.node_key IN (SELECT node_key FROM {table} WHERE {column} = ?)")  # noqa: S608
            params.append(value)
    sql = f"SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY n.node_key LIMIT ? OFFSET ?"
    params += [max(0, query.limit), max(0, query.offset)]
    return sql, params


def node_query() -> str:
    return f"SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} WHERE n.node_key = ?"


def summary(row: Row) -> NodeSummary:
    return NodeSummary(
        node_key=row[0],
        hostname=row[1],
        serial=row[2],
        product_uuid=row[3],
        system_vendor=row[4],
        system_model=row[5],
        collected_at=row[6],
        received_at=row[7],
        verdict=row[8],
        exit_code=int(row[9]),
        profiles=tuple(json.loads(row[10])),
        submission_id=int(row[11]),
        submissions=int(row[12]),
    )


def history_entry(row: Row) -> HistoryEntry:
    return HistoryEntry(
        submission_id=int(row[0]),
        digest=row[1],
        collected_at=row[2],
        received_at=row[3],
        verdict=row[4],
        exit_code=int(row[5]),
        profiles=tuple(json.loads(row[6])),
    )


def verdict_counts(rows: Sequence[Row]) -> dict[str, int]:
    counts = dict.fromkeys(VERDICTS, 0)
    for verdict, count in rows:
        counts[verdict] = int(count)
    return counts


def returning_each(cursor: Any, query: str, rows: Sequence[Sequence[object]]) -> list[Any]:
    """The first row `query` returns for each of `rows` (None where it returned none), one
    statement at a time: sqlite3's executemany cannot return rows, and in-process calls
    cost little. The PostgreSQL backend sends them in one pipeline instead."""
    out = []
    for row in rows:
        cursor.execute(query, row)
        out.append(cursor.fetchone())
    return out


def apply_batch(
    cursor: Any,
    subs: Sequence[Submission],
    sql: Callable[[str], str],
    returning: Returning = returning_each,
) -> list[Stored]:
    """Store `subs` with `cursor`, inside the caller's transaction: each digest once (a
    digest already stored, or twice in `subs`, answers the first answer), then each node's
    row once, in node order (so concurrent writers lock rows in one order)."""
    first: dict[str, Stored] = {}
    digests = list(dict.fromkeys(sub.digest for sub in subs))
    for at in range(0, len(digests), CHUNK):
        chunk = digests[at : at + CHUNK]
        marks = ", ".join("?" * len(chunk))
        cursor.execute(
            sql(f"SELECT digest, id, answer FROM submissions WHERE digest IN ({marks})"),  # noqa: S608
            chunk,
        )
        for digest, row_id, answer in cursor.fetchall():
            first[digest] = Stored(int(row_id), digest, duplicate=True, answer=bytes(answer))
    fresh: dict[str, tuple[Submission, int]] = {}
    unique: dict[str, Submission] = {}
    for sub in subs:
        if sub.digest not in first:
            unique.setdefault(sub.digest, sub)  # the first copy is the one stored
    new = sorted(unique.values(), key=_digest)
    ids = returning(cursor, sql(INSERT_SUBMISSION), [_submission_row(s) for s in new])
    for sub, got in zip(new, ids, strict=True):
        if got is None:  # another writer stored it since the lookup, and committed
            cursor.execute(sql("SELECT id, answer FROM submissions WHERE digest = ?"), [sub.digest])
            row_id, answer = cursor.fetchone()
            first[sub.digest] = Stored(
                int(row_id), sub.digest, duplicate=True, answer=bytes(answer)
            )
            continue
        fresh[sub.digest] = (sub, int(got[0]))
    if fresh:
        cursor.executemany(
            sql(INSERT_DOCUMENTS), [(i, s.inventory, s.result) for s, i in fresh.values()]
        )
        _update_nodes(cursor, list(fresh.values()), sql, returning)
    out: list[Stored] = []
    for sub in subs:
        if sub.digest in fresh:
            kept, row_id = fresh.pop(sub.digest)
            out.append(Stored(row_id, sub.digest, duplicate=False, answer=kept.answer))
            # a second copy of the digest in this batch is a replay of the first
            first[sub.digest] = Stored(row_id, sub.digest, duplicate=True, answer=kept.answer)
        else:
            out.append(first[sub.digest])
    return out


def _digest(sub: Submission) -> str:
    return sub.digest


def _node_fields(sub: Submission) -> tuple[object, ...]:
    return (sub.collected_at, sub.received_at, sub.digest, sub.verdict)


def _submission_row(sub: Submission) -> tuple[object, ...]:
    return (
        sub.digest,
        sub.node_key,
        sub.hostname,
        sub.serial,
        sub.product_uuid,
        sub.system_vendor,
        sub.system_model,
        sub.collected_at,
        sub.received_at,
        sub.verdict,
        sub.exit_code,
        json.dumps(list(sub.profiles)),
        json.dumps([list(rule) for rule in sub.rules]),
        json.dumps(list(sub.card_models)),
        sub.answer,
    )


def _update_nodes(
    cursor: Any,
    fresh: list[tuple[Submission, int]],
    sql: Callable[[str], str],
    returning: Returning,
) -> None:
    best: dict[str, tuple[Submission, int]] = {}
    count: dict[str, int] = {}
    for sub, row_id in fresh:
        held = best.get(sub.node_key)
        if held is None or sort_key(sub) > sort_key(held[0]):
            best[sub.node_key] = (sub, row_id)
        count[sub.node_key] = count.get(sub.node_key, 0) + 1
    keys = sorted(best)
    rows = [(key, best[key][1], *_node_fields(best[key][0]), count[key]) for key in keys]
    latest = returning(cursor, sql(UPSERT_NODE), rows)
    replaced = [
        best[key] for key, got in zip(keys, latest, strict=True) if int(got[0]) == best[key][1]
    ]
    if not replaced:
        return
    gone = [(sub.node_key,) for sub, _ in replaced]
    filters: tuple[list[tuple[str, ...]], ...] = ([], [], [])
    for sub, _ in replaced:
        filters[0].extend((sub.node_key, p) for p in dict.fromkeys(sub.profiles))
        filters[1].extend((sub.node_key, m) for m in dict.fromkeys(sub.card_models))
        filters[2].extend((sub.node_key, r, s) for r, s in dict.fromkeys(sub.rules))
    for (table, insert), values in zip(FILTER_TABLES, filters, strict=True):
        cursor.executemany(sql(f"DELETE FROM {table} WHERE node_key = ?"), gone)  # noqa: S608
        if values:
            cursor.executemany(sql(insert), values)
