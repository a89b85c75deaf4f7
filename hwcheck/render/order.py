"""What every renderer agrees on: the order of findings, which findings are about a card or
interface, and which links are safe to follow. The statuses' order and rules are
hwcheck.status's; the words shown for them are hwcheck.render.words'.

Standard library only, and only what is needed: the terminal and JUnit paths load this too.
"""

from __future__ import annotations

from hwcheck.status import COUNT_KEYS, STATUS_ORDER, STATUS_RANK

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from hwcheck.model.inventory import Card
    from hwcheck.model.result import Finding, Result

SEVERITY_ORDER = ("error", "warning", "info")

_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITY_ORDER)}


def finding_key(finding: Finding) -> tuple[int, int, str, str]:
    return (
        STATUS_RANK.get(finding["status"], len(STATUS_ORDER)),
        _SEVERITY_RANK.get(finding["severity"], len(SEVERITY_ORDER)),
        finding["rule_id"],
        finding["subject"]["id"],
    )


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Failures first, then unknown, warn, waived, pass; errors before warnings before info."""
    return sorted(findings, key=finding_key)


def counts_by_status(result: Result) -> dict[str, int]:
    """The result's counts keyed by status, in STATUS_ORDER."""
    counts: dict[str, int] = result["counts"]  # type: ignore[assignment]
    return {status: counts[COUNT_KEYS[status]] for status in STATUS_ORDER}


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
