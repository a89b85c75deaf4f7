"""`hwcheck fleet` reports: the fleet JSON and its published schema, the CSV rows, the JUnit
names, drift against a baseline, and the rollup numbers, over the real fixture inventories."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import fleetgen
import jsonschema
import xmlschema
from runcli import NO_CACHE, ROOT, run_hwcheck
from test_fleet_inputs import fleet, inventory, load, write

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import fleet_schema

XSD = os.path.join(ROOT, "tests", "fixtures", "junit", "junit.xsd")
SCHEMA = os.path.join(ROOT, "docs", "schema", "fleet.schema.json")
NAMES = ("intel-e810-ice", "intel-x710-i40e", "mellanox-cx5-dell", "virtio-vm", "qlogic-qede")


def test_the_published_schema_is_the_one_the_types_make():
    with open(SCHEMA, encoding="utf-8") as fh:
        assert fh.read() == fleet_schema.text(), "run scripts/fleet_schema.py"


def test_fleet_documents_validate_against_the_published_schema(tmp_path):
    with open(SCHEMA, encoding="utf-8") as fh:
        schema = json.load(fh)
    base = tmp_path / "base.json"
    done = run_hwcheck("fleet", *(inventory(n) for n in NAMES), "--json", str(base), "-q")
    assert done.returncode == 1, done.stderr
    jsonschema.validate(json.loads(base.read_text()), schema)
    _, doc, _ = fleet(*(inventory(n) for n in NAMES[:3]), "--baseline", str(base))
    jsonschema.validate(doc, schema)
    assert doc["drift"] is not None
    doc["nodes"][0]["verdict"] = "passed"
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a verdict outside the vocabulary validated")


def test_the_fleet_json_is_the_same_text_with_msgspec_and_without(tmp_path):
    """msgspec encodes the fleet document when installed, the standard library otherwise:
    the same bytes either way, hostile strings (control characters, U+2028, bidi marks,
    quotes, non-ASCII, a lone surrogate an inventory escaped) included, one node per line,
    keys sorted."""
    from hwcheck.render.fleetjson import render_fleet_json

    page = tmp_path / "fleet.json"
    names = (*NAMES, "hostile")
    done = run_hwcheck("fleet", *(inventory(n) for n in names), "--json", str(page), "-q")
    assert done.returncode == 1, done.stderr
    doc = json.loads(page.read_text(encoding="utf-8"))
    hostile = next(r for r in doc["nodes"] if r["hostname"] == "hostile-node")
    hostile["serial"] = "lone \ud800 surrogate \u2028 \u202e"
    hostile["system_model"] = '\x1b[31m\x00 </script> "q" \\ caf\u00e9 \U0001f600'
    fast, standard = render_fleet_json(doc), render_fleet_json(doc, use_msgspec=False)
    assert fast == standard
    assert json.loads(fast) == doc
    lines = fast.split("\n")  # not splitlines(): U+2028 in a string is no line end
    assert sum(line.startswith('    {"') and '"verdict":' in line for line in lines) == len(
        doc["nodes"]
    )
    assert list(json.loads(fast)) == sorted(doc)
    assert r'"lone \ud800 surrogate' in fast  # written as its escape, valid JSON
    # what fleet wrote is that text
    assert page.read_text(encoding="utf-8") == render_fleet_json(
        json.loads(page.read_text(encoding="utf-8"))
    )


def test_rollups_count_each_node_once_per_profile_and_cohort():
    _, doc, _ = fleet(*(inventory(n) for n in NAMES))
    counts = doc["counts"]
    assert counts == {
        "nodes": 5,
        "compliant": 2,
        "noncompliant": 2,
        "unknown": 0,
        "error": 1,
        "superseded": 0,
    }
    profiles = {r["key"]: r for r in doc["by_profile"]}
    assert profiles["intel/700-series"]["verdict"] == "noncompliant"
    assert profiles["intel/800-series"]["counts"]["compliant"] == 1
    assert profiles["(no profile)"]["verdict"] == "error"
    assert sum(r["counts"]["nodes"] for r in doc["by_cohort"]) == 5
    cohorts = {r["key"] for r in doc["by_cohort"]}
    assert any(k.startswith("PowerEdge R740 | ") and "X710" in k for k in cohorts), cohorts
    # worst first
    order = ["noncompliant", "error", "unknown", "compliant"]
    ranks = [order.index(r["verdict"]) for r in doc["by_cohort"]]
    assert ranks == sorted(ranks)


def test_failing_rules_say_how_many_nodes_and_which_cohorts(tmp_path):
    x710 = load("intel-x710-i40e")
    paths = [inventory("intel-x710-i40e")]
    for i in range(3):
        x710["host"]["hostname"] = f"x710-{i}"
        paths.append(write(str(tmp_path / f"x{i}.json"), x710))
    _, doc, _ = fleet(*paths, inventory("virtio-vm"))
    rules = {(r["rule_id"], r["status"]): r for r in doc["failing_rules"]}
    nvm = rules[("intel.700.nvm", "fail")]
    assert nvm["nodes"] == 4 and nvm["profile"] == "intel/700-series"
    assert nvm["cohorts"] == [doc["nodes"][0]["cohort"]]
    assert nvm["severity"] == "error" and nvm["remediation"]
    assert doc["failing_rules"][0]["status"] == "fail"


def test_csv_has_one_row_per_node_and_card_and_never_a_formula(tmp_path):
    hostile = load("intel-e810-ice")
    hostile["host"]["hostname"] = '=HYPERLINK("http://x")'
    out = tmp_path / "fleet.csv"
    paths = [inventory(n) for n in NAMES] + [write(str(tmp_path / "h.json"), hostile)]
    done = run_hwcheck("fleet", *paths, "--csv", str(out), "-q", env=NO_CACHE)
    assert done.returncode == 1, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    _, doc, _ = fleet(*paths)
    want = sum(max(1, len(node["cards"])) for node in doc["nodes"])
    assert len(rows) == want
    e810 = [r for r in rows if r["hostname"] == "nfvi-sm-12"]
    assert len(e810) == 1
    (row,) = e810
    assert (row["vendor_id"], row["device_id"], row["driver"]) == ("8086", "1592", "ice")
    assert row["firmware_version"] == "4.30 0x8001af27 1.3429.0"
    assert row["verdict"] == "compliant" and row["serial"] == "S452178X2A10077"
    x710 = [r for r in rows if r["hostname"] == "compute-r740-07"]
    assert {r["card"] for r in x710} == {"0000:01:00", "0000:3b:00"}
    assert all("intel.700.nvm" in r["failed_rules"].split() for r in x710)
    error = [r for r in rows if r["verdict"] == "error"]
    assert len(error) == 1 and error[0]["card"] == "" and error[0]["error"]
    assert [r["hostname"] for r in rows if "HYPERLINK" in r["hostname"]] == [
        '\'=HYPERLINK("http://x")'
    ]


def test_the_lines_workers_write_are_the_reports_of_the_rows(tmp_path):
    """The fleet's workers write each node's JSON line and CSV rows as they judge it; the
    files are those a renderer makes of the fleet document alone, byte for byte, hostile
    strings, an error row and a node twice (its older input superseded) included."""
    from hwcheck.render.fleetcsv import fleet_csv_bytes
    from hwcheck.render.fleetjson import fleet_json_bytes

    hostile = load("intel-e810-ice")
    hostile["host"]["hostname"] = '=cmd|"x" \u2028 caf\u00e9 \x1b'
    older = load("intel-e810-ice")
    older["collected_at"] = "2020-01-01T00:00:00Z"
    paths = [
        *(inventory(n) for n in (*NAMES, "hostile")),
        write(str(tmp_path / "h.json"), hostile),
        write(str(tmp_path / "older.json"), older),
    ]
    out_json, out_csv = tmp_path / "fleet.json", tmp_path / "fleet.csv"
    done = run_hwcheck(
        "fleet", *paths, "--json", str(out_json), "--csv", str(out_csv), "-q", "--jobs", "2"
    )
    assert done.returncode == 1, done.stderr
    written = out_json.read_bytes()
    doc = json.loads(written)
    assert doc["counts"]["superseded"] == 1 and doc["counts"]["error"] == 1
    assert fleet_json_bytes(doc) == written
    assert fleet_csv_bytes(doc) == out_csv.read_bytes()
    assert b"caf\xc3\xa9" in out_csv.read_bytes()


def test_junit_has_a_suite_per_cohort_and_a_case_per_node_named_by_host(tmp_path):
    out = tmp_path / "fleet.xml"
    done = run_hwcheck("fleet", *(inventory(n) for n in NAMES), "--junit", str(out), "-q")
    assert done.returncode == 1, done.stderr
    xmlschema.XMLSchema(XSD).validate(str(out))
    _, doc, _ = fleet(*(inventory(n) for n in NAMES))
    root = ET.parse(out).getroot()  # noqa: S314 - our own output under test
    suites = root.findall("testsuite")
    assert sorted(s.get("name") for s in suites) == sorted(r["key"] for r in doc["by_cohort"])
    cases = {c.get("name"): c for s in suites for c in s.findall("testcase")}
    assert set(cases) == {row["hostname"] or row["node"] for row in doc["nodes"]}
    assert cases["compute-r740-07"].find("failure").get("type") == "noncompliant"
    assert "intel.700.nvm" in cases["compute-r740-07"].find("failure").get("message")
    error = next(c for c in cases.values() if c.find("error") is not None)
    assert error.find("error").get("type") == "error"
    assert cases["vm"].find("failure") is None and cases["vm"].find("error") is None
    assert root.get("failures") == "2" and root.get("errors") == "1" and root.get("tests") == "5"


def test_drift_against_a_baseline(tmp_path):
    base = tmp_path / "base.json"
    first = [inventory(n) for n in ("intel-e810-ice", "intel-x710-i40e", "virtio-vm")]
    done = run_hwcheck("fleet", *first, "--json", str(base), "-q", env=NO_CACHE)
    assert done.returncode == 1, done.stderr
    e810 = load("intel-e810-ice")
    for nic in e810["nics"]:
        if nic["driver"] == "ice":
            nic["firmware_version"] = "3.20 0x8001af27 1.3429.0"
    x710 = load("intel-x710-i40e")
    for nic in x710["nics"]:
        if nic["driver"] == "i40e":
            nic["firmware_version"] = "9.20 0x8000d8c5 1.3429.0"
    second = [
        write(str(tmp_path / "e810.json"), e810),
        write(str(tmp_path / "x710.json"), x710),
        inventory("broadcom-bnxt-bnx2x"),
    ]
    _, doc, _ = fleet(*second, "--baseline", str(base))
    drift = doc["drift"]
    assert drift["baseline"] == str(base)
    assert drift["newly_failing"] == ["nfvi-sm-12/S452178X2A10077"]
    assert drift["newly_passing"] == ["compute-r740-07/7XJ2Q63"], doc["nodes"]
    assert drift["added"] == ["storage-r7515-02/9QW4M53"]
    assert drift["gone"] == ["vm"]
    changes = {
        (c["node"], c["card"], c["field"]): (c["before"], c["after"]) for c in drift["changed"]
    }
    assert changes == {
        ("nfvi-sm-12/S452178X2A10077", "0000:18:00", "firmware_version"): (
            "4.30 0x8001af27 1.3429.0",
            "3.20 0x8001af27 1.3429.0",
        ),
        ("compute-r740-07/7XJ2Q63", "0000:3b:00", "firmware_version"): (
            "8.15 0x8000a4e8 1.2879.0",
            "9.20 0x8000d8c5 1.3429.0",
        ),
    }


def test_a_baseline_that_is_not_a_fleet_document_is_refused(tmp_path):
    done = run_hwcheck("fleet", inventory("virtio-vm"), "--baseline", inventory("virtio-vm"))
    assert done.returncode == 2
    assert "not an hwcheck fleet document" in done.stderr and "Traceback" not in done.stderr


def test_reports_are_written_all_or_none(tmp_path):
    json_out, csv_out = tmp_path / "fleet.json", tmp_path / "fleet.csv"
    done = run_hwcheck(
        "fleet",
        inventory("virtio-vm"),
        "--json",
        str(json_out),
        "--csv",
        str(tmp_path / "missing" / "fleet.csv"),
    )
    assert done.returncode == 4, done.stderr
    assert not json_out.exists() and not csv_out.exists()
    assert os.listdir(tmp_path) == []


def test_html_dir_writes_the_page_and_one_report_per_counted_node(tmp_path):
    old = load("intel-e810-ice")
    old["collected_at"] = "2020-01-01T00:00:00Z"
    hostile = load("virtio-vm")
    hostile["host"]["hostname"] = "../../evil host<x>"
    inputs = [
        inventory("intel-e810-ice"),
        write(str(tmp_path / "old.json"), old),  # superseded: no report kept for it
        write(str(tmp_path / "hostile.json"), hostile),
        inventory("intel-x710-i40e"),
    ]
    out = tmp_path / "audit"
    done = run_hwcheck("fleet", *inputs, "--html-dir", str(out), "--json", str(tmp_path / "f.json"))
    assert done.returncode == 1, done.stderr
    assert f"wrote {out / 'index.html'}" in done.stdout
    doc = json.loads((tmp_path / "f.json").read_text())
    reports = sorted(os.listdir(out / "nodes"))
    assert reports == ["_.._evil_host_x_.html", "compute-r740-07.html", "nfvi-sm-12.html"]
    for row in doc["nodes"]:
        assert row["report"] is not None and row["report"].startswith("nodes/")
        page = (out / row["report"]).read_text(encoding="utf-8")
        assert html.escape(row["hostname"] or "", quote=False) in page
    assert doc["counts"]["superseded"] == 1
    assert not [name for name in os.listdir(out / "nodes") if name.startswith(".")]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "nodes/compute-r740-07.html" in index
    assert "<x>" not in index.replace("&lt;x&gt;", "")


def test_node_reports_get_the_mode_any_report_gets(tmp_path):
    out = tmp_path / "audit"
    done = run_hwcheck("fleet", inventory("virtio-vm"), "--html-dir", str(out), "-q")
    assert done.returncode == 0, done.stderr
    (report,) = (out / "nodes").iterdir()
    umask = os.umask(0o022)
    os.umask(umask)
    assert report.stat().st_mode & 0o777 == 0o666 & ~umask
    assert (out / "index.html").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_run_that_cannot_write_its_reports_leaves_the_earlier_node_reports(tmp_path):
    out = tmp_path / "audit"
    first = run_hwcheck("fleet", inventory("virtio-vm"), "--html-dir", str(out), "-q")
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in (out / "nodes").iterdir()}
    changed = load("virtio-vm")
    changed["kernel"]["release"] = "6.1.0-99-amd64"
    again = run_hwcheck(
        "fleet",
        write(str(tmp_path / "vm.json"), changed),
        "--html-dir",
        str(out),
        "--json",
        str(tmp_path / "missing" / "fleet.json"),
    )
    assert again.returncode == 4, again.stderr
    assert {p.name: p.read_bytes() for p in (out / "nodes").iterdir()} == before


def test_an_interrupted_run_removes_every_report_it_staged(tmp_path):
    fleetgen.synthesise(str(tmp_path / "in"), 3000)  # far more than it judges before the signal
    out = tmp_path / "audit"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hwcheck", "fleet", str(tmp_path / "in"), "--html-dir", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    nodes = out / "nodes"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (nodes.exists() and len(os.listdir(nodes)) > 20):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert os.listdir(nodes) == []
    assert not (out / "index.html").exists()
