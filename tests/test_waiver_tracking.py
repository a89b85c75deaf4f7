"""Waivers' `ticket` and `links`, and the waivers that expire soon: what the file may say,
and that every report shows it (terminal, JSON, JUnit, HTML) without it changing a finding.

Real runs of `hwcheck check` on the mellanox-cx5-dell fixture inventory (a real capture),
whose ConnectX-6 Dx firmware fails nvidia.cx6dx.firmware; the waiver expires a few days
from the day the test runs, so it is always in force and always expiring soon.
"""

from __future__ import annotations

import datetime
import json
import os
import xml.etree.ElementTree as ET

from runcli import NO_CACHE, ROOT, run_hwcheck

from hwcheck.render.waivers import expiring_soon
from hwcheck.status import ExitStatus

CX5 = os.path.join(ROOT, "tests", "fixtures", "inventories", "mellanox-cx5-dell.json")
LINK = "https://network.nvidia.com/support/firmware/firmware-downloads/"


def in_days(days: int) -> str:
    return (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days)).isoformat()


def waiver_file(tmp_path, *, expires: str, extra: str = "") -> str:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "hwcheck_waivers: 1\nwaivers:\n"
        "  - rule: nvidia.cx6dx.firmware\n"
        '    scope: {model: "15b3:101d"}\n'
        "    justification: the firmware update is scheduled with the next maintenance window\n"
        f"    expires: {expires}\n" + extra,
        encoding="utf-8",
    )
    return str(path)


TRACKED = f'    ticket: CHG-1042\n    links: ["{LINK}"]\n'


def check(tmp_path, waivers: str, *args: str):
    return run_hwcheck(
        "check",
        "--inventory",
        CX5,
        "--profile",
        "nvidia/connectx",
        "--waivers",
        waivers,
        *("--html", str(tmp_path / "r.html"), "--junit", str(tmp_path / "r.xml")),
        *("--json", str(tmp_path / "r.json")),
        *args,
        env=NO_CACHE,
    )


def test_ticket_and_links_are_in_every_report_and_change_no_finding(tmp_path):
    plain = check(tmp_path, waiver_file(tmp_path, expires=in_days(300)))
    before = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    done = check(tmp_path, waiver_file(tmp_path, expires=in_days(300), extra=TRACKED))
    assert done.returncode == plain.returncode == ExitStatus.UNKNOWN, done.stdout + done.stderr
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (waived,) = [f for f in result["findings"] if f["waiver"] is not None]
    assert waived["waiver"]["ticket"] == "CHG-1042"
    assert waived["waiver"]["links"] == [LINK]
    # Metadata only: the findings are the same but for the waiver's ticket and links.
    for finding in result["findings"]:
        if finding["waiver"] is not None:
            del finding["waiver"]["ticket"], finding["waiver"]["links"]
    assert result["findings"] == before["findings"]
    assert (result["verdict"], result["counts"]) == (before["verdict"], before["counts"])
    assert f"         waiver ticket CHG-1042; {LINK}\n" in done.stdout
    cases = ET.parse(tmp_path / "r.xml").iter("testcase")  # noqa: S314 - our own output
    case = next(c for c in cases if c.get("classname", "").endswith(".nvidia.cx6dx.firmware"))
    assert case.find("skipped").get("message").endswith(f"[ticket CHG-1042; {LINK}]")
    assert f"waiver ticket CHG-1042; {LINK}" in case.find("system-out").text
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<span class="ticket">Ticket <code>CHG-1042</code></span>' in html
    assert f'<a class="wlink" href="{LINK}" rel="noreferrer noopener">{LINK}</a>' in html
    # The saved result renders them again, and re-judges the same with its waiver file.
    again = run_hwcheck(
        "report",
        str(tmp_path / "r.json"),
        "--waivers",
        str(tmp_path / "waivers.yaml"),
        "--html",
        str(tmp_path / "again.html"),
        env=NO_CACHE,
    )
    assert again.returncode == 0, again.stderr
    assert "verified: re-judged" in again.stdout
    assert "Ticket <code>CHG-1042</code>" in (tmp_path / "again.html").read_text(encoding="utf-8")


def test_a_link_that_is_not_http_is_refused_at_its_line_and_a_misspelt_key_suggested(tmp_path):
    bad = waiver_file(tmp_path, expires=in_days(30), extra='    links: ["javascript:alert(1)"]\n')
    done = check(tmp_path, bad)
    assert done.returncode == ExitStatus.USAGE
    assert done.stderr.startswith(f"hwcheck: error: {bad}:7:13: ")
    assert "an http or https URL" in done.stderr
    typo = waiver_file(tmp_path, expires=in_days(30), extra="    tickets: CHG-1\n")
    done = check(tmp_path, typo)
    assert done.returncode == ExitStatus.USAGE
    assert done.stderr.startswith(f"hwcheck: error: {typo}:7:5: unknown key 'tickets'")
    assert "did you mean 'ticket'?" in done.stderr


def test_the_terminal_lists_the_waivers_expiring_within_the_window(tmp_path):
    waivers = waiver_file(tmp_path, expires=in_days(5), extra=TRACKED)
    done = check(tmp_path, waivers)
    assert (
        "\nwaivers expiring within 14 days (1):\n"
        f"  nvidia.cx6dx.firmware expires in 5 days ({in_days(5)}, {waivers}:3): "
        "Mellanox Technologies MT2892 Family [ConnectX-6 Dx] (ens3f0np0, ens3f1np1) at "
        f"0000:b1:00 [ticket CHG-1042; {LINK}]\n"
    ) in done.stdout
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<section id="expiring"><h3>Waivers expiring within 14 days</h3>' in html
    # A narrower window leaves it out of both.
    done = check(tmp_path, waivers, "--expiring-within", "4")
    assert "expiring within" not in done.stdout
    assert 'id="expiring"' not in (tmp_path / "r.html").read_text(encoding="utf-8")
    done = check(tmp_path, waivers, "--expiring-within", "-1")
    assert done.returncode == ExitStatus.USAGE
    assert "--expiring-within: must be a whole number of days, 0 or more; got '-1'" in done.stderr


def test_expiring_soon_counts_days_from_the_today_it_is_given():
    """Pure: today is passed in. Its last day is today: 0 days, listed; a day past the
    window, or expired, is not."""

    def result(expires: str, expired: bool = False):
        waiver = {
            "rule_id": "r.x",
            "justification": "j",
            "expires": expires,
            "scope": {"node": "n"},
            "expired": expired,
            "where": "w.yaml:3",
        }
        finding = {"waiver": waiver, "subject": {"label": "card A"}}
        return {"findings": [finding, {**finding, "subject": {"label": "card B"}}]}

    (entry,) = expiring_soon(result("2026-03-01"), today="2026-03-01", within=0)
    assert (entry.days, entry.when(), entry.subjects) == (0, "expires today", ["card A", "card B"])
    (entry,) = expiring_soon(result("2026-03-15"), today="2026-03-01", within=14)
    assert entry.when() == "expires in 14 days"
    assert expiring_soon(result("2026-03-16"), today="2026-03-01", within=14) == []
    assert expiring_soon(result("2026-02-28", expired=True), today="2026-03-01", within=14) == []
