"""One input in, one node row out: read, check, judge exactly as `hwcheck check` does.

Runs in the worker processes. What it hands back is small: the node's row and the facts the
rollups count (failing rules, each card's versions, known-bad matches), never the inventory.
An input that cannot be read or judged becomes an error row with its one-line reason.
"""

from __future__ import annotations

from hwcheck.errors import HwcheckError
from hwcheck.fleet.identity import node_key
from hwcheck.fleet.models import card_model, cohort_of
from hwcheck.model.summary import UNJUDGED_KIND
from hwcheck.status import STATUS_RANK, ExitStatus

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from hwcheck.fleet.nodereports import Staging
    from hwcheck.fleet.sources import Item
    from hwcheck.model.fleet import CardRow, NodeRow
    from hwcheck.model.inventory import Inventory
    from hwcheck.model.result import Finding, KnownBadMatch, NodeSummary, Result
    from hwcheck.profile.selection import Selection
    from hwcheck.profile.waivers import WaiverEntry

    RuleInfo = tuple[str, str, str, str, str, str | None, str | None]
    # rule_id, profile, title, severity, status, remediation, advisory
    VersionFact = tuple[str, str, str, str, str]  # model, component, version, status, card
    KnownBadFact = tuple[str, str, str, str, str, str | None]
    # rule_id, model, component, value, reason, advisory
    WaiverFact = tuple[str, str, str, str | None, tuple[str, ...]]
    # rule_id, where (file:line), expires, ticket, links: a waiver in force on this node

NIC_FACTS = ("driver", "driver_version", "firmware_version")


URGENCY: dict[str, int] = {**STATUS_RANK, "unjudged": len(STATUS_RANK)}
"""Status -> its place in hwcheck.status's order (0 is the most urgent); `unjudged` (no rule
judged the fact) is the least urgent."""


def more_urgent(status: str, than: str) -> bool:
    return URGENCY[status] < URGENCY[than]


MAX_INPUT_BYTES = 64 * 1024 * 1024


class Judging:
    """What every node of a run is judged with: chosen once, the same for all."""

    __slots__ = (
        "judged_at",
        "rejudge",
        "reports",
        "selection",
        "strict",
        "texts",
        "today",
        "waivers",
    )

    def __init__(
        self,
        selection: Selection,
        *,
        waivers: list[WaiverEntry] | None,
        today: str,
        judged_at: str,
        strict: bool,
        rejudge: bool,
        reports: Staging | None,
        texts: tuple[Callable[[NodeRow], bytes], ...] = (),
    ) -> None:
        self.selection = selection
        self.waivers = waivers
        self.today = today
        self.judged_at = judged_at
        self.strict = strict
        self.rejudge = rejudge
        self.reports = reports  # where node reports are staged (--html-dir), or None
        # What each worker writes of each row it judges, for the reports that are one line
        # (or a few) per node: the run joins them instead of encoding 10,000 rows at its end.
        # Only for a run that changes no row once judged (--html-dir names each report then).
        self.texts = texts


class Outcome:
    """A node's row, the facts the rollups need, and its staged HTML report (a path)."""

    __slots__ = (
        "known_bad",
        "report_tmp",
        "row",
        "rules",
        "skip",
        "texts",
        "versions",
        "waivers",
    )

    def __init__(self, row: NodeRow) -> None:
        self.row = row
        self.rules: list[RuleInfo] = []
        self.versions: list[VersionFact] = []
        self.known_bad: list[KnownBadFact] = []
        self.waivers: list[WaiverFact] = []
        self.report_tmp: str | None = None
        self.skip = False  # a walked file that is not a node input (a fleet document)
        self.texts: tuple[bytes, ...] = ()  # the row as each of Judging.texts writes it

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as one tuple of its fields: a worker hands back thousands, and the
        default for a class with slots (a state dict per object, set attribute by
        attribute) is most of what the parent spends receiving them."""
        fields = (
            self.row,
            self.rules,
            self.versions,
            self.known_bad,
            self.waivers,
            self.report_tmp,
            self.skip,
            self.texts,
        )
        return (_outcome_of, (fields,))


def _outcome_of(fields: tuple[object, ...]) -> Outcome:
    """An Outcome again from the fields Outcome.__reduce__ pickled."""
    outcome = Outcome.__new__(Outcome)
    (
        outcome.row,
        outcome.rules,
        outcome.versions,
        outcome.known_bad,
        outcome.waivers,
        outcome.report_tmp,
        outcome.skip,
        outcome.texts,
    ) = fields  # type: ignore[assignment]
    return outcome


def judge_item(item: Item, how: Judging) -> Outcome:
    outcome = _judged(item, how)
    if how.texts and not outcome.skip:
        outcome.texts = tuple(write(outcome.row) for write in how.texts)
    return outcome


def _judged(item: Item, how: Judging) -> Outcome:
    try:
        return _judge(item, how)
    except HwcheckError as err:
        return error_outcome(item.label, str(err) if err.where != item.label else err.message)
    except (MemoryError, RecursionError) as err:
        return error_outcome(item.label, f"cannot be read: {type(err).__name__}")


def error_outcome(source: str, reason: str, *, exit_code: int = 2) -> Outcome:
    """An error row: its input could not be read (exit 2), or no profile applies to the node
    (`exit_code` 6, ExitStatus.NO_PROFILE)."""
    row: NodeRow = {
        "node": source,
        "hostname": None,
        "serial": None,
        "product_uuid": None,
        "system_vendor": None,
        "system_model": None,
        "collected_at": None,
        "judged_at": None,
        "verdict": "error",
        "exit_code": exit_code,
        "error": reason,
        "source": source,
        "profiles": [],
        "cohort": "(error)",
        "failed_rules": [],
        "warned_rules": [],
        "unknown_rules": [],
        "waived_rules": [],
        "links": [],
        "cards": [],
        "report": None,
    }
    return Outcome(row)


def _judge(item: Item, how: Judging) -> Outcome:
    if item.kind == "error":
        return error_outcome(item.label, (item.data or b"").decode())
    if item.kind in ("capture", "capture-dir"):
        return _judge_inventory(item, how, _probe(item))
    document, inventory = _read(item)
    if inventory is not None:
        return _judge_inventory(item, how, inventory)
    return _judge_document(item, how, document)


def _judge_document(item: Item, how: Judging, document: object) -> Outcome:
    """A document that is not an inventory of the fast path: a result, a collector's
    unjudged node, a fleet document met in a walk, or what check_inventory refuses."""
    kind = document.get("kind") if isinstance(document, dict) else None
    if kind == "hwcheck-result":
        return _from_result(item, how, document)
    if kind == UNJUDGED_KIND:
        return _unjudged(item, document)  # type: ignore[arg-type]
    if kind == "hwcheck-fleet" and item.walked:
        skipped = error_outcome(item.label, "a fleet document")
        skipped.skip = True
        return skipped
    from hwcheck.interop.ironic import ironic_inventory
    from hwcheck.model.documents import check_inventory

    imported = ironic_inventory(document, where=item.label, now=how.judged_at)
    if imported is not None:  # the inventory Ironic stores (`baremetal node inventory save`)
        return _judge_inventory(item, how, imported)
    return _judge_inventory(item, how, check_inventory(document, where=item.label))


def _unjudged(item: Item, document: dict[str, object]) -> Outcome:
    """A node a collector stored as unjudged (no profile applied): its error row, named."""
    from hwcheck.model.summary import unjudged_node

    reason, node = unjudged_node(document)
    outcome = error_outcome(item.label, reason, exit_code=int(ExitStatus.NO_PROFILE))
    if node is not None:
        _name(outcome.row, node)
    return outcome


def _from_result(item: Item, how: Judging, document: object) -> Outcome:
    """A result is taken as judged; with --rejudge its embedded inventory is judged again."""
    from hwcheck.render.resultdoc import check_result

    result = check_result(document, where=item.label)
    inventory = result.get("inventory")
    if not how.rejudge:
        return _outcome(item, how, result, inventory)
    if inventory is None:
        return error_outcome(item.label, "cannot be judged again: no embedded inventory")
    return _judge_inventory(item, how, inventory)


def _read(item: Item) -> tuple[object, Inventory | None]:
    """The item's document, and the inventory checked when it is one (parse_document)."""
    from hwcheck.model.documents import parse_document, read_bytes

    what = "an inventory or result"
    data = item.data
    if data is None:
        data = read_bytes(item.path, what=what, max_bytes=MAX_INPUT_BYTES)
    return parse_document(data, what=what, where=item.label)


def _probe(item: Item) -> Inventory:
    from hwcheck.probe import probe
    from hwcheck.probe.archive import open_capture
    from hwcheck.probe.host import open_root

    root = open_root(item.path) if item.data is None else open_capture(item.label, item.data)
    inventory = probe(root)
    inventory["source"]["root"] = item.label
    return inventory


def _judge_inventory(item: Item, how: Judging, inventory: Inventory) -> Outcome:
    """The same judge_node call, with the same selection and waivers, that `check` makes."""
    from hwcheck.judge import judge_node

    selected, none = how.selection.pick(inventory)
    if none is not None:
        outcome = error_outcome(item.label, none, exit_code=int(ExitStatus.NO_PROFILE))
        _identify(outcome.row, inventory, None)
        return outcome
    result = judge_node(
        selected,
        inventory,
        waivers=how.waivers,
        today=how.today,
        judged_at=how.judged_at,
        strict=how.strict,
    )
    return _outcome(item, how, result, inventory)


def _outcome(item: Item, how: Judging, result: Result, inventory: Inventory | None) -> Outcome:
    seen = _CardFindings(result["findings"])
    outcome = Outcome(_row(item, result, inventory, seen))
    _facts(outcome, result, seen)
    if how.reports is not None and inventory is not None:
        outcome.report_tmp = _stage_report(result, how.reports)
    return outcome


def _identify(row: NodeRow, inventory: Inventory | None, result: Result | None) -> None:
    """Who the node is: the result's `node` (or its inventory's summary), else the inventory's."""
    from hwcheck.model.summary import node_summary, result_node

    if result is not None:
        summary = result_node(result)
    elif inventory is not None:
        summary = node_summary(inventory)
    else:
        return
    _name(row, summary)


def _name(row: NodeRow, summary: NodeSummary) -> None:
    """The row's identity fields from the node's summary, and its node key."""
    row["hostname"] = summary["hostname"]
    row["serial"] = summary["serial"]
    row["product_uuid"] = summary["product_uuid"]
    row["system_vendor"] = summary["system_vendor"]
    row["system_model"] = summary["system_model"]
    row["collected_at"] = summary["collected_at"]
    key = node_key(row["hostname"], row["serial"], row["product_uuid"])
    if key is not None:
        row["node"] = key


def _row(item: Item, result: Result, inventory: Inventory | None, seen: _CardFindings) -> NodeRow:
    row = error_outcome(item.label, "").row
    row["error"] = None
    _identify(row, inventory, result)
    row["judged_at"] = result["judged_at"]
    row["verdict"] = result["verdict"]
    row["exit_code"] = result["exit_code"]
    row["profiles"] = [use["name"] for use in result["profiles"]]
    lists = {
        "fail": row["failed_rules"],
        "warn": row["warned_rules"],
        "unknown": row["unknown_rules"],
        "waived": row["waived_rules"],
    }
    for finding in result["findings"]:
        wanted = lists.get(finding["status"])
        if wanted is not None and finding["rule_id"] not in wanted:
            wanted.append(finding["rule_id"])
    row["cards"] = _cards(seen, inventory)
    if inventory is not None:
        row["links"] = sorted(nic["name"] for nic in inventory["nics"] if nic["kind"] != "loopback")
    row["cohort"] = cohort_of(row["system_model"], [card["label"] for card in row["cards"]])
    return row


class _CardFindings:
    """What a node's card findings say of each card: the worst status, the values judged
    (by `fact`), the firmware components parsed, and a subject naming the card."""

    __slots__ = ("fact_status", "known_bad", "parsed", "subjects", "values", "worst")

    def __init__(self, findings: list[Finding]) -> None:
        self.worst: dict[str, str] = {}
        self.fact_status: dict[tuple[str, str], str] = {}
        self.values: dict[str, dict[str, str | None]] = {}
        self.parsed: dict[str, dict[str, str]] = {}
        self.subjects: dict[str, Finding] = {}
        # card, fact, its finding and the known-bad entry it matched
        self.known_bad: list[tuple[str, str, Finding, KnownBadMatch]] = []
        for finding in findings:
            if finding["subject"]["kind"] == "card":
                self._add(finding)

    def _add(self, finding: Finding) -> None:
        card = finding["subject"]["id"]
        status = finding["status"]
        self.subjects.setdefault(card, finding)
        if more_urgent(status, self.worst.get(card, "unjudged")):
            self.worst[card] = status
        fact = finding.get("fact")
        if fact is None:
            return
        key = (card, fact)
        if more_urgent(status, self.fact_status.get(key, "unjudged")):
            self.fact_status[key] = status
        observed = finding["observed"]
        self.values.setdefault(card, {})[fact] = observed["raw"]
        if fact == "firmware_version" and observed["parsed"]:
            self.parsed.setdefault(card, {}).update(observed["parsed"])
        match = finding.get("known_bad")
        if match is not None and status in ("fail", "warn", "waived"):
            self.known_bad.append((card, fact, finding, match))


def _cards(seen: _CardFindings, inventory: Inventory | None) -> list[CardRow]:
    """The node's cards with their versions (from the inventory, or from the findings of a
    result stored without it) and the worst status their findings got."""
    if inventory is None:
        return [
            _card_row(
                card,
                identity,  # type: ignore[arg-type]
                finding["subject"]["ports"],
                {f: seen.values.get(card, {}).get(f) for f in NIC_FACTS},
                seen,
            )
            for card, finding in seen.subjects.items()
            if (identity := finding["subject"].get("identity")) is not None
        ]
    by_name = {nic["name"]: nic for nic in inventory["nics"]}
    rows: list[CardRow] = []
    for card in inventory["cards"]:
        if card.get("vf_only"):
            continue
        first = by_name.get(card["ports"][0]) if card["ports"] else None
        values: dict[str, str | None] = {
            "driver": first["driver"] if first else None,
            "driver_version": first["driver_version"] if first else None,
            "firmware_version": first["firmware_version"] if first else None,
        }
        rows.append(_card_row(card["card"], card, card["ports"], values, seen))  # type: ignore[arg-type]
    return rows


def _card_row(
    key: str,
    source: dict[str, object],
    ports: list[str],
    values: dict[str, str | None],
    seen: _CardFindings,
) -> CardRow:
    model, label, identity = card_model(source)
    return {
        "card": key,
        "model": model,
        "label": label,
        "identity": identity,
        "ports": list(ports),
        "driver": values["driver"],
        "driver_version": values["driver_version"],
        "firmware_version": values["firmware_version"],
        "firmware_parsed": seen.parsed.get(key),
        "status": seen.worst.get(key, "unjudged"),  # type: ignore[typeddict-item]
    }


def _facts(outcome: Outcome, result: Result, seen: _CardFindings) -> None:
    """What the rollups count of this node: its failing rules, each card's versions with the
    status the rules gave them, known-bad matches, and the waivers in force on it."""
    rules: dict[tuple[str, str, str], RuleInfo] = {}
    waivers: dict[tuple[str, str], WaiverFact] = {}
    for finding in result["findings"]:
        status = finding["status"]
        waiver = finding["waiver"]
        if waiver is not None and not waiver["expired"]:
            waivers.setdefault(
                (waiver["where"], waiver["rule_id"]),
                (
                    waiver["rule_id"],
                    waiver["where"],
                    waiver["expires"],
                    waiver.get("ticket"),
                    tuple(waiver.get("links", ())),
                ),
            )
        if status in ("fail", "warn", "unknown"):
            rules.setdefault(
                (finding["rule_id"], finding["profile"], status),
                (
                    finding["rule_id"],
                    finding["profile"],
                    finding["title"],
                    finding["severity"],
                    status,
                    finding["remediation"],
                    finding["advisory"],
                ),
            )
    outcome.rules = list(rules.values())
    outcome.waivers = list(waivers.values())
    models = {card["card"]: card["model"] for card in outcome.row["cards"]}
    for card_id, fact, finding, match in seen.known_bad:
        if card_id in models:
            outcome.known_bad.append(
                (
                    finding["rule_id"],
                    models[card_id],
                    fact,
                    match["value"],
                    match["reason"],
                    finding["advisory"],
                )
            )
    for card in outcome.row["cards"]:
        for fact in NIC_FACTS:
            value = card[fact]  # type: ignore[literal-required]
            if value is not None:
                judged = seen.fact_status.get((card["card"], fact), "unjudged")
                outcome.versions.append((card["model"], fact, value, judged, card["card"]))
        for component, value in sorted((card["firmware_parsed"] or {}).items()):
            outcome.versions.append(
                (card["model"], f"firmware_version.{component}", value, "unjudged", card["card"])
            )


def _stage_report(result: Result, staging: Staging) -> str:
    """The node's HTML report written complete to a file of this run's in `nodes/`, with
    the mode a report gets; the run renames it into place once it knows which input of each
    node counts (and removes it otherwise)."""
    import os
    import tempfile

    from hwcheck.outfile import encode
    from hwcheck.render.html import render_html

    data = encode(render_html(result))
    fd, tmp = tempfile.mkstemp(prefix=staging.prefix, suffix=".html.tmp", dir=staging.directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), staging.mode)
            handle.write(data)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp
