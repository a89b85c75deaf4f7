"""Submissions for the store tests and bench: real fixture inventories, judged by the real judge.

Each is a copy of one of tests/fixtures/inventories/*.json (see its SOURCE.md) with a hostname,
DMI serial, product UUID and collection time of its own, so many distinct nodes can be made
from the few real hosts. It is judged and stored as `hwcheck serve` would
(hwcheck.collector.submission.judge_submission over the shipped profiles, or a given
selection), so the Submission carries exactly what the collector stores: the inventory bytes,
the result without its inventory, and the answer.
"""

from __future__ import annotations

import copy
import json
import os

from hwcheck.collector.profiles import Generation
from hwcheck.collector.store import Submission
from hwcheck.collector.submission import judge_submission
from hwcheck.profile.library import Library
from hwcheck.profile.selection import Selection

ROOT = os.path.dirname(os.path.abspath(__file__))
INVENTORIES = os.path.join(ROOT, "fixtures", "inventories")
# The fixture hosts the shipped profiles judge (the others have no shipped profile).
HOSTS = (
    "broadcom-bnxt-bnx2x",
    "intel-e810-ice",
    "intel-x710-i40e",
    "mellanox-cx5-dell",
    "mellanox-mixed-function",
)
_shipped: list[Selection] = []


def shipped() -> Selection:
    """The shipped profiles, read once."""
    if not _shipped:
        _shipped.append(Selection(Library.given(None), None))
    return _shipped[0]


def load(host: str) -> dict[str, object]:
    with open(os.path.join(INVENTORIES, f"{host}.json"), encoding="utf-8") as fh:
        return json.load(fh)  # type: ignore[no-any-return]


def distinct(inventory: dict[str, object], i: int, *, collected_at: str | None = None) -> dict:
    """A copy of `inventory` as node `i`: its own hostname, serial, UUID, collection time."""
    copied = copy.deepcopy(inventory)
    copied["host"]["hostname"] = f"node{i:05d}"  # type: ignore[index]
    copied["system"]["product_serial"] = f"SN{i:08d}"  # type: ignore[index]
    copied["system"]["product_uuid"] = f"00000000-0000-4000-8000-{i:012d}"  # type: ignore[index]
    if collected_at is not None:
        copied["collected_at"] = collected_at
    return copied


def submission(
    inventory: dict,
    *,
    selection: Selection | None = None,
    received_at: str = "2026-12-02T10:00:00Z",
) -> Submission:
    """`inventory` judged and made into what the collector stores, by the collector's own
    code (`judge_submission`, which calls the real judge)."""
    data = json.dumps(inventory, sort_keys=True).encode()
    generation = Generation(0, selection or shipped(), None, strict=False, fingerprint=())
    made = judge_submission(data, generation, received_at=received_at)
    assert made.verdict != "error", made.answer
    return made
