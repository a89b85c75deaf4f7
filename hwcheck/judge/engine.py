"""The judge: a resolved profile and an inventory in, findings out. Pure: no I/O, no clock.

One finding per rule and subject. NIC rules judge each selected card once, through its
physical functions; when the ports of a card disagree, the worst port decides and the
sentence names each. A fact that was not gathered, or a version that cannot be read,
gives `unknown` with the reason quoted (the probe's gap when there is one).
"""

from __future__ import annotations

from hwcheck import versions
from hwcheck.judge.cardgroups import count_groups, plan_group
from hwcheck.judge.nicversions import driver_version_fallback, may_be_cut, oem_firmware, truncated
from hwcheck.judge.ops import judge_text, judge_version
from hwcheck.judge.servers import server_match
from hwcheck.judge.subjects import card_views, node_subject, owned, selects, virtual_subject
from hwcheck.status import finding_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from hwcheck.judge.subjects import CardView
    from hwcheck.model.inventory import Inventory, Nic
    from hwcheck.model.result import Finding, NicFact, Observed, Subject
    from hwcheck.profile.model import Constraint, KnownBad, Profile, Rule

    Eval = tuple[str, str, KnownBad | None, str | None, dict[str, str] | None, str | None]
    # status, sentence, the known-bad value matched, raw, parsed, source
    Tally = tuple[list[str], str, str, bool]
    # what a count rule found, its bounds and what it counts in words, whether they hold

UNKNOWN_NIC_RULE = "hwcheck.unknown-nic"
_RANK = {"pass": 0, "unknown": 1, "fail": 2}
_NIC_FIELDS: dict[str, NicFact] = {
    "driver": "driver",
    "driver_version": "driver_version",
    "firmware": "firmware_version",
}
_FACT_LABELS = {
    ("os", "id"): "OS ID",
    ("os", "version_id"): "OS version",
    ("os", "codename"): "OS codename",
    ("kernel", "arch"): "kernel architecture",
    ("system", "sys_vendor"): "system vendor",
    ("system", "product_name"): "system product",
    ("system", "bios_version"): "BIOS version",
    ("system", "bios_vendor"): "BIOS vendor",
}
_LABELS = {"driver": "driver", "driver_version": "driver version", "firmware": "firmware"}


class _Context:
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


def judge(
    profile: Profile,
    inventory: Inventory,
    views: list[CardView] | None = None,
    idle: dict[str, str] | None = None,
) -> list[Finding]:
    """Every finding of `profile` on `inventory`, in rule order then subject order. `idle`,
    when given, receives why some rules that gave no finding did not apply (by rule ID)."""
    ctx = _Context(profile, inventory, views, idle)
    groups = count_groups(profile.rules)
    for rule in profile.rules:
        group = groups.get(rule.any_of) if rule.any_of is not None else None
        if group is not None:
            if rule is group[0]:  # the group is judged where its first rule stands
                _count_group(ctx, group)
            continue
        if rule.server is not None and not _on_server(ctx, rule):
            continue
        _CHECKS[rule.check or ""](ctx, rule)
    _unknown_nics(ctx)
    return ctx.findings


def _on_server(ctx: _Context, rule: Rule) -> bool:
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


# ---- NIC rules ------------------------------------------------------------------------


def _nic_value(ctx: _Context, rule: Rule, nic: Nic, check: str, constraint: Constraint) -> Eval:
    field = _NIC_FIELDS[check]
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


def _pair_value(ctx: _Context, rule: Rule, nic: Nic, check: str, constraint: Constraint) -> Eval:
    assert rule.pair_firmware is not None  # noqa: S101 - compile guarantees it for pair rules
    first = _nic_value(ctx, rule, nic, "driver_version", constraint)
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
    second = _nic_value(ctx, rule, nic, "firmware", rule.pair_firmware)
    because = f"{first[1][:-1]}, so: {second[1][0].lower()}{second[1][1:]}"
    return second[0], because, second[2], second[3], second[4], second[5]


def _judge_card(ctx: _Context, rule: Rule, view: CardView, value: Callable[..., Eval]) -> Eval:
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


def _nic_rule(ctx: _Context, rule: Rule) -> None:
    selector = rule.selector
    assert selector is not None and rule.constraint is not None  # noqa: S101 - see compile
    value = _pair_value if rule.check == "pair" else _nic_value
    if rule.check == "pair":
        assert rule.pair_firmware is not None  # noqa: S101
        expected = (
            f"when driver version {rule.constraint.describe()}: "
            f"firmware {rule.pair_firmware.describe()}"
        )
    else:
        expected = f"{_LABELS[rule.check or '']} {rule.constraint.describe()}"
    # The inventory field compared, so that findings can be grouped by it without the rule.
    fact = _NIC_FIELDS.get(rule.check or "")
    for view in ctx.views:
        if selects(selector, view):
            ctx.add(rule, view.subject, _judge_card(ctx, rule, view, value), expected, fact)
    if selector.link_types:
        for nic in ctx.inventory["nics"]:
            if nic["kind"] == "virtual" and nic["link_type"] in selector.link_types:
                outcome = value(ctx, rule, nic, rule.check or "", rule.constraint)
                ctx.add(rule, virtual_subject(nic), outcome, expected, fact)


def _count_rule(ctx: _Context, rule: Rule) -> None:
    _add_count(ctx, rule, _tally(ctx, rule))


def _tally(ctx: _Context, rule: Rule) -> Tally:
    """What a count rule counts on this node: (what was found, the bounds in words, the
    selector in words, whether the bounds hold)."""
    assert rule.selector is not None and rule.count is not None  # noqa: S101 - see compile
    low, high, per = rule.count
    chosen = [v for v in ctx.views if selects(rule.selector, v)]
    # A card is a physical device: the identities of a mixed one count once.
    names = list(dict.fromkeys(v.device for v in chosen))
    if per == "port":
        names = [port for v in chosen for port in v.subject["ports"]]
    if rule.selector.link_types:
        names += [
            n["name"]
            for n in ctx.inventory["nics"]
            if n["kind"] == "virtual" and n["link_type"] in rule.selector.link_types
        ]
    noun = "port" if per == "port" else "card"
    wanted = []
    if low is not None:
        wanted.append(f"at least {low}")
    if high is not None:
        wanted.append(f"at most {high}")
    found = len(names)
    ok = (low is None or found >= low) and (high is None or found <= high)
    return names, " and ".join(wanted), f"{noun}(s) of {rule.selector.describe()}", ok


def _add_count(ctx: _Context, rule: Rule, tally: Tally) -> None:
    names, wanted, what, ok = tally
    listed = f" ({', '.join(names)})" if names else ""
    message = f"Found {len(names)} {what}{listed}; the profile wants {wanted}."
    subject = node_subject(ctx.inventory)
    ctx.add(
        rule,
        subject,
        ("pass" if ok else "fail", message, None, str(len(names)), None, "inventory"),
        f"{wanted} {what}",
    )


def _count_group(ctx: _Context, group: list[Rule]) -> None:
    """The count rules of one `any_of` group (hwcheck.judge.cardgroups decides)."""
    members = [r for r in group if r.server is None or _on_server(ctx, r)]
    tallies = [_tally(ctx, rule) for rule in members]
    plan = plan_group(members, [(len(t[0]), t[2], t[1], t[3]) for t in tallies])
    for rule, tally in zip(members, tallies, strict=True):
        step = plan.get(rule.id)
        if step is None:
            _add_count(ctx, rule, tally)
        elif step[0] == "idle":
            ctx.idle[rule.id] = step[1]
        else:
            _, message, expected = step
            subject = node_subject(ctx.inventory)
            ctx.add(rule, subject, ("fail", message, None, "0", None, "inventory"), expected)


# ---- node rules -----------------------------------------------------------------------


def _module_rule(ctx: _Context, rule: Rule) -> None:
    assert rule.module is not None  # noqa: S101 - see compile
    name, state = rule.module
    module = next(
        (m for m in ctx.inventory["modules"] if m["name"].replace("-", "_") == name), None
    )
    subject = node_subject(ctx.inventory, "module", name)
    subject["label"] = f"kernel module {name}"
    expected = {
        "required": "loaded or built in",
        "forbidden": "neither loaded nor built in",
        "any": "any state",
    }[state]
    if rule.constraint is not None:
        expected += f", version {rule.constraint.describe()}"
    if module is None:
        # The gaps hwcheck.probe.modules records when a module list could not be read.
        why = ctx.gap_reason("modules.loaded", "modules.builtin")
        if state == "any":
            return
        if why is not None:
            outcome: Eval = (
                "unknown",
                f"Module {name} is not listed, but the module list is incomplete ({why}).",
                None,
                None,
                None,
                None,
            )
        elif state == "required":
            outcome = (
                "fail",
                f"Module {name} is neither loaded nor built in.",
                None,
                None,
                None,
                "inventory",
            )
        else:
            outcome = (
                "pass",
                f"Module {name} is neither loaded nor built in, as required.",
                None,
                None,
                None,
                "inventory",
            )
        ctx.add(rule, subject, outcome, expected)
        return
    where = "built in" if module["state"] == "builtin" else "loaded"
    if state == "forbidden":
        ctx.add(
            rule,
            subject,
            (
                "fail",
                f"Module {name} is {where}, but the profile forbids it.",
                None,
                module["state"],
                None,
                "inventory",
            ),
            expected,
        )
        return
    if rule.constraint is None:
        ctx.add(
            rule,
            subject,
            ("pass", f"Module {name} is {where}.", None, module["state"], None, "inventory"),
            expected,
        )
        return
    raw = module["version"]
    if raw is None:
        ctx.add(
            rule,
            subject,
            (
                "unknown",
                f"Module {name} is {where} but exposes no version (/sys/module/{name}/version).",
                None,
                None,
                None,
                "sysfs",
            ),
            expected,
        )
        return
    fmt = rule.constraint.fmt or versions.format_for(name, "driver")
    status, sentence, bad, parsed = judge_version(
        rule.constraint, raw, fmt, f"module {name} version"
    )
    ctx.add(rule, subject, (status, sentence, bad, raw, parsed, "sysfs"), expected)


def _fact_rule(ctx: _Context, rule: Rule) -> None:
    assert rule.fact is not None and rule.constraint is not None  # noqa: S101 - see compile
    section, field = rule.fact
    label = _FACT_LABELS.get((section, field), f"{section} {field}".replace("_", " "))
    subject = node_subject(ctx.inventory, section, section)
    expected = f"{label} {rule.constraint.describe()}"
    facts: dict[str, object] = ctx.inventory[section]  # type: ignore[literal-required]
    raw = facts.get(field)
    source = {"kernel": "procfs", "os": "os-release", "system": "dmi"}[section]
    if section == "system" and not facts.get("present"):
        outcome: Eval = (
            "unknown",
            "This node has no DMI tables (/sys/class/dmi/id is absent), "
            "so its system facts are unknown.",
            None,
            None,
            None,
            source,
        )
    elif raw is None:
        why = ctx.gap_reason(f"{section}.{field}", section)
        outcome = (
            "unknown",
            f"The {label} was not gathered{f' ({why})' if why else ''}.",
            None,
            None,
            None,
            source,
        )
    elif not rule.constraint.versioned:
        status, sentence, bad = judge_text(rule.constraint, str(raw), label)
        outcome = (status, sentence, bad, str(raw), None, source)
    else:
        fmt = rule.constraint.fmt or "dotted"
        status, sentence, bad, parsed = judge_version(rule.constraint, str(raw), fmt, label)
        outcome = (status, sentence, bad, str(raw), parsed, source)
    ctx.add(rule, subject, outcome, expected)


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
    ctx = _Context(profile, inventory, views)
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


def _unknown_nics(ctx: _Context) -> None:
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


_CHECKS: dict[str, Callable[[_Context, Rule], None]] = {
    "driver": _nic_rule,
    "driver_version": _nic_rule,
    "firmware": _nic_rule,
    "pair": _nic_rule,
    "count": _count_rule,
    "module": _module_rule,
    "kernel": _fact_rule,
    "os": _fact_rule,
    "system": _fact_rule,
}
