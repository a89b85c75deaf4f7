"""Probe this node and judge it, for the IPA plug-ins: the probe's inventory, then the
profiles picked by `Selection` and `judge_node`, as `hwcheck check` picks and judges."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.interop.ipa.settings import Settings
    from hwcheck.model.inventory import Inventory
    from hwcheck.model.result import Finding, Result

MAX_LISTED = 10
"""The most findings one error message lists (the rest are counted)."""


def probe_node(settings: Settings) -> Inventory:
    """The inventory of this node (or of `settings.root`, a capture, in tests)."""
    from hwcheck.probe import probe
    from hwcheck.probe.host import open_root

    return probe(open_root(settings.root))


def judge(settings: Settings, inventory: Inventory, *, now: str) -> tuple[Result | None, str]:
    """(the result, "") when a profile applies; (None, why not) when none does. `now` is
    RFC 3339 UTC. A profile or waiver file that cannot be read raises HwcheckError."""
    from hwcheck.judge import judge_node
    from hwcheck.profile.library import Library
    from hwcheck.profile.selection import Selection

    # ipa-hwcheck-profile-dir adds, as check's --profile-dir does: a site directory whose
    # profiles extend the shipped vendor profiles finds them.
    library = Library.searching(added=settings.profile_dirs)
    selection = Selection(library, settings.profiles or None)
    chosen, none = selection.pick(inventory)
    if none is not None:
        return None, none
    waivers = None
    if settings.waivers is not None:
        from hwcheck.profile.waivers import load_waivers

        waivers = load_waivers(settings.waivers)
    result = judge_node(
        chosen,
        inventory,
        waivers=waivers,
        today=now[:10],
        judged_at=now,
        strict=settings.strict,
    )
    return result, ""


def failures(result: Result) -> str:
    """The findings that keep `result` from passing, short: rule, subject, what was seen
    and what was expected (or why it is unknown)."""
    from hwcheck.render.words import status_word
    from hwcheck.status import gates

    gating = [
        f for f in result["findings"] if gates(f["status"], f["severity"], strict=result["strict"])
    ]
    listed = [_finding(f, status_word(f["status"])) for f in gating[:MAX_LISTED]]
    if len(gating) > MAX_LISTED:
        listed.append(f"and {len(gating) - MAX_LISTED} more")
    return "; ".join(listed)


def _finding(finding: Finding, word: str) -> str:
    where = f"{finding['rule_id']} on {finding['subject']['kind']} {finding['subject']['id']}"
    raw = finding["observed"]["raw"]
    if raw is None:
        return f"{word} {where}: {finding['message']}"
    return f"{word} {where}: observed {raw!r}, expected {finding['expected']}"


def verdict_line(result: Result) -> str:
    """`NON-COMPLIANT (intel/700-series 2026.1)`: the verdict and the profiles judged."""
    from hwcheck.render.words import verdict_word

    used = ", ".join(f"{u['name']} {u['version'] or ''}".strip() for u in result["profiles"])
    return f"{verdict_word(result['verdict'])} ({used})"
