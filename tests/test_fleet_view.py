"""The fleet page's view and page as documents: what each section shows is what the fleet
document says, the node table's embedded rows decode back to the document's nodes, and no
value can leave its place (the JSON block, an attribute, an SVG label).

The fleets are built by tests/fleetdoc.py from the real fixture inventories, and one is
what the real `hwcheck fleet --json` writes over inputs synthesised from them."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re

import fleetdoc
import fleetinputs
import pytest
from htmlpage import Page
from runcli import ROOT, run_hwcheck

from hwcheck.render import fleetview
from hwcheck.render.fleetview import build_fleet_view, component_heading, report_href
from hwcheck.render.html import PAGES, json_island, render_fleet_html, render_page


@pytest.fixture(scope="module")
def fleet():
    return fleetdoc.big_fleet(400)


@pytest.fixture(scope="module")
def view(fleet):
    return build_fleet_view(fleet)


@pytest.fixture(scope="module")
def html(fleet):
    return render_fleet_html(fleet)


@pytest.fixture(scope="module")
def page(html):
    return Page(html)


def decode(table, row):
    """A node table row as the page's script reads it, back to the document's names."""
    at = {field: i for i, field in enumerate(table["fields"])}
    model = row[at["system_model"]]
    return {
        "node": row[at["node"]],
        "hostname": row[at["hostname"]],
        "system_model": None if model is None else table["models"][model],
        "serial": row[at["serial"]],
        "verdict": table["verdicts"][row[at["verdict"]]],
        "failed_rules": [table["rules"][i] for i in row[at["failed_rules"]]],
        "warned_rules": [table["rules"][i] for i in row[at["warned_rules"]]],
        "unknown_rules": [table["rules"][i] for i in row[at["unknown_rules"]]],
        "profiles": [table["profiles"][i] for i in row[at["profiles"]]],
        "cohort": table["cohorts"][row[at["cohort"]]],
        "report": row[at["report"]],
        "error": row[at["error"]],
    }


def test_every_node_is_a_table_row_that_decodes_to_the_document(fleet, view):
    table = view["table"]
    labels = {r["key"]: r["label"] for r in fleet["by_cohort"]}
    assert len(table["rows"]) == len(fleet["nodes"]) == 400
    for node, row in zip(fleet["nodes"], table["rows"], strict=True):
        shown = decode(table, row)
        for field in (
            "node",
            "hostname",
            "system_model",
            "serial",
            "verdict",
            "failed_rules",
            "warned_rules",
            "unknown_rules",
            "profiles",
            "error",
        ):
            assert shown[field] == node[field], field
        assert shown["cohort"] == labels[node["cohort"]]
        assert shown["report"] == report_href(node["report"])
    errors = [decode(table, r) for r in table["rows"] if decode(table, r)["verdict"] == "error"]
    assert errors and all(e["error"] and e["hostname"] is None for e in errors)


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """The fleet document `hwcheck fleet` writes over 60 synthesised inputs."""
    work = tmp_path_factory.mktemp("judged")
    fleetinputs.write_site_profiles(str(work / "profiles"))
    fleetinputs.synthesise(str(work / "inputs"), 60)
    done = run_hwcheck(
        "fleet",
        str(work / "inputs"),
        *("--profile-path", str(work / "profiles"), "--profile-path", f"{ROOT}/profiles"),
        *("--json", str(work / "fleet.json"), "-q"),
    )
    assert done.returncode == 1, done.stderr
    with open(work / "fleet.json", encoding="utf-8") as handle:
        return json.load(handle)


def test_a_judged_fleet_decodes_back_to_its_document(judged):
    view = build_fleet_view(judged)
    table = view["table"]
    labels = {r["key"]: r["label"] for r in judged["by_cohort"]}
    assert {n["verdict"] for n in judged["nodes"]} >= {"error", "noncompliant", "compliant"}
    for node, row in zip(judged["nodes"], table["rows"], strict=True):
        shown = decode(table, row)
        assert shown["hostname"] == node["hostname"]
        assert shown["failed_rules"] == node["failed_rules"]
        assert shown["cohort"] == labels[node["cohort"]]
        assert shown["error"] == node["error"]
    charts = [c["chart"] for m in view["spread"] for c in m["components"]]
    assert len(charts) == sum(len(m["components"]) for m in judged["spread"])
    page = Page(render_fleet_html(judged))
    assert [kind for kind, _ in page.scripts] == ["application/json", None]
    assert f"Fleet of {judged['counts']['nodes']} nodes" in page.all_text()


def test_counts_and_the_verdict_come_from_the_document(fleet, view):
    counts = fleet["counts"]
    assert view["verdict"] == fleet["verdict"] == "noncompliant"
    assert view["verdict_word"] == "NON-COMPLIANT"
    assert view["headline"] == "Fleet of 400 nodes"
    assert [(c["verdict"], c["count"]) for c in view["counts"]] == [
        (v, counts[v]) for v in ("noncompliant", "error", "unknown", "compliant")
    ]
    assert sum(c["count"] for c in view["counts"]) == counts["nodes"]
    assert view["superseded_count"] == counts["superseded"] == len(fleet["superseded"])


@pytest.mark.parametrize(
    ("verdict", "word", "explained"),
    [
        ("error", "ERROR", "at least one input could not be read or judged"),
        ("unknown", "UNKNOWN", "facts a required rule needs are missing"),
        ("compliant", "COMPLIANT", "Every node matches"),
    ],
)
def test_each_fleet_verdict_has_its_word_and_sentence(verdict, word, explained):
    inventories = fleetdoc.load_inventories()
    if verdict == "error":
        rows = [fleetdoc.error_row(1, "inventories/x.json: not JSON")]
    elif verdict == "unknown":
        rows = [fleetdoc.node_row(inventories["virtio-vm"], 1, -1)]
    else:
        rows = [fleetdoc.node_row(inventories["qlogic-qede"], 1)]
    view = build_fleet_view(fleetdoc.fleet_of(rows))
    assert (view["verdict"], view["verdict_word"]) == (verdict, word)
    assert explained in view["verdict_explained"]


def test_rule_filter_offers_each_failing_rule_with_its_node_count(fleet, view):
    expected = {}
    for node in fleet["nodes"]:
        for status, field in (("fail", "failed_rules"), ("unknown", "unknown_rules")):
            for rule in node[field]:
                expected[(status, rule)] = expected.get((status, rule), 0) + 1
    offered = {(o["status"], o["rule_id"]): o["nodes"] for o in view["filter_rules"]}
    assert offered == expected
    counts = [o["nodes"] for o in view["filter_rules"] if o["status"] == "fail"]
    assert counts == sorted(counts, reverse=True)
    # each failing rule's "nodes" link selects its own option
    values = {o["value"]: (o["status"], o["rule_id"]) for o in view["filter_rules"]}
    for rule in view["failing_rules"]:
        assert values[rule["filter"]] == (rule["status"], rule["rule_id"])


def test_failing_rules_show_cohort_labels_and_only_safe_advisory_links(fleet):
    doc = copy.deepcopy(fleet)
    doc["failing_rules"][0]["advisory"] = "javascript:alert(1)"
    doc["failing_rules"][0]["cohorts"] = [r["key"] for r in doc["by_cohort"]]
    view = build_fleet_view(doc)
    first = view["failing_rules"][0]
    assert first["advisory_href"] is None
    assert first["cohort_labels"] == [r["label"] for r in doc["by_cohort"][:3]]
    assert first["cohorts_more"] == len(doc["by_cohort"]) - 3
    text = Page(render_fleet_html(doc)).all_text()
    assert "javascript:alert(1) (not an http/https link)" in text
    nvidia = next(r for r in view["failing_rules"][1:] if r["rule_id"].startswith("nvidia"))
    assert nvidia["advisory_href"] == fleetdoc.ADVISORY


@pytest.mark.parametrize(
    ("report", "href"),
    [
        ("nodes/r640-07-20261124T140212Z.html", "nodes/r640-07-20261124T140212Z.html"),
        ("../reports/a b.html", "../reports/a%20b.html"),
        ("javascript:alert(1)", "javascript%3Aalert%281%29"),
        ('x"><img src=x>.html', "x%22%3E%3Cimg%20src%3Dx%3E.html"),
        ("/etc/passwd", None),
        ("//evil.example/x.html", None),
        ("\\\\host\\share", None),
        ("", None),
        (None, None),
    ],
)
def test_report_links_are_relative_paths_only(report, href):
    assert report_href(report) == href


def test_spread_chart_has_one_bar_per_version_with_status_and_majority(fleet, view):
    model = fleet["spread"][0]
    component = model["components"][0]
    chart = view["spread"][0]["components"][0]["chart"]
    assert [b["nodes"] for b in chart["bars"]] == [v["nodes"] for v in component["versions"]]
    assert [b["status"] for b in chart["bars"]] == [v["status"] for v in component["versions"]]
    assert [b["majority"] for b in chart["bars"]] == [v["majority"] for v in component["versions"]]
    assert sum(b["majority"] for b in chart["bars"]) == 1
    top = max(b["nodes"] for b in chart["bars"])
    for bar in chart["bars"]:
        assert bar["width"] == max(2, round(fleetview.BAR_SPAN * bar["nodes"] / top))
        assert bar["count_x"] + 150 <= chart["width"]  # room for "1,234 nodes ★ majority"
    assert len({b["y"] for b in chart["bars"]}) == len(chart["bars"])
    assert chart["height"] >= chart["bars"][-1]["y"] + fleetview.BAR_HEIGHT


def test_a_long_tail_of_versions_is_one_bar_and_long_versions_are_cut(fleet):
    doc = copy.deepcopy(fleet)
    component = doc["spread"][0]["components"][0]
    tail = [
        {"version": f"{i}.0.0 " + "x" * 60, "nodes": 1, "cards": 1, "status": "fail"}
        | {"majority": False}
        for i in range(30)
    ]
    component["versions"] += tail
    chart = build_fleet_view(doc)["spread"][0]["components"][0]["chart"]
    assert len(chart["bars"]) == fleetview.BAR_LIMIT
    rest = chart["bars"][-1]
    folded = len(component["versions"]) - (fleetview.BAR_LIMIT - 1)
    assert rest["label"] == f"{folded} other versions"
    assert rest["status"] == "fail"
    cut = [b for b in chart["bars"] if b["label"].endswith("\u2026")]
    assert all(len(b["label"]) == fleetview.LABEL_CHARS for b in cut)


def test_outliers_are_listed_and_the_rest_counted(fleet, view):
    for model, shown in zip(fleet["spread"], view["spread"], strict=True):
        for component, c in zip(model["components"], shown["components"], strict=True):
            assert c["outliers"] == component["outliers"]
            more = component["outlier_count"] - len(component["outliers"])
            assert c["outliers_more"] == more


def test_known_bad_reads_as_a_sentence(fleet, page):
    assert fleet["known_bad"]
    text = page.flat()
    for entry in fleet["known_bad"]:
        nodes = f"{entry['nodes']} node{'s' if entry['nodes'] != 1 else ''}"
        verb = "runs" if entry["nodes"] == 1 else "run"
        sentence = (
            f"{nodes} {verb} firmware {entry['version']} on {entry['label']}, known bad: "
            f"{entry['reason']}"
        )
        assert sentence in text


def test_drift_lists_and_changes_are_shown_and_capped(fleet, page):
    text = page.flat()
    drift = fleet["drift"]
    assert f"Baseline {drift['baseline']}, judged {drift['baseline_judged_at']}." in text
    assert f"Newly failing ({len(drift['newly_failing'])})" in text
    assert f"Changed versions ({len(drift['changed'])})" in text
    change = drift["changed"][0]
    cells = page.all_text()
    assert f"{change['node']} {change['card']} firmware_version {change['before']}" in cells
    doc = copy.deepcopy(fleet)
    doc["drift"]["gone"] = [f"gone-{i}" for i in range(fleetview.LIST_LIMIT + 7)]
    capped = build_fleet_view(doc)["drift"]
    gone = next(entry for entry in capped["lists"] if entry["key"] == "gone")
    assert len(gone["entries"]) == fleetview.LIST_LIMIT
    assert gone["more"] == 7


def test_no_drift_section_without_a_baseline(fleet):
    doc = copy.deepcopy(fleet)
    doc["drift"] = None
    html = render_fleet_html(doc)
    assert 'id="drift"' not in html
    assert build_fleet_view(doc)["drift"] is None


def test_sections_in_order(html):
    found = re.findall(r'<section id="([a-z-]+)"', html)
    assert found == [
        "summary",
        "failing-rules",
        "spread",
        "known-bad",
        "drift",
        "nodes",
        "superseded",
    ]


def test_page_is_self_contained_with_one_script_allowed_by_hash(page):
    scripts = page.scripts
    assert [kind for kind, _ in scripts] == ["application/json", None]
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv"))
    digest = base64.b64encode(hashlib.sha256(scripts[1][1].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}';" in csp
    assert "default-src 'none'" in csp
    for tag, attrs in page.tags:
        assert "src" not in attrs, (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "a":
            assert attrs["href"].startswith(("#", "https://")), attrs
        if tag == "link":
            assert attrs == {"rel": "icon", "href": "data:,"}


def test_the_table_data_is_json_that_no_value_can_end(fleet, html, page):
    (kind, island), _ = page.scripts
    assert kind == "application/json"
    assert not re.search(r"[<>&]", island)
    assert json.loads(island) == json.loads(json_island(build_fleet_view(fleet)["table"]))
    hostnames = {r[1] for r in json.loads(island)["rows"]}
    assert '</script><script>window.__pwned="script"</script>' in hostnames
    assert "<img src=x onerror=\"window.__pwned='img'\">" in hostnames
    # characters that print as nothing or turn text around are shown as their escapes
    assert "rtl-\\u202egnp.exe-\\u200bzero\\u200dwidth" in hostnames
    assert html.count("<script") == 2
    assert "<!--" not in html  # nothing in either script can switch the parser's state


def test_control_characters_never_reach_the_page_raw(fleet):
    doc = copy.deepcopy(fleet)
    doc["nodes"][0]["hostname"] = "node\x1b[31m-red\x00\u202e"
    doc["nodes"][0]["error"] = "bad\x07bell"
    doc["spread"][0]["components"][0]["versions"][0]["version"] = "16.35\x1b]0;x\x07"
    html = render_fleet_html(doc)
    assert re.findall("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u200b-\u200f]", html) == []
    rows = json.loads(Page(html).scripts[0][1])["rows"]
    assert rows[0][1] == "node\\x1b[31m-red\\x00\\u202e"
    assert rows[0][-1] == "bad\\x07bell"
    assert "16.35\\x1b]0;x\\x07" in html


def test_hostile_firmware_is_text_in_the_spread(page):
    text = page.all_text()
    for firmware in fleetdoc.HOSTILE_FIRMWARE:
        assert firmware in text
    assert [t for t, _ in page.tags].count("img") == 0
    assert [t for t, _ in page.tags].count("script") == 2


def test_svg_is_only_the_charts_and_stacked_bars_the_view_laid_out(fleet, page):
    svgs = [a.get("class") for t, a in page.tags if t == "svg"]
    charts = sum(len(m["components"]) for m in fleet["spread"])
    assert svgs.count("chart") == charts
    assert svgs.count("stack") == len(fleet["by_profile"]) + len(fleet["by_cohort"])
    assert len(svgs) == charts + len(fleet["by_profile"]) + len(fleet["by_cohort"])


def test_component_headings():
    assert component_heading("firmware_version") == "firmware"
    assert component_heading("firmware_version.nvm") == "firmware nvm"
    assert component_heading("driver_version") == "driver version"
    assert component_heading("driver") == "driver"


def test_render_page_names_its_pages():
    assert PAGES == ("report", "fleet")
    with pytest.raises(ValueError, match="no such page: 'nope'"):
        render_page("nope", {})


def test_rendering_is_deterministic(fleet):
    assert render_fleet_html(fleet) == render_fleet_html(copy.deepcopy(fleet))
