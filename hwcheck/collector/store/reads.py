"""The reads both backends answer the same way, over one method each backend supplies.

A backend defines `_all(sql, params)`: run one `?`-placeholder statement from `common` and
return its rows, its own errors already mapped to StoreUnavailable. Everything else a read
needs (which statement, rows back into dataclasses) is the same for SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from hwcheck.collector.store import HistoryEntry, NodeQuery, NodeSummary, common

if TYPE_CHECKING:
    from collections.abc import Sequence


class SharedReads:
    """The Store protocol's reads, for a backend that supplies `_all`."""

    __slots__ = ()

    def _all(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        raise NotImplementedError

    def nodes(self, query: NodeQuery) -> list[NodeSummary]:
        sql, params = common.nodes_query(query)
        return [common.summary(row) for row in self._all(sql, params)]

    def node(self, node_key: str) -> NodeSummary | None:
        rows = self._all(common.node_query(), [node_key])
        return common.summary(rows[0]) if rows else None

    def history(self, node_key: str, limit: int = 100) -> list[HistoryEntry]:
        return [common.history_entry(r) for r in self._all(common.HISTORY, [node_key, limit])]

    def document(self, submission_id: int, which: Literal["inventory", "result"]) -> bytes | None:
        rows = self._all(common.DOCUMENT[which], [submission_id])
        return bytes(rows[0][0]) if rows else None

    def verdict_counts(self) -> dict[str, int]:
        return common.verdict_counts(self._all(common.VERDICT_COUNTS))

    def rule_counts(self) -> dict[tuple[str, str], int]:
        return {(str(r), str(s)): int(n) for r, s, n in self._all(common.RULE_COUNTS)}

    def submission_count(self) -> int:
        return int(self._all(common.SUBMISSION_COUNT)[0][0])

    def schema_version(self) -> int:
        return int(self._all("SELECT MAX(version) FROM schema_version")[0][0])

    def ping(self) -> None:
        self._all("SELECT 1 FROM schema_version")


def latest_item(row: Sequence[Any]) -> tuple[NodeSummary, bytes, bytes | None]:
    """One row of `common.latest_query` as (summary, result, inventory or None)."""
    inventory = row[14]
    return common.summary(row), bytes(row[13]), bytes(inventory) if inventory is not None else None
