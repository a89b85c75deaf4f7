"""The result document: a judged inventory, its findings and verdict.

Declares types only (TypedDicts): import under `TYPE_CHECKING`.
The JSON Schema is docs/schema/result.schema.json.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from hwcheck.model.inventory import Inventory, PciIdentity, UsbDevice

Status = Literal["pass", "fail", "warn", "unknown", "waived"]
"""`fail`: an error-severity rule failed; `warn`: a warning- or info-severity rule failed;
`unknown`: a needed fact is missing or unparsable (never pass, never fail);
`waived`: failed or unknown, but a valid waiver covers it."""

Severity = Literal["error", "warning", "info"]
Verdict = Literal["compliant", "noncompliant", "unknown"]
SubjectKind = Literal["node", "card", "nic", "module", "kernel", "os", "system"]
NicFact = Literal["driver", "driver_version", "firmware_version"]
"""The inventory NIC field a NIC rule compares (`driver`, `driver_version`, `firmware`
checks)."""


class CardIdentity(PciIdentity):
    """Who a card is: its PCI IDs and pci.ids names (None where unknown), and a USB NIC's
    USB identity."""

    usb: NotRequired[UsbDevice]


class Subject(TypedDict):
    kind: SubjectKind
    id: str  # stable: card "0000:3b:00", nic "eth0", module "ice", node "node"
    label: str  # human: "Intel E810-C for QSFP (ens1f0, ens1f1) at 0000:3b:00"
    ports: list[str]
    pci_addresses: list[str]
    # card subjects: the card's IDs and names (absent on other subjects, and in results
    # written before it existed)
    identity: NotRequired[CardIdentity]


class Observed(TypedDict):
    raw: str | None  # exactly as probed
    parsed: dict[str, str] | None  # components, e.g. {"nvm": "8.15", "eetrack": "0x8000a4e8"}
    source: str | None  # where the raw value came from, e.g. "ethtool-ioctl", "sysfs"


class Waiver(TypedDict):
    rule_id: str
    justification: str
    expires: str  # ISO date
    scope: dict[str, str]  # {"node": ..., "serial": ..., "model": ...}
    expired: bool
    where: str  # "waivers.yaml:12"
    # The finding's status before this waiver: what it is without waivers (absent in results
    # written before it existed).
    judged_status: NotRequired[Literal["fail", "warn", "unknown"]]
    # The waiver's ticket and links (http/https URLs), when its file gives them: metadata.
    ticket: NotRequired[str]
    links: NotRequired[list[str]]


class KnownBadMatch(TypedDict):
    """The profile's known-bad value that the observed value matched, and why it is bad."""

    value: str  # the known-bad value as the profile writes it: "16.35.1012"
    reason: str


class Finding(TypedDict):
    rule_id: str
    profile: str  # the profile (top layer) being checked
    layer: str  # the layer whose definition of this rule was used
    severity: Severity
    status: Status
    subject: Subject
    title: str
    message: str  # one sentence explaining the verdict, with the values compared
    expected: str
    observed: Observed
    # NIC rules checking driver, driver_version or firmware: the NIC field compared (absent on
    # other findings, and in results written before it existed)
    fact: NotRequired[NicFact]
    remediation: str | None
    advisory: str | None  # URL
    # When a known_bad operator of the rule matched the observed value (absent otherwise,
    # and in results written before it existed); its advisory is `advisory`.
    known_bad: NotRequired[KnownBadMatch]
    waiver: Waiver | None


class Layer(TypedDict):
    name: str
    version: str | None
    path: str


class ProfileUse(TypedDict):
    name: str
    version: str | None
    path: str
    layers: list[Layer]  # base first, the profile itself last
    selected_because: str  # "named with --profile" or the applies_to match explained


class Counts(TypedDict):
    passed: int
    failed: int
    warned: int
    unknown: int
    waived: int


class NotApplicable(TypedDict):
    """A rule that judged nothing on this node: its NIC selector matched no card, say.
    Listed so that a typo in a device ID cannot pass for compliance unnoticed."""

    rule_id: str
    profile: str
    layer: str
    severity: Severity
    title: str
    reason: str  # "No card on this node matches devices 8086:1572."


class Verification(TypedDict):
    """What `hwcheck report` found when it judged the embedded inventory again (absent in a
    result `hwcheck check` writes: that one is the judge's own word).

    `verified`: re-judging against the profiles at hand gives the same findings and verdict;
    `not-verified`: the profiles (or the waivers) were not at hand, or the result does not
    embed its inventory: nothing was compared;
    `contradicted`: re-judging gives something else (rendered only with --unverified)."""

    status: Literal["verified", "not-verified", "contradicted"]
    detail: str  # one sentence: what was compared, or what was missing, or where they part


class NodeSummary(TypedDict):
    """Who the node is and when it was probed, from its inventory (None where unknown), so
    that a result stands without the inventory beside it (hwcheck.model.summary)."""

    hostname: str | None
    serial: str | None  # DMI product_serial
    product_uuid: str | None  # DMI product_uuid
    system_vendor: str | None  # DMI sys_vendor
    system_model: str | None  # DMI product_name
    collected_at: str | None  # when the inventory was probed (RFC 3339 UTC)


class Result(TypedDict):
    schema_version: int
    kind: Literal["hwcheck-result"]
    hwcheck_version: str
    judged_at: str  # RFC 3339 UTC
    verdict: Verdict
    exit_code: int
    strict: bool
    profiles: list[ProfileUse]
    counts: Counts
    findings: list[Finding]
    waiver_notes: list[str]  # e.g. expired waivers, waivers that matched nothing
    not_applicable: NotRequired[list[NotApplicable]]  # absent in results before hwcheck 0.2
    # Always written by the judge (absent in results written before it existed).
    node: NotRequired[NodeSummary]
    # The inventory judged: always written by the judge; absent in a result kept without it
    # (hwcheck.model.summary.without_inventory), which `report` renders but cannot re-judge.
    inventory: NotRequired[Inventory]
    verification: NotRequired[Verification]  # set by `hwcheck report`, never by `check`
