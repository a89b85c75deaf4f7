"""Node rules: counts of cards or ports (alone or in an `any_of` group), kernel modules, and
facts of the kernel, the OS and the system (DMI). Pure."""

from __future__ import annotations

from hwcheck import versions
from hwcheck.judge.cardgroups import plan_group
from hwcheck.judge.context import on_server
from hwcheck.judge.ops import judge_text, judge_version
from hwcheck.judge.subjects import node_subject, selects

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.judge.context import Context, Eval
    from hwcheck.profile.model import Rule

    Tally = tuple[list[str], str, str, bool]
    # what a count rule found, its bounds and what it counts in words, whether they hold

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


def count_rule(ctx: Context, rule: Rule) -> None:
    add_count(ctx, rule, count_of(ctx, rule))


def count_of(ctx: Context, rule: Rule) -> Tally:
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


def add_count(ctx: Context, rule: Rule, tally: Tally) -> None:
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


def count_group(ctx: Context, group: list[Rule]) -> None:
    """The count rules of one `any_of` group (hwcheck.judge.cardgroups decides)."""
    members = [r for r in group if r.server is None or on_server(ctx, r)]
    tallies = [count_of(ctx, rule) for rule in members]
    plan = plan_group(members, [(len(t[0]), t[2], t[1], t[3]) for t in tallies])
    for rule, tally in zip(members, tallies, strict=True):
        step = plan.get(rule.id)
        if step is None:
            add_count(ctx, rule, tally)
        elif step[0] == "idle":
            ctx.idle[rule.id] = step[1]
        else:
            _, message, expected = step
            subject = node_subject(ctx.inventory)
            ctx.add(rule, subject, ("fail", message, None, "0", None, "inventory"), expected)


def module_rule(ctx: Context, rule: Rule) -> None:
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


def fact_rule(ctx: Context, rule: Rule) -> None:
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
