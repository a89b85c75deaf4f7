"""The PostgreSQL store (psycopg 3): several collectors may share one database.

One connection writes, in explicit transactions (a lock makes callers take turns; GroupWriter
is meant to be the only caller); reads take connections from a psycopg_pool pool, made on the
first read. A commit that returned is durable (PostgreSQL's own WAL fsync, with the server's
default synchronous_commit). A lost connection is StoreUnavailable, and the next batch
connects again. Writers on one database take the rows they update in one order (digests,
then node keys), so concurrent collectors do not deadlock; a deadlock or serialization
failure the server reports anyway is retried once.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import TYPE_CHECKING, Any

import psycopg
import psycopg.errors

from hwcheck.collector.store import (
    NodeSummary,
    Stored,
    StoreError,
    StoreFull,
    StoreUnavailable,
    Submission,
    common,
    migrations,
    shown_url,
)
from hwcheck.collector.store.reads import SharedReads, latest_item

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from psycopg_pool import ConnectionPool

CONNECT_TIMEOUT_S = 10
POOL_MAX = 8
POOL_TIMEOUT_S = 5.0
# pg_advisory_xact_lock key for schema migrations: "hwcheck" in ASCII, as a bigint.
MIGRATION_LOCK = 0x6877636865636B


@functools.lru_cache(maxsize=256)
def _pg(query: str) -> str:
    """`?` placeholders (common's SQL) as psycopg's `%s`."""
    return query.replace("?", "%s")


class PostgresStore(SharedReads):
    """The Store protocol over one PostgreSQL database."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self._conninfo = url
        self.url = shown_url(url)
        self._write_lock = threading.Lock()
        self._pool_lock = threading.Lock()
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._closed = False
        self._writer: psycopg.Connection[Any] | None = None
        with self._write_lock:
            conn = self._connect()
            try:
                self._migrate(conn, create=create)
            except BaseException:
                conn.close()
                raise
            self._writer = conn

    # ---- connections ---------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(
                self._conninfo,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_S,
                application_name="hwcheck",
            )
        except psycopg.Error as err:
            raise self._mapped(err, "cannot connect") from err

    def _migrate(
        self, conn: psycopg.Connection[Any], upto: int = migrations.LATEST, *, create: bool = True
    ) -> int:
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
                row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
                current = 0
                if row is not None and row[0]:
                    got = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
                    current = int(got[0] or 0) if got is not None else 0
                return migrations.migrate(
                    conn.execute,
                    current,
                    dialect="postgresql",
                    where=self.url,
                    upto=upto,
                    create=create,
                )
        except psycopg.Error as err:
            raise self._mapped(err, "cannot create or migrate the schema") from err

    def _reads(self) -> ConnectionPool[psycopg.Connection[Any]]:
        if self._closed:
            raise StoreUnavailable("the store is closed", where=self.url)
        with self._pool_lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self._conninfo,
                    kwargs={
                        "autocommit": True,
                        "connect_timeout": CONNECT_TIMEOUT_S,
                        "application_name": "hwcheck",
                    },
                    min_size=1,
                    max_size=POOL_MAX,
                    timeout=POOL_TIMEOUT_S,
                    check=ConnectionPool.check_connection,
                    open=True,
                )
            return self._pool

    def _mapped(self, err: Exception, doing: str = "cannot write") -> StoreError:
        if isinstance(err, psycopg.errors.DiskFull):
            return StoreFull(f"{doing}: the disk holding the database is full", where=self.url)
        if isinstance(err, psycopg.errors.InsufficientResources):
            return StoreFull(f"{doing}: {_first_line(err)}", where=self.url)
        return StoreUnavailable(f"{doing}: {_first_line(err)}", where=self.url)

    # ---- writing -------------------------------------------------------------------------

    def submit_batch(self, subs: Sequence[Submission]) -> list[Stored]:
        if not subs:
            return []
        with self._write_lock:
            if self._closed:
                raise StoreUnavailable("the store is closed", where=self.url)
            for attempt in (1, 2):
                if self._writer is None or self._writer.closed or self._writer.broken:
                    self._drop_writer()
                    self._writer = self._connect()
                conn = self._writer
                try:
                    with conn.transaction():
                        return common.apply_batch(conn.cursor(), subs, _pg, _pipelined)
                except (
                    psycopg.errors.DeadlockDetected,
                    psycopg.errors.SerializationFailure,
                ) as err:
                    if attempt == 2:
                        raise self._mapped(err) from err
                except psycopg.Error as err:
                    if conn.broken or isinstance(err, psycopg.OperationalError):
                        self._drop_writer()
                    raise self._mapped(err) from err
            raise StoreUnavailable("cannot write: retried", where=self.url)  # not reached

    def _drop_writer(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(psycopg.Error):
                self._writer.close()
            self._writer = None

    # ---- reading -------------------------------------------------------------------------

    def _all(self, query: str, params: Sequence[object] = ()) -> list[Any]:
        try:
            with self._reads().connection() as conn:
                return conn.execute(_pg(query), params).fetchall()
        except psycopg.Error as err:
            raise self._mapped(err, "cannot read") from err

    def latest(self, *, with_inventory: bool) -> Iterator[tuple[NodeSummary, bytes, bytes | None]]:
        # A connection of its own (not the pool's): a walk may take as long as a fleet run.
        if self._closed:
            raise StoreUnavailable("the store is closed", where=self.url)
        try:
            with self._connect() as conn, conn.transaction():
                cursor = conn.cursor(name="hwcheck_latest")
                cursor.itersize = 256
                cursor.execute(common.latest_query(with_inventory=with_inventory))
                for row in cursor:
                    yield latest_item(row)
        except psycopg.Error as err:
            raise self._mapped(err, "cannot read") from err

    def close(self) -> None:
        with self._write_lock:
            self._closed = True
            self._drop_writer()
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def _pipelined(cursor: Any, query: str, rows: Sequence[Sequence[object]]) -> list[Any]:
    """The first row `query` returns for each of `rows` (None where none), all sent in one
    pipeline: one round trip to the server for the lot, not one each."""
    if not rows:
        return []
    cursor.executemany(query, rows, returning=True)
    out = []
    while True:
        out.append(cursor.fetchone())
        if not cursor.nextset():
            break
    return out


def _first_line(err: Exception) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]
