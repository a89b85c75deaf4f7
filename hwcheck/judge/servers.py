"""A rule's `server` selector against the node's DMI facts. Pure.

Every key given must match one of its values, case-insensitively, `*` matching any run of
characters (`PowerEdge R6*`). The answer has three values, failing closed: a fact that
is known and matches no value means the rule is not about this server ("no", listed as not
applicable); otherwise a fact that cannot be read (no DMI tables, a gap, a field the tables
do not hold) means "unknown", a finding of its own, never a rule skipped.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from hwcheck.model.inventory import System
    from hwcheck.profile.model import ServerSelector


def matches(parts: tuple[str, ...], value: str) -> bool:
    """Whether case-folded `value` matches a pattern split at its `*`s."""
    if len(parts) == 1:
        return value == parts[0]
    head, *middle, tail = parts
    if len(value) < len(head) + len(tail) or not value.startswith(head):
        return False
    if not value.endswith(tail):
        return False
    at, end = len(head), len(value) - len(tail)
    for part in middle:
        found = value.find(part, at, end)
        if found < 0:
            return False
        at = found + len(part)
    return True


def server_match(
    selector: ServerSelector, system: System, gap_reason: Callable[..., str | None]
) -> tuple[str, str]:
    """("yes" | "no" | "unknown", why): whether this node is a server `selector` selects."""
    wanted = selector.describe()
    if not system["present"]:
        return (
            "unknown",
            "This node has no DMI tables (/sys/class/dmi/id is absent), so it cannot be told "
            f"whether it is a server the rule is about ({wanted}).",
        )
    unread: str | None = None
    facts: dict[str, object] = system  # type: ignore[assignment]
    for key, (field, _patterns), parts in zip(
        selector.keys, selector.fields, selector.folded, strict=True
    ):
        why = gap_reason(f"system.{field}")
        value = facts.get(field)
        if why is not None or not isinstance(value, str):
            if unread is None:
                read = f"could not be read ({why})" if why else "is not in its DMI tables"
                unread = f"its {key} (DMI {field}) {read}"
            continue
        folded = value.strip().casefold()
        if not any(matches(p, folded) for p in parts):
            return "no", f"This node's {key} is '{value}': the rule is about {wanted}."
    if unread is not None:
        return (
            "unknown",
            f"Whether this node is a server the rule is about ({wanted}) is unknown: {unread}.",
        )
    return "yes", ""
