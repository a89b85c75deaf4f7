"""The HTML report in a real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright): no console errors, no network request, working filter and search, readable
without JavaScript, hostile values shown and never run. A screenshot is kept in
tests/artifacts/ as a test artefact."""

from __future__ import annotations

import json
import os

import pytest
from browser import Session

from hwcheck.render.html import render_html

pytest.importorskip("playwright.sync_api")

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures", "results")
ARTIFACTS = os.path.join(HERE, "artifacts")

pytestmark = pytest.mark.browser


def write_report(tmp_path, name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        result = json.load(handle)
    path = tmp_path / (name.replace(".json", ".html"))
    path.write_text(render_html(result), encoding="utf-8")
    return path.as_uri()


def visible_statuses(page):
    return page.eval_on_selector_all(
        "article.finding",
        "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.status)",
    )


def test_failing_report_loads_cleanly_with_no_network_and_a_screenshot(session, tmp_path):
    url = write_report(tmp_path, "failing-node.json")
    page = session.open(url)
    assert session.errors == []
    assert [m for m in session.console if m[0] in ("error", "warning")] == []
    assert session.requests == [url]  # the file itself, nothing else, from any host
    assert page.inner_text(".vword") == "NON-COMPLIANT"
    assert page.title() == "NON-COMPLIANT · r640-compute-07.dc1.example.net · hwcheck report"
    os.makedirs(ARTIFACTS, exist_ok=True)
    shot = os.path.join(ARTIFACTS, "report-failing-node.png")
    page.screenshot(path=shot, full_page=True)
    assert os.path.getsize(shot) > 10_000


def test_filter_by_status_and_search(session, tmp_path):
    page = session.open(write_report(tmp_path, "failing-node.json"))
    assert page.is_visible("#filters")
    assert len(visible_statuses(page)) == 18
    assert page.inner_text("#shown") == "Showing 18 of 18 findings"
    for status in ("unknown", "warn", "waived", "pass"):
        page.uncheck(f'#filters input[value="{status}"]')
    assert visible_statuses(page) == ["fail", "fail"]
    assert page.inner_text("#shown") == "Showing 2 of 18 findings"
    assert not page.is_visible("#group-pass")
    page.check('#filters input[value="pass"]')
    page.fill("#q", "e810")  # case-insensitive: the E810 card's two passing findings
    assert visible_statuses(page) == ["pass", "pass"]
    titles = page.eval_on_selector_all(
        "article.finding",
        "els => els.filter(e => e.offsetParent).map(e => e.querySelector('h4').innerText)",
    )
    assert titles == ["PASS E810 driver minimum", "PASS E810 NVM minimum"]
    page.fill("#q", "DEL0000000016")
    assert visible_statuses(page) == ["fail", "fail"]
    page.fill("#q", "no such text anywhere")
    assert visible_statuses(page) == []
    assert page.inner_text("#shown") == "Showing 0 of 18 findings"


def test_firmware_components_on_hover_and_expand(session, tmp_path):
    page = session.open(write_report(tmp_path, "failing-node.json"))
    summary = page.locator("tr.st-pass details.fw summary").nth(1)
    assert summary.get_attribute("title") == "combo 1.3429.0; eetrack 0x8001af27; nvm 4.30"
    assert not page.locator("tr.st-pass details.fw dl").nth(1).is_visible()
    summary.click()
    assert page.locator("tr.st-pass details.fw dl").nth(1).inner_text().split() == [
        "combo",
        "1.3429.0",
        "eetrack",
        "0x8001af27",
        "nvm",
        "4.30",
    ]


def test_everything_readable_without_javascript(playwright, tmp_path):
    url = write_report(tmp_path, "failing-node.json")
    session = Session(playwright, tmp_path / "nojs", javascript=False)
    try:
        page = session.open(url)
        assert page.locator("article.finding").count() == 18
        assert page.locator("article.finding:visible").count() == 18
        assert not page.locator("#filters").is_visible()
        assert page.locator(".vword").inner_text() == "NON-COMPLIANT"
        assert session.requests == [url]
    finally:
        session.close()


def test_print_hides_the_controls(session, tmp_path):
    page = session.open(write_report(tmp_path, "failing-node.json"))
    page.emulate_media(media="print")
    assert not page.is_visible("#filters")
    assert page.locator("article.finding:visible").count() == 18


def test_hostile_values_are_shown_as_text_and_never_run(session, tmp_path):
    url = write_report(tmp_path, "hostile-node.json")
    page = session.open(url)
    # our own script ran (JavaScript is on), so a payload script would have had its chance
    assert page.is_visible("#filters")
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.evaluate("() => document.scripts.length") == 1
    assert page.locator("img").count() == 0
    assert page.locator("textarea").count() == 0
    body = page.inner_text("body")
    assert '<script>window.__pwned="script"</script>' in body  # alias, selection reason
    assert '"><img src=x onerror="window.__pwned=\'img\'">' in body  # firmware, alias, layer
    assert '</textarea><script>window.__pwned="textarea"</script>' in body  # DMI product
    assert 'javascript:window.__pwned="href"' in body
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert all(h.startswith(("#", "https://")) for h in hrefs), hrefs
    # hover and click everything a payload could hide behind
    for summary in page.locator("summary").all()[:12]:
        summary.hover()
        summary.click()
    page.fill("#q", "<script>")
    assert page.evaluate("() => window.__pwned === undefined")
    assert session.errors == []
    assert session.requests == [url]
