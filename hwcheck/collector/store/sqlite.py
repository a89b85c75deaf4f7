"""The SQLite store: one file, WAL, synchronous=FULL, so a batch is on disk when it returns.

One connection writes (a lock makes callers take turns; GroupWriter is meant to be the only
caller); reads use one connection per thread, which WAL lets run beside the writer. Several
processes may share the file: a writer waits up to BUSY_TIMEOUT_MS for another's lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
import threading
from typing import TYPE_CHECKING, Any

from hwcheck.collector.store import (
    NodeSummary,
    Stored,
    StoreError,
    StoreFull,
    StoreUnavailable,
    Submission,
    common,
    migrations,
)
from hwcheck.collector.store.reads import SharedReads, latest_item
from hwcheck.errors import HwcheckError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

BUSY_TIMEOUT_MS = 30_000


def sqlite_path(url: str) -> str:
    """The file a `sqlite:` URL names: sqlite:///abs/path.db, sqlite:relative.db."""
    rest = url[len("sqlite:") :]
    if rest.startswith("//"):
        rest = rest[2:]
        if not rest.startswith("/"):
            raise HwcheckError(
                f"{url!r}: a sqlite:// URL takes an absolute path (sqlite:///var/lib/x.db), "
                "or write sqlite:relative.db",
                where="--store",
            )
    if not rest or rest.endswith("/") or "?" in rest or "\0" in rest:
        raise HwcheckError(f"{url!r} names no database file", where="--store")
    return os.path.abspath(rest)


def _same(query: str) -> str:
    return query


class SqliteStore(SharedReads):
    """The Store protocol over one SQLite file."""

    def __init__(self, path: str, *, create: bool = True) -> None:
        self.path = path
        self.url = "sqlite://" + path
        if not create and not os.path.isfile(path):
            raise StoreUnavailable(
                "no store here (the collector makes it when it first starts)", where=self.url
            )
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        directory = os.path.dirname(path)
        try:
            os.makedirs(directory, mode=0o750, exist_ok=True)
        except OSError as err:
            raise StoreUnavailable(
                f"cannot create {directory}: {err.strerror or err}", where=self.url
            ) from err
        self._writer: sqlite3.Connection | None = None
        self._turns: int | None = None  # the writers' lock file, opened at the first write
        with self._write_lock:
            # Opening takes a turn too: switching a new database to WAL needs it alone, and
            # SQLite answers "database is locked" at once, without waiting, to a second
            # process doing the same.
            turn = self._take_turn()
            try:
                self._writer = self._connect()
                self._migrate(self._writer, create=create)
            finally:
                if turn is not None:
                    fcntl.flock(turn, fcntl.LOCK_UN)

    # ---- connections ---------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreUnavailable(
                    f"cannot use write-ahead logging here (journal mode {mode})", where=self.url
                )
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as err:
            raise self._mapped(err, "cannot open") from err
        return conn

    def _migrate(
        self, conn: sqlite3.Connection, upto: int = migrations.LATEST, *, create: bool = True
    ) -> int:
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                exists = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
                ).fetchone()
                current = 0
                if exists:
                    current = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
                version = migrations.migrate(
                    conn.execute,
                    int(current or 0),
                    dialect="sqlite",
                    where=self.url,
                    upto=upto,
                    create=create,
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as err:
            conn.close()
            raise self._mapped(err, "cannot create or migrate the schema") from err
        except StoreError:
            conn.close()
            raise
        return version

    def _reader(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreUnavailable("the store is closed", where=self.url)
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def _mapped(self, err: sqlite3.Error, doing: str = "cannot write") -> StoreError:
        code = getattr(err, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(err)
        if primary == sqlite3.SQLITE_FULL or "disk is full" in text or _enospc(err):
            return StoreFull(f"{doing}: the disk holding the store is full", where=self.url)
        return StoreUnavailable(f"{doing}: {text}", where=self.url)

    # ---- writing -------------------------------------------------------------------------

    def submit_batch(self, subs: Sequence[Submission]) -> list[Stored]:
        if not subs:
            return []
        with self._write_lock:
            if self._closed:
                raise StoreUnavailable("the store is closed", where=self.url)
            if self._writer is None:
                self._writer = self._connect()
            conn = self._writer
            turn = self._take_turn()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    stored = common.apply_batch(conn.cursor(), subs, _same)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        try:
                            conn.execute("ROLLBACK")
                        except sqlite3.Error:
                            self._drop_writer()
                    raise
            except sqlite3.Error as err:
                raise self._mapped(err) from err
            finally:
                if turn is not None:
                    fcntl.flock(turn, fcntl.LOCK_UN)
            return stored

    def _take_turn(self) -> int | None:
        """Wait for this store's other writing processes (several workers, several
        collectors on one host) on a lock file beside it, and hold it until the commit.

        SQLite alone makes a writer that finds the database locked sleep and retry (1 ms up
        to 100 ms at a time), so under a boot storm a batch could wait a tenth of a second
        after the lock was free; the kernel wakes a writer waiting on flock at once. Where
        the lock file cannot be made (a read-only or full directory), SQLite's own waiting
        still keeps writers apart: None."""
        if self._turns is None:
            try:
                self._turns = os.open(
                    self.path + "-writers.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
                )
            except OSError:
                return None
        fcntl.flock(self._turns, fcntl.LOCK_EX)
        return self._turns

    def _drop_writer(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(sqlite3.Error):
                self._writer.close()
            self._writer = None

    # ---- reading -------------------------------------------------------------------------

    def _all(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        try:
            return self._reader().execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise self._mapped(err, "cannot read") from err

    def latest(self, *, with_inventory: bool) -> Iterator[tuple[NodeSummary, bytes, bytes | None]]:
        # A connection of its own: the caller may read other things while this streams.
        conn = self._connect()
        try:
            conn.execute("BEGIN")  # one snapshot for the whole walk
            for row in conn.execute(common.latest_query(with_inventory=with_inventory)):
                yield latest_item(row)
        except sqlite3.Error as err:
            raise self._mapped(err, "cannot read") from err
        finally:
            conn.close()

    def close(self) -> None:
        with self._write_lock:
            self._closed = True
            self._drop_writer()
            if self._turns is not None:
                os.close(self._turns)
                self._turns = None
        with self._readers_lock:
            for conn in self._readers:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._readers.clear()


def _enospc(err: BaseException) -> bool:
    cause = err.__cause__ or err.__context__
    return isinstance(cause, OSError) and cause.errno == errno.ENOSPC
