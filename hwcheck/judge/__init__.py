"""Judging: inventory + resolved profiles (+ waivers, + today's date) -> Result. Pure.

    result = judge_node(selected, inventory, waivers=entries, today="2026-11-24",
                        judged_at="2026-11-24T14:00:00Z", strict=False)

`selected` is a list of (Profile, why it was selected). Statuses, waivers, the verdict and
the exit code follow hwcheck/status.py (node_verdict): any unwaived `fail` -> noncompliant
(1); else an unwaived `unknown` on an error-severity rule -> unknown (3); else, with `strict`,
any `warn` or other `unknown` -> noncompliant (1); else compliant (0).
"""

from __future__ import annotations

from hwcheck.status import node_verdict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory
    from hwcheck.model.result import (
        Counts,
        Finding,
        NotApplicable,
        ProfileUse,
        Result,
        Verdict,
    )
    from hwcheck.profile.model import Profile
    from hwcheck.profile.waivers import WaiverEntry
    from hwcheck.status import ExitStatus


def verdict(findings: list[Finding], *, strict: bool) -> tuple[Verdict, ExitStatus, Counts]:
    """The node's verdict, exit code and counts from its findings: hwcheck.status.node_verdict,
    the one place these rules live."""
    outcome, code, counts = node_verdict(
        ((f["status"], f["severity"]) for f in findings), strict=strict
    )
    return outcome, code, counts  # type: ignore[return-value]


def profile_use(profile: Profile, why: str) -> ProfileUse:
    return {
        "name": profile.top.name,
        "version": profile.top.version,
        "path": profile.top.path,
        "layers": [
            {"name": layer.name, "version": layer.version, "path": layer.path}
            for layer in profile.layers
        ],
        "selected_because": why,
    }


def judge_node(
    selected: list[tuple[Profile, str]],
    inventory: Inventory,
    *,
    waivers: list[WaiverEntry] | None = None,
    today: str,
    judged_at: str,
    strict: bool = False,
) -> Result:
    from hwcheck import __version__
    from hwcheck.judge.engine import UNKNOWN_NIC_RULE, covered_cards, idle_reason, judge
    from hwcheck.judge.subjects import card_views
    from hwcheck.judge.waivers import apply_waivers
    from hwcheck.model import RESULT_SCHEMA_VERSION
    from hwcheck.model.summary import node_summary

    # The cards are viewed once for every profile (a view also remembers which selectors
    # select it). A card is unknown only when no selected profile covers it. One profile
    # alone reports no card it covers, and gives no finding twice: nothing to merge.
    views = card_views(inventory)
    alone = len(selected) == 1
    covered = set()
    if not alone:
        covered = {c for profile, _ in selected for c in covered_cards(profile, inventory, views)}
    findings: list[Finding] = []
    idle: list[NotApplicable] = []
    seen: set[tuple[str | None, ...]] = set()
    idle_seen: set[tuple[str, str]] = set()
    for profile, _why in selected:
        reasons: dict[str, str] = {}
        judged = judge(profile, inventory, views, reasons)
        busy = {(f["rule_id"], f["layer"]) for f in judged}
        for rule in profile.rules:
            key2 = (rule.id, rule.layer)
            if key2 not in busy and key2 not in idle_seen:
                idle_seen.add(key2)
                idle.append(
                    {
                        "rule_id": rule.id,
                        "profile": profile.top.name,
                        "layer": rule.layer,
                        "severity": rule.severity,  # type: ignore[typeddict-item]
                        "title": rule.title or rule.id,
                        "reason": reasons.get(rule.id) or idle_reason(rule),
                    }
                )
        if alone:
            findings = judged
            break
        for finding in judged:
            if finding["rule_id"] == UNKNOWN_NIC_RULE:
                if finding["subject"]["id"] in covered:
                    continue
                if len(selected) > 1:
                    finding["message"] += " No other selected profile covers it either."
            # Two selected profiles sharing a base layer judge its rules once; but when an
            # overlay in one of them changed the rule (its severity, say), both findings stay,
            # or the order of --profile would decide which one gates.
            key: tuple[str | None, ...] = (
                finding["rule_id"],
                finding["layer"],
                finding["subject"]["kind"],
                finding["subject"]["id"],
            )
            # An unknown card: once per card and policy layer, whichever profile says it.
            if finding["rule_id"] != UNKNOWN_NIC_RULE:
                key += (
                    finding["severity"],
                    finding["status"],
                    finding["title"],
                    finding["message"],
                    finding["expected"],
                    finding["remediation"],
                    finding["advisory"],
                )
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    notes = apply_waivers(findings, waivers or [], inventory, today)
    outcome, code, counts = verdict(findings, strict=strict)
    return {
        "schema_version": RESULT_SCHEMA_VERSION,
        "kind": "hwcheck-result",
        "hwcheck_version": __version__,
        "judged_at": judged_at,
        "verdict": outcome,
        "exit_code": int(code),
        "strict": strict,
        "profiles": [profile_use(p, why) for p, why in selected],
        "counts": counts,
        "findings": findings,
        "waiver_notes": notes,
        "not_applicable": idle,
        "node": node_summary(inventory),
        "inventory": inventory,
    }
