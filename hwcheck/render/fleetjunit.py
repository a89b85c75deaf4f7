"""The fleet as JUnit XML: one `<testsuite>` per cohort, one `<testcase>` per node, named by
host, so a CI view shows which hosts fail and files from many runs merge without clashing.

- noncompliant -> `<failure type="noncompliant">` listing the failed rules
- unknown      -> `<error type="unknown">` listing the rules that could not be judged
- error        -> `<error type="error">` with the reason the input could not be read or judged
- compliant    -> an empty test case (warned rules in `<system-out>`)
"""

from __future__ import annotations

from hwcheck.render.junit import xml_attr, xml_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.fleet import Fleet, NodeRow


def _case(row: NodeRow) -> tuple[str, str]:
    name = row["hostname"] or row["node"]
    head = f'    <testcase classname="{xml_attr(row["cohort"])}" name="{xml_attr(name)}" time="0"'
    verdict = row["verdict"]
    if verdict == "noncompliant":
        text = "failed rules: " + ", ".join(row["failed_rules"] or ["(strict: warnings)"])
        if row["warned_rules"] and not row["failed_rules"]:
            text += "; warned: " + ", ".join(row["warned_rules"])
        body = f'      <failure type="noncompliant" message="{xml_attr(text)}"/>'
        outcome = "failure"
    elif verdict in ("unknown", "error"):
        text = row["error"] or "not judged: " + ", ".join(row["unknown_rules"])
        body = f'      <error type="{verdict}" message="{xml_attr(text)}"/>'
        outcome = "error"
    else:
        if not row["warned_rules"]:
            return head + "/>", "pass"
        warned = xml_text("warned: " + ", ".join(row["warned_rules"]))
        body = f"      <system-out>{warned}</system-out>"
        outcome = "pass"
    return f"{head}>\n{body}\n    </testcase>", outcome


def render_fleet_junit(fleet: Fleet) -> str:
    cohorts: dict[str, list[NodeRow]] = {}
    for row in fleet["nodes"]:
        cohorts.setdefault(row["cohort"], []).append(row)
    suites = []
    totals = {"tests": 0, "failure": 0, "error": 0}
    for suite_id, (cohort, rows) in enumerate(sorted(cohorts.items())):
        tally = {"tests": 0, "failure": 0, "error": 0, "pass": 0}
        cases = []
        for row in rows:
            xml, outcome = _case(row)
            cases.append(xml)
            tally["tests"] += 1
            tally[outcome] += 1
        for key in totals:
            totals[key] += tally[key]
        suites.append(
            f'  <testsuite name="{xml_attr(cohort)}" id="{suite_id}" tests="{tally["tests"]}" '
            f'failures="{tally["failure"]}" errors="{tally["error"]}" skipped="0" time="0" '
            f'timestamp="{xml_attr(fleet["judged_at"].rstrip("Z"))}">\n'
            + "\n".join(cases)
            + "\n  </testsuite>"
        )
    head = (
        f'<testsuites name="{xml_attr("hwcheck fleet: " + fleet["verdict"])}" '
        f'tests="{totals["tests"]}" failures="{totals["failure"]}" errors="{totals["error"]}" '
        'skipped="0" time="0">'
    )
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, *suites, "</testsuites>", ""])
