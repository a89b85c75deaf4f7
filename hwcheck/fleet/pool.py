"""Judging items on all cores, streaming: at most a few batches are in flight at once, so a
fleet of any size holds only the rows handed back, never the inputs waiting.

Workers are forked after the profiles and waivers are read: each inherits them instead of
reading them again. With one job, items are judged in this process.
"""

from __future__ import annotations

import gc
import os

from hwcheck.fleet.nodes import judge_item

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from concurrent.futures import Future

    from hwcheck.fleet.nodes import Judging, Outcome
    from hwcheck.fleet.sources import Item
    from hwcheck.model.fleet import Fleet

BATCH = 64  # items a worker is handed at once: fewer hand-offs, each still a few tens of ms
WINDOW = 3  # batches in flight per worker

# What the workers judge with (or render): set before they are forked, so each inherits it.
_state: dict[str, Judging] = {}
_rendering: dict[str, Fleet] = {}


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _batch(items: list[Item]) -> list[Outcome]:
    how = _state["how"]
    return [judge_item(item, how) for item in items]


def judge_all(items: Iterable[Item], how: Judging, jobs: int) -> Iterator[Outcome]:
    """Every item's outcome, in the order batches finish (the caller sorts)."""
    _state["how"] = how
    from hwcheck.model import typeddecode

    typeddecode.enable()  # many inventories: msgspec's one pass, when installed (inherited)
    # What is read so far (profiles, waivers) is never garbage: the collector need not walk
    # it again for every inventory parsed, nor touch the pages forked workers share.
    gc.freeze()
    if jobs <= 1:
        for item in items:
            yield judge_item(item, how)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    pending: set[Future[list[Outcome]]] = set()
    source = iter(items)
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        try:
            exhausted = False
            while True:
                while not exhausted and len(pending) < jobs * WINDOW:
                    chunk = [item for _, item in zip(range(BATCH), source, strict=False)]
                    if not chunk:
                        exhausted = True
                        break
                    pending.add(pool.submit(_batch, chunk))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    outcomes = future.result()
                    # Rows are kept to the end of the run and hold no cycles: the collector
                    # need not walk them again each time more arrive (a tenth of a
                    # second of the parent's CPU at 10,000 nodes, and all of the tail's).
                    gc.freeze()
                    yield from outcomes
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _render(renderer: Callable[[Fleet], str | bytes]) -> bytes:
    return _written(renderer(_rendering["fleet"]))


def _written(text: str | bytes) -> bytes:
    """A renderer's output as written: text encoded (hwcheck.outfile.encode), bytes as made."""
    from hwcheck.outfile import encode

    return text if isinstance(text, bytes) else encode(text)


def render_all(
    fleet: Fleet, renderers: list[Callable[[Fleet], str | bytes]], jobs: int
) -> list[bytes]:
    """Each renderer's output for `fleet`, encoded, in order: side by side when there are
    cores for it and the renderers are each a tenth of a second or more (the JSON and CSV of
    10,000 nodes rendered from their rows, with --html-dir). The first renders in this process
    meanwhile, the others in forked ones: this one would only wait, and a forked renderer pays
    for every page of rows it touches (their reference counts are written, so each page is
    copied), the first and largest would most. When the workers wrote the nodes' lines, the
    caller asks for one job: what is left is joins and the page."""
    if jobs <= 1 or len(renderers) < 2:
        return [_written(renderer(fleet)) for renderer in renderers]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _rendering["fleet"] = fleet
    context = multiprocessing.get_context("fork")
    first, others = renderers[0], renderers[1:]
    with ProcessPoolExecutor(min(jobs, len(others)), mp_context=context) as pool:
        futures = [pool.submit(_render, renderer) for renderer in others]
        here = _written(first(fleet))
        return [here, *(future.result() for future in futures)]
