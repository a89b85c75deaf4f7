"""The PostgreSQL store."""

from __future__ import annotations

from hwcheck.collector.store import StoreUnavailable


class PostgresStore:
    def __init__(self, url: str) -> None:
        raise StoreUnavailable("the PostgreSQL store is not built yet", where="--store")
