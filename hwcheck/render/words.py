"""The words operators read for verdicts, statuses, counts and verification: one place, so
the terminal summary, JUnit and the HTML report say the same thing. What those mean (which
status gates, how the verdict follows) is hwcheck.status's.

Standard library only, and nothing imported: the terminal and JUnit paths load this too.
"""

from __future__ import annotations

VERDICT_WORDS = {
    "compliant": "COMPLIANT",
    "noncompliant": "NON-COMPLIANT",
    "unknown": "UNKNOWN",
}
VERDICT_EXPLAINED = {
    "compliant": "The node matches its reference architecture.",
    "noncompliant": "At least one required rule failed: do not sign this node off.",
    "unknown": "Facts a required rule needs could not be gathered: the node cannot be signed off.",
}

FLEET_VERDICT_WORDS = {**VERDICT_WORDS, "error": "ERROR"}
"""A fleet's or a fleet node's verdict: a node's, or `error` (its input could not be read
or judged)."""
FLEET_VERDICT_HEADINGS = {
    "noncompliant": "non-compliant",
    "error": "error",
    "unknown": "unknown",
    "compliant": "compliant",
}
FLEET_VERDICT_EXPLAINED = {
    "compliant": "Every node matches its reference architecture.",
    "noncompliant": "At least one node failed a required rule: the fleet cannot be signed off.",
    "error": "No node failed a required rule, but at least one input could not be read or "
    "judged: the fleet cannot be signed off.",
    "unknown": "No node failed a required rule, but facts a required rule needs are missing "
    "on at least one node: the fleet cannot be signed off.",
}
STATUS_WORDS = {
    "fail": "FAIL",
    "unknown": "UNKNOWN",
    "warn": "WARN",
    "waived": "WAIVED",
    "pass": "PASS",
}
"""A finding's status as a badge: the terminal's first column, the HTML badges."""

STATUS_HEADINGS = {
    "fail": "Failed",
    "unknown": "Unknown",
    "warn": "Warnings",
    "waived": "Waived",
    "pass": "Passed",
}
"""The heading of a group of findings with one status (the HTML report's sections and its
filter boxes)."""

COUNT_WORDS = {status: heading.lower() for status, heading in STATUS_HEADINGS.items()}
"""How many findings have a status: `2 failed, 1 unknown, 2 warnings, 12 passed` (the
terminal's verdict line, the HTML report's counts)."""
_COUNT_ONE = {"warn": "warning"}
"""The count words that change for one: `1 warning`, `2 warnings`."""

NO_INVENTORY = "the inventory is not embedded in this result"
"""Said wherever a report would show the inventory of a result kept without it (what could
not be read, the cards' facts) and why `report` cannot judge it again."""

SHORTENED = "...[{count} characters]"
"""How the terminal ends a value it shortened: the first characters, then this."""
SHORTENED_NOTE = (
    "values of more than {limit} characters are shortened here; the JSON and HTML reports "
    "hold them whole"
)
"""The terminal's note under a summary in which a value was shortened."""

NOT_CHECKED = "not checked"
"""The status word of a card or interface no rule judged."""

JUNIT_NOTES = {"warn": "WARNING", "unknown": "UNKNOWN"}
"""How a JUnit test case that passes the run despite its finding starts its `<system-out>`:
`WARNING: ...` (a CI log's own word for it), `UNKNOWN: ...`."""

VERIFICATION_HEADINGS = {
    "verified": "Verified by hwcheck report",
    "not-verified": "Not verified",
    "contradicted": "NOT VERIFIED: the findings do not follow",
}
VERIFICATION_EXPLAINED = {
    "verified": "The inventory this result embeds was judged again against the profiles at "
    "hand: the same findings and verdict. The inventory itself is what the file holds: a "
    "result file is not signed.",
    "not-verified": "This report re-renders a saved result whose findings were not judged "
    "again. A result file is not signed and anyone can edit it; give hwcheck report the "
    "profiles it names to have it judged again.",
    "contradicted": "Judged again from the inventory it embeds and the profiles at hand, this "
    "result gives other findings. It was rendered as it is only because --unverified asked "
    "for it: do not sign this node off on it.",
}
VERIFICATION_WARNINGS = {
    "not-verified": "not verified (a result file is not signed; its findings were not re-judged)",
    "contradicted": "NOT VERIFIED, rendered as it is (--unverified): its findings do not follow "
    "from its inventory and the profiles",
}
"""What `hwcheck report` warns on stderr for a result it did not verify."""


def plural(count: int, one: str, many: str | None = None, *, shown: str | None = None) -> str:
    """`1 gap`, `2 gaps`, `0 gaps`: a count and its noun, singular for exactly one. `many`
    when the plural is not `one` + s; `shown` writes the count otherwise (`1,234`). Every
    count an operator reads is worded here."""
    noun = one if count == 1 else (many if many is not None else one + "s")
    if shown == "":
        return noun
    return f"{count if shown is None else shown} {noun}"


def lint_tally(linted: str, errors: int, warnings: int) -> str:
    """A lint's last line: `1 profile: 0 errors, 1 warning` (`linted` already counted)."""
    return f"{linted}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"


def count_of(status: str, count: int, *, shown: str | None = None) -> str:
    """How many findings have `status`: `1 warning`, `2 warnings`, `3 failed`, `1 passed`
    (`shown=""`: the words alone, for a page that sets the number apart)."""
    many = COUNT_WORDS.get(status, status)
    return plural(count, _COUNT_ONE.get(status, many), many, shown=shown)


def verdict_word(verdict: str) -> str:
    """`COMPLIANT`, `NON-COMPLIANT`, `UNKNOWN`."""
    return VERDICT_WORDS.get(verdict, verdict.upper())


def status_word(status: str) -> str:
    """`FAIL`, `UNKNOWN`, `WARN`, `WAIVED`, `PASS`."""
    return STATUS_WORDS.get(status, status.upper())
