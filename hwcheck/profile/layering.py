"""Layering: a profile `extends` others; the result records which layer decided what.

Precedence, lowest first: the bases in `extends` order (each with its own bases before
it), then the profile itself. A profile reached twice (a diamond) is a single layer, at
its first place. For each rule ID the highest layer that mentions it decides:
- a rule with a check (firmware, driver, module, ...) replaces the rule below entirely;
- a rule with only an `id` and some of title/severity/remediation/advisory/nic/disabled
  changes just those fields of the inherited rule (a site overlay downgrading a rule to
  a warning, or disabling it, without copying it);
- `disabled: true` drops the rule; the trace still says who dropped it.
`unknown_nics` comes from the highest layer that sets it (default: warn).
"""

from __future__ import annotations

from hwcheck.errors import ProfileError
from hwcheck.profile.model import Profile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.library import Library
    from hwcheck.profile.model import ProfileFile, Rule

PATCHABLE = ("title", "severity", "remediation", "advisory", "disabled", "nic")


def linearize(top: ProfileFile, library: Library) -> list[ProfileFile]:
    """The layers of `top`, base first, `top` last."""
    order: list[ProfileFile] = []
    done: set[str] = set()
    chain: list[str] = []

    def visit(prof: ProfileFile) -> None:
        chain.append(prof.path)
        for ref, where in prof.extends:
            path, name = library.locate_name(ref, where=where)
            base = library.load(path, name)
            if base.path in chain:
                cycle = " -> ".join([*chain[chain.index(base.path) :], base.path])
                raise ProfileError(
                    f"'extends' makes a cycle: {cycle}",
                    path=where.path,
                    line=where.line,
                    column=where.column,
                )
            if base.path not in done:
                visit(base)
        chain.pop()
        if prof.path not in done:
            done.add(prof.path)
            order.append(prof)

    visit(top)
    return order


def resolve(top: ProfileFile, library: Library) -> Profile:
    layers = linearize(top, library)
    merged: dict[str, Rule] = {}
    trace: dict[str, list[str]] = {}
    unknown_nics, unknown_layer = "warn", "(default)"
    for layer in layers:
        if layer.unknown_nics is not None:
            unknown_nics, unknown_layer = layer.unknown_nics, layer.name
        for rule in layer.rules:
            steps = trace.setdefault(rule.id, [])
            if rule.check is not None:
                verb = "redefined" if rule.id in merged else "defined"
                merged[rule.id] = rule
                steps.append(f"{layer.name} ({rule.where}): {verb}")
                continue
            below = merged.get(rule.id)
            if below is None:
                w = rule.where
                raise ProfileError(
                    f"rule '{rule.id}' has no check and no layer below defines it "
                    "(a rule needs one of: driver, driver_version, firmware, pair, count, "
                    "module, kernel, os, system)",
                    path=w.path,
                    line=w.line,
                    column=w.column,
                )
            merged[rule.id] = _patched(below, rule)
            steps.append(f"{layer.name} ({rule.where}): {', '.join(rule.given) or 'mentioned'}")
    active = tuple(rule for rule in merged.values() if not rule.disabled)
    return Profile(
        layers[-1],
        layers=tuple(layers),
        rules=active,
        trace=trace,
        unknown_nics=unknown_nics,
        unknown_nics_layer=unknown_layer,
    )


def _patched(below: Rule, patch: Rule) -> Rule:
    rule = below.copy()
    for key in patch.given:
        if key == "nic":
            rule.selector = patch.selector
        elif key in PATCHABLE:
            setattr(rule, key, getattr(patch, key))
    return rule
