"""JUnit XML, as Jenkins, GitLab and other CI systems read it (the Apache Ant structure).

One `<testsuite>` per profile, named `HOST: PROFILE` (HOST alone when no profile was
judged), one `<testcase>` per rule and subject: `classname` is `HOST.RULE_ID` (the host, then
the rule ID whose dots group rules by vendor in CI views), `name` the subject. So the files of
many nodes merge in one CI view without two cases or suites of different hosts sharing a
name (the fleet's JUnit names each node's case by host too). The outcome mirrors the exit
code a CI job gates on:

- fail    -> `<failure type="fail">`
- warn    -> `<failure type="warning">` with `--strict` (warnings fail the run then); otherwise
             a passing test case whose `<system-out>` starts with `WARNING:`
- unknown -> `<error type="unknown">`: the check could not be carried out, on an
             error-severity rule (exit 3) or with `--strict`; on a warning or info rule
             otherwise a passing test case whose `<system-out>` starts with `UNKNOWN:`
- waived  -> `<skipped>` with the justification and expiry
- pass    -> an empty test case

A rule that judged nothing on the node (its NIC selector matched no card) is a `<skipped>`
test case named "not applicable on this node", with the reason.

Gaps in the inventory go to the suite's `<system-out>`. The XML is written by hand: values
are escaped, and characters XML 1.0 cannot carry are shown as `\\xNN`.
"""

from __future__ import annotations

from hwcheck.model.summary import result_node
from hwcheck.render.order import safe_url, sorted_findings
from hwcheck.render.waivers import tracking_text
from hwcheck.render.words import JUNIT_NOTES, NO_INVENTORY, verdict_word
from hwcheck.status import gates

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.result import Finding, NotApplicable, Result

_ILLEGAL = {c: f"\\x{c:02x}" for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}
_ILLEGAL.update({0xFFFE: "\\ufffe", 0xFFFF: "\\uffff"})
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"}
_TEXT_TABLE = {**_ILLEGAL, **_ESCAPES}
_ATTR_TABLE = {**_TEXT_TABLE, 0x09: "&#9;", 0x0A: "&#10;", 0x0D: "&#13;"}


def _text(value: object) -> str:
    out = str(value).translate(_TEXT_TABLE)
    # lone surrogates (from undecodable bytes) cannot be encoded: show them escaped
    return out.encode("utf-8", "backslashreplace").decode("utf-8")


def _attr(value: object) -> str:
    out = str(value).translate(_ATTR_TABLE)
    return out.encode("utf-8", "backslashreplace").decode("utf-8")


xml_text = _text  # for the fleet's JUnit (render/fleetjunit.py)
xml_attr = _attr


def _timestamp(rfc3339: str) -> str:
    """Ant's timestamp carries no time zone: `2026-11-24T14:02:12Z` -> `2026-11-24T14:02:12`
    (the value is UTC; the `hwcheck.judged_at` property keeps the original)."""
    return rfc3339[:19] if len(rfc3339) >= 19 else rfc3339


def _details(finding: Finding) -> str:
    observed = finding["observed"]
    lines = [
        finding["message"],
        f"subject: {finding['subject']['label']}",
        f"rule: {finding['rule_id']} ({finding['severity']}, layer {finding['layer']})",
        f"expected: {finding['expected']}",
        "observed: " + ("(not available)" if observed["raw"] is None else repr(observed["raw"])),
    ]
    if observed["parsed"]:
        lines.append("parsed: " + ", ".join(f"{k}={v}" for k, v in observed["parsed"].items()))
    if observed["source"]:
        lines.append(f"source: {observed['source']}")
    if finding["remediation"]:
        lines.append(f"remediation: {finding['remediation']}")
    link = safe_url(finding["advisory"])
    if link:
        lines.append(f"advisory: {link}")
    waiver = finding["waiver"]
    if waiver is not None:
        state = "expired on" if waiver["expired"] else "expires"
        lines.append(
            f"waiver ({waiver['where']}, {state} {waiver['expires']}): {waiver['justification']}"
        )
        tracking = tracking_text(waiver)
        if tracking:
            lines.append(f"waiver {tracking}")
    return "\n".join(lines)


def junit_host(result: Result) -> str:
    """The host a result's suites and cases are named by: its hostname, else its serial or
    UUID, else `unknown-host`."""
    node = result_node(result)
    return node["hostname"] or node["serial"] or node["product_uuid"] or "unknown-host"


def _testcase(finding: Finding, host: str, *, strict: bool) -> tuple[str, str]:
    """The XML of one test case, and its outcome: pass, failure, error or skipped."""
    status = finding["status"]
    classname = f"{host}.{finding['rule_id']}"
    head = (
        f'    <testcase classname="{_attr(classname)}" '
        f'name="{_attr(finding["subject"]["label"])}" time="0">'
    )
    message = _attr(finding["message"])
    body = _text(_details(finding))
    # The outcome mirrors the exit code: what gates the node fails (or errs) its test case.
    gating = gates(status, finding["severity"], strict=strict)
    if status in ("fail", "warn") and gating:
        kind = "fail" if status == "fail" else "warning"
        inner = f'<failure type="{kind}" message="{message}">{body}</failure>'
        outcome = "failure"
    elif status == "unknown" and gating:
        inner = f'<error type="unknown" message="{message}">{body}</error>'
        outcome = "error"
    elif status in JUNIT_NOTES:
        inner = f"<system-out>{JUNIT_NOTES[status]}: {body}</system-out>"
        outcome = "pass"
    elif status == "waived":
        waiver = finding["waiver"]
        why = f"waived: {waiver['justification']} (until {waiver['expires']})" if waiver else ""
        tracking = tracking_text(waiver) if waiver else None
        if tracking:
            why += f" [{tracking}]"
        inner = f'<skipped message="{_attr(why or "waived")}"/><system-out>{body}</system-out>'
        outcome = "skipped"
    else:
        return f"{head[:-1]}/>", "pass"
    return f"{head}\n      {inner}\n    </testcase>", outcome


def _idle_testcase(rule: NotApplicable, host: str) -> str:
    classname = f"{host}.{rule['rule_id']}"
    return (
        f'    <testcase classname="{_attr(classname)}" name="not applicable on this node" '
        f'time="0">\n      <skipped message="{_attr(rule["reason"])}"/>\n    </testcase>'
    )


def _suite(
    result: Result, name: str, findings: list[Finding], idle: list[NotApplicable], suite_id: int
) -> tuple[str, dict[str, int]]:
    tally = {"tests": 0, "failure": 0, "error": 0, "skipped": 0, "pass": 0}
    cases = []
    named = junit_host(result)
    for finding in sorted_findings(findings):
        xml, outcome = _testcase(finding, named, strict=result["strict"])
        cases.append(xml)
        tally["tests"] += 1
        tally[outcome] += 1
    for rule in idle:
        cases.append(_idle_testcase(rule, named))
        tally["tests"] += 1
        tally["skipped"] += 1
    host = result_node(result)["hostname"] or "localhost"
    props = [
        ("hwcheck.verdict", verdict_word(result["verdict"])),
        ("hwcheck.exit_code", str(result["exit_code"])),
        ("hwcheck.version", result["hwcheck_version"]),
        ("hwcheck.judged_at", result["judged_at"]),
        ("hwcheck.strict", "true" if result["strict"] else "false"),
    ]
    for use in result["profiles"]:
        if use["name"] == name:
            props.append(("hwcheck.profile.version", use["version"] or ""))
            props.append(("hwcheck.profile.layers", " > ".join(x["name"] for x in use["layers"])))
            props.append(("hwcheck.profile.selected_because", use["selected_because"]))
    lines = [
        f'  <testsuite name="{_attr(f"{named}: {name}" if name else named)}" id="{suite_id}" '
        f'tests="{tally["tests"]}" '
        f'failures="{tally["failure"]}" errors="{tally["error"]}" skipped="{tally["skipped"]}" '
        f'time="0" timestamp="{_attr(_timestamp(result["judged_at"]))}" hostname="{_attr(host)}">',
        "    <properties>",
        *(f'      <property name="{_attr(k)}" value="{_attr(v)}"/>' for k, v in props),
        "    </properties>",
        *cases,
    ]
    inventory = result.get("inventory")
    if inventory is None:
        lines.append(
            f"    <system-out>{_text(f'could not read: not known ({NO_INVENTORY})')}</system-out>"
        )
    elif inventory["gaps"]:
        text = "\n".join(
            f"could not read {g['what']}: {g['reason']} ({g['source']}) {g['detail']}"
            for g in inventory["gaps"]
        )
        lines.append(f"    <system-out>{_text(text)}</system-out>")
    lines.append("  </testsuite>")
    return "\n".join(lines), tally


def render_junit(result: Result) -> str:
    """The result as JUnit XML (UTF-8, one suite per profile; see the module docstring)."""
    by_profile: dict[str, list[Finding]] = {use["name"]: [] for use in result["profiles"]}
    for finding in result["findings"]:
        by_profile.setdefault(finding["profile"], []).append(finding)
    idle: dict[str, list[NotApplicable]] = {}
    for rule in result.get("not_applicable", []):
        by_profile.setdefault(rule["profile"], [])
        idle.setdefault(rule["profile"], []).append(rule)
    if not by_profile:
        by_profile[""] = []  # one suite, named by the host alone
    suites = []
    totals = {"tests": 0, "failure": 0, "error": 0, "skipped": 0}
    for suite_id, (name, findings) in enumerate(by_profile.items()):
        xml, tally = _suite(result, name, findings, idle.get(name, []), suite_id)
        suites.append(xml)
        for key in totals:
            totals[key] += tally[key]
    verdict = verdict_word(result["verdict"])
    host = result_node(result)["hostname"] or "unknown host"
    head = (
        f'<testsuites name="{_attr(f"hwcheck {host}: {verdict}")}" tests="{totals["tests"]}" '
        f'failures="{totals["failure"]}" errors="{totals["error"]}" '
        f'skipped="{totals["skipped"]}" time="0">'
    )
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, *suites, "</testsuites>", ""])
