"""What every renderer agrees on: the order of findings, the status of a card or interface,
the words for statuses and verdicts, and which links are safe to follow.

Standard library only, and only what is needed: the terminal and JUnit paths load this too.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from hwcheck.model.inventory import Card
    from hwcheck.model.result import Finding, Result

STATUS_ORDER = ("fail", "unknown", "warn", "waived", "pass")
"""Most urgent first: failures, then facts we could not judge, then warnings, then waived."""

SEVERITY_ORDER = ("error", "warning", "info")

STATUS_WORDS = {
    "fail": "FAIL",
    "unknown": "UNKNOWN",
    "warn": "WARN",
    "waived": "WAIVED",
    "pass": "PASS",
}
STATUS_HEADINGS = {
    "fail": "Failed",
    "unknown": "Unknown",
    "warn": "Warnings",
    "waived": "Waived",
    "pass": "Passed",
}
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

_STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITY_ORDER)}


def finding_key(finding: Finding) -> tuple[int, int, str, str]:
    return (
        _STATUS_RANK.get(finding["status"], len(STATUS_ORDER)),
        _SEVERITY_RANK.get(finding["severity"], len(SEVERITY_ORDER)),
        finding["rule_id"],
        finding["subject"]["id"],
    )


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Failures first, then unknown, warn, waived, pass; errors before warnings before info."""
    return sorted(findings, key=finding_key)


def counts_by_status(result: Result) -> dict[str, int]:
    """The result's counts keyed by status, in STATUS_ORDER."""
    counts = result["counts"]
    return {
        "fail": counts["failed"],
        "unknown": counts["unknown"],
        "warn": counts["warned"],
        "waived": counts["waived"],
        "pass": counts["passed"],
    }


def worst_status(statuses: Iterable[str]) -> str | None:
    """The most urgent of `statuses` in STATUS_ORDER, or None when there are none."""
    ranks = [_STATUS_RANK[s] for s in statuses if s in _STATUS_RANK]
    return STATUS_ORDER[min(ranks)] if ranks else None


def _touches_card(finding: Finding, card: Card) -> bool:
    subject = finding["subject"]
    if subject["kind"] == "card" and subject["id"] == card["card"]:
        return True
    if any(address in card["functions"] for address in subject["pci_addresses"]):
        return True
    return any(port in card["ports"] for port in subject["ports"])


def card_findings(result: Result, card: Card) -> list[Finding]:
    """The findings about one card: the card itself, one of its functions or one of its ports."""
    return [f for f in result["findings"] if _touches_card(f, card)]


def nic_findings(result: Result, name: str, pci_address: str | None) -> list[Finding]:
    """The findings about one interface that is not part of a card (a VF, a software link)."""
    found = []
    for finding in result["findings"]:
        subject = finding["subject"]
        if (
            (subject["kind"] == "nic" and subject["id"] == name)
            or name in subject["ports"]
            or (pci_address is not None and pci_address in subject["pci_addresses"])
        ):
            found.append(finding)
    return found


def safe_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) link with no spaces or control characters, else
    None. Only such links become hrefs; anything else (javascript:, data:, file:) is text."""
    if not url:
        return None
    lowered = url[:8].lower()
    if not (lowered.startswith(("http://", "https://"))):
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\x7f" for ch in url):
        return None
    host_part = url.split("://", 1)[1]
    if not host_part or host_part[0] in "/\\":
        return None
    return url


def format_speed(speed_mbps: int | None) -> str | None:
    """25000 -> '25 Gb/s', 100 -> '100 Mb/s', 2500 -> '2.5 Gb/s'; None for an unknown speed."""
    if speed_mbps is None or speed_mbps <= 0:
        return None
    if speed_mbps >= 1000:
        gbps = speed_mbps / 1000
        return f"{gbps:g} Gb/s"
    return f"{speed_mbps} Mb/s"
