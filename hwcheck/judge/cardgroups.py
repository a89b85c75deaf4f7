"""Count rules judged together: `count: {min: 1, any_of: cards}`. Pure.

A site profile that layers several vendor profiles (`extends: [intel/800-series,
nvidia/connectx]`) inherits a count rule from each, and each vendor's says "this node has
my cards". A node of the site has the cards of one vendor or the other, so each rule alone
would fail every node. The count rules of one resolved profile that name the same `any_of`
group are therefore judged together:

- a rule whose cards the node has is judged as always (its own `min` and `max` hold);
- a rule that finds none of its cards, while another rule of the group finds some of its
  own, does not apply (listed as not applicable, naming the rule that satisfied the group);
- when no rule of the group finds any of its cards, the node fails once: one finding, on
  the group's first rule, naming every family the group expected.

A rule that would pass with no card at all (no `min`, or `min: 0`) is judged as always. A
group of one rule (a vendor profile judged by itself) is judged exactly as without
`any_of`. Groups never reach across the profiles selected for a node: each selected
profile is judged by itself, as hwcheck.judge.judge_node always has.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from hwcheck.profile.model import Rule

    GroupTally = tuple[int, str, str, bool]
    # a member's count found, what it counts in words, its bounds in words, whether they hold
    Step = tuple[str, ...]  # ("idle", why), or ("fail", message, expected)


def count_groups(rules: Iterable[Rule]) -> dict[str, list[Rule]]:
    """The `any_of` groups of two rules or more, by name, each in rule order."""
    groups: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.any_of is not None and rule.check == "count":
            groups.setdefault(rule.any_of, []).append(rule)
    return {name: members for name, members in groups.items() if len(members) > 1}


def plan_group(members: list[Rule], tallies: list[GroupTally]) -> dict[str, Step]:
    """What to do with each member rule that is not judged as always, by rule ID."""
    needing = [
        (rule, tally)
        for rule, tally in zip(members, tallies, strict=True)
        if tally[0] == 0 and not tally[3]  # finds none of its cards, and fails for it
    ]
    having = [(rule, tally) for rule, tally in zip(members, tallies, strict=True) if tally[0] > 0]
    if not needing or len(members) < 2:
        return {}
    name = members[0].any_of
    if having:
        by = ", ".join(f"{rule.id} ({tally[0]} {tally[1]})" for rule, tally in having)
        return {
            rule.id: (
                "idle",
                f"This node has no {tally[1]}; the count rules of group '{name}' are "
                f"satisfied together, here by {by}.",
            )
            for rule, tally in needing
        }
    if len(needing) < 2:
        return {}
    wants = [f"{tally[2]} {tally[1]} ({rule.id})" for rule, tally in needing]
    first = needing[0][0]
    plan: dict[str, Step] = {
        first.id: (
            "fail",
            f"Found none of the cards the count rules of group '{name}' are about; the profile "
            f"wants one of: {'; or '.join(wants)}.",
            f"one of: {'; or '.join(wants)}",
        )
    }
    for rule, _tally in needing[1:]:
        plan[rule.id] = (
            "idle",
            f"Judged with {first.id} (group '{name}'): this node has none of the cards of "
            "any count rule of the group.",
        )
    return plan
