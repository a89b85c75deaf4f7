"""The collector's store: every submission (inventory, result, answer) and each node's latest.

Two backends share one contract (the Store protocol): SQLite in one file (the default, zero
setup) and PostgreSQL (several collectors on one database). `open_store(url)` picks by URL and
creates or migrates the schema on open. A batch is one transaction, durable when
`submit_batch` returns, and idempotent by digest; each node's latest submission is the newest
by `collected_at`, ties broken by `received_at` (hwcheck.fleet.identity.newer), then digest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from hwcheck.errors import HwcheckError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

VERDICTS = ("compliant", "noncompliant", "unknown", "error")


class StoreError(HwcheckError):
    """The store cannot do what was asked; `where` names the store (its URL, no password)."""


class StoreFull(StoreError):  # noqa: N818 - the name says what it is
    """The disk (or quota) holding the store is full: nothing of the batch was stored."""


class StoreUnavailable(StoreError):  # noqa: N818
    """The store cannot be reached (the database is down, locked too long, unreadable)."""


@dataclass(frozen=True, slots=True)
class Submission:
    """One judged submission, as the collector stores it."""

    digest: str
    node_key: str
    hostname: str | None
    serial: str | None
    product_uuid: str | None
    system_vendor: str | None
    system_model: str | None
    collected_at: str | None
    received_at: str
    verdict: str
    exit_code: int
    profiles: tuple[str, ...]
    rules: tuple[tuple[str, str], ...]
    card_models: tuple[str, ...]
    inventory: bytes
    result: bytes
    answer: bytes


@dataclass(frozen=True, slots=True)
class Stored:
    """What submit_batch did with one submission: its row, and whether it was a replay."""

    id: int
    digest: str
    duplicate: bool
    answer: bytes


@dataclass(frozen=True, slots=True)
class NodeSummary:
    """A node's latest submission, and how many the store holds for it."""

    node_key: str
    hostname: str | None
    serial: str | None
    product_uuid: str | None
    system_vendor: str | None
    system_model: str | None
    collected_at: str | None
    received_at: str
    verdict: str
    exit_code: int
    profiles: tuple[str, ...]
    submission_id: int
    submissions: int


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    submission_id: int
    digest: str
    collected_at: str | None
    received_at: str
    verdict: str
    exit_code: int
    profiles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NodeQuery:
    """Filters on nodes' latest submissions: all given must hold."""

    verdict: str | None = None
    model: str | None = None
    profile: str | None = None
    rule: str | None = None
    limit: int = 1000
    offset: int = 0


class Store(Protocol):
    url: str

    def submit_batch(self, subs: Sequence[Submission]) -> list[Stored]: ...
    def nodes(self, query: NodeQuery) -> list[NodeSummary]: ...
    def node(self, node_key: str) -> NodeSummary | None: ...
    def history(self, node_key: str, limit: int = 100) -> list[HistoryEntry]: ...
    def document(
        self, submission_id: int, which: Literal["inventory", "result"]
    ) -> bytes | None: ...
    def latest(
        self, *, with_inventory: bool
    ) -> Iterator[tuple[NodeSummary, bytes, bytes | None]]: ...
    def verdict_counts(self) -> dict[str, int]: ...
    def rule_counts(self) -> dict[tuple[str, str], int]: ...
    def submission_count(self) -> int: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...


def sort_key(sub: Submission) -> tuple[str, str, str]:
    """Which of a node's submissions is its latest: the greatest of these."""
    return (sub.collected_at or "", sub.received_at, sub.digest)


def open_store(url: str, *, create: bool = True) -> Store:
    """The store `url` names, its schema created or migrated; HwcheckError at `--store` for
    a URL that names no store this hwcheck knows. With `create` false (a reader such as
    `hwcheck fleet --store`), a store that does not exist yet is StoreUnavailable instead
    of being made empty."""
    if url.startswith(("postgresql://", "postgres://")):
        from hwcheck.collector.store.postgres import PostgresStore

        return PostgresStore(url, create=create)
    if url.startswith("sqlite:"):
        from hwcheck.collector.store.sqlite import SqliteStore, sqlite_path

        return SqliteStore(sqlite_path(url), create=create)
    raise HwcheckError(
        f"{shown_url(url)!r} is not a store URL; use sqlite:///ABSOLUTE/PATH.db, "
        "sqlite:RELATIVE.db or postgresql://USER@HOST/DATABASE",
        where="--store",
    )


def shown_url(url: str) -> str:
    """`url` without the password it may carry."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        if parts.port is not None:
            host += f":{parts.port}"
        netloc = f"{parts.username}:***@{host}" if parts.username else host
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return url.split("@", 1)[-1] if "@" in url else url


def default_store_url() -> str:
    """sqlite under $HWCHECK_STATE_DIR, else /var/lib/hwcheck for root, else
    $XDG_STATE_HOME/hwcheck (default ~/.local/state/hwcheck): .../collector.db"""
    return "sqlite://" + os.path.join(default_state_dir(), "collector.db")


def default_state_dir() -> str:
    given = os.environ.get("HWCHECK_STATE_DIR")
    if given:
        return os.path.abspath(given)
    if os.geteuid() == 0:
        return "/var/lib/hwcheck"
    xdg = os.environ.get("XDG_STATE_HOME")
    base = (
        xdg
        if xdg and os.path.isabs(xdg)
        else os.path.join(os.path.expanduser("~"), ".local", "state")
    )
    return os.path.join(base, "hwcheck")
