"""The fleet document: many nodes judged together, their rollups, version spread and drift.

`hwcheck fleet --json` writes it; `--baseline` reads an earlier one; the fleet HTML, CSV and
JUnit renderers read nothing else. Declares types only (TypedDicts): import under
`TYPE_CHECKING`. The JSON Schema is docs/schema/fleet.schema.json.

Every node is judged by the same `judge_node` call `hwcheck check` makes; this document holds
what a fleet view needs of each result (its row), never a second verdict.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from hwcheck.model.result import CardIdentity, Severity

NodeVerdict = Literal["compliant", "noncompliant", "unknown", "error"]
"""A node's verdict as `check` gives it, or `error`: its input could not be read or judged
(damaged, not an inventory, no profile applies). An error node is never counted compliant."""

RuleStatus = Literal["pass", "fail", "warn", "unknown", "waived", "unjudged"]
"""A finding's status, or `unjudged`: no rule judged this fact of this card."""


class FleetCounts(TypedDict):
    nodes: int  # counted nodes (superseded inputs excluded)
    compliant: int
    noncompliant: int
    unknown: int
    error: int
    superseded: int  # inputs for a node that a newer input for the same node replaced


class Rollup(TypedDict):
    """The nodes of one profile or one cohort: their counts and worst verdict."""

    key: str  # profile name, or the cohort key (`system model | card model, ...`)
    label: str  # what a reader sees
    verdict: NodeVerdict  # worst of its nodes
    counts: FleetCounts


class CardRow(TypedDict):
    """One card of one node, as the CSV row and the drift comparison need it."""

    card: str  # the inventory's card key: "0000:3b:00", "usb:1-14.3"
    model: str  # the model key: "8086:1593:8086:0002", "usb:413c:a102"
    label: str  # "Intel Ethernet Controller E810-C for SFP"
    identity: CardIdentity
    ports: list[str]
    driver: str | None
    driver_version: str | None
    firmware_version: str | None
    firmware_parsed: dict[str, str] | None  # components, where a rule parsed them
    status: RuleStatus  # worst status of this card's findings


class NodeRow(TypedDict):
    node: str  # identity: "hostname/serial", "hostname/uuid", or the input for an error row
    hostname: str | None
    serial: str | None  # DMI product serial
    product_uuid: str | None
    system_vendor: str | None
    system_model: str | None  # DMI product name
    collected_at: str | None
    judged_at: str | None
    verdict: NodeVerdict
    exit_code: int  # what `hwcheck check` exits with for this node (2 for an error row)
    error: str | None  # an error row's one-line reason
    source: str  # the input it was read from: a path, `archive.tar:member`, a store key
    profiles: list[str]
    cohort: str  # a Rollup key of `by_cohort`
    failed_rules: list[str]  # rule ids with an unwaived fail
    warned_rules: list[str]
    unknown_rules: list[str]
    waived_rules: list[str]
    links: list[str]  # every interface of the node but lo, sorted
    cards: list[CardRow]
    report: str | None  # the node's HTML report, relative to the fleet HTML (--html-dir)


class Superseded(TypedDict):
    node: str
    source: str
    collected_at: str | None
    by: str  # the source that replaced it


class RuleRollup(TypedDict):
    """A rule that fails (or warns, or is unknown) on some nodes."""

    rule_id: str
    title: str
    profile: str
    severity: Severity
    status: Literal["fail", "warn", "unknown"]
    nodes: int
    cohorts: list[str]  # cohort keys, most affected first
    remediation: str | None
    advisory: str | None


class VersionCount(TypedDict):
    version: str  # the raw value, or the component's value
    nodes: int
    cards: int
    status: RuleStatus  # worst status the rules gave this version
    majority: bool  # the model's most common version of this component


class Outlier(TypedDict):
    node: str
    hostname: str | None
    card: str
    version: str


class ComponentSpread(TypedDict):
    component: str  # "firmware_version", "firmware_version.nvm", "driver_version", "driver"
    versions: list[VersionCount]  # most common first
    majority: str | None
    outliers: list[Outlier]  # cards not on the majority version (at most OUTLIER_LIMIT)
    outlier_count: int


class ModelSpread(TypedDict):
    model: str  # model key
    label: str
    identity: CardIdentity
    nodes: int
    cards: int
    components: list[ComponentSpread]


class KnownBad(TypedDict):
    """N nodes run version X on card model Y, and a rule names X known bad."""

    rule_id: str
    model: str
    label: str
    component: str
    version: str
    nodes: int
    reason: str
    advisory: str | None


class ExpiringWaiver(TypedDict):
    """A waiver in force on some nodes whose last day is within the window: who is covered,
    for how long, and the ticket that tracks it."""

    rule_id: str
    where: str  # the waiver's file:line
    expires: str  # YYYY-MM-DD, its last day
    days_left: int  # 0: today is its last day
    ticket: str | None
    links: list[str]
    nodes: list[str]  # node ids, sorted


class ExpiringWaivers(TypedDict):
    within_days: int  # the window (`--expiring-within`)
    as_of: str  # YYYY-MM-DD, the day the window starts (the run's UTC date)
    waivers: list[ExpiringWaiver]  # soonest first


class Change(TypedDict):
    node: str
    card: str
    field: str  # "driver", "driver_version", "firmware_version"
    before: str | None
    after: str | None


class Drift(TypedDict):
    baseline: str  # the baseline's path
    baseline_judged_at: str
    newly_failing: list[str]  # node ids: compliant (or absent verdict) before, not now
    newly_passing: list[str]
    changed: list[Change]
    added: list[str]
    gone: list[str]


class Fleet(TypedDict):
    schema_version: int
    kind: Literal["hwcheck-fleet"]
    hwcheck_version: str
    judged_at: str  # RFC 3339 UTC
    strict: bool
    rejudged: bool  # result inputs were judged again (--rejudge)
    verdict: NodeVerdict  # worst of the fleet (docs/fleet.md: precedence)
    exit_code: int
    counts: FleetCounts
    by_profile: list[Rollup]
    by_cohort: list[Rollup]
    failing_rules: list[RuleRollup]
    spread: list[ModelSpread]
    known_bad: list[KnownBad]
    drift: Drift | None
    # Written by every fleet run; absent from the documents of releases before it (a
    # baseline may be one).
    expiring_waivers: NotRequired[ExpiringWaivers]
    nodes: list[NodeRow]
    superseded: list[Superseded]
