"""A waiver's ticket and links, and the waivers expiring soon, in the node report as a real
headless Chromium shows it (Debian's /usr/bin/chromium through Playwright): visible, the link
a real `<a rel="noreferrer">` that the page's CSP lets stand, a hostile ticket shown as text,
and nothing fetched from anywhere.

The report is written by a real `hwcheck check` of the mellanox-cx5-dell fixture inventory
with a waiver that expires five days from the day the test runs.
"""

from __future__ import annotations

import datetime
import os

import pytest
from runcli import NO_CACHE, ROOT, run_hwcheck

pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

CX5 = os.path.join(ROOT, "tests", "fixtures", "inventories", "mellanox-cx5-dell.json")
LINK = "https://network.nvidia.com/support/firmware/firmware-downloads/"
HOSTILE = "CHG-7 <img src=x onerror=alert(1)>"


def test_ticket_links_and_expiring_soon_are_visible_in_the_report(session, tmp_path):
    expires = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(5)).isoformat()
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "hwcheck_waivers: 1\nwaivers:\n"
        "  - rule: nvidia.cx6dx.firmware\n"
        '    scope: {model: "15b3:101d"}\n'
        "    justification: the firmware update is scheduled with the next maintenance window\n"
        f"    expires: {expires}\n"
        f"    ticket: '{HOSTILE}'\n"
        f'    links: ["{LINK}"]\n',
        encoding="utf-8",
    )
    html = tmp_path / "report.html"
    done = run_hwcheck(
        "check",
        "--inventory",
        CX5,
        "--waivers",
        str(waivers),
        "--html",
        str(html),
        "-q",
        env=NO_CACHE,
    )
    assert done.returncode == 3, done.stderr  # the ConnectX-5's OEM train is unknown
    url = html.as_uri()
    page = session.open(url)
    assert session.errors == []
    assert [m for m in session.console if m[0] in ("error", "warning")] == []
    assert session.requests == [url]

    section = page.locator("#expiring")
    assert section.is_visible()
    assert section.locator("h3").inner_text() == "Waivers expiring within 14 days"
    item = section.locator("li").inner_text()
    assert item.startswith(f"nvidia.cx6dx.firmware expires in 5 days ({expires}): ")
    assert f"Ticket {HOSTILE}" in item

    waived = page.locator('article.finding[data-status="waived"]')
    assert waived.count() == 1
    ticket = waived.locator(".ticket")
    assert ticket.is_visible()
    assert ticket.inner_text() == f"Ticket {HOSTILE}"
    assert page.locator("img").count() == 0  # the ticket's markup is text, never an element
    link = waived.locator("a.wlink")
    assert link.is_visible()
    assert link.inner_text() == LINK
    assert link.get_attribute("href") == LINK
    assert "noreferrer" in link.get_attribute("rel").split()
