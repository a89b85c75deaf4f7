"""The judge: a resolved profile and an inventory in, findings out. Pure: no I/O, no clock.

One finding per rule and subject. NIC rules judge each selected card once, through its
physical functions; when the ports of a card disagree, the worst port decides and the
sentence names each. A fact that was not gathered, or a version that cannot be read,
gives `unknown` with the reason quoted (the probe's gap when there is one).

This module walks a profile's rules and hands each to its check: NIC rules in
hwcheck.judge.nicrules, counts, modules and kernel/OS/system facts in hwcheck.judge.noderules,
each making its findings through hwcheck.judge.context; cards no rule covers are judged here.
"""

from __future__ import annotations

from hwcheck.judge.cardgroups import count_groups
from hwcheck.judge.context import Context, on_server
from hwcheck.judge.nicrules import nic_rule
from hwcheck.judge.noderules import count_group, count_rule, fact_rule, module_rule
from hwcheck.judge.servers import server_match
from hwcheck.judge.subjects import selects

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from hwcheck.judge.subjects import CardView
    from hwcheck.model.inventory import Inventory
    from hwcheck.model.result import Finding
    from hwcheck.profile.model import Profile, Rule

UNKNOWN_NIC_RULE = "hwcheck.unknown-nic"


def judge(
    profile: Profile,
    inventory: Inventory,
    views: list[CardView] | None = None,
    idle: dict[str, str] | None = None,
) -> list[Finding]:
    """Every finding of `profile` on `inventory`, in rule order then subject order. `idle`,
    when given, receives why some rules that gave no finding did not apply (by rule ID)."""
    ctx = Context(profile, inventory, views, idle)
    groups = count_groups(profile.rules)
    for rule in profile.rules:
        group = groups.get(rule.any_of) if rule.any_of is not None else None
        if group is not None:
            if rule is group[0]:  # the group is judged where its first rule stands
                count_group(ctx, group)
            continue
        if rule.server is not None and not on_server(ctx, rule):
            continue
        _CHECKS[rule.check or ""](ctx, rule)
    _unknown_nics(ctx)
    return ctx.findings


def idle_reason(rule: Rule) -> str:
    """Why `rule` gave no finding on a node (it judges nothing there)."""
    if rule.selector is not None:
        return f"No NIC on this node matches {rule.selector.describe() or 'its selector'}."
    if rule.module is not None:
        return f"Module {rule.module[0]} is absent, and the rule accepts that."
    return "Nothing on this node is what the rule judges."


def covered_cards(
    profile: Profile, inventory: Inventory, views: list[CardView] | None = None
) -> set[str]:
    """The cards (subject IDs: one per identity of a mixed card) some NIC rule selects (one
    whose `server` selector is this node's, or that has none)."""
    ctx = Context(profile, inventory, views)
    system = inventory["system"]
    selectors = [
        r.selector
        for r in profile.rules
        if r.selector is not None
        and (r.server is None or server_match(r.server, system, ctx.gap_reason)[0] == "yes")
    ]
    return {view.subject["id"] for view in ctx.views if any(selects(s, view) for s in selectors)}


_UNKNOWN_NIC_RULES: dict[tuple[str, str, str], Rule] = {}
"""(profile path, policy layer, policy) -> the rule unknown-card findings are made from."""


def _unknown_nic_rule(profile: Profile) -> Rule:
    memo = (profile.top.path, profile.unknown_nics_layer, profile.unknown_nics)
    rule = _UNKNOWN_NIC_RULES.get(memo)
    if rule is None:
        from hwcheck.profile.model import Rule, Where

        rule = Rule(UNKNOWN_NIC_RULE, Where(profile.top.path, 0, 0), profile.unknown_nics_layer)
        rule.severity = "error" if profile.unknown_nics == "fail" else "warning"
        rule.title = "Every physical card is one the profile knows"
        rule.remediation = "Add a rule for this card to the profile, or remove the card."
        _UNKNOWN_NIC_RULES[memo] = rule
    return rule


def _unknown_nics(ctx: Context) -> None:
    policy = ctx.profile.unknown_nics
    if policy == "ignore":
        return
    selectors = [
        r.selector for r in ctx.profile.rules if r.selector is not None and r.id not in ctx.off
    ]
    rule = _unknown_nic_rule(ctx.profile)
    for view in ctx.views:
        if view.vf_only or any(selects(s, view) for s in selectors):
            continue
        message = (
            f"No rule of profile {ctx.profile.top.name} covers card {view.pci_id} "
            f"({view.model or 'unnamed'}); unknown_nics is {policy} "
            f"(set by {ctx.profile.unknown_nics_layer})."
        )
        ctx.add(
            rule,
            view.subject,
            ("fail", message, None, view.pci_id, None, "sysfs"),
            "a card some rule selects",
        )


_CHECKS: dict[str, Callable[[Context, Rule], None]] = {
    "driver": nic_rule,
    "driver_version": nic_rule,
    "firmware": nic_rule,
    "pair": nic_rule,
    "count": count_rule,
    "module": module_rule,
    "kernel": fact_rule,
    "os": fact_rule,
    "system": fact_rule,
}
