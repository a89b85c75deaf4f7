"""Lone surrogates (undecodable bytes, written in JSON as `\\udc9b`) in an inventory or a
result print escaped, whatever the locale: never a raw C1 byte to a terminal (0x9b is
CSI), never an encoding error ending the run with exit 70."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from runcli import ROOT

VIRTIO = os.path.join(ROOT, "tests", "fixtures", "inventories", "virtio-vm.json")
LOCALES = [{"PYTHONIOENCODING": "utf-8"}, {"LC_ALL": "C.UTF-8"}, {"LC_ALL": "C"}]


def run_bytes(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "PYTHONIOENCODING")}
    return subprocess.run(
        [sys.executable, "-m", "hwcheck", *args],
        capture_output=True,
        cwd=ROOT,
        env={**environ, **env, "NO_COLOR": "1"},
        check=False,
    )


@pytest.fixture
def hostile_inventory(tmp_path):
    with open(VIRTIO, encoding="utf-8") as fh:
        inventory = json.load(fh)
    inventory["host"]["hostname"] = "node\udc9b2J"
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(inventory), encoding="utf-8")  # ASCII: the escape stays
    return str(path)


@pytest.mark.parametrize("env", LOCALES)
def test_the_summary_prints_a_lone_surrogate_escaped(hostile_inventory, env):
    done = run_bytes(env, "check", "--inventory", hostile_inventory, "--no-html")
    assert done.returncode == 0, done.stderr
    assert b"node\\udc9b2J" in done.stdout
    assert b"\x9b" not in done.stdout


@pytest.mark.parametrize("env", LOCALES)
def test_json_on_stdout_keeps_the_value(hostile_inventory, env, tmp_path):
    done = run_bytes(env, "check", "--inventory", hostile_inventory, "--no-html", "--json", "-")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["inventory"]["host"]["hostname"] == "node\udc9b2J"
    saved = tmp_path / "result.json"
    saved.write_bytes(done.stdout)
    again = run_bytes(env, "report", str(saved), "--no-html")
    assert again.returncode == 0, again.stderr
    assert b"node\\udc9b2J" in again.stdout
    assert b"\x9b" not in again.stdout
