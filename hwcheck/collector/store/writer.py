"""Group commit: one thread owns the writing store and commits what is queued as one batch.

A request hands its submission to `submit` and waits on the future; the thread takes
everything queued (up to MAX_BATCH), stores it in one transaction, and then sets each future.
One fsync (or one PostgreSQL commit) thus serves every request that arrived meanwhile, which
is what lets a collector acknowledge thousands of durable submissions a second. A future is
set only after the commit returned: an acknowledged submission is on disk.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

from hwcheck.collector.store import StoreError, StoreUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable

    from hwcheck.collector.store import Store, Stored, Submission

MAX_BATCH = 512

_STOP = object()


class GroupWriter:
    """`submit(sub)` -> a future of its Stored; `close()` drains the queue and stops.

    `open` makes the writing store; it is called in the writer thread, first on the first
    batch, and again for the batch after one that raised StoreUnavailable (a reconnect)."""

    def __init__(self, open: Callable[[], Store], *, max_batch: int = MAX_BATCH) -> None:
        self._open = open
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._store: Store | None = None
        self._closing = False
        self._lock = threading.Lock()
        self.batches = 0  # committed transactions, for metrics and tests
        self._thread = threading.Thread(target=self._run, name="hwcheck-store-writer", daemon=True)
        self._thread.start()

    def submit(self, sub: Submission) -> Future[Stored]:
        future: Future[Stored] = Future()
        with self._lock:
            if self._closing:
                future.set_exception(StoreUnavailable("the collector is shutting down"))
                return future
            self._queue.put((sub, future))
        return future

    def close(self) -> None:
        """Store everything submitted so far, then stop the thread and close the store."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch: list[tuple[Submission, Future[Stored]]] = []
            item = self._queue.get()
            while True:
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)  # type: ignore[arg-type]
                if len(batch) >= self._max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._write(batch)
        if self._store is not None:
            self._store.close()
            self._store = None

    def _write(self, batch: list[tuple[Submission, Future[Stored]]]) -> None:
        live = [(sub, fut) for sub, fut in batch if fut.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            if self._store is None:
                self._store = self._open()
            stored = self._store.submit_batch([sub for sub, _ in live])
        except StoreError as err:
            if isinstance(err, StoreUnavailable) and self._store is not None:
                with contextlib.suppress(Exception):  # the connection is gone already
                    self._store.close()
                self._store = None  # reconnect for the next batch
            for _, fut in live:
                fut.set_exception(err)
            return
        except Exception as err:  # noqa: BLE001 - a bug: fail the requests, keep the thread
            for _, fut in live:
                fut.set_exception(err)
            return
        self.batches += 1
        for (_, fut), result in zip(live, stored, strict=True):
            fut.set_result(result)
