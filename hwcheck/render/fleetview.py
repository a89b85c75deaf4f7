"""The fleet page's view: a Fleet document reshaped into what fleet.html.j2 shows, top to bottom.

Plain data only (dicts, lists, strings, numbers); no markup here. Escaping is the template's
job, and every value it writes is shown printable first (`visible_text`, jinja2's finalize in
hwcheck.render.html). The bar charts of the version spread are laid out here (their
coordinates), drawn by the template as inline SVG.

The node table is not written as HTML: a fleet has thousands of nodes, so `table` holds its
rows as compact JSON-ready lists (strings interned in lookup lists), which the page's script
filters, sorts and draws a page at a time. Only what the document says is shown; nothing is
judged again here.
"""

from __future__ import annotations

from urllib.parse import quote

from hwcheck.render.htmlview import visible_text
from hwcheck.render.order import safe_url
from hwcheck.render.waivers import expires_when, waiver_links
from hwcheck.render.words import (
    FLEET_VERDICT_EXPLAINED,
    FLEET_VERDICT_HEADINGS,
    FLEET_VERDICT_WORDS,
    STATUS_WORDS,
    plural,
)
from hwcheck.status import FLEET_PRECEDENCE, STATUS_RANK

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hwcheck.model.fleet import (
        ComponentSpread,
        Drift,
        ExpiringWaivers,
        Fleet,
        FleetCounts,
        KnownBad,
        ModelSpread,
        NodeRow,
        Rollup,
        RuleRollup,
    )
    from hwcheck.model.result import CardIdentity

    View = dict[str, Any]

VERDICTS: tuple[str, ...] = FLEET_PRECEDENCE
"""Node verdicts, worst first: the order of the counts, the filter and the verdict sort."""

RULE_STATUSES = ("fail", "unknown", "warn")
"""The statuses a node table row lists rules under, and the rule filter offers."""

TABLE_FIELDS = (
    "node",
    "hostname",
    "system_model",
    "serial",
    "verdict",
    "failed_rules",
    "warned_rules",
    "unknown_rules",
    "profiles",
    "cohort",
    "report",
    "error",
)
"""The order of a node table row's values (`table.rows`); the page's script reads it from
`table.fields`. system_model, verdict, cohort and the rule and profile lists are indices
into `table.models`, `verdicts`, `cohorts`, `rules` and `profiles`."""

PAGE_SIZES = (50, 100, 250, 1000)
"""Rows drawn at a time (the first is not the default: 100 is)."""
PAGE_SIZE = 100

LIST_LIMIT = 1000
EXPIRING_NODES_SHOWN = 20
"""Nodes named under each expiring waiver; the count says how many it covers in all."""
"""At most this many entries of one drift or superseded list are written into the page;
the fleet JSON has them all, and the page says how many more there are."""
COHORTS_SHOWN = 3

# The spread charts: one bar per version, most common first, the rest as one bar.
BAR_LIMIT = 12
CHART_WIDTH = 760
LABEL_WIDTH = 236  # version labels end here (right-aligned)
BAR_X = 244
BAR_SPAN = 300  # the longest bar
BAR_HEIGHT = 16
ROW_HEIGHT = 22
LABEL_CHARS = 32  # a longer version is cut in the label, whole in the bar's tooltip


def _count(n: int) -> str:
    return f"{n:,}"


def _plural(n: int, word: str) -> str:
    """`1 node`, `1,234 nodes` (words.plural, with the count grouped)."""
    return plural(n, word, shown=_count(n))


def _share(part: int, whole: int) -> str:
    if whole <= 0:
        return "0%"
    percent = 100 * part / whole
    if 0 < percent < 0.1:
        return "<0.1%"
    return f"{percent:.1f}%".replace(".0%", "%")


def report_href(report: str | None) -> str | None:
    """A node report's link: a relative path, percent-encoded, so it can only ever name a
    file beside the fleet page (a `:` becomes `%3A`, so `javascript:` is a file name).
    Absolute paths and URLs (`/x`, `//host/x`, `\\\\host`) are not linked."""
    if not report or report.startswith(("/", "\\")):
        return None
    return quote(report, safe="/._-~")


def _stack(counts: FleetCounts) -> list[View]:
    """The widths (percent) of a rollup's stacked bar, worst verdict first."""
    total = counts["nodes"]
    segments: list[View] = []
    offset = 0.0
    for verdict in VERDICTS:
        n = counts[verdict]  # type: ignore[literal-required]
        if not n or total <= 0:
            continue
        width = 100 * n / total
        segments.append(
            {"verdict": verdict, "x": round(offset, 3), "width": round(width, 3), "count": n}
        )
        offset += width
    return segments


def _counts(counts: FleetCounts) -> list[View]:
    return [
        {
            "verdict": verdict,
            "word": FLEET_VERDICT_WORDS[verdict],
            "heading": FLEET_VERDICT_HEADINGS[verdict],
            "count": counts[verdict],  # type: ignore[literal-required]
            "shown": _count(counts[verdict]),  # type: ignore[literal-required]
            "share": _share(counts[verdict], counts["nodes"]),  # type: ignore[literal-required]
        }
        for verdict in VERDICTS
    ]


def _rollup(rollup: Rollup, cohort_index: int | None) -> View:
    counts = rollup["counts"]
    return {
        "key": rollup["key"],
        "label": rollup["label"],
        "verdict": rollup["verdict"],
        "word": FLEET_VERDICT_WORDS.get(rollup["verdict"], rollup["verdict"].upper()),
        "nodes": _count(counts["nodes"]),
        "counts": _counts(counts),
        "stack": _stack(counts),
        "cohort": cohort_index,
    }


def _ids(identity: CardIdentity) -> str:
    usb = identity.get("usb")
    if usb is not None:
        return f"usb:{usb['vendor_id'] or '????'}:{usb['product_id'] or '????'}"
    ids = f"{identity['vendor_id'] or '????'}:{identity['device_id'] or '????'}"
    sub = (identity["subsystem_vendor_id"], identity["subsystem_device_id"])
    if any(sub):
        ids += f" sub {sub[0] or '????'}:{sub[1] or '????'}"
    return ids


def component_heading(component: str) -> str:
    """`firmware_version.nvm` -> `firmware nvm`, `driver_version` -> `driver version`."""
    field, _, part = component.partition(".")
    word = {
        "firmware_version": "firmware",
        "driver_version": "driver version",
        "driver": "driver",
        "expansion_rom_version": "expansion ROM",
    }.get(field, field)
    return f"{word} {part}" if part else word


def _label(text: str) -> str:
    shown = visible_text(text)
    if len(shown) <= LABEL_CHARS:
        return shown
    return shown[: LABEL_CHARS - 1] + "\u2026"


def _chart(model: ModelSpread, spread: ComponentSpread) -> View:
    versions = spread["versions"]
    shown = versions if len(versions) <= BAR_LIMIT else versions[: BAR_LIMIT - 1]
    bars: list[View] = [
        {
            "label": _label(v["version"]) if v["version"] != "" else '""',
            "title": f"{visible_text(v['version'])!s}: {_plural(v['nodes'], 'node')}, "
            f"{_plural(v['cards'], 'card')}, {STATUS_WORDS.get(v['status'], v['status'])}"
            + (" (majority)" if v["majority"] else ""),
            "status": v["status"],
            "nodes": v["nodes"],
            "majority": v["majority"],
            "count": _plural(v["nodes"], "node"),
        }
        for v in shown
    ]
    rest = versions[len(shown) :]
    if rest:
        nodes = sum(v["nodes"] for v in rest)
        bars.append(
            {
                "label": f"{len(rest)} other versions",
                "title": f"{len(rest)} other versions: {_plural(nodes, 'node')}",
                "status": _worst_rule_status(v["status"] for v in rest),
                "nodes": nodes,
                "majority": False,
                "count": _plural(nodes, "node"),
            }
        )
    top = max((bar["nodes"] for bar in bars), default=0) or 1
    for row, bar in enumerate(bars):
        bar["y"] = 4 + row * ROW_HEIGHT
        bar["text_y"] = bar["y"] + BAR_HEIGHT - 4
        bar["width"] = max(2, round(BAR_SPAN * bar["nodes"] / top))
        bar["count_x"] = BAR_X + bar["width"] + 6
    heading = component_heading(spread["component"])
    return {
        "width": CHART_WIDTH,
        "height": 8 + len(bars) * ROW_HEIGHT,
        "label_x": LABEL_WIDTH,
        "bar_x": BAR_X,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
        "title": f"{model['label']}: {heading}, "
        f"{_plural(len(versions), 'distinct version')} across {_plural(model['nodes'], 'node')}",
    }


def _worst_rule_status(statuses: Any) -> str:
    """The most urgent of `statuses` by hwcheck.status's order; `unjudged` is the least."""
    last = len(STATUS_RANK)
    return min(statuses, key=lambda s: STATUS_RANK.get(s, last), default="unjudged")


def _spread(model: ModelSpread) -> View:
    components = []
    for spread in model["components"]:
        outliers = spread["outliers"]
        components.append(
            {
                "component": spread["component"],
                "heading": component_heading(spread["component"]),
                "majority": spread["majority"],
                "versions": len(spread["versions"]),
                "chart": _chart(model, spread),
                "outliers": outliers,
                "outlier_count": _count(spread["outlier_count"]),
                "outlier_cards": _plural(spread["outlier_count"], "card"),
                "outliers_more": max(0, spread["outlier_count"] - len(outliers)),
            }
        )
    return {
        "model": model["model"],
        "label": model["label"],
        "ids": _ids(model["identity"]),
        "nodes": _plural(model["nodes"], "node"),
        "cards": _plural(model["cards"], "card"),
        "components": components,
    }


def _known_bad(entry: KnownBad) -> View:
    return {
        **entry,
        "nodes_shown": _plural(entry["nodes"], "node"),
        "verb": "runs" if entry["nodes"] == 1 else "run",
        "what": component_heading(entry["component"]),
        "advisory_href": safe_url(entry["advisory"]),
    }


def _expiring(expiring: ExpiringWaivers | None) -> View | None:
    """The waivers expiring soon, each with the nodes it covers (the first NODES_SHOWN)."""
    if expiring is None:  # a fleet document of a release before the list
        return None
    entries = []
    for waiver in expiring["waivers"]:
        nodes = waiver["nodes"]
        entries.append(
            {
                **waiver,
                "when": expires_when(waiver["days_left"]),
                "links": waiver_links(waiver),
                "nodes_shown": _plural(len(nodes), "node"),
                "first_nodes": nodes[:EXPIRING_NODES_SHOWN],
                "more": max(0, len(nodes) - EXPIRING_NODES_SHOWN),
            }
        )
    return {
        "within": _plural(expiring["within_days"], "day"),
        "as_of": expiring["as_of"],
        "waivers": entries,
    }


def _capped(items: list[Any]) -> View:
    return {
        "entries": items[:LIST_LIMIT],
        "count": _count(len(items)),
        "more": max(0, len(items) - LIST_LIMIT),
    }


def _drift(drift: Drift | None) -> View | None:
    if drift is None:
        return None
    lists = [
        ("newly_failing", "Newly failing", "compliant in the baseline, not now"),
        ("newly_passing", "Newly passing", "not compliant in the baseline, compliant now"),
        ("added", "Added", "not in the baseline"),
        ("gone", "Gone", "in the baseline, not in this fleet"),
    ]
    return {
        "baseline": drift["baseline"],
        "baseline_judged_at": drift["baseline_judged_at"],
        "lists": [
            {"key": key, "heading": heading, "meaning": meaning, **_capped(drift[key])}  # type: ignore[literal-required]
            for key, heading, meaning in lists
        ],
        "changed": _capped(drift["changed"]),
        "empty": not any(drift[key] for key, _, _ in lists) and not drift["changed"],  # type: ignore[literal-required]
    }


class _Interned:
    """Strings written once into a lookup list, referred to by index."""

    __slots__ = ("index", "items")

    def __init__(self, items: list[str] | None = None) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}
        for item in items or []:
            self.add(item)

    def add(self, item: str) -> int:
        at = self.index.get(item)
        if at is None:
            at = self.index[item] = len(self.items)
            self.items.append(item)
        return at


def _table(fleet: Fleet, cohorts: _Interned) -> View:
    rules = _Interned(
        sorted(
            {
                rule
                for node in fleet["nodes"]
                for rule in (*node["failed_rules"], *node["warned_rules"], *node["unknown_rules"])
            }
        )
    )
    profiles = _Interned()
    models = _Interned()
    verdict_at = {verdict: i for i, verdict in enumerate(VERDICTS)}
    rows = [
        _row(
            node,
            verdict_at=verdict_at,
            rules=rules,
            profiles=profiles,
            models=models,
            cohorts=cohorts,
        )
        for node in fleet["nodes"]
    ]
    return {
        "fields": list(TABLE_FIELDS),
        "verdicts": list(VERDICTS),
        "words": [FLEET_VERDICT_WORDS[v] for v in VERDICTS],
        "cohorts": cohorts.items,
        "rules": rules.items,
        "profiles": profiles.items,
        "models": models.items,
        "rows": rows,
        "page_size": PAGE_SIZE,
    }


def _row(
    node: NodeRow,
    *,
    verdict_at: dict[str, int],
    rules: _Interned,
    profiles: _Interned,
    models: _Interned,
    cohorts: _Interned,
) -> list[Any]:
    model = node["system_model"]
    return [
        node["node"],
        node["hostname"],
        None if model is None else models.add(model),
        node["serial"],
        verdict_at[node["verdict"]],
        [rules.index[r] for r in node["failed_rules"]],
        [rules.index[r] for r in node["warned_rules"]],
        [rules.index[r] for r in node["unknown_rules"]],
        [profiles.add(p) for p in node["profiles"]],
        cohorts.add(node["cohort"]),
        report_href(node["report"]),
        node["error"],
    ]


def _rule_filter(fleet: Fleet, rules: list[str]) -> list[View]:
    """The rule filter's choices: each rule that fails (or is unknown, or warns) on some
    node, with how many, most nodes first; counted from the rows themselves."""
    options = []
    for status in RULE_STATUSES:
        field = {"fail": "failed_rules", "unknown": "unknown_rules", "warn": "warned_rules"}
        counts: dict[str, int] = {}
        for node in fleet["nodes"]:
            for rule in node[field[status]]:  # type: ignore[literal-required]
                counts[rule] = counts.get(rule, 0) + 1
        index = {rule: i for i, rule in enumerate(rules)}
        for rule, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            options.append(
                {
                    "value": f"{status}:{index[rule]}",
                    "rule_id": rule,
                    "status": status,
                    "label": f"{rule} \u2014 {STATUS_WORDS[status].lower()} on "
                    f"{_plural(n, 'node')}",
                    "nodes": n,
                }
            )
    return options


def _failing_rule(rule: RuleRollup, labels: dict[str, str], filters: dict[str, str]) -> View:
    cohorts = [labels.get(key, key) for key in rule["cohorts"]]
    return {
        **rule,
        "word": STATUS_WORDS.get(rule["status"], rule["status"].upper()),
        "nodes_shown": _count(rule["nodes"]),
        "cohort_labels": cohorts[:COHORTS_SHOWN],
        "cohorts_more": max(0, len(cohorts) - COHORTS_SHOWN),
        "advisory_href": safe_url(rule["advisory"]),
        "filter": filters.get(f"{rule['status']}:{rule['rule_id']}"),
    }


def build_fleet_view(fleet: Fleet) -> View:
    counts = fleet["counts"]
    verdict = fleet["verdict"]
    word = FLEET_VERDICT_WORDS.get(verdict, verdict.upper())
    cohorts = _Interned([r["key"] for r in fleet["by_cohort"]])
    table = _table(fleet, cohorts)
    labels = {r["key"]: r["label"] for r in fleet["by_cohort"]}
    # a cohort a row names that no rollup has is offered under its key
    table["cohorts"] = [labels.get(key, key) for key in cohorts.items]
    rule_filter = _rule_filter(fleet, table["rules"])
    filters = {f"{o['status']}:{o['rule_id']}": o["value"] for o in rule_filter}
    sizes: dict[str, int] = {}
    for node in fleet["nodes"]:
        sizes[node["cohort"]] = sizes.get(node["cohort"], 0) + 1
    headline = f"Fleet of {_plural(counts['nodes'], 'node')}"
    return {
        "verdict": verdict,
        "verdict_word": word,
        "verdict_explained": FLEET_VERDICT_EXPLAINED.get(verdict, ""),
        "headline": headline,
        "title": f"{word} \u00b7 {headline.lower()} \u00b7 hwcheck fleet report",
        "exit_code": fleet["exit_code"],
        "strict": fleet["strict"],
        "rejudged": fleet["rejudged"],
        "judged_at": fleet["judged_at"],
        "hwcheck_version": fleet["hwcheck_version"],
        "schema_version": fleet["schema_version"],
        "nodes": counts["nodes"],
        "nodes_shown": _count(counts["nodes"]),
        "counts": _counts(counts),
        "superseded_count": counts["superseded"],
        "by_profile": [_rollup(r, None) for r in fleet["by_profile"]],
        "by_cohort": [_rollup(r, cohorts.index[r["key"]]) for r in fleet["by_cohort"]],
        "failing_rules": [_failing_rule(r, labels, filters) for r in fleet["failing_rules"]],
        "spread": [_spread(m) for m in fleet["spread"]],
        "known_bad": [_known_bad(k) for k in fleet["known_bad"]],
        "drift": _drift(fleet["drift"]),
        "expiring": _expiring(fleet.get("expiring_waivers")),
        "superseded": _capped(fleet["superseded"]),
        "table": table,
        "filter_verdicts": _counts(counts),
        "filter_cohorts": [
            {"value": i, "label": label, "nodes": _count(sizes.get(key, 0))}
            for i, (key, label) in enumerate(zip(cohorts.items, table["cohorts"], strict=True))
        ],
        "filter_rules": rule_filter,
        "page_sizes": list(PAGE_SIZES),
        "page_size": PAGE_SIZE,
    }
