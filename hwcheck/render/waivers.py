"""What every report shows of waivers beyond the finding: a waiver's ticket and links, and the
waivers that expire soon.

Both are pure: a waiver record in, text out; "today" is passed in, as to the judge, so a
report of a saved result says what expires soon as of the day it is rendered.
"""

from __future__ import annotations

from hwcheck.render.order import safe_url
from hwcheck.render.words import plural

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from hwcheck.model.fleet import ExpiringWaiver, ExpiringWaivers
    from hwcheck.model.result import Result, Waiver

DEFAULT_EXPIRING_DAYS = 14
"""How many days ahead `--expiring-within` looks by default: two weeks' notice."""


def waiver_links(waiver: Waiver | ExpiringWaiver) -> list[tuple[str, str | None]]:
    """(text, href) for each of the waiver's links: href None for one that is not a safe
    http(s) URL (an edited result), shown as text only."""
    return [(link, safe_url(link)) for link in waiver.get("links", ())]


def tracking_text(waiver: Waiver | ExpiringWaiver) -> str | None:
    """`ticket CHG-1042; https://...`: the waiver's ticket and links on one line, or None."""
    parts = []
    ticket = waiver.get("ticket")
    if ticket:
        parts.append(f"ticket {ticket}")
    parts.extend(waiver.get("links", ()))
    return "; ".join(parts) if parts else None


def days_between(first: str, last: str) -> int | None:
    """Days from `first` to `last` (YYYY-MM-DD), None when either is not such a date."""
    import datetime

    try:
        a = datetime.date.fromisoformat(first)
        b = datetime.date.fromisoformat(last)
    except ValueError:
        return None
    return (b - a).days


class Expiring:
    """A waiver in force that expires within the window: the rule, its subjects, the days
    left (0: today is its last day)."""

    __slots__ = ("days", "links", "subjects", "waiver")

    def __init__(self, waiver: Waiver, days: int) -> None:
        self.waiver = waiver
        self.days = days
        self.subjects: list[str] = []
        self.links = waiver_links(waiver)

    def when(self) -> str:
        return expires_when(self.days)


def expires_when(days: int) -> str:
    """`expires today`, `expires in 1 day`, `expires in 3 days`."""
    if days == 0:
        return "expires today"
    return f"expires in {plural(days, 'day')}"


def fleet_expiring_lines(expiring: ExpiringWaivers) -> list[str]:
    """The terminal's lines for a fleet's waivers expiring soon (none when there are none)."""
    entries = [(w, w["days_left"], plural(len(w["nodes"]), "node")) for w in expiring["waivers"]]
    return _lines(expiring["within_days"], entries)


def _lines(within: int, entries: Sequence[tuple[Waiver | ExpiringWaiver, int, str]]) -> list[str]:
    """`waivers expiring within N days (K):`, then a line per (waiver, days left, what it
    covers), with its ticket and links."""
    if not entries:
        return []
    lines = [f"waivers expiring within {plural(within, 'day')} ({len(entries)}):"]
    for waiver, days, covered in entries:
        line = (
            f"  {waiver['rule_id']} {expires_when(days)} ({waiver['expires']}, "
            f"{waiver['where']}): {covered}"
        )
        tracking = tracking_text(waiver)
        lines.append(line + (f" [{tracking}]" if tracking else ""))
    return lines


def expiring_soon(result: Result, *, today: str, within: int) -> list[Expiring]:
    """The waivers in force on the result's findings whose last day is within `within` days
    of `today` (today included), soonest first; a waiver on several findings once, with each
    subject."""
    found: dict[tuple[str, str, tuple[tuple[str, str], ...]], Expiring] = {}
    for finding in result["findings"]:
        waiver = finding["waiver"]
        if waiver is None or waiver["expired"]:
            continue
        days = days_between(today, waiver["expires"])
        if days is None or not 0 <= days <= within:
            continue
        key = (waiver["where"], waiver["rule_id"], tuple(sorted(waiver["scope"].items())))
        entry = found.setdefault(key, Expiring(waiver, days))
        entry.subjects.append(finding["subject"]["label"])
    return sorted(found.values(), key=lambda e: (e.days, e.waiver["rule_id"], e.waiver["where"]))


def expiring_lines(expiring: list[Expiring], within: int) -> list[str]:
    """The terminal's lines for the waivers expiring soon (none when there are none)."""
    return _lines(within, [(e.waiver, e.days, ", ".join(e.subjects)) for e in expiring])
