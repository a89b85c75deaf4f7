"""Rules that judge nothing on a node are listed, with the reason, in every report.

A typo in a device ID (`8086:1527` for the X710's `8086:1572`) makes a rule select no card;
without this list the node would look compliant with the rule never having run.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import jsonschema
from runcli import run_hwcheck

from hwcheck.judge import judge_node
from hwcheck.profile.layering import resolve
from hwcheck.profile.library import Library, load_file
from hwcheck.render.html import render_html
from hwcheck.render.junit import render_junit
from hwcheck.render.text import render_text

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NO_HTML = ("--no-html", "--json", "-")
X710 = os.path.join(HERE, "fixtures", "inventories", "intel-x710-i40e.json")

PROFILE = """\
hwcheck_profile: 1
name: site/x710
unknown_nics: ignore
rules:
  - id: site.x710.firmware
    title: X710 firmware at least 9.20
    nic: {devices: ["8086:1527"]}
    firmware: {min: "9.20"}
  - id: site.x710.driver
    nic: {devices: ["8086:1572"]}
    driver: {exact: i40e}
  - id: site.sfc.optional
    module: {name: sfc, state: any, version: {min: "5.0"}}
  - id: site.dropped
    disabled: true
    kernel: {arch: {exact: x86_64}}
"""


def _result(tmp_path):
    path = tmp_path / "x710.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    profile = resolve(load_file(str(path)), Library([]))
    with open(X710, encoding="utf-8") as fh:
        inventory = json.load(fh)
    return judge_node(
        [(profile, "named with --profile")],
        inventory,
        today="2026-11-24",
        judged_at="2026-11-24T12:00:00Z",
    )


def test_a_rule_that_selects_no_card_is_listed_with_its_reason(tmp_path):
    result = _result(tmp_path)
    assert result["verdict"] == "compliant"  # what the typo alone would have said
    assert result["not_applicable"] == [
        {
            "rule_id": "site.x710.firmware",
            "profile": "site/x710",
            "layer": "site/x710",
            "severity": "error",
            "title": "X710 firmware at least 9.20",
            "reason": "No NIC on this node matches 8086:1527.",
        },
        {
            "rule_id": "site.sfc.optional",
            "profile": "site/x710",
            "layer": "site/x710",
            "severity": "error",
            "title": "site.sfc.optional",
            "reason": "Module sfc is absent, and the rule accepts that.",
        },
    ]
    # The rule that judged the card is a finding, not listed; a disabled rule is neither.
    assert {f["rule_id"] for f in result["findings"]} == {"site.x710.driver"}


def test_every_report_shows_them(tmp_path):
    result = _result(tmp_path)
    text = render_text(result, color=False)
    assert "did not apply to this node (2):" in text
    assert "  site.x710.firmware: No NIC on this node matches 8086:1527." in text

    suites = ET.fromstring(render_junit(result))  # noqa: S314 - our own output under test
    assert suites.get("skipped") == "2"
    host = result["node"]["hostname"]
    case = next(
        c for c in suites.iter("testcase") if c.get("classname") == f"{host}.site.x710.firmware"
    )
    skipped = case.find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "No NIC on this node matches 8086:1527."

    html = render_html(result)
    assert '<details id="not-applicable"><summary>2 rules did not apply to this node</summary>' in (
        html
    )
    assert "<code>site.x710.firmware</code> X710 firmware at least 9.20" in html


def test_results_written_before_the_list_existed_still_render(tmp_path):
    result = _result(tmp_path)
    del result["not_applicable"]
    assert "did not apply" not in render_text(result, color=False)
    assert 'skipped="0"' in render_junit(result)
    assert '<details id="not-applicable">' not in render_html(result)


def test_check_json_carries_the_list_and_validates(tmp_path):
    path = tmp_path / "x710.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    done = run_hwcheck("check", "--inventory", X710, "--profile", str(path), *NO_HTML)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [r["rule_id"] for r in result["not_applicable"]] == [
        "site.x710.firmware",
        "site.sfc.optional",
    ]
    with open(os.path.join(ROOT, "docs", "schema", "result.schema.json"), encoding="utf-8") as fh:
        jsonschema.validate(result, json.load(fh))
