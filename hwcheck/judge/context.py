"""What the judge's rule checks share: the node being judged, its findings, and how one
finding is made. Pure: no I/O, no clock."""

from __future__ import annotations

from hwcheck.judge.servers import server_match
from hwcheck.judge.subjects import card_views, node_subject, owned
from hwcheck.status import finding_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.judge.subjects import CardView
    from hwcheck.model.inventory import Inventory
    from hwcheck.model.result import Finding, NicFact, Observed, Subject
    from hwcheck.profile.model import KnownBad, Profile, Rule

    Eval = tuple[str, str, KnownBad | None, str | None, dict[str, str] | None, str | None]
    # status, sentence, the known-bad value matched, raw, parsed, source


class Context:
    __slots__ = ("findings", "gaps", "idle", "inventory", "off", "profile", "views")

    def __init__(
        self,
        profile: Profile,
        inventory: Inventory,
        views: list[CardView] | None,
        idle: dict[str, str] | None = None,
    ) -> None:
        self.profile = profile
        self.inventory = inventory
        self.views = card_views(inventory) if views is None else views
        self.gaps = {gap["what"]: gap for gap in inventory["gaps"]}
        self.findings: list[Finding] = []
        # Why a rule that gave no finding did not apply, where the rule alone cannot say it.
        self.idle: dict[str, str] = {} if idle is None else idle
        self.off: set[str] = set()  # rules whose `server` selector is not this node

    def gap_reason(self, *whats: str) -> str | None:
        for what in whats:
            gap = self.gaps.get(what)
            if gap is not None:
                return f"{gap['reason']}: {gap['detail']}" if gap["detail"] else gap["reason"]
        return None

    def add(
        self,
        rule: Rule,
        subject: Subject,
        outcome: Eval,
        expected: str,
        fact: NicFact | None = None,
    ) -> None:
        """A finding of `rule` on `subject`; `fact` names the NIC field a NIC rule compared."""
        outcome_status, message, bad, raw, parsed, source = outcome
        status = finding_status(outcome_status, rule.severity)
        observed: Observed = {"raw": raw, "parsed": parsed, "source": source}
        finding: Finding = {
            "rule_id": rule.id,
            "profile": self.profile.top.name,
            "layer": rule.layer,
            "severity": rule.severity,  # type: ignore[typeddict-item]
            "status": status,  # type: ignore[typeddict-item]
            "subject": owned(subject),  # one card's findings never share a dict
            "title": rule.title or rule.id,
            "message": message,
            "expected": expected,
            "observed": observed,
            "remediation": rule.remediation,
            "advisory": (bad.advisory if bad is not None else None) or rule.advisory,
            "waiver": None,
        }
        if fact is not None:
            finding["fact"] = fact
        if bad is not None:
            finding["known_bad"] = {"value": bad.value, "reason": bad.reason}
        self.findings.append(finding)


def on_server(ctx: Context, rule: Rule) -> bool:
    """Whether `rule` is about this node's server; if not, why (not applicable), or its
    unknown finding when the node's DMI facts cannot tell."""
    assert rule.server is not None  # noqa: S101 - callers ask only rules with one
    answer, why = server_match(rule.server, ctx.inventory["system"], ctx.gap_reason)
    if answer == "yes":
        return True
    ctx.off.add(rule.id)
    if answer == "no":
        ctx.idle[rule.id] = why
        return False
    ctx.add(
        rule,
        node_subject(ctx.inventory, "system", "system"),
        ("unknown", why, None, None, None, "dmi"),
        f"a server: {rule.server.describe()}",
    )
    return False
