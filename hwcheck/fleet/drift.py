"""Drift: what changed since an earlier fleet document (`--baseline`): nodes newly failing or
newly passing, card driver and firmware changes, nodes added and gone."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.fleet import Change, Drift, Fleet

MAX_FLEET_BYTES = 1024 * 1024 * 1024
_FIELDS = ("driver", "driver_version", "firmware_version")


def read_baseline(path: str) -> Fleet:
    """An earlier `hwcheck fleet --json` document, checked; InputError (exit 2) if not one."""
    import typing

    from hwcheck.model import FLEET_SCHEMA_VERSION
    from hwcheck.model.documents import check_document, read_json
    from hwcheck.model.fleet import Fleet

    document = read_json(path, what="a fleet document", max_bytes=MAX_FLEET_BYTES)
    check_document(
        document,
        Fleet,
        kind="hwcheck-fleet",
        noun="fleet document",
        versions=(FLEET_SCHEMA_VERSION,),
        where=path,
    )
    return typing.cast("Fleet", document)


def drift(now: Fleet, before: Fleet, baseline: str) -> Drift:
    old = {row["node"]: row for row in before["nodes"]}
    new = {row["node"]: row for row in now["nodes"]}
    changed: list[Change] = []
    failing: list[str] = []
    passing: list[str] = []
    for node, row in new.items():
        earlier = old.get(node)
        if earlier is None:
            continue
        was_ok = earlier["verdict"] == "compliant"
        is_ok = row["verdict"] == "compliant"
        if was_ok and not is_ok:
            failing.append(node)
        elif is_ok and not was_ok:
            passing.append(node)
        cards = {card["card"]: card for card in earlier["cards"]}
        for card in row["cards"]:
            previous = cards.get(card["card"])
            if previous is None:
                continue
            for field in _FIELDS:
                a, b = previous[field], card[field]  # type: ignore[literal-required]
                if a != b:
                    changed.append(
                        {
                            "node": node,
                            "card": card["card"],
                            "field": field,
                            "before": a,
                            "after": b,
                        }
                    )
    return {
        "baseline": baseline,
        "baseline_judged_at": before["judged_at"],
        "newly_failing": sorted(failing),
        "newly_passing": sorted(passing),
        "changed": changed,
        "added": sorted(new.keys() - old.keys()),
        "gone": sorted(old.keys() - new.keys()),
    }
