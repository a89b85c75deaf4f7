"""Outcomes in, the fleet document out: which input of each node counts, the counts per
profile and cohort, the rules that fail most, version spread and known-bad matches.

Pure: the verdict of each node is the judge's; this module only counts.
"""

from __future__ import annotations

from operator import itemgetter

from hwcheck.fleet.identity import newer
from hwcheck.fleet.nodes import URGENCY
from hwcheck.status import FLEET_RANK, fleet_exit, worst_verdict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from hwcheck.fleet.nodes import Outcome
    from hwcheck.model.fleet import (
        ComponentSpread,
        ExpiringWaiver,
        ExpiringWaivers,
        Fleet,
        FleetCounts,
        KnownBad,
        ModelSpread,
        NodeRow,
        Rollup,
        RuleRollup,
        Superseded,
    )
    from hwcheck.model.result import CardIdentity

OUTLIER_LIMIT = 50
"""Outliers listed per component; `outlier_count` says how many there are in all."""


def keep_newest(outcomes: Iterable[Outcome]) -> tuple[list[Outcome], list[Superseded]]:
    """One outcome per node (the newest `collected_at`), and the inputs it replaced."""
    kept: dict[str, Outcome] = {}
    superseded: list[Superseded] = []
    for outcome in outcomes:
        if outcome.skip:
            continue
        row = outcome.row
        other = kept.get(row["node"])
        if other is None:
            kept[row["node"]] = outcome
            continue
        mine = (row["collected_at"], row["source"])
        theirs = (other.row["collected_at"], other.row["source"])
        loser, winner = (other, outcome) if newer(mine, theirs) else (outcome, other)
        kept[row["node"]] = winner
        superseded.append(
            {
                "node": row["node"],
                "source": loser.row["source"],
                "collected_at": loser.row["collected_at"],
                "by": winner.row["source"],
            }
        )
    rows = sorted(kept.values(), key=lambda o: (o.row["hostname"] or "", o.row["node"]))
    # a node superseded twice names the input that finally counts
    final = {o.row["node"]: o.row["source"] for o in rows}
    for entry in superseded:
        entry["by"] = final[entry["node"]]
    superseded.sort(key=lambda s: (s["node"], s["source"]))
    return rows, superseded


def _counts(verdicts: Iterable[str], superseded: int = 0) -> FleetCounts:
    counts: FleetCounts = {
        "nodes": 0,
        "compliant": 0,
        "noncompliant": 0,
        "unknown": 0,
        "error": 0,
        "superseded": superseded,
    }
    for verdict in verdicts:
        counts["nodes"] += 1
        counts[verdict] += 1  # type: ignore[literal-required]
    return counts


def _rollups(groups: dict[str, list[str]]) -> list[Rollup]:
    """One rollup per group, worst first, then the largest, then by name."""
    out: list[Rollup] = [
        {
            "key": key,
            "label": key,
            "verdict": worst_verdict(verdicts),  # type: ignore[typeddict-item]
            "counts": _counts(verdicts),
        }
        for key, verdicts in groups.items()
    ]
    out.sort(key=lambda r: (FLEET_RANK[r["verdict"]], -r["counts"]["nodes"], r["key"]))
    return out


def _failing_rules(kept: list[Outcome]) -> list[RuleRollup]:
    found: dict[tuple[str, str, str], RuleRollup] = {}
    cohorts: dict[tuple[str, str, str], dict[str, int]] = {}
    for outcome in kept:
        for rule_id, profile, title, severity, status, remediation, advisory in outcome.rules:
            key = (rule_id, profile, status)
            entry = found.get(key)
            if entry is None:
                entry = found[key] = {
                    "rule_id": rule_id,
                    "title": title,
                    "profile": profile,
                    "severity": severity,  # type: ignore[typeddict-item]
                    "status": status,  # type: ignore[typeddict-item]
                    "nodes": 0,
                    "cohorts": [],
                    "remediation": remediation,
                    "advisory": advisory,
                }
                cohorts[key] = {}
            entry["nodes"] += 1
            tally = cohorts[key]
            tally[outcome.row["cohort"]] = tally.get(outcome.row["cohort"], 0) + 1
    order = {"fail": 0, "unknown": 1, "warn": 2}
    for key, entry in found.items():
        entry["cohorts"] = sorted(cohorts[key], key=lambda c: (-cohorts[key][c], c))
    return sorted(
        found.values(), key=lambda r: (order[r["status"]], -r["nodes"], r["rule_id"], r["profile"])
    )


class _Versions:
    """The cards that run one version of one component, and the most urgent status a rule
    gave it."""

    __slots__ = ("cards", "status")

    def __init__(self) -> None:
        self.cards: list[tuple[str, str]] = []  # (node, card)
        self.status = "unjudged"

    def nodes(self) -> int:
        """The nodes among them (a node with two such cards counts once)."""
        return len(set(map(itemgetter(0), self.cards)))


def _spread(kept: list[Outcome]) -> list[ModelSpread]:
    models: dict[str, tuple[str, CardIdentity, set[str], set[tuple[str, str]]]] = {}
    tallies: dict[tuple[str, str, str], _Versions] = {}  # (model, component, version)
    hostnames: dict[str, str | None] = {}
    for outcome in kept:
        row = outcome.row
        node = row["node"]
        hostnames[node] = row["hostname"]
        for card in row["cards"]:
            entry = models.get(card["model"])
            if entry is None:
                entry = models[card["model"]] = (card["label"], card["identity"], set(), set())
            entry[2].add(node)
            entry[3].add((node, card["card"]))
        for model, component, version, status, card_key in outcome.versions:
            tally = tallies.get((model, component, version))
            if tally is None:
                tally = tallies[model, component, version] = _Versions()
            tally.cards.append((node, card_key))
            if status != tally.status and URGENCY[status] < URGENCY[tally.status]:
                tally.status = status
    components: dict[str, dict[str, dict[str, _Versions]]] = {}
    for (model, component, version), tally in tallies.items():
        components.setdefault(model, {}).setdefault(component, {})[version] = tally
    out: list[ModelSpread] = []
    for model, (label, identity, nodes, cards) in models.items():
        spreads = [
            _component(name, versions, hostnames)
            for name, versions in sorted(
                components.get(model, {}).items(), key=lambda kv: _component_order(kv[0])
            )
        ]
        out.append(
            {
                "model": model,
                "label": label,
                "identity": identity,
                "nodes": len(nodes),
                "cards": len(cards),
                "components": spreads,
            }
        )
    out.sort(key=lambda m: (-m["nodes"], m["model"]))
    return out


def _component_order(name: str) -> tuple[int, str]:
    first = ("firmware_version", "driver_version", "driver")
    head = name.split(".", 1)[0]
    return (first.index(head) if head in first else len(first), name)


def _component(
    name: str, versions: dict[str, _Versions], hostnames: dict[str, str | None]
) -> ComponentSpread:
    ordered = sorted(versions.items(), key=lambda kv: (-len(kv[1].cards), kv[0]))
    majority = ordered[0][0] if ordered else None
    outliers = [
        {"node": node, "hostname": hostnames[node], "card": card, "version": version}
        for version, tally in ordered[1:]
        for node, card in sorted(tally.cards)
    ]
    return {
        "component": name,
        "versions": [
            {
                "version": version,
                "nodes": tally.nodes(),
                "cards": len(tally.cards),
                "status": tally.status,  # type: ignore[typeddict-item]
                "majority": version == majority,
            }
            for version, tally in ordered
        ],
        "majority": majority,
        "outliers": outliers[:OUTLIER_LIMIT],  # type: ignore[typeddict-item]
        "outlier_count": len(outliers),
    }


def _known_bad(kept: list[Outcome], labels: dict[str, str]) -> list[KnownBad]:
    found: dict[tuple[str, str, str, str], tuple[set[str], str, str | None]] = {}
    for outcome in kept:
        for rule_id, model, component, value, reason, advisory in outcome.known_bad:
            entry = found.setdefault((rule_id, model, component, value), (set(), reason, advisory))
            entry[0].add(outcome.row["node"])
    out: list[KnownBad] = [
        {
            "rule_id": rule_id,
            "model": model,
            "label": labels.get(model, model),
            "component": component,
            "version": value,
            "nodes": len(nodes),
            "reason": reason,
            "advisory": advisory,
        }
        for (rule_id, model, component, value), (nodes, reason, advisory) in found.items()
    ]
    out.sort(key=lambda k: (-k["nodes"], k["model"], k["version"], k["rule_id"]))
    return out


def build_fleet(
    kept: list[Outcome],
    superseded: list[Superseded],
    *,
    judged_at: str,
    strict: bool,
    rejudged: bool,
    today: str,
    expiring_within: int,
) -> Fleet:
    """The fleet document of the outcomes `kept`. `today` (YYYY-MM-DD) and `expiring_within`
    (days) say which waivers in force are listed as expiring soon."""
    from hwcheck import __version__
    from hwcheck.model import FLEET_SCHEMA_VERSION

    rows: list[NodeRow] = [o.row for o in kept]
    by_profile: dict[str, list[str]] = {}
    by_cohort: dict[str, list[str]] = {}
    for row in rows:
        for name in row["profiles"] or ["(no profile)"]:
            by_profile.setdefault(name, []).append(row["verdict"])
        by_cohort.setdefault(row["cohort"], []).append(row["verdict"])
    spread = _spread(kept)
    verdict = worst_verdict(row["verdict"] for row in rows)
    return {
        "schema_version": FLEET_SCHEMA_VERSION,
        "kind": "hwcheck-fleet",
        "hwcheck_version": __version__,
        "judged_at": judged_at,
        "strict": strict,
        "rejudged": rejudged,
        "verdict": verdict,  # type: ignore[typeddict-item]
        "exit_code": int(fleet_exit(row["exit_code"] for row in rows)),
        "counts": _counts((row["verdict"] for row in rows), len(superseded)),
        "by_profile": _rollups(by_profile),
        "by_cohort": _rollups(by_cohort),
        "failing_rules": _failing_rules(kept),
        "spread": spread,
        "known_bad": _known_bad(kept, {m["model"]: m["label"] for m in spread}),
        "drift": None,
        "expiring_waivers": _expiring(kept, today, expiring_within),
        "nodes": rows,
        "superseded": superseded,
    }


def _expiring(kept: list[Outcome], today: str, within: int) -> ExpiringWaivers:
    """The waivers in force on some node whose last day is within `within` days of `today`
    (today included), soonest first, each with the nodes it covers."""
    from hwcheck.render.waivers import days_between

    found: dict[tuple[str, str], tuple[ExpiringWaiver, set[str]]] = {}
    for outcome in kept:
        for rule_id, where, expires, ticket, links in outcome.waivers:
            entry = found.get((where, rule_id))
            if entry is None:
                days = days_between(today, expires)
                if days is None or not 0 <= days <= within:
                    continue
                waiver: ExpiringWaiver = {
                    "rule_id": rule_id,
                    "where": where,
                    "expires": expires,
                    "days_left": days,
                    "ticket": ticket,
                    "links": list(links),
                    "nodes": [],
                }
                entry = found[(where, rule_id)] = (waiver, set())
            entry[1].add(outcome.row["node"])
    waivers = []
    for waiver, nodes in found.values():
        waiver["nodes"] = sorted(nodes)
        waivers.append(waiver)
    waivers.sort(key=lambda w: (w["days_left"], w["rule_id"], w["where"]))
    return {"within_days": within, "as_of": today, "waivers": waivers}
