"""The quick paths of the document checks give the answers of the full ones.

Checking an inventory takes a quick path when it can (invariants told by a subset test and
memos of IDs already seen spelled right), and the full look otherwise. These tests first warm
every memo with the real fixture inventories (tests/fixtures/inventories, probed from
tests/fixtures/hosts), in this one process, then break one thing at a time: the quick path
must never let through what the full one refuses, and must name the same path.
"""

from __future__ import annotations

import copy
import glob
import json
import os

import pytest

from hwcheck.model.invariants import inventory_problem

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORIES = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "inventories", "*.json")))
CX = os.path.join(ROOT, "tests", "fixtures", "inventories", "mellanox-cx5-dell.json")


def load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def warm() -> dict:
    """Every fixture inventory checked once (each holds), so every memo is warm."""
    for path in INVENTORIES:
        assert inventory_problem(load(path)) is None, path
    return load(CX)


@pytest.mark.parametrize("spelling", ["15B3", "0x15b3", " 15b3", "15b", "15b3 "])
@pytest.mark.parametrize(("section", "field"), [("nics", "vendor_id"), ("cards", "device_id")])
def test_a_misspelt_id_is_refused_once_memos_are_warm(warm, spelling, section, field):
    doc = copy.deepcopy(warm)
    doc[section][1][field] = spelling
    assert inventory_problem(doc) == (
        f"$.{section}[1].{field}: {spelling!r} is not four lowercase hex digits"
    )


def test_an_id_field_of_a_later_schema_is_held_to_the_spelling(warm):
    """A key the memos have not seen, named like an ID, takes the full look."""
    doc = copy.deepcopy(warm)
    doc["nics"][2]["usb_vendor_id"] = "413C"
    assert inventory_problem(doc, "$.inventory") == (
        "$.inventory.nics[2].usb_vendor_id: '413C' is not four lowercase hex digits"
    )
    doc["nics"][2]["usb_vendor_id"] = "413c"
    assert inventory_problem(doc) is None


def test_the_first_misspelt_id_in_document_order_is_named(warm):
    doc = copy.deepcopy(warm)
    doc["nics"][0]["subsystem_device_id"] = "ABCD"
    doc["nics"][0]["device_id"] = "XYZ0"
    assert inventory_problem(doc) == "$.nics[0].device_id: 'XYZ0' is not four lowercase hex digits"


@pytest.mark.parametrize(
    ("breaking", "problem"),
    [
        (
            lambda d: d["cards"][0].update(vf_only=True),
            "$.nics[1].card: NIC 'ens1f0v0' is not among the ports of card '0000:31:00'",
        ),
        (
            lambda d: d["cards"][1].update(vf_only=True),
            "$.cards[1].vf_only: card '0000:b1:00' has a physical function",
        ),
        (
            lambda d: d["cards"][1]["ports"].append("ghost"),
            "$.cards[1].ports[2]: 'ghost' is not a NIC of this inventory",
        ),
        (
            lambda d: d["nics"][0].update(card=None),
            "$.nics[0].card: physical NIC 'ens1f0np0' at 0000:31:00.0 belongs to no card",
        ),
        (
            lambda d: d["nics"][0].update(pci_address="0000:99:00.0"),
            "$.nics[0].pci_address: 0000:99:00.0 is not among the functions of card '0000:31:00'",
        ),
    ],
)
def test_membership_is_refused_once_memos_are_warm(warm, breaking, problem):
    doc = copy.deepcopy(warm)
    breaking(doc)
    assert inventory_problem(doc) == problem
