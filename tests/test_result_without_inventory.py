"""A result stands without its inventory: `node` says which node it judged, a store that
keeps inventories apart keeps the rest (`without_inventory`), and `hwcheck report` renders
such a result (terminal, --json, --junit), saying it cannot judge it again. The results are
real `hwcheck check --json` output of the fixture hosts (tests/fixtures/results/SOURCE.md)."""

from __future__ import annotations

import copy
import json
import os

import jsonschema
import pytest
import xmlschema
from runcli import run_hwcheck

from hwcheck.cli.verify import first_difference
from hwcheck.judge import judge_node
from hwcheck.model.summary import node_summary, result_node, without_inventory
from hwcheck.profile.library import Library
from hwcheck.profile.selection import select
from hwcheck.render.htmlview import build_view

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "fixtures", "results")
X710 = os.path.join(RESULTS, "judged-intel-x710-i40e.json")
CX5 = os.path.join(RESULTS, "judged-mellanox-cx5-dell.json")
SCHEMA = os.path.join(ROOT, "docs", "schema", "result.schema.json")
SHIPPED = Library([os.path.join(ROOT, "profiles")])


def load(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def save(tmp_path, doc, name="result.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return str(path)


def judged(name):
    inventory = load(os.path.join(HERE, "fixtures", "inventories", f"{name}.json"))
    return judge_node(
        select(SHIPPED, inventory),
        inventory,
        today="2026-11-24",
        judged_at="2026-11-24T14:00:00Z",
    )


def test_the_judge_writes_who_the_node_is():
    """The Dell R750 of the mellanox-cx5-dell capture, as its DMI tables name it."""
    assert judged("mellanox-cx5-dell")["node"] == {
        "hostname": "ocp-worker-r750-21",
        "serial": "5RT9K83",
        "product_uuid": "4c4c4544-0058-4a10-8032-b7c04f513633",
        "system_vendor": "Dell Inc.",
        "system_model": "PowerEdge R750",
        "collected_at": "2026-11-24T12:00:00Z",
    }


def test_a_node_without_dmi_is_named_with_what_is_known():
    node = judged("virtio-vm")["node"]
    assert node["hostname"]
    assert node["collected_at"]
    assert (node["serial"], node["product_uuid"], node["system_model"]) == (None, None, None)


def test_without_inventory_keeps_everything_else_and_shares_nothing():
    result = load(X710)
    kept = without_inventory(result)
    assert "inventory" not in kept
    assert "inventory" in result  # the original is untouched
    assert {k: v for k, v in result.items() if k != "inventory"} == kept
    kept["findings"][0]["subject"]["ports"].append("eth9")
    kept["node"]["hostname"] = "changed"
    assert result["findings"][0]["subject"]["ports"] != kept["findings"][0]["subject"]["ports"]
    assert result["node"]["hostname"] == "compute-r740-07"
    jsonschema.validate(kept, load(SCHEMA))


def test_a_result_written_before_node_keeps_its_node_when_its_inventory_goes():
    result = load(X710)
    del result["node"]
    kept = without_inventory(result)
    assert kept["node"] == node_summary(result["inventory"]) == result_node(result)


def test_report_renders_a_result_kept_without_its_inventory(tmp_path):
    path = save(tmp_path, without_inventory(load(X710)))
    out, xml = tmp_path / "again.json", tmp_path / "r.xml"
    done = run_hwcheck(
        "report", path, "--no-html", "--json", str(out), "--junit", str(xml), cwd=str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(" NON-COMPLIANT   compute-r740-07: 1 failed, 2 warnings, 5 ")
    assert "could not read: not known (the inventory is not embedded in this result)\n" in (
        done.stdout
    )
    assert done.stderr == (
        f"hwcheck: warning: {path}: not verified (a result file is not signed; its findings "
        "were not re-judged): the inventory is not embedded in this result, so its findings "
        "cannot be judged again\n"
    )
    again = load(out)
    assert again["verification"] == {
        "status": "not-verified",
        "detail": "the inventory is not embedded in this result, so its findings cannot be "
        "judged again",
    }
    assert "inventory" not in again
    jsonschema.validate(again, load(SCHEMA))
    junit = xml.read_text(encoding="utf-8")
    xmlschema.XMLSchema(os.path.join(HERE, "fixtures", "junit", "junit.xsd")).validate(junit)
    assert 'hostname="compute-r740-07"' in junit
    assert "the inventory is not embedded in this result" in junit


def test_report_leaves_out_the_default_html_report_and_refuses_an_explicit_one(tmp_path):
    path = save(tmp_path, without_inventory(load(X710)))
    default = run_hwcheck("report", path, cwd=str(tmp_path))
    assert default.returncode == 0, default.stderr
    assert default.stderr.startswith(
        "hwcheck: warning: no HTML report: the inventory is not embedded in this result "
        "(use --no-html)\n"
    )
    assert not (tmp_path / "reports").exists()
    html = tmp_path / "r.html"
    explicit = run_hwcheck("report", path, "--html", str(html), cwd=str(tmp_path))
    assert explicit.returncode == 2
    assert explicit.stdout == ""
    assert explicit.stderr == (
        f"hwcheck: error: {path}: --html: the HTML report needs the inventory, but the "
        "inventory is not embedded in this result (with --no-html the summary, --json and "
        "--junit render it)\n"
    )
    assert not html.exists()


def test_a_result_with_neither_inventory_nor_node_is_refused(tmp_path):
    doc = without_inventory(load(X710))
    del doc["node"]
    path = save(tmp_path, doc)
    done = run_hwcheck("report", path, "--no-html")
    assert done.returncode == 2
    assert done.stderr == (
        f"hwcheck: error: {path}: malformed result: $: missing 'node' (a result without its "
        "inventory must name the node it judged)\n"
    )


def test_a_node_edited_away_from_its_inventory_is_refused(tmp_path):
    doc = load(CX5)
    doc["node"]["serial"] = "0000000"
    path = save(tmp_path, doc)
    done = run_hwcheck("report", path, "--no-html")
    assert done.returncode == 2
    assert done.stderr == (
        f'hwcheck: error: {path}: $.node.serial is "0000000", but the inventory it embeds says '
        '"5RT9K83"; the result was edited or is damaged\n'
    )


def test_verification_compares_the_node():
    recorded, again = load(CX5), load(CX5)
    recorded["node"]["system_model"] = "PowerEdge R650"
    assert first_difference(recorded, again, compare_waiver_files=False) == (
        "its node's system_model differs from what re-judging gives"
    )


def test_a_fact_edited_away_from_a_finding_is_contradicted(tmp_path):
    doc = load(X710)
    index = next(i for i, f in enumerate(doc["findings"]) if f.get("fact") == "firmware_version")
    del doc["findings"][index]["fact"]
    path = save(tmp_path, doc)
    done = run_hwcheck("report", path, "--no-html")
    assert done.returncode == 2
    assert f"$.findings[{index}] (intel.700.nvm on 0000:3b:00): its fact differs from" in (
        done.stderr
    )


def test_a_result_written_before_node_and_fact_still_verifies(tmp_path):
    """The keys a result written before them lacks are not held against it; one it has
    anyway is compared."""
    doc = load(X710)
    del doc["node"]
    older = copy.deepcopy(doc)
    for finding in older["findings"]:
        finding.pop("fact", None)
        finding.pop("known_bad", None)
    done = run_hwcheck("report", save(tmp_path, older, "older.json"), "--no-html")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "verified: re-judged the embedded inventory against " in done.stdout
    wrong = next(f for f in doc["findings"] if f.get("fact") == "firmware_version")
    wrong["fact"] = "driver_version"
    done = run_hwcheck("report", save(tmp_path, doc, "wrong.json"), "--no-html")
    assert done.returncode == 2
    assert "its fact differs from what re-judging gives" in done.stderr


@pytest.mark.parametrize("name", [X710, CX5])
def test_the_html_view_copes_without_the_inventory(name):
    result = load(name)
    full, kept = build_view(result), build_view(without_inventory(result))
    assert full["inventory_embedded"] is True
    assert full["gaps"] == result["inventory"]["gaps"]
    assert kept["inventory_embedded"] is False
    assert (kept["cards"], kept["others"], kept["gaps"]) == ([], [], None)
    assert kept["no_inventory"] == "the inventory is not embedded in this result"
    for key in ("verdict_word", "host", "counts", "total", "groups", "probed_at"):
        assert kept[key] == full[key], key
    rows = dict(kept["identity"])
    node = result["node"]
    assert rows["Hostname"]["value"] == node["hostname"]
    assert rows["Serial"]["value"] == node["serial"]
    assert rows["System"]["value"] == f"{node['system_vendor']} {node['system_model']}"
    assert rows["Inventory"] == {"value": None, "missing": kept["no_inventory"]}
