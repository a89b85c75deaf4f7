"""Submissions for the store tests and bench: real fixture inventories, judged by the real judge.

Each is a copy of one of tests/fixtures/inventories/*.json (see its SOURCE.md) with a hostname,
DMI serial, product UUID and collection time of its own, so many distinct nodes can be made
from the few real hosts. It is judged exactly as `hwcheck fleet` judges an inventory
(hwcheck.profile.selection picks the shipped profiles, hwcheck.judge.judge_node judges), and
the Submission carries what the collector stores: the inventory bytes, the result without its
inventory, and an answer document.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os

from hwcheck.collector.store import Submission
from hwcheck.fleet.identity import node_key
from hwcheck.fleet.models import card_model
from hwcheck.judge import judge_node
from hwcheck.model.summary import without_inventory
from hwcheck.profile.library import Library
from hwcheck.profile.selection import Selection
from hwcheck.render.json import render_json
from hwcheck.status import FLEET_EXIT

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
    """`inventory` judged by the real judge, as the collector would store it."""
    data = json.dumps(inventory, sort_keys=True).encode()
    digest = hashlib.sha256(data).hexdigest()
    chosen = selection or shipped()
    picked, none = chosen.pick(inventory)  # type: ignore[arg-type]
    assert none is None, none
    result = judge_node(
        picked,
        inventory,
        today="2026-12-02",
        judged_at=received_at,  # type: ignore[arg-type]
    )
    system = inventory["system"]
    hostname = inventory["host"]["hostname"]
    key = node_key(hostname, system["product_serial"], system["product_uuid"])
    rules = tuple(
        dict.fromkeys(
            (f["rule_id"], f["status"]) for f in result["findings"] if f["status"] != "pass"
        )
    )
    verdict = result["verdict"]
    answer = {
        "kind": "hwcheck-verdict",
        "schema_version": 1,
        "submission": digest,
        "node": key,
        "verdict": verdict,
        "exit_code": int(FLEET_EXIT[verdict]),
        "received_at": received_at,
    }
    return Submission(
        digest=digest,
        node_key=key or f"unnamed/{digest[:16]}",
        hostname=hostname,
        serial=system["product_serial"],
        product_uuid=system["product_uuid"],
        system_vendor=system["sys_vendor"],
        system_model=system["product_name"],
        collected_at=inventory["collected_at"],
        received_at=received_at,
        verdict=verdict,
        exit_code=int(FLEET_EXIT[verdict]),
        profiles=tuple(use["name"] for use in result["profiles"]),
        rules=rules,
        card_models=tuple(dict.fromkeys(card_model(c)[0] for c in inventory["cards"])),
        inventory=data,
        result=render_json(without_inventory(result)).encode(),
        answer=json.dumps(answer, sort_keys=True).encode(),
    )
