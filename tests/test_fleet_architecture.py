"""The fleet's lane: it reads inputs and judges them through the one judge call, and no
stage below it knows it exists.

- hwcheck/fleet/ never imports the CLI, and reaches the judge only through
  `hwcheck.judge.judge_node` (never the engine, waivers or verdict pieces by themselves),
  so a node cannot be judged differently in a fleet than by `check`;
- probe/, judge/, model/, profile/, versions/ and render/ never import hwcheck.fleet.
"""

import os

import pytest
from test_architecture import ROOT, imports_of, modules_in

BELOW = ("probe", "judge", "model", "profile", "versions", "render")


@pytest.mark.parametrize("path", list(modules_in("fleet")))
def test_the_fleet_reaches_the_judge_only_through_judge_node(path):
    names = imports_of(os.path.join(ROOT, path))
    assert not {n for n in names if n == "hwcheck.cli" or n.startswith("hwcheck.cli.")}, path
    judge = {n for n in names if n.startswith("hwcheck.judge")}
    assert judge <= {"hwcheck.judge"}, f"{path} imports {sorted(judge)}"
    with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
        text = fh.read()
    if "hwcheck.judge" in judge:
        assert "from hwcheck.judge import judge_node\n" in text, path


@pytest.mark.parametrize("path", [p for pkg in BELOW for p in modules_in(pkg)])
def test_no_stage_below_the_fleet_imports_it(path):
    names = imports_of(os.path.join(ROOT, path))
    assert not {n for n in names if n == "hwcheck.fleet" or n.startswith("hwcheck.fleet.")}, path
