"""Control characters in inventory strings reach the HTML report escaped and visible, as the
terminal summary shows them (`\\x1b`), never as raw bytes.

An interface alias is free text any admin sets (`ip link set dev ens1f0 alias $'\\e[31m...'`),
a hostname is whatever sethostname(2) was given, DMI strings are the board vendor's bytes and
firmware strings the driver's. Jinja's autoescaping handles `<` and `&`, not NUL, ESC, DEL or
C1 controls: those were written into the page as they were. The inventory is the real
intel-x710-i40e fixture (tests/fixtures/inventories) with control characters added; the page
is read back as bytes and, where Debian's chromium is installed, as a browser shows its text."""

from __future__ import annotations

import json
import os
import re

import pytest
from runcli import run_hwcheck

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.path.join(ROOT, "tests", "fixtures", "inventories", "intel-x710-i40e.json")
CHROMIUM = "/usr/bin/chromium"

ALIAS = "\x1b[2J\x1b[31muplink\x00 rack\x0712\x7f\x9b"
HOSTNAME = "compute-r740-07\x1b]0;owned\x07"
FIRMWARE = "8.15 0x8000a4e8 1.2879.0\x08\x08\x08\x089.99"
BOARD = "0JP31P\x85A00\u202e"
# what each becomes on the page
SHOWN = {
    ALIAS: "\\x1b[2J\\x1b[31muplink\\x00 rack\\x0712\\x7f\\x9b",
    HOSTNAME: "compute-r740-07\\x1b]0;owned\\x07",
    FIRMWARE: "8.15 0x8000a4e8 1.2879.0\\x08\\x08\\x08\\x089.99",
    BOARD: "0JP31P\\x85A00\\u202e",
}
# C0 controls except the page's own line feeds, DEL, C1, and the bidirectional overrides
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ctl")
    with open(INVENTORY, encoding="utf-8") as handle:
        doc = json.load(handle)
    doc["host"]["hostname"] = HOSTNAME
    doc["system"]["board_version"] = BOARD
    for nic in doc["nics"]:
        if nic["name"] == "ens1f0":
            nic["ifalias"] = ALIAS
            nic["firmware_version"] = FIRMWARE
    path = tmp / "inventory.json"
    path.write_text(json.dumps(doc))
    html = tmp / "report.html"
    done = run_hwcheck(
        "check", "--inventory", str(path), "--profile", "intel/700-series", "--html", str(html)
    )
    assert done.returncode == 1, done.stderr  # the X710's NVM is below the minimum
    return html


def test_no_control_character_reaches_the_page_raw(page):
    text = page.read_bytes().decode("utf-8")
    assert RAW.findall(text) == []


def test_each_value_is_shown_with_its_escapes(page):
    text = page.read_text(encoding="utf-8")
    for shown in SHOWN.values():
        assert shown.replace("&", "&amp;") in text.replace("&#34;", '"'), shown
    assert "<title>NON-COMPLIANT &middot; compute-r740-07\\x1b]0;owned\\x07 &middot;" in text


def test_a_browser_shows_the_escapes_as_text(page, tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    with playwright_api.sync_playwright() as running:
        context = running.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
            java_script_enabled=False,
        )
        try:
            view = context.new_page()
            view.goto(page.as_uri(), wait_until="load")
            body = view.inner_text("body")
            alias = view.inner_text(".alias")
            title = view.title()
        finally:
            context.close()
    assert alias == f"\u201c{SHOWN[ALIAS]}\u201d"
    assert title.startswith(f"NON-COMPLIANT \u00b7 {SHOWN[HOSTNAME]} \u00b7")
    for shown in SHOWN.values():
        assert shown in body
    # innerText itself separates table cells with tabs; nothing else may be a control
    assert [c for c in RAW.findall(body) if c != "\t"] == []
