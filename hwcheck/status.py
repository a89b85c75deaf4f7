"""Exit codes, finding statuses and verdicts: the rules a PXE hook or CI job gates on.

One place for each: the exit codes (ExitStatus), how a rule's outcome and severity give a
finding's status, what a waiver does to it, which findings keep a node from compliant, the
counts, the node's verdict and exit code, and a fleet's. The judge, `hwcheck report`'s checks
of a saved result and the renderers all ask this module; none decides on its own. The words
shown for them are hwcheck.render.words'.

Exit codes are part of the public interface; each has a test. Keep this module light:
the probe path loads it. That is why ExitStatus is a small int subclass and not an
IntEnum: `enum` brings `functools` and `collections` with it, a few milliseconds of the
probe's start-up budget. Nothing here imports anything at run time.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import ClassVar


class ExitStatus(int):
    """A process exit code with its name; every hwcheck command exits with one of these."""

    name: str

    OK: ClassVar[ExitStatus]
    NONCOMPLIANT: ClassVar[ExitStatus]
    USAGE: ClassVar[ExitStatus]
    UNKNOWN: ClassVar[ExitStatus]
    OUTPUT: ClassVar[ExitStatus]
    UNREACHABLE: ClassVar[ExitStatus]
    NO_PROFILE: ClassVar[ExitStatus]
    INTERNAL: ClassVar[ExitStatus]
    INTERRUPTED: ClassVar[ExitStatus]

    def __new__(cls, value: int, name: str) -> ExitStatus:
        code = super().__new__(cls, value)
        code.name = name
        return code

    def __repr__(self) -> str:
        return f"<ExitStatus.{self.name}: {int(self)}>"


ExitStatus.OK = ExitStatus(0, "OK")
ExitStatus.NONCOMPLIANT = ExitStatus(1, "NONCOMPLIANT")
ExitStatus.USAGE = ExitStatus(2, "USAGE")
ExitStatus.UNKNOWN = ExitStatus(3, "UNKNOWN")
ExitStatus.OUTPUT = ExitStatus(4, "OUTPUT")
ExitStatus.UNREACHABLE = ExitStatus(5, "UNREACHABLE")
ExitStatus.NO_PROFILE = ExitStatus(6, "NO_PROFILE")
ExitStatus.INTERNAL = ExitStatus(70, "INTERNAL")
ExitStatus.INTERRUPTED = ExitStatus(130, "INTERRUPTED")

EXIT_CODE_MEANINGS: dict[ExitStatus, str] = {
    ExitStatus.OK: "success; for check: the node is compliant (warnings allowed unless --strict)",
    ExitStatus.NONCOMPLIANT: "check: an error-severity rule failed (or, with --strict, a "
    "warning); fleet: some node is non-compliant",
    ExitStatus.USAGE: "bad command line or invalid input: profile, waiver, inventory, capture; "
    "fleet: some input could not be read",
    ExitStatus.UNKNOWN: "check: a fact an error-severity rule needs is missing or unparsable; "
    "fleet: the worst node is unknown",
    ExitStatus.OUTPUT: "an output file could not be written (nothing partial is left behind)",
    ExitStatus.UNREACHABLE: "gate: the collector could not be reached before the deadline; "
    "the submission was spooled (and judged locally when possible), not confirmed",
    ExitStatus.NO_PROFILE: "check, gate: no profile applies to this node (hardware no profile "
    "knows; --profile names one); fleet: the worst node is one no profile applies to",
    ExitStatus.INTERNAL: "a bug in hwcheck; please report it (HWCHECK_DEBUG=1 shows details)",
    ExitStatus.INTERRUPTED: "Ctrl-C, SIGTERM or SIGHUP; nothing partial is left behind",
}

EXIT_CODE_HELP = "\n".join(
    f"  {int(code):>3}  {code.name.lower():<13} {text}" for code, text in EXIT_CODE_MEANINGS.items()
)

# ---- finding statuses ------------------------------------------------------------------

STATUS_ORDER: tuple[str, ...] = ("fail", "unknown", "warn", "waived", "pass")
"""Every status, most urgent first: failures, then facts that could not be judged, then
warnings, then waived, then passes. A card's status is the most urgent of its findings'."""

STATUS_RANK: dict[str, int] = {status: rank for rank, status in enumerate(STATUS_ORDER)}
"""Status -> its place in STATUS_ORDER (0 is the most urgent)."""

COUNT_KEYS: dict[str, str] = {
    "fail": "failed",
    "unknown": "unknown",
    "warn": "warned",
    "waived": "waived",
    "pass": "passed",
}
"""Status -> its key in a result's `counts`, in STATUS_ORDER."""

ANSWER_FAILED = COUNT_KEYS["fail"]
"""The key under which the collector's verdict answer lists a node's failed and unknown
findings in short (`failed`), read by the gate's console."""

WAIVABLE: tuple[str, ...] = ("fail", "warn", "unknown")
"""The statuses a waiver in force turns into `waived` (a pass needs no waiver)."""


def finding_status(outcome: str, severity: str) -> str:
    """A finding's status before waivers, from its rule's outcome (`pass`, `fail` or
    `unknown`) and severity: a failed warning- or info-severity rule warns."""
    if outcome == "fail":
        return "fail" if severity == "error" else "warn"
    return "unknown" if outcome == "unknown" else "pass"


def judged_statuses(severity: str) -> tuple[str, ...]:
    """The statuses a rule of `severity` can give before waivers."""
    return ("pass", finding_status("fail", severity), "unknown")


def waived_status(status: str, *, expired: bool) -> str:
    """A finding's status once a waiver matched it: `waived`, unless the waiver expired
    (then the status stays as it was)."""
    return status if expired or status not in WAIVABLE else "waived"


def worst_status(statuses: Iterable[str]) -> str | None:
    """The most urgent of `statuses` in STATUS_ORDER, or None when there are none."""
    ranks = [STATUS_RANK[s] for s in statuses if s in STATUS_RANK]
    return STATUS_ORDER[min(ranks)] if ranks else None


# ---- a node's verdict -------------------------------------------------------------------

NODE_EXIT: dict[str, ExitStatus] = {
    "compliant": ExitStatus.OK,
    "noncompliant": ExitStatus.NONCOMPLIANT,
    "unknown": ExitStatus.UNKNOWN,
}
"""A node's verdict -> the exit code `hwcheck check` gives it."""


def needed_unknown(status: str, severity: str) -> bool:
    """An unknown on an error-severity rule: a fact a required rule needs is missing."""
    return status == "unknown" and severity == "error"


def gates(status: str, severity: str, *, strict: bool) -> bool:
    """Whether a finding keeps its node from `compliant`: any `fail`, an `unknown` on an
    error-severity rule, and with `strict` any `warn` or other `unknown` too. Waived and
    passed findings never do."""
    if status == "fail" or needed_unknown(status, severity):
        return True
    return strict and status in ("warn", "unknown")


def node_verdict(
    findings: Iterable[tuple[str, str]], *, strict: bool
) -> tuple[str, ExitStatus, dict[str, int]]:
    """A node's verdict, exit code and counts (a result's `counts`) from the (status,
    severity) of each of its findings, after waivers: any `fail` -> noncompliant (1); else an
    `unknown` on an error-severity rule -> unknown (3); else, with `strict`, any `warn` or
    other `unknown` -> noncompliant (1); else compliant (0).

    Plain strings in and out: this module imports no document types (hwcheck.model's depend
    on it through hwcheck.errors). hwcheck.judge.verdict gives the same, typed."""
    counts = {"passed": 0, "failed": 0, "warned": 0, "unknown": 0, "waived": 0}
    failed = needed = soft = False
    for status, severity in findings:
        counts[COUNT_KEYS[status]] += 1
        if status == "fail":
            failed = True
        elif needed_unknown(status, severity):
            needed = True
        elif gates(status, severity, strict=strict):
            soft = True
    if failed or (soft and not needed):
        verdict = "noncompliant"
    else:
        verdict = "unknown" if needed else "compliant"
    return verdict, NODE_EXIT[verdict], counts


# ---- a fleet's verdict ------------------------------------------------------------------

# A fleet's verdict is the worst of its nodes', in this order (worst first); an `error` node
# (its input could not be read, or no profile applies to it) is never counted compliant and
# never exits 0.
FLEET_PRECEDENCE: tuple[str, ...] = ("noncompliant", "error", "unknown", "compliant")
FLEET_RANK: dict[str, int] = {verdict: rank for rank, verdict in enumerate(FLEET_PRECEDENCE)}
"""Verdict -> its place in FLEET_PRECEDENCE (0 is the worst)."""
FLEET_EXIT: dict[str, ExitStatus] = {
    "noncompliant": ExitStatus.NONCOMPLIANT,
    "error": ExitStatus.USAGE,
    "unknown": ExitStatus.UNKNOWN,
    "compliant": ExitStatus.OK,
}
"""Verdict -> its exit code; an `error` node's is USAGE when its input could not be read and
NO_PROFILE when no profile applies to it (VERDICT_EXITS)."""

VERDICT_EXITS: dict[str, tuple[ExitStatus, ...]] = {
    "noncompliant": (ExitStatus.NONCOMPLIANT,),
    "error": (ExitStatus.USAGE, ExitStatus.NO_PROFILE),
    "unknown": (ExitStatus.UNKNOWN,),
    "compliant": (ExitStatus.OK,),
}
"""Verdict -> every exit code a node with it can have (a collector's answer must pair them so)."""

FLEET_EXIT_PRECEDENCE: tuple[ExitStatus, ...] = (
    ExitStatus.NONCOMPLIANT,
    ExitStatus.USAGE,
    ExitStatus.NO_PROFILE,
    ExitStatus.UNKNOWN,
    ExitStatus.OK,
)
"""A fleet exits with the worst of its nodes' exit codes, in this order (worst first):
noncompliant, unreadable input, no profile, unknown, compliant. It follows FLEET_PRECEDENCE:
both `error` codes sit where `error` does."""


def worst_verdict(verdicts: Iterable[str]) -> str:
    """The worst of node verdicts by FLEET_PRECEDENCE; `compliant` for none."""
    return min(verdicts, key=FLEET_RANK.__getitem__, default="compliant")


def fleet_exit(codes: Iterable[int]) -> ExitStatus:
    """A fleet's exit code: the worst of its nodes' by FLEET_EXIT_PRECEDENCE; OK for none. A
    code no node can have is taken as an unreadable input's."""
    ranks = [
        FLEET_EXIT_PRECEDENCE.index(code) if code in FLEET_EXIT_PRECEDENCE else 1 for code in codes
    ]
    return FLEET_EXIT_PRECEDENCE[min(ranks)] if ranks else ExitStatus.OK
