"""Profiles are read once per run and selected for each node from what was read.

A run that judges many nodes (a fleet audit, a collector) must not walk the profile
directories again for every node, and a node that no profile applies to is a fact about
that node (with the sentence saying why), not an error that ends the run.
"""

from __future__ import annotations

import json
import os
import shutil

from runcli import ROOT

from hwcheck.profile.library import Library
from hwcheck.profile.selection import candidates, select_from

INVENTORIES = os.path.join(ROOT, "tests", "fixtures", "inventories")


def _inventory(name: str) -> dict:
    with open(os.path.join(INVENTORIES, f"{name}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def test_selection_for_many_nodes_reads_the_profiles_once(tmp_path):
    profiles = tmp_path / "profiles"
    shutil.copytree(os.path.join(ROOT, "profiles"), profiles)
    found = candidates(Library([str(profiles)]))
    # Gone from disk: every selection below can only use what was read above.
    shutil.rmtree(profiles)
    expected = {
        "intel-x710-i40e": ["intel/700-series"],
        "intel-e810-ice": ["intel/800-series"],
        "virtio-vm": ["lab/kvm-virtio"],
    }
    for name, names in expected.items():
        chosen, none = select_from(found, _inventory(name))
        assert none is None, name
        assert [prof.top.name for prof, _why in chosen] == names
        assert all(why.startswith("applies_to matched: ") for _prof, why in chosen)


def test_a_node_no_profile_applies_to_is_a_value_with_its_reason():
    found = candidates(Library([os.path.join(ROOT, "profiles")]))
    chosen, none = select_from(found, _inventory("intel-ixgbe-igb-i211"))
    assert chosen == []
    assert none is not None
    assert none.startswith("no profile applies to this node (")
    assert "intel/700-series: no card with PCI ID" in none
    # The next node is judged as usual from the same list.
    chosen, none = select_from(found, _inventory("intel-x710-i40e"))
    assert (none, [p.top.name for p, _ in chosen]) == (None, ["intel/700-series"])
