"""The fleet page of a 10,000-node fleet in a real headless Chromium (Debian's
/usr/bin/chromium driven by Playwright): within its budget (at most 5 MB, first paint within
2 s), no console error, no network request; filtering by rule, verdict, cohort and search
shows exactly the nodes the fleet document says, counted and paged through; sorting works;
hostile hostnames, firmware strings and error reasons are shown as text and never run.

The fleet is built by tests/fleetdoc.py from the real fixture inventories' identities with
varied versions. A screenshot is kept in tests/artifacts/ as a test artefact."""

from __future__ import annotations

import os

import fleetdoc
import pytest
from browser import Session

from hwcheck.render.html import render_fleet_html
from hwcheck.render.htmlview import visible_text

playwright_api = pytest.importorskip("playwright.sync_api")

HERE = os.path.dirname(os.path.abspath(__file__))
ARTIFACTS = os.path.join(HERE, "artifacts")
NODES = 10_000
MAX_BYTES = 5_000_000
MAX_FIRST_PAINT_MS = 2_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fleet_page(tmp_path_factory):
    """The fleet document and its page, written where a fleet run writes it."""
    fleet = fleetdoc.big_fleet(NODES)
    out = tmp_path_factory.mktemp("fleet")
    path = out / "fleet.html"
    path.write_text(render_fleet_html(fleet), encoding="utf-8")
    return fleet, path


@pytest.fixture(scope="module")
def playwright():
    with playwright_api.sync_playwright() as running:
        yield running


@pytest.fixture
def session(playwright, tmp_path):
    opened = Session(playwright, tmp_path / "profile")
    yield opened
    opened.close()


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
    fleet, path = fleet_page
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
    assert page.inner_text(".vword") == "NON-COMPLIANT"
    assert page.inner_text(".vhost") == "Fleet of 10,000 nodes"
    assert page.inner_text("#node-shown") == (
        "Showing 1\u2013100 of 10,000 matching nodes (10,000 in the fleet), page 1 of 100"
    )
    rows = rows_on_page(page)
    assert [r["name"] for r in rows] == [shown_name(n) for n in fleet["nodes"][:100]]
    os.makedirs(ARTIFACTS, exist_ok=True)
    shot = os.path.join(ARTIFACTS, "fleet-report.png")
    page.screenshot(path=shot)
    assert os.path.getsize(shot) > 10_000


def test_filtering_by_a_rule_shows_exactly_its_failing_nodes(fleet_page, session):
    fleet, path = fleet_page
    page = session.open(path.as_uri())
    rules = [r for r in fleet["failing_rules"] if r["status"] == "fail"]
    for rule in (rules[0], rules[-1]):
        expected = sorted(
            shown_name(n) for n in fleet["nodes"] if rule["rule_id"] in n["failed_rules"]
        )
        assert len(expected) == rule["nodes"]
        option = page.eval_on_selector(
            "#rule",
            "(s, id) => [...s.options].find(o => o.text.startsWith(id + ' \u2014 fail')).value",
            rule["rule_id"],
        )
        page.select_option("#rule", option)
        assert matching(page) == len(expected)
        assert f"of {len(expected):,} matching node" in page.inner_text("#node-shown")
        shown = every_matching_row(page)
        assert sorted(r["name"] for r in shown) == expected
        assert all(rule["rule_id"] in r["rules"] for r in shown)


def test_the_rules_table_links_to_its_nodes(fleet_page, session):
    fleet, path = fleet_page
    page = session.open(path.as_uri())
    rule = fleet["failing_rules"][0]
    page.fill("#node-q", "something nobody matches")
    page.click("#failing-rules a.to-nodes >> nth=0")
    assert page.input_value("#node-q") == ""
    assert matching(page) == rule["nodes"]


def test_filtering_by_verdict_and_cohort(fleet_page, session):
    fleet, path = fleet_page
    page = session.open(path.as_uri())
    for verdict in ("noncompliant", "unknown", "compliant"):
        page.uncheck(f'#node-filters input[value="{verdict}"]')
    errors = [n for n in fleet["nodes"] if n["verdict"] == "error"]
    assert matching(page) == fleet["counts"]["error"] == len(errors)
    shown = every_matching_row(page)
    assert sorted(r["name"] for r in shown) == sorted(n["node"] for n in errors)
    assert {r["verdict"] for r in shown} == {"ERROR"}
    assert sorted(r["rules"] for r in shown) == sorted(n["error"] for n in errors)
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
    fleet, path = fleet_page
    page = session.open(path.as_uri())
    node = fleet["nodes"][4321]
    page.fill("#node-q", node["serial"])
    assert [r["name"] for r in rows_on_page(page)] == [node["hostname"]]
    page.fill("#node-q", "")
    assert matching(page) == NODES
    page.click("#page-last")
    assert page.inner_text("#node-shown").startswith("Showing 9,901\u201310,000 of 10,000")
    assert [r["name"] for r in rows_on_page(page)] == [shown_name(n) for n in fleet["nodes"][-100:]]
    assert page.is_disabled("#page-next")
    page.click("#page-prev")
    assert page.inner_text("#node-shown").startswith("Showing 9,801\u20139,900")


def test_sorting_by_hostname_verdict_and_failed_rules(fleet_page, session):
    fleet, path = fleet_page
    page = session.open(path.as_uri())
    page.fill("#node-q", ".dc1.example.net")
    names = sorted(n["hostname"] for n in fleet["nodes"] if ".dc1." in (n["hostname"] or ""))
    assert matching(page) == len(names)
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
    top = [n for n in fleet["nodes"] if shown_name(n) == first["name"]]
    assert len(top[0]["failed_rules"]) == most > 1


def test_each_row_links_to_its_node_report_beside_the_page(fleet_page, session):
    fleet, path = fleet_page
    page = session.open(path.as_uri())
    first = rows_on_page(page)[0]
    assert first["href"] == (path.parent / fleet["nodes"][0]["report"]).as_uri()


def test_hostile_values_are_shown_as_text_and_never_run(fleet_page, session):
    fleet, path = fleet_page
    url = path.as_uri()
    page = session.open(url)
    assert page.evaluate("() => document.scripts.length") == 2
    for hostname in fleetdoc.HOSTILE_HOSTNAMES:
        node = next(n for n in fleet["nodes"] if n["hostname"] == hostname)
        page.fill("#node-q", node["serial"])
        (row,) = rows_on_page(page)
        shown = hostname.replace("\u202e", "\\u202e").replace("\u200b", "\\u200b")
        assert row["name"] == shown.replace("\u200d", "\\u200d")
        page.hover("#node-rows a")
    page.fill("#node-q", "not an inventory")
    (row,) = rows_on_page(page)
    assert row["rules"] == "<img src=x onerror=\"window.__pwned='error'\"> not an inventory"
    body = page.inner_text("body")
    for firmware in fleetdoc.HOSTILE_FIRMWARE:
        assert firmware in body or firmware[:31] in body  # a chart label is cut, a cell is not
    for summary in page.locator("details.outliers summary").all()[:6]:
        summary.click()
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.locator("img").count() == 0
    charts = sum(len(m["components"]) for m in fleet["spread"])
    stacks = len(fleet["by_profile"]) + len(fleet["by_cohort"])
    assert page.locator("svg").count() == charts + stacks
    assert session.errors == []
    assert session.requests == [url]


def test_without_javascript_the_rollups_read_and_the_table_says_why_it_is_empty(
    fleet_page, playwright, tmp_path
):
    fleet, path = fleet_page
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
