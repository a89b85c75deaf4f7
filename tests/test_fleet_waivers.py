"""`hwcheck fleet`: the waivers in force that expire soon, across the fleet (`--expiring-within
DAYS`), in the fleet JSON, the terminal and the fleet HTML: the nightly audit says which
exceptions run out before they do, with the nodes each one covers and its ticket.

Two real nodes: the mellanox-cx5-dell inventory and a copy of it under another hostname and
serial. The waiver file's dates are written relative to today (UTC), as the run judges them.
"""

from __future__ import annotations

import datetime
import json
import os

import jsonschema
from runcli import NO_CACHE, ROOT, check_json, run_hwcheck

INVENTORY = os.path.join(ROOT, "tests", "fixtures", "inventories", "mellanox-cx5-dell.json")
SCHEMA = os.path.join(ROOT, "docs", "schema", "fleet.schema.json")
LINK = "https://tickets.example.net/browse/CHG-7"


def _day(offset: int) -> str:
    today = datetime.datetime.now(datetime.UTC).date()
    return (today + datetime.timedelta(days=offset)).isoformat()


def _setup(tmp_path) -> tuple[list[str], str]:
    """The two nodes' inventories and a waiver file: the ConnectX-5 firmware waiver for the
    card model expires in 3 days (ticket and link), the ConnectX-6 Dx one of the first node
    in 30 days, and one for the kernel expired yesterday."""
    with open(INVENTORY, encoding="utf-8") as fh:
        doc = json.load(fh)
    first = tmp_path / "r750-21.json"
    first.write_text(json.dumps(doc))
    doc["host"]["hostname"] = "ocp-worker-r750-22"
    doc["system"]["product_serial"] = "6QT0L94"
    doc["system"]["product_uuid"] = "4c4c4544-0058-4a10-8032-b7c04f513634"
    second = tmp_path / "r750-22.json"
    second.write_text(json.dumps(doc))
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "hwcheck_waivers: 1\n"
        "waivers:\n"
        "  - rule: nvidia.cx5.firmware\n"
        '    scope: {model: "15b3:1017"}\n'
        "    justification: Dell OEM firmware, qualified for dc1.\n"
        f"    expires: {_day(3)}\n"
        "    ticket: CHG-7\n"
        f"    links: [{LINK}]\n"
        "  - rule: nvidia.cx6dx.firmware\n"
        "    scope: {node: ocp-worker-r750-21}\n"
        "    justification: Update in the next maintenance window.\n"
        f"    expires: {_day(30)}\n"
        "  - rule: nvidia.cx5.firmware\n"
        "    scope: {node: ocp-worker-r750-22}\n"
        "    justification: An old exception.\n"
        f"    expires: {_day(-1)}\n"
    )
    return [str(first), str(second)], str(waivers)


def _fleet(*args: str) -> tuple[dict, str]:
    done = run_hwcheck("fleet", *args, "--json", "-", env=NO_CACHE)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout), done.stderr


def test_the_fleet_lists_each_waiver_expiring_soon_once_with_every_node_it_covers(tmp_path):
    inputs, waivers = _setup(tmp_path)
    doc, stderr = _fleet(*inputs, "--waivers", waivers)
    with open(SCHEMA, encoding="utf-8") as fh:
        jsonschema.validate(doc, json.load(fh))
    keys = sorted(row["node"] for row in doc["nodes"])
    assert len(keys) == 2
    expiring = doc["expiring_waivers"]
    assert (expiring["within_days"], expiring["as_of"]) == (14, _day(0))
    # the 30-day waiver is outside the default two weeks; the expired one waives nothing
    assert expiring["waivers"] == [
        {
            "rule_id": "nvidia.cx5.firmware",
            "where": f"{waivers}:3",
            "expires": _day(3),
            "days_left": 3,
            "ticket": "CHG-7",
            "links": [LINK],
            "nodes": keys,
        }
    ]
    # the terminal says it too (stderr: the JSON went to standard output)
    assert "waivers expiring within 14 days (1):" in stderr
    assert (
        f"  nvidia.cx5.firmware expires in 3 days ({_day(3)}, {waivers}:3): 2 nodes "
        f"[ticket CHG-7; {LINK}]"
    ) in stderr


def test_the_window_is_the_operators_and_counts_as_check_counts_it(tmp_path):
    inputs, waivers = _setup(tmp_path)
    doc, _ = _fleet(*inputs, "--waivers", waivers, "--expiring-within", "30")
    listed = [
        (w["rule_id"], w["days_left"], len(w["nodes"])) for w in doc["expiring_waivers"]["waivers"]
    ]
    assert listed == [("nvidia.cx5.firmware", 3, 2), ("nvidia.cx6dx.firmware", 30, 1)]
    # the node's own report lists the same waivers for the same window
    done = run_hwcheck(
        "check", "--inventory", inputs[0], "--waivers", waivers, "--no-html",
        "--expiring-within", "30", env=NO_CACHE,
    )  # fmt: skip
    assert "waivers expiring within 30 days (2):" in done.stdout
    assert "nvidia.cx5.firmware expires in 3 days" in done.stdout
    assert "nvidia.cx6dx.firmware expires in 30 days" in done.stdout
    doc, _ = _fleet(*inputs, "--waivers", waivers, "--expiring-within", "0")
    assert doc["expiring_waivers"]["waivers"] == []
    # the waivers still waive: only the list is a matter of the window
    _, result = check_json("--inventory", inputs[0], "--waivers", waivers)
    waived = {f["rule_id"] for f in result["findings"] if f["status"] == "waived"}
    assert "nvidia.cx5.firmware" in waived
    row = next(r for r in doc["nodes"] if r["hostname"] == "ocp-worker-r750-21")
    assert set(row["waived_rules"]) == waived


def test_the_fleet_page_shows_them_with_ticket_link_and_nodes(tmp_path):
    inputs, waivers = _setup(tmp_path)
    page = tmp_path / "fleet.html"
    done = run_hwcheck(
        "fleet", *inputs, "--waivers", waivers, "--html", str(page), "-q", env=NO_CACHE
    )
    assert done.returncode in (0, 1), done.stderr
    html = page.read_text()
    section = html[html.index('<section id="expiring">') :]
    section = section[: section.index("</section>")]
    assert "Waivers expiring within 14 days" in section
    assert "<code>nvidia.cx5.firmware</code> expires in 3 days" in section
    assert "<b>2 nodes</b>" in section
    assert "Ticket <code>CHG-7</code>" in section
    assert f'href="{LINK}"' in section
    assert "nvidia.cx6dx.firmware" not in section
    doc, _ = _fleet(*inputs, "--waivers", waivers)
    for key in (row["node"] for row in doc["nodes"]):
        assert f"<li><code>{key}</code></li>" in section


def test_no_waivers_no_list_and_a_bad_window_is_refused(tmp_path):
    inputs, _ = _setup(tmp_path)
    doc, stderr = _fleet(*inputs)
    assert doc["expiring_waivers"]["waivers"] == []
    assert "waivers expiring" not in stderr
    done = run_hwcheck("fleet", *inputs, "--expiring-within", "-1", env=NO_CACHE)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "hwcheck: error: argument --expiring-within: must be a whole number of days, 0 or "
        "more; got '-1'"
    )


def test_a_baseline_written_before_the_list_still_reads(tmp_path):
    """A fleet document of a release before `expiring_waivers` is still a valid baseline."""
    inputs, waivers = _setup(tmp_path)
    doc, _ = _fleet(*inputs, "--waivers", waivers)
    del doc["expiring_waivers"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    again, _ = _fleet(inputs[0], "--waivers", waivers, "--baseline", str(old))
    assert again["drift"]["gone"] == [r["node"] for r in doc["nodes"] if r["source"] == inputs[1]]
    assert [w["nodes"] for w in again["expiring_waivers"]["waivers"]] == [
        [r["node"] for r in again["nodes"]]
    ]


def test_a_hostile_ticket_or_link_on_the_fleet_page_is_text_never_markup(tmp_path):
    """The waiver file is the operator's, but the page may be read by anyone: a ticket that
    is markup is shown as text, and a link that is no http(s) URL is refused at load."""
    inputs, waivers = _setup(tmp_path)
    path = tmp_path / os.path.basename(waivers)
    path.write_text(
        path.read_text().replace("ticket: CHG-7", "ticket: '<img src=x onerror=alert(1)>'")
    )
    page = tmp_path / "fleet.html"
    done = run_hwcheck("fleet", *inputs, "--waivers", str(path), "--html", str(page), "-q")
    assert done.returncode in (0, 1), done.stderr
    html = page.read_text()
    section = html[html.index('<section id="expiring">') :]
    section = section[: section.index("</section>")]
    assert "&lt;img src=x onerror=alert(1)&gt;" in section
    assert "<img" not in section
    path.write_text(path.read_text().replace(LINK, "javascript:alert(1)"))
    done = run_hwcheck("fleet", *inputs, "--waivers", str(path), "--html", str(page), "-q")
    assert done.returncode == 2
    assert f"hwcheck: error: {path}:" in done.stderr and "Traceback" not in done.stderr
