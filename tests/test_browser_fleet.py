"""The fleet page of a 10,000-node fleet in a real headless Chromium (Debian's
/usr/bin/chromium driven by Playwright): within its budget (at most 5 MB, first paint within
2 s), no console error, no network request; filtering by rule, verdict, cohort and search
shows exactly the nodes the fleet document says, counted and paged through; sorting works;
hostile hostnames, firmware strings and input names are shown as text and never run; each
row links to its node's report.

The page is what the real `hwcheck fleet --html` writes over 10,000 inventories synthesised
from the fixture hosts (tests/fleetinputs.py), with a baseline, site profiles, error inputs
and superseded ones; the fleet document it writes with --json is what the page is checked
against. A screenshot is kept in tests/artifacts/ as a test artefact."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import fleetdoc
import fleetinputs
import pytest
from browser import Session
from runcli import ROOT

from hwcheck.render.htmlview import visible_text

pytest.importorskip("playwright.sync_api")

HERE = os.path.dirname(os.path.abspath(__file__))
ARTIFACTS = os.path.join(HERE, "artifacts")
NODES = 10_000
MAX_BYTES = 5_000_000
MAX_FIRST_PAINT_MS = 2_000

pytestmark = pytest.mark.browser


def fleet(cwd, *args):
    """`hwcheck fleet ARGS` in `cwd` with the site profiles and the shipped ones."""
    done = subprocess.run(
        [
            *(sys.executable, "-m", "hwcheck", "fleet", *args),
            *("--profile-path", "profiles", "--profile-path", os.path.join(ROOT, "profiles"), "-q"),
        ],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": ROOT},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stdout + done.stderr  # some nodes fail
    return done


@pytest.fixture(scope="module")
def fleet_page(tmp_path_factory):
    """The fleet document, its page, and what was planted in the inputs."""
    work = tmp_path_factory.mktemp("fleet")
    fleetinputs.write_site_profiles(str(work / "profiles"))
    fleetinputs.synthesise(str(work / "before"), 600, shift=3)
    fleet(work, "before", "--json", "baseline.json")
    planted = fleetinputs.synthesise(str(work / "inputs"), NODES)
    outputs = ("--json", "fleet.json", "--html", "fleet.html")
    fleet(work, "inputs", *outputs, "--baseline", "baseline.json")
    with open(work / "fleet.json", encoding="utf-8") as handle:
        document = json.load(handle)
    assert document["counts"]["nodes"] > NODES - 100
    assert document["counts"]["error"] == len(planted["errors"])
    assert document["counts"]["superseded"] == len(planted["superseded"])
    assert document["drift"] is not None
    return document, work / "fleet.html", planted


def shown_name(node):
    """What the table shows as a node's name: its hostname, or its input for an error row
    (characters that print as nothing shown as their escapes, as everywhere on the page)."""
    return visible_text(node["hostname"] if node["hostname"] is not None else node["node"])


def matching(page):
    return int(page.get_attribute("#node-shown", "data-matching"))


def rows_on_page(page):
    return page.eval_on_selector_all(
        "#node-rows tr",
        "trs => trs.map(tr => ({name: tr.cells[0].textContent, verdict: tr.cells[3].textContent,"
        " rules: tr.cells[4].textContent, href: (tr.querySelector('a') || {}).href || null}))",
    )


def every_matching_row(page):
    """Each row the filter lets through, paged through 1,000 at a time."""
    page.select_option("#page-size", "1000")  # and back to the first page
    found = rows_on_page(page)
    while not page.is_disabled("#page-next"):
        page.click("#page-next")
        found += rows_on_page(page)
    return found


def test_a_10000_node_page_loads_within_budget_with_no_request_and_no_error(fleet_page, session):
    fleet, path, _ = fleet_page
    assert path.stat().st_size <= MAX_BYTES
    url = path.as_uri()
    page = session.open(url)
    assert session.errors == []
    assert [m for m in session.console if m[0] in ("error", "warning")] == []
    assert session.requests == [url]  # the file itself, nothing else, from any host
    paint = page.evaluate(
        "() => performance.getEntriesByName('first-contentful-paint')[0].startTime"
    )
    assert paint <= MAX_FIRST_PAINT_MS
    nodes = fleet["counts"]["nodes"]
    assert page.inner_text(".vword") == "NON-COMPLIANT"
    assert page.inner_text(".vhost") == f"Fleet of {nodes:,} nodes"
    pages = -(-nodes // 100)
    assert page.inner_text("#node-shown") == (
        f"Showing 1\u2013100 of {nodes:,} matching nodes ({nodes:,} in the fleet), "
        f"page 1 of {pages}"
    )
    rows = rows_on_page(page)
    assert [r["name"] for r in rows] == [shown_name(n) for n in fleet["nodes"][:100]]
    counts = page.eval_on_selector_all(".counts a .n", "els => els.map(e => e.textContent)")
    expected = [fleet["counts"][v] for v in ("noncompliant", "error", "unknown", "compliant")]
    assert counts == [f"{n:,}" for n in expected] + [str(fleet["counts"]["superseded"])]
    os.makedirs(ARTIFACTS, exist_ok=True)
    shot = os.path.join(ARTIFACTS, "fleet-report.png")
    page.screenshot(path=shot)
    assert os.path.getsize(shot) > 10_000


def nodes_with(fleet, status, rule_id):
    field = {"fail": "failed_rules", "unknown": "unknown_rules", "warn": "warned_rules"}[status]
    return sorted(shown_name(n) for n in fleet["nodes"] if rule_id in n[field])


def test_filtering_by_a_rule_shows_exactly_its_failing_nodes(fleet_page, session):
    fleet, path, _ = fleet_page
    page = session.open(path.as_uri())
    rules = sorted(
        {r["rule_id"] for r in fleet["failing_rules"] if r["status"] == "fail"},
        key=lambda rule: len(nodes_with(fleet, "fail", rule)),
    )
    assert len(rules) >= 3
    for rule in (rules[-1], rules[0]):
        expected = nodes_with(fleet, "fail", rule)
        option = page.eval_on_selector(
            "#rule",
            "(s, id) => [...s.options].find(o => o.text.startsWith(id + ' \u2014 fail')).value",
            rule,
        )
        page.select_option("#rule", option)
        assert matching(page) == len(expected)
        assert f"of {len(expected):,} matching node" in page.inner_text("#node-shown")
        shown = every_matching_row(page)
        assert sorted(r["name"] for r in shown) == expected
        assert all(rule in r["rules"] for r in shown)


def test_the_rules_table_links_to_its_nodes(fleet_page, session):
    fleet, path, _ = fleet_page
    page = session.open(path.as_uri())
    rule = fleet["failing_rules"][0]
    page.fill("#node-q", "something nobody matches")
    page.click("#failing-rules a.to-nodes >> nth=0")
    assert page.input_value("#node-q") == ""
    assert matching(page) == len(nodes_with(fleet, rule["status"], rule["rule_id"]))


def test_filtering_by_verdict_and_cohort(fleet_page, session):
    fleet, path, planted = fleet_page
    page = session.open(path.as_uri())
    for verdict in ("noncompliant", "unknown", "compliant"):
        page.uncheck(f'#node-filters input[value="{verdict}"]')
    errors = [n for n in fleet["nodes"] if n["verdict"] == "error"]
    assert matching(page) == fleet["counts"]["error"] == len(errors) == len(planted["errors"])
    shown = every_matching_row(page)
    assert sorted(r["name"] for r in shown) == sorted(shown_name(n) for n in errors)
    assert {r["verdict"] for r in shown} == {"ERROR"}
    assert sorted(r["rules"] for r in shown) == sorted(visible_text(n["error"]) for n in errors)
    page.check('#node-filters input[value="compliant"]')
    assert matching(page) == fleet["counts"]["error"] + fleet["counts"]["compliant"]
    for verdict in ("noncompliant", "unknown"):
        page.check(f'#node-filters input[value="{verdict}"]')
    cohort = fleet["by_cohort"][0]
    page.select_option("#cohort", label=f"{cohort['label']} ({cohort['counts']['nodes']:,})")
    assert matching(page) == cohort["counts"]["nodes"]
    expected = sorted(shown_name(n) for n in fleet["nodes"] if n["cohort"] == cohort["key"])
    assert sorted(r["name"] for r in every_matching_row(page)) == expected


def test_search_and_paging(fleet_page, session):
    fleet, path, _ = fleet_page
    page = session.open(path.as_uri())
    node = next(n for n in fleet["nodes"][4321:] if n["serial"])
    page.fill("#node-q", node["serial"])
    assert [r["name"] for r in rows_on_page(page)] == [node["hostname"]]
    page.fill("#node-q", "")
    nodes = fleet["counts"]["nodes"]
    assert matching(page) == nodes
    page.click("#page-last")
    last = (nodes - 1) // 100 * 100
    assert page.inner_text("#node-shown").startswith(
        f"Showing {last + 1:,}\u2013{nodes:,} of {nodes:,}"
    )
    assert [r["name"] for r in rows_on_page(page)] == [shown_name(n) for n in fleet["nodes"][last:]]
    assert page.is_disabled("#page-next")
    page.click("#page-prev")
    assert page.inner_text("#node-shown").startswith(f"Showing {last - 99:,}\u2013{last:,}")


def test_sorting_by_hostname_verdict_and_failed_rules(fleet_page, session):
    fleet, path, _ = fleet_page
    page = session.open(path.as_uri())
    page.fill("#node-q", ".dc1.example.net")
    names = sorted(n["hostname"] for n in fleet["nodes"] if ".dc1." in (n["hostname"] or ""))
    assert matching(page) == len(names) > 1000
    page.click('button[data-sort="hostname"]')
    assert page.get_attribute('th:has(button[data-sort="hostname"])', "aria-sort") == "ascending"
    assert [r["name"] for r in rows_on_page(page)] == names[:100]
    page.click('button[data-sort="hostname"]')
    assert page.get_attribute('th:has(button[data-sort="hostname"])', "aria-sort") == ("descending")
    assert [r["name"] for r in rows_on_page(page)] == names[::-1][:100]
    page.fill("#node-q", "")
    page.click('button[data-sort="verdict"]')  # worst first
    assert {r["verdict"] for r in rows_on_page(page)} == {"NON-COMPLIANT"}
    page.click("#page-last")
    assert {r["verdict"] for r in rows_on_page(page)} == {"COMPLIANT"}
    page.click('button[data-sort="failed_rules"]')
    page.click('button[data-sort="failed_rules"]')  # most failed rules first
    most = max(len(n["failed_rules"]) for n in fleet["nodes"])
    first = rows_on_page(page)[0]
    (top,) = [n for n in fleet["nodes"] if shown_name(n) == first["name"]]
    assert len(top["failed_rules"]) == most >= 1
    page.click("#page-last")
    last = rows_on_page(page)[-1]
    (bottom,) = [n for n in fleet["nodes"] if shown_name(n) == last["name"]]
    assert bottom["failed_rules"] == []


def test_hostile_values_are_shown_as_text_and_never_run(fleet_page, session):
    fleet, path, planted = fleet_page
    url = path.as_uri()
    page = session.open(url)
    assert page.evaluate("() => document.scripts.length") == 2
    assert planted["hostile_hosts"]
    for hostname, serial in planted["hostile_hosts"].items():
        page.fill("#node-q", serial)
        (row,) = rows_on_page(page)
        assert row["name"] == visible_text(hostname)
        page.hover("#node-rows .host")
    page.fill("#node-q", "not an hwcheck inventory")
    (row,) = rows_on_page(page)
    assert row["name"] == "inputs/" + fleetinputs.HOSTILE_ERROR_NAME  # the input, as named
    assert row["rules"].startswith("not an hwcheck inventory")
    text = page.evaluate("() => document.body.textContent")
    assert planted["hostile_firmware"]
    for firmware in planted["hostile_firmware"]:
        assert firmware in text
    for summary in page.locator("details summary").all()[:12]:
        summary.click()
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.locator("img").count() == 0
    charts = sum(len(m["components"]) for m in fleet["spread"])
    stacks = len(fleet["by_profile"]) + len(fleet["by_cohort"])
    assert page.locator("svg").count() == charts + stacks
    assert session.errors == []
    assert session.requests == [url]


def test_known_bad_and_drift_sections_say_what_the_document_says(fleet_page, session):
    fleet, path, _ = fleet_page
    page = session.open(path.as_uri())
    known_bad = page.inner_text("#known-bad")
    assert fleet["known_bad"]  # the site profile names the NVM of the +5 step known bad
    for entry in fleet["known_bad"]:
        nodes = f"{entry['nodes']:,} node" + ("s run" if entry["nodes"] != 1 else " runs")
        assert (
            f"{nodes} firmware {entry['version']} on {entry['label']}, known bad: "
            f"{entry['reason']} {entry['advisory']} ({entry['rule_id']})"
        ) in known_bad
    drift = fleet["drift"]
    for key, heading in (("newly_failing", "Newly failing"), ("gone", "Gone")):
        assert page.inner_text(f"#drift-{key} h3") == f"{heading} ({len(drift[key]):,})"
        shown = page.eval_on_selector_all(f"#drift-{key} li", "els => els.map(e => e.textContent)")
        assert shown == [visible_text(n) for n in drift[key][:1000]]
    assert page.inner_text("#drift h3 >> nth=-1") == (
        f"Changed versions ({len(drift['changed']):,})"
    )


def test_without_javascript_the_rollups_read_and_the_table_says_why_it_is_empty(
    fleet_page, playwright, tmp_path
):
    fleet, path, _ = fleet_page
    url = path.as_uri()
    session = Session(playwright, tmp_path / "nojs", javascript=False)
    try:
        page = session.open(url)
        assert page.is_visible("#by-cohort")
        assert page.locator("#failing-rules tbody tr").count() == len(fleet["failing_rules"])
        assert not page.is_visible("#node-table")
        assert not page.is_visible("#node-filters")
        assert "lists every node" in page.inner_text("#nodes")
        assert session.requests == [url]
    finally:
        session.close()


@pytest.fixture(scope="module")
def linked_fleet(tmp_path_factory):
    """A small fleet written with --html-dir: the page and every node's report."""
    work = tmp_path_factory.mktemp("linked")
    fleetinputs.write_site_profiles(str(work / "profiles"))
    fleetinputs.synthesise(str(work / "inputs"), 40)
    fleet(work, "inputs", "--html-dir", "audit", "--json", "audit/fleet.json")
    with open(work / "audit" / "fleet.json", encoding="utf-8") as handle:
        return json.load(handle), work / "audit" / "index.html"


def test_each_row_links_to_its_node_report_beside_the_page(linked_fleet, session):
    fleet, path = linked_fleet
    page = session.open(path.as_uri())
    page.select_option("#page-size", "1000")
    rows = rows_on_page(page)
    assert len(rows) == len(fleet["nodes"])
    for row, node in zip(rows, fleet["nodes"], strict=True):
        if node["report"] is None:
            assert node["verdict"] == "error"
            assert row["href"] is None
            continue
        assert row["href"] == (path.parent / node["report"]).as_uri()
        assert (path.parent / node["report"]).is_file()
    hostile = next(n for n in fleet["nodes"] if n["hostname"] == fleetdoc.HOSTILE_HOSTNAMES[0])
    page.fill("#node-q", hostile["serial"])
    page.click("#node-rows a")
    page.wait_for_load_state("load")
    assert page.url == (path.parent / hostile["report"]).as_uri()
    assert page.inner_text(".vhost") == hostile["hostname"]
    assert page.evaluate("() => window.__pwned === undefined")
    assert session.errors == []
