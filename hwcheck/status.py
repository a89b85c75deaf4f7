"""Exit codes: the closed vocabulary a PXE hook or CI job gates on.

Exit codes are part of the public interface; each has a test. Keep this module light:
the probe path loads it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes of every hwcheck command (see EXIT_CODE_MEANINGS)."""

    OK = 0
    NONCOMPLIANT = 1
    USAGE = 2
    UNKNOWN = 3
    OUTPUT = 4
    INTERNAL = 70
    INTERRUPTED = 130


EXIT_CODE_MEANINGS: dict[ExitStatus, str] = {
    ExitStatus.OK: "success; for check: the node is compliant (warnings allowed unless --strict)",
    ExitStatus.NONCOMPLIANT: "check: an error-severity rule failed (or, with --strict, a warning)",
    ExitStatus.USAGE: "bad command line or invalid input: profile, waiver, inventory, capture",
    ExitStatus.UNKNOWN: "check: a fact an error-severity rule needs is missing or unparsable",
    ExitStatus.OUTPUT: "an output file could not be written (nothing partial is left behind)",
    ExitStatus.INTERNAL: "a bug in hwcheck; please report it (HWCHECK_DEBUG=1 shows details)",
    ExitStatus.INTERRUPTED: "interrupted (Ctrl-C); nothing partial is left behind",
}

EXIT_CODE_HELP = "\n".join(
    f"  {int(code):>3}  {code.name.lower():<13} {text}" for code, text in EXIT_CODE_MEANINGS.items()
)
