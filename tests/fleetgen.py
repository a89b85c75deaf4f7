"""Fleets synthesised from the real fixture inventories, for the fleet tests and
bench/bench_fleet.py.

Each node is a copy of one fixture host's inventory (tests/fixtures/inventories/, probed
from the captured hosts) with its own hostname, serial, UUID and collection time. The
versions are varied the way a fleet drifts: the E810 nodes run one of several NVM releases
at or above the 800-series minimum (4.00), a few run 3.20 (below it). The failing share
comes from those and from the fixture hosts that fail as captured (the X710 NVM 8.15 and
the ConnectX firmware below the mlxup minimums). Version values other than the fixtures'
own are synthetic; the formats are the drivers' real ones.
"""

from __future__ import annotations

import copy
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORIES = os.path.join(ROOT, "tests", "fixtures", "inventories")

PASSING_BASES = ("intel-e810-ice", "broadcom-bnxt-bnx2x", "virtio-vm")
FAILING_BASES = ("intel-x710-i40e", "mellanox-cx5-dell")
E810_NVM = ("4.30", "4.40", "4.50", "4.60")  # at or above the 800-series minimum
E810_OLD_NVM = "3.20"


def base(name: str) -> dict:
    with open(os.path.join(INVENTORIES, f"{name}.json"), encoding="utf-8") as handle:
        return json.load(handle)


def node(i: int, rng: random.Random, bases: dict[str, dict], failing: float) -> dict:
    fail = rng.random() < failing
    if fail and rng.random() < 0.5:
        inv = copy.deepcopy(bases[FAILING_BASES[i % len(FAILING_BASES)]])
    else:
        inv = copy.deepcopy(bases[PASSING_BASES[i % len(PASSING_BASES)]])
    for nic in inv["nics"]:
        if nic["driver"] == "ice" and nic["firmware_version"]:
            nvm = E810_OLD_NVM if fail else E810_NVM[rng.randrange(len(E810_NVM))]
            nic["firmware_version"] = nvm + nic["firmware_version"][4:]
    inv["host"]["hostname"] = f"node-{i:05d}"
    system = inv["system"]
    if system["present"]:
        system["product_serial"] = f"SN{i:07d}"
        system["product_uuid"] = f"00000000-0000-4000-8000-{i:012d}"
    inv["collected_at"] = f"2026-11-30T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
    return inv


def synthesise(directory: str, count: int, *, failing: float = 0.05, seed: int = 9) -> list[str]:
    """Write `count` node inventories to `directory` (node-00000.json, ...); their paths."""
    rng = random.Random(seed)  # noqa: S311 -- a reproducible fleet, not a secret
    bases = {name: base(name) for name in PASSING_BASES + FAILING_BASES}
    os.makedirs(directory, exist_ok=True)
    paths = []
    for i in range(count):
        path = os.path.join(directory, f"node-{i:05d}.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(node(i, rng, bases, failing), handle)
        paths.append(path)
    return paths
