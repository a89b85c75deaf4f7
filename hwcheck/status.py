"""Exit codes: the closed vocabulary a PXE hook or CI job gates on.

Exit codes are part of the public interface; each has a test. Keep this module light:
the probe path loads it. That is why ExitStatus is a small int subclass and not an
IntEnum: `enum` brings `functools` and `collections` with it, a few milliseconds of the
probe's start-up budget.
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
ExitStatus.INTERNAL = ExitStatus(70, "INTERNAL")
ExitStatus.INTERRUPTED = ExitStatus(130, "INTERRUPTED")

EXIT_CODE_MEANINGS: dict[ExitStatus, str] = {
    ExitStatus.OK: "success; for check: the node is compliant (warnings allowed unless --strict)",
    ExitStatus.NONCOMPLIANT: "check: an error-severity rule failed (or, with --strict, a warning)",
    ExitStatus.USAGE: "bad command line or invalid input: profile, waiver, inventory, capture",
    ExitStatus.UNKNOWN: "check: a fact an error-severity rule needs is missing or unparsable",
    ExitStatus.OUTPUT: "an output file could not be written (nothing partial is left behind)",
    ExitStatus.INTERNAL: "a bug in hwcheck; please report it (HWCHECK_DEBUG=1 shows details)",
    ExitStatus.INTERRUPTED: "Ctrl-C, SIGTERM or SIGHUP; nothing partial is left behind",
}

EXIT_CODE_HELP = "\n".join(
    f"  {int(code):>3}  {code.name.lower():<13} {text}" for code, text in EXIT_CODE_MEANINGS.items()
)

# A fleet's verdict is the worst of its nodes', in this order (worst first); an `error` node
# (its input could not be read or judged) is never counted compliant and never exits 0.
FLEET_PRECEDENCE: tuple[str, ...] = ("noncompliant", "error", "unknown", "compliant")
FLEET_EXIT: dict[str, ExitStatus] = {
    "noncompliant": ExitStatus.NONCOMPLIANT,
    "error": ExitStatus.USAGE,
    "unknown": ExitStatus.UNKNOWN,
    "compliant": ExitStatus.OK,
}


def worst_verdict(verdicts: Iterable[str]) -> str:
    """The worst of node verdicts by FLEET_PRECEDENCE; `compliant` for none."""
    rank = {v: i for i, v in enumerate(FLEET_PRECEDENCE)}
    return min(verdicts, key=rank.__getitem__, default="compliant")
