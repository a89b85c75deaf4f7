"""The collector's dashboard and node pages in a real headless Chromium (tests/browser.py),
served by a real `hwcheck serve`: inventories posted with hostile strings (script tags,
attribute breakers, control characters, bidi and zero-width characters) in the hostname,
the DMI serial and model, and the firmware version are shown as text and never run; a node's
row links to its report page on the collector; a browser logs in with HTTP Basic."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

import httpx
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Session
from collectorproc import Collector

from hwcheck.render.htmlview import visible_text

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

HERE = os.path.dirname(os.path.abspath(__file__))
INVENTORY = os.path.join(HERE, "fixtures", "inventories", "intel-x710-i40e.json")

HOSTILE = (
    # (hostname, serial, product name, firmware)
    (
        '</script><script>window.__pwned="host"</script>',
        '"><img src=x onerror="window.__pwned=\'serial\'">',
        "<svg onload=\"window.__pwned='model'\">",
        "8.15 0x8000a4e8 1.2829.0<img src=x onerror=\"window.__pwned='fw'\">",
    ),
    (
        "rtl-\u202egnp.exe-\u200bzero\u200dwidth-\x1b[31mred",
        "SER\x07IAL-\u2066isolate",
        "javascript:window.__pwned='href'",
        "8.15\r\n<script>window.__pwned='crlf'</script>",
    ),
)


def hostile_inventory(hostname: str, serial: str, model: str, firmware: str) -> bytes:
    with open(INVENTORY, encoding="utf-8") as handle:
        document = json.load(handle)
    document["host"]["hostname"] = hostname
    document["system"]["product_serial"] = serial
    document["system"]["product_name"] = model
    for nic in document["nics"]:
        if nic["firmware_version"]:
            nic["firmware_version"] = firmware
    return json.dumps(document).encode()


@pytest.fixture(scope="module")
def hostile_server():
    with Collector() as c:
        answers = []
        for values in HOSTILE:
            answer = httpx.post(
                c.url + "/api/v1/submissions",
                content=hostile_inventory(*values),
                headers={**c.auth("enroll"), "Content-Type": "application/json"},
            )
            assert answer.status_code == 200, answer.text
            answers.append(answer.json())
        yield c, answers


def logged_in(playwright, tmp_path, server) -> Session:
    session = Session(playwright, tmp_path / "profile")
    session.context.set_extra_http_headers(server.auth("read"))
    return session


def never_ran(page) -> None:
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.locator("img").count() == 0


def test_the_dashboard_shows_hostile_values_as_text_and_runs_none(
    playwright, tmp_path, hostile_server
):
    server, answers = hostile_server
    session = logged_in(playwright, tmp_path, server)
    try:
        page = session.open(server.url + "/")
        assert page.evaluate("() => document.scripts.length") == 2  # its script and the JSON
        for (hostname, serial, _model, _fw), answer in zip(HOSTILE, answers, strict=True):
            page.fill("#node-q", visible_text(serial))
            rows = page.eval_on_selector_all(
                "#node-rows tr",
                "trs => trs.map(tr => ({name: tr.cells[0].textContent,"
                " href: (tr.querySelector('a') || {}).getAttribute('href')}))",
            )
            assert len(rows) == 1, rows
            assert rows[0]["name"] == visible_text(hostname)
            assert rows[0]["href"] == quote(f"nodes/{answer['node']}/report.html", safe="/._-~")
            page.hover("#node-rows .host")
        text = page.evaluate("() => document.body.textContent")
        assert visible_text(HOSTILE[0][3]) in text  # the firmware, in the version spread
        for summary in page.locator("details summary").all()[:12]:
            summary.click()
        never_ran(page)
        assert session.errors == []
        assert {u.split("#")[0] for u in session.requests} == {server.url + "/"}
    finally:
        session.close()


def test_a_row_opens_the_node_report_where_hostile_values_are_text(
    playwright, tmp_path, hostile_server
):
    server, answers = hostile_server
    session = logged_in(playwright, tmp_path, server)
    try:
        for (hostname, serial, model, firmware), answer in zip(HOSTILE, answers, strict=True):
            page = session.open(server.url + "/")
            page.fill("#node-q", visible_text(serial))
            page.click("#node-rows a")
            page.wait_for_load_state("load")
            assert page.url == server.url + answer["report"]
            assert page.inner_text(".vhost") == visible_text(hostname)
            body = page.inner_text("body")
            assert visible_text(model) in body
            assert visible_text(firmware) in body
            assert page.is_visible("#filters")  # the page's own script ran
            for summary in page.locator("summary").all()[:12]:
                summary.click()
            page.fill("#q", "<script>")
            never_ran(page)
            hrefs = page.eval_on_selector_all(
                "a[href]", "els => els.map(e => e.getAttribute('href'))"
            )
            assert all(h.startswith(("#", "https://")) for h in hrefs), hrefs
        assert session.errors == []
        assert all(u.startswith(server.url + "/") for u in session.requests)
    finally:
        session.close()


def test_a_browser_logs_in_with_basic_auth(playwright, tmp_path, hostile_server):
    """The dashboard's 401 asks for Basic (tests/test_collector_auth.py); a browser given
    the read token as the password of any user name gets the page."""
    server, _ = hostile_server
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "basic"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        http_credentials={"username": "operator", "password": server.read_token},
    )
    try:
        page = context.new_page()
        answer = page.goto(server.url + "/", wait_until="load")
        assert answer is not None
        assert answer.status == 200
        assert page.locator("#node-rows tr").count() == len(HOSTILE)
        never_ran(page)
    finally:
        context.close()
