"""The golden inventories are what the probe makes of the fixture host trees, nothing else.

tests/fixtures/inventories/<name>.json (the judge tests' input) and each host tree's
expected-inventory.json are written by scripts/regen_fixtures.py from
tests/fixtures/hosts/<name>/ with the real probe. Before, 4 of 8 had drifted from their
trees (stale gaps, an interface the tree no longer has). A change to the probe or to a
tree that is not carried into them fails here; run the script and review its diff.
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from runcli import ROOT

_spec = importlib.util.spec_from_file_location(
    "regen_fixtures", os.path.join(ROOT, "scripts", "regen_fixtures.py")
)
assert _spec is not None and _spec.loader is not None
regen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regen)
RENDERED = regen.rendered()


def test_every_host_tree_has_both_golden_inventories():
    names = regen.host_names()
    trees = sorted(n for n in os.listdir(os.path.join(ROOT, "tests", "fixtures", "hosts")))
    assert names == trees  # every host tree is a capture the script regenerates
    inventories = sorted(
        f[: -len(".json")]
        for f in os.listdir(os.path.join(ROOT, regen.INVENTORIES))
        if f.endswith(".json")
    )
    assert inventories == names  # no inventory without its tree
    assert len(RENDERED) == 2 * len(names)


@pytest.mark.parametrize("path", sorted(RENDERED))
def test_golden_inventory_is_what_the_script_writes(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        assert f.read() == RENDERED[path], f"{path}: run scripts/regen_fixtures.py"


def test_check_mode_names_a_stale_file(tmp_path, monkeypatch, capsys):
    stale = os.path.join(regen.INVENTORIES, "virtio-vm.json")
    repo = tmp_path / "repo"
    for path, text in RENDERED.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if path != stale else text.replace('"vm"', '"old"'))
    monkeypatch.setattr(regen, "rendered", lambda: RENDERED)
    monkeypatch.setattr(regen, "REPO", str(repo))
    assert regen.main(["--check"]) == 1
    assert capsys.readouterr().err == (
        f"{stale}: differs from what scripts/regen_fixtures.py writes\n"
    )
