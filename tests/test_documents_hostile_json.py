"""Inventory and result documents that JSON parsers read differently, or that are built to
exhaust the reader: one error line naming the file, exit 2, never exit 70.

A repeated key is read last-wins by Python and first-wins by others, so a document that
says `"firmware_version"` twice says two things: refused, naming the object and the key.
Nesting is bounded (64 levels; the deepest real document nests 6): a value nested just
below the parser's own limit once reached the error path's `json.dumps` and was exit 70.
Documents start from real fixture-host inventories and results."""

from __future__ import annotations

import json
import os

import pytest
from runcli import run_hwcheck

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.path.join(ROOT, "tests", "fixtures", "inventories", "intel-x710-i40e.json")
RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "judged-intel-x710-i40e.json")
COMMANDS = {
    "inventory": (INVENTORY, ("check", "--inventory"), "an inventory"),
    "result": (RESULT, ("report",), "a result"),
}


def text_of(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def one_error(done, path):
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"hwcheck: error: {path}: "), line
    return line[len(f"hwcheck: error: {path}: ") :]


def run(kind, path):
    _, command, _ = COMMANDS[kind]
    return run_hwcheck(*command, str(path), "--no-html")


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_a_repeated_key_is_refused_naming_the_object_and_the_key(tmp_path, kind):
    source, _, what = COMMANDS[kind]
    text = text_of(source)
    # the first NIC's firmware, said twice: once as probed, once as someone wished it
    raw = '"firmware_version": "'
    at = text.index(raw)
    text = text[:at] + '"firmware_version": "99.99 0x80009999 1.9999.0", ' + text[at:]
    path = tmp_path / "doc.json"
    path.write_text(text)
    prefix = "$.inventory" if kind == "result" else "$"
    said = one_error(run(kind, path), path)
    assert said == (
        f"{prefix}.nics[0]: key 'firmware_version' appears more than once (JSON parsers "
        f"disagree on which copy counts, so none does); not {what}"
    )


def test_a_repeated_key_at_the_top_is_refused(tmp_path):
    text = text_of(INVENTORY)
    path = tmp_path / "doc.json"
    path.write_text('{"kind": "hwcheck-inventory", ' + text.lstrip()[1:])
    said = one_error(run("inventory", path), path)
    assert said.startswith("$: key 'kind' appears more than once")


def test_a_repeated_key_on_stdin_is_refused():
    text = text_of(INVENTORY).replace('"hostname": ', '"hostname": "a", "hostname": ', 1)
    done = run_hwcheck("check", "--inventory", "-", "--no-html", stdin=text)
    assert one_error(done, "-").startswith("$.host: key 'hostname' appears more than once")


@pytest.mark.parametrize("kind", sorted(COMMANDS))
@pytest.mark.parametrize("depth", [65, 900, 985, 100_000])
def test_a_deeply_nested_value_is_refused_naming_the_file(tmp_path, kind, depth):
    """985 levels was exit 70 (RecursionError from json.dumps while describing the value);
    100,000 the parser's own RecursionError."""
    source, _, what = COMMANDS[kind]
    doc = json.loads(text_of(source))
    host = doc["inventory"]["host"] if kind == "result" else doc["host"]
    host["hostname"] = "@deep@"
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(doc).replace('"@deep@"', "[" * depth + "]" * depth))
    said = one_error(run(kind, path), path)
    assert said.startswith("JSON nested too deeply")
    assert said.endswith(f"; not {what}")


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_nesting_as_deep_as_real_documents_is_read(kind):
    source, _, _ = COMMANDS[kind]
    done = run(kind, source)
    assert done.returncode in (0, 1), done.stderr
