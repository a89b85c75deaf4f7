"""Statuses, the verdict and the exit code follow one set of rules (hwcheck.status), and the
words operators read for them are spelled in one place (hwcheck.render.words).

Before, the judge, the waiver code, `report`'s checks, the verdict and the JUnit renderer
each decided part of it on their own; a rule changed in one would have left the others
saying something else. These tests hold every consumer to the one module."""

from __future__ import annotations

import ast
import copy
import itertools
import json
import os
import xml.etree.ElementTree as ET

import pytest

from hwcheck import status
from hwcheck.judge import verdict
from hwcheck.render import words
from hwcheck.render.junit import render_junit
from hwcheck.render.text import render_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "hwcheck")
FAILING = os.path.join(ROOT, "tests", "fixtures", "results", "failing-node.json")
SEVERITIES = ("error", "warning", "info")


def load(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def test_a_failed_rule_fails_on_error_severity_and_warns_otherwise():
    assert status.finding_status("fail", "error") == "fail"
    assert status.finding_status("fail", "warning") == "warn"
    assert status.finding_status("fail", "info") == "warn"
    for severity in SEVERITIES:
        assert status.finding_status("pass", severity) == "pass"
        assert status.finding_status("unknown", severity) == "unknown"
        assert set(status.judged_statuses(severity)) == {
            status.finding_status(o, severity) for o in ("pass", "fail", "unknown")
        }


def test_a_waiver_in_force_waives_what_is_not_a_pass_and_an_expired_one_nothing():
    for before in ("fail", "warn", "unknown"):
        assert status.waived_status(before, expired=False) == "waived"
        assert status.waived_status(before, expired=True) == before
    assert status.waived_status("pass", expired=False) == "pass"


@pytest.mark.parametrize("strict", [False, True])
def test_one_finding_keeps_the_node_from_compliant_exactly_when_it_gates(strict):
    for state, severity in itertools.product(status.STATUS_ORDER, SEVERITIES):
        outcome, code, counts = status.node_verdict([(state, severity)], strict=strict)
        assert (outcome != "compliant") == status.gates(state, severity, strict=strict)
        assert code == status.NODE_EXIT[outcome]
        assert counts[status.COUNT_KEYS[state]] == 1
        assert sum(counts.values()) == 1


def test_the_verdict_precedence_fail_then_a_needed_unknown_then_strict():
    """A fail outranks everything; an unknown a required rule needs outranks `--strict`'s
    warnings (exit 3, not 1): the node is not known to be noncompliant, only unknown."""
    needed = ("unknown", "error")
    warned = ("warn", "warning")
    assert status.node_verdict([needed, ("fail", "error")], strict=False)[0] == "noncompliant"
    assert status.node_verdict([needed, warned], strict=True)[:2] == (
        "unknown",
        status.ExitStatus.UNKNOWN,
    )
    assert status.node_verdict([warned, ("unknown", "info")], strict=True)[0] == "noncompliant"
    assert status.node_verdict([warned, ("unknown", "info")], strict=False)[0] == "compliant"
    assert status.node_verdict([], strict=True)[:2] == ("compliant", status.ExitStatus.OK)


def test_the_judges_verdict_is_the_status_modules():
    doc = load(FAILING)
    pairs = [(f["status"], f["severity"]) for f in doc["findings"]]
    for strict in (False, True):
        assert verdict(doc["findings"], strict=strict) == status.node_verdict(pairs, strict=strict)


def junit_outcomes(result):
    root = ET.fromstring(render_junit(result))  # noqa: S314 - our own output under test
    outcomes = {}
    for case in root.iter("testcase"):
        tags = [child.tag for child in case if child.tag != "system-out"]
        outcomes[case.get("name")] = tags[0] if tags else "pass"
    return outcomes


@pytest.mark.parametrize("strict", [False, True])
def test_junit_fails_or_errs_a_case_exactly_when_its_finding_gates(strict):
    """Every status on every severity, one finding each, in a real result document."""
    doc = load(FAILING)
    template = doc["findings"][0]
    findings = []
    for state, severity in itertools.product(status.STATUS_ORDER, SEVERITIES):
        finding = copy.deepcopy(template)
        finding.update(status=state, severity=severity, waiver=None)
        finding["subject"]["label"] = f"{state}/{severity}"
        findings.append(finding)
    doc.update(findings=findings, strict=strict, not_applicable=[])
    outcomes = junit_outcomes(doc)
    for f in findings:
        outcome = outcomes[f["subject"]["label"]]
        gating = status.gates(f["status"], f["severity"], strict=strict)
        assert (outcome in ("failure", "error")) == gating, f["subject"]["label"]
        assert (outcome == "error") == (gating and f["status"] == "unknown")


def test_the_terminal_counts_say_what_the_words_module_says():
    doc = load(FAILING)
    line = render_text(doc, color=False, quiet=True)
    assert line.startswith(f" {words.verdict_word(doc['verdict'])} ")
    for state, key in status.COUNT_KEYS.items():
        if doc["counts"][key]:
            assert f"{doc['counts'][key]} {words.COUNT_WORDS[state]}" in line


OPERATOR_WORDS = {
    *words.VERDICT_WORDS.values(),
    *words.STATUS_WORDS.values(),
    *words.STATUS_HEADINGS.values(),
    *words.COUNT_WORDS.values(),
    *words.JUNIT_NOTES.values(),
    *words.VERIFICATION_HEADINGS.values(),
    words.NOT_CHECKED,
} - {*status.STATUS_ORDER, *status.NODE_EXIT}  # `unknown`, `waived`: the value is the word
COUNT_KEY_NAMES = set(status.COUNT_KEYS.values()) - {"unknown", "waived"}
API_FIELDS = {"hwcheck/collector/submission.py": {"failed"}}
"""Field names of a wire format that happen to be such a word: the collector's answer lists
its failing findings as `failed` (docs/schema/collector.openapi.json); it counts nothing."""


def string_constants(path):
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docstrings:
            yield node.value


def modules():
    for d, _, files in os.walk(PKG):
        for name in files:
            if name.endswith(".py"):
                yield os.path.relpath(os.path.join(d, name), ROOT)


def test_operator_words_are_spelled_only_in_the_words_module():
    """`NON-COMPLIANT`, `WARN`, `Warnings`, `not checked`...: one copy, in render/words.py
    (hwcheck/status.py's exit code names are the exit codes' own)."""
    found = {}
    for path in modules():
        if path in ("hwcheck/render/words.py", "hwcheck/status.py", "hwcheck/model/fleet.py"):
            continue
        hits = OPERATOR_WORDS.intersection(string_constants(os.path.join(ROOT, path)))
        hits -= API_FIELDS.get(path, set())
        if hits:
            found[path] = sorted(hits)
    assert found == {}


def test_the_count_keys_are_named_only_in_the_status_module():
    """`passed`, `failed`, `warned`: which count a status adds to is decided once."""
    found = {}
    for path in modules():
        if path == "hwcheck/status.py":
            continue
        hits = COUNT_KEY_NAMES.intersection(string_constants(os.path.join(ROOT, path)))
        hits -= API_FIELDS.get(path, set())
        if hits:
            found[path] = sorted(hits)
    assert found == {}
