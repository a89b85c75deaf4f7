"""NIC rules: a card's driver, driver version or firmware (or a driver/firmware pair) judged
once per card through its physical functions; when the ports of a card disagree, the worst
port decides and the sentence names each. Pure."""

from __future__ import annotations

from hwcheck import versions
from hwcheck.judge.nicversions import driver_version_fallback, may_be_cut, oem_firmware, truncated
from hwcheck.judge.ops import judge_text, judge_version
from hwcheck.judge.subjects import selects, virtual_subject

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from hwcheck.judge.context import Context, Eval
    from hwcheck.judge.subjects import CardView
    from hwcheck.model.inventory import Nic
    from hwcheck.model.result import NicFact
    from hwcheck.profile.model import Constraint, Rule

_RANK = {"pass": 0, "unknown": 1, "fail": 2}
NIC_FIELDS: dict[str, NicFact] = {
    "driver": "driver",
    "driver_version": "driver_version",
    "firmware": "firmware_version",
}
_LABELS = {"driver": "driver", "driver_version": "driver version", "firmware": "firmware"}


def nic_value(ctx: Context, rule: Rule, nic: Nic, check: str, constraint: Constraint) -> Eval:
    field = NIC_FIELDS[check]
    raw: str | None = nic[field]
    source = nic["sources"].get(field)
    label = _LABELS[check]
    if raw is None:
        why = ctx.gap_reason(f"nic[{nic['name']}].{field}", f"nic[{nic['name']}].driver_info")
        reason = f" ({why})" if why else ""
        return (
            "unknown",
            f"The {label} of {nic['name']} was not gathered{reason}.",
            None,
            None,
            None,
            source,
        )
    if check == "driver":
        status, sentence, bad = judge_text(constraint, raw, label)
        return status, sentence, bad, raw, None, source
    fmt = constraint.fmt or versions.format_for(
        nic["driver"], "driver" if check == "driver_version" else "firmware"
    )
    name = constraint.component or versions.component_names(fmt)[0]
    if check == "driver_version":
        kernel = ctx.inventory["kernel"]["release"]
        fallback = driver_version_fallback(kernel, nic, raw, constraint, fmt, name, label)
        if fallback is not None:
            return fallback
    else:
        wanted = rule.selector.train if rule.selector is not None else None
        threshold = f"{label} {constraint.describe()}"
        oem = oem_firmware(nic, raw, fmt, name, wanted, threshold=threshold, source=source)
        if oem is not None:
            return oem
        if nic["firmware_version_truncated"] and may_be_cut(raw, fmt, name):
            return truncated(nic, raw, "firmware_version", label, source)
    default_for = (
        nic["driver"]
        if check == "firmware" and not constraint.fmt and not versions.has_own_format(nic["driver"])
        else None
    )
    status, sentence, bad, parsed = judge_version(
        constraint, raw, fmt, label, default_for=default_for
    )
    return status, sentence, bad, raw, parsed, source


def pair_value(ctx: Context, rule: Rule, nic: Nic, check: str, constraint: Constraint) -> Eval:
    assert rule.pair_firmware is not None  # noqa: S101 - compile guarantees it for pair rules
    first = nic_value(ctx, rule, nic, "driver_version", constraint)
    if first[0] == "unknown":
        return first
    if first[0] == "fail":
        return (
            "pass",
            f"Does not apply: {first[1][0].lower()}{first[1][1:]}",
            None,
            first[3],
            first[4],
            first[5],
        )
    second = nic_value(ctx, rule, nic, "firmware", rule.pair_firmware)
    because = f"{first[1][:-1]}, so: {second[1][0].lower()}{second[1][1:]}"
    return second[0], because, second[2], second[3], second[4], second[5]


def judge_card(ctx: Context, rule: Rule, view: CardView, value: Callable[..., Eval]) -> Eval:
    check = rule.check or ""
    constraint = rule.constraint
    assert constraint is not None  # noqa: S101 - compile guarantees it for these checks
    if not view.nics:
        return (
            "unknown",
            f"No network interface of card {view.subject['id']} was found.",
            None,
            None,
            None,
            None,
        )
    groups: dict[tuple[object, ...], list[str]] = {}
    outcomes: dict[tuple[object, ...], Eval] = {}
    for nic in view.nics:
        memo = (nic["driver"], nic["driver_version"], nic["firmware_version"])
        if memo not in outcomes:
            outcomes[memo] = value(ctx, rule, nic, check, constraint)
        groups.setdefault(memo, []).append(nic["name"])
    if len(outcomes) == 1:
        return next(iter(outcomes.values()))
    worst = max(outcomes.values(), key=lambda o: _RANK[o[0]])
    sentence = " ".join(
        f"{', '.join(groups[memo])}: {outcome[1]}" for memo, outcome in outcomes.items()
    )
    return worst[0], f"Ports differ. {sentence}", worst[2], worst[3], worst[4], worst[5]


def nic_rule(ctx: Context, rule: Rule) -> None:
    selector = rule.selector
    assert selector is not None and rule.constraint is not None  # noqa: S101 - see compile
    value = pair_value if rule.check == "pair" else nic_value
    if rule.check == "pair":
        assert rule.pair_firmware is not None  # noqa: S101
        expected = (
            f"when driver version {rule.constraint.describe()}: "
            f"firmware {rule.pair_firmware.describe()}"
        )
    else:
        expected = f"{_LABELS[rule.check or '']} {rule.constraint.describe()}"
    # The inventory field compared, so that findings can be grouped by it without the rule.
    fact = NIC_FIELDS.get(rule.check or "")
    for view in ctx.views:
        if selects(selector, view):
            ctx.add(rule, view.subject, judge_card(ctx, rule, view, value), expected, fact)
    if selector.link_types:
        for nic in ctx.inventory["nics"]:
            if nic["kind"] == "virtual" and nic["link_type"] in selector.link_types:
                outcome = value(ctx, rule, nic, rule.check or "", rule.constraint)
                ctx.add(rule, virtual_subject(nic), outcome, expected, fact)
