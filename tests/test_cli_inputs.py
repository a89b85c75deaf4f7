"""Bad inputs to `check --inventory` and `report`, and clashing output paths: one error line,
exit 2, never an internal error. Inventories start from a real fixture-host inventory
(tests/fixtures/inventories, probed from tests/fixtures/hosts) with one thing broken."""

import json
import os

import pytest
from runcli import run_hwcheck

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.path.join(ROOT, "tests", "fixtures", "inventories", "intel-e810-ice.json")
RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "judged-intel-x710-i40e.json")


def hwcheck(*args, cwd=ROOT):
    return run_hwcheck(*args, cwd=cwd)


def one_error(done, path):
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"hwcheck: error: {path}: ")
    return line


def broken(tmp_path, edit):
    with open(INVENTORY, encoding="utf-8") as fh:
        doc = json.load(fh)
    edit(doc)
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda d: d["nics"][0].pop("driver"), "$.nics[0]: missing 'driver'"),
        (
            lambda d: d["nics"][0].update(firmware_version=16.35),
            "$.nics[0].firmware_version: expected a string or null; got 16.35",
        ),
        (
            lambda d: d["nics"][0].update(sources=None),
            "$.nics[0].sources: expected an object; got null",
        ),
        (
            lambda d: d["os"].update(version_id=12),
            "$.os.version_id: expected a string or null; got 12",
        ),
        (
            lambda d: d["nics"][0].update(kind="nic"),
            "$.nics[0].kind: expected one of 'physical', 'vf', 'virtual', 'loopback'",
        ),
    ],
)
def test_malformed_inventory_is_an_input_error_naming_the_json_path(tmp_path, edit, says):
    path = broken(tmp_path, edit)
    line = one_error(hwcheck("check", "--inventory", path, "--no-html"), path)
    assert says in line


def test_deeply_nested_inventory_is_an_input_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    line = one_error(hwcheck("check", "--inventory", str(path), "--no-html"), str(path))
    assert "nested too deeply" in line


def test_report_refuses_a_result_whose_verdict_was_edited(tmp_path):
    with open(RESULT, encoding="utf-8") as fh:
        doc = json.load(fh)
    assert doc["verdict"] == "noncompliant"
    doc["verdict"], doc["exit_code"] = "compliant", 0
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    line = one_error(hwcheck("report", str(path), "--no-html"), str(path))
    assert "do not follow from its findings" in line


def test_report_accepts_the_result_as_written():
    done = hwcheck("report", RESULT, "--no-html", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "NON-COMPLIANT" in done.stdout


@pytest.mark.parametrize("second", ["--junit", "--html"])
def test_two_outputs_to_one_path_are_refused_before_any_work(tmp_path, second):
    out = tmp_path / "same.out"
    done = hwcheck("report", RESULT, "--json", str(out), second, str(out))
    assert done.returncode == 2
    assert (
        done.stderr
        == f"hwcheck: error: --json and {second} both write {out}; give each its own file\n"
    )
    assert not out.exists()
