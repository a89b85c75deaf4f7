"""The gate's verdict on the console: large, plain ASCII, at most 80 columns.

A ramdisk's console is often a serial line read from a BMC at the far end of a datacentre,
so the verdict is five rows high in block letters, then what failed (a line each, the most
urgent first, at most MAX_SHOWN), then what to do next. Only ASCII is printed: text the
collector or the probe sends (hostnames, messages) is reduced to printable ASCII, so no
byte of it can move a terminal's cursor or change its colours. Colour is added only when
standard output is a terminal (and NO_COLOR is unset and TERM is not `dumb`).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import TextIO

WIDTH = 80
MAX_SHOWN = 12

_GLYPHS = {
    "A": (" ### ", "#   #", "#####", "#   #", "#   #"),
    "B": ("#### ", "#   #", "#### ", "#   #", "#### "),
    "C": (" ####", "#    ", "#    ", "#    ", " ####"),
    "D": ("#### ", "#   #", "#   #", "#   #", "#### "),
    "E": ("#####", "#    ", "#### ", "#    ", "#####"),
    "H": ("#   #", "#   #", "#####", "#   #", "#   #"),
    "I": ("#####", "  #  ", "  #  ", "  #  ", "#####"),
    "K": ("#   #", "#  # ", "###  ", "#  # ", "#   #"),
    "L": ("#    ", "#    ", "#    ", "#    ", "#####"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #"),
    "O": (" ### ", "#   #", "#   #", "#   #", " ### "),
    "P": ("#### ", "#   #", "#### ", "#    ", "#    "),
    "R": ("#### ", "#   #", "#### ", "#  # ", "#   #"),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#   #", "#   #", "#   #", "#   #", " ### "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "-": ("     ", "     ", " ### ", "     ", "     "),
    " ": ("   ", "   ", "   ", "   ", "   "),
}

UNREACHABLE = "UNREACHABLE"
NEXT = {
    "compliant": "This node meets its reference architecture: the boot continues.",
    "noncompliant": "Do not deploy this node: fix what failed above (firmware, driver, "
    "module), then boot it again.",
    "unknown": "A fact a required rule needs could not be read: see the report, fix the "
    "probe's access (or the hardware), then boot again.",
    "error": "The collector could not judge this inventory: see its report.",
    "no-profile": "No profile applies to this hardware: add one to the collector's profiles "
    "(or name one with hwcheck.profile=), then boot again.",
}

_COLOURS = {"compliant": "32", "noncompliant": "31", "unknown": "33", "error": "31"}


def plain(text: object, limit: int = WIDTH) -> str:
    """`text` as printable ASCII on one line, cut to `limit` characters."""
    out = "".join(c if " " <= c <= "~" else ("?" if c not in "\t\r\n" else " ") for c in str(text))
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: max(limit - 3, 0)] + "..."


def big(word: str) -> list[str]:
    """`word` in five rows of block letters (letters the font lacks are left out)."""
    glyphs = [_GLYPHS[c] for c in word.upper() if c in _GLYPHS]
    return [" ".join(g[row] for g in glyphs).rstrip() for row in range(5)]


SERIAL_LINES = ("ttyS", "ttyAMA", "ttyUSB", "ttyACM", "ttymxc", "hvc", "ttysclp", "console")
"""Terminal names that are serial lines (or the kernel console, a serial line on a headless
server): a BMC's serial-over-LAN log and a console server show escape codes as garbage."""


def wants_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal that is not a serial line, and not with NO_COLOR or TERM=dumb."""
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    try:
        if not stream.isatty():
            return False
        name = os.ttyname(stream.fileno())
    except (OSError, ValueError):
        return False
    return not serial_line(name)


def serial_line(device: str) -> bool:
    """Whether terminal `device` (`/dev/ttyS0`, `/dev/pts/3`) is a serial line."""
    base = device.rsplit("/", 1)[-1]
    return base.startswith(SERIAL_LINES)


def banner(verdict: str, *, colour: bool, note: str | None = None) -> list[str]:
    """The verdict in block letters between rules, with an optional line beneath."""
    from hwcheck.render.words import FLEET_VERDICT_WORDS

    word = UNREACHABLE if verdict == "unreachable" else FLEET_VERDICT_WORDS.get(verdict)
    rows = big(word or FLEET_VERDICT_WORDS["error"])
    width = max(len(r) for r in rows)
    pad = " " * max((WIDTH - width) // 2, 0)
    rule = "=" * WIDTH
    body = [pad + r for r in rows]
    if colour:
        code = _COLOURS.get(verdict, "31")
        body = [f"\x1b[1;{code}m{r}\x1b[0m" for r in body]
    lines = [rule, *body]
    if note:
        lines.append(plain(note).center(WIDTH).rstrip())
    lines.append(rule)
    return lines


def finding_lines(failed: Sequence[object], total: int | None = None) -> list[str]:
    """A line or two per failed finding: `FAIL rule-id  subject`, then its sentence."""
    lines: list[str] = []
    for item in list(failed)[:MAX_SHOWN]:
        if not isinstance(item, dict):
            continue
        status = plain(item.get("status", "fail"), 7).upper()
        head = f"{status:<7} {plain(item.get('rule', '?'), 40)}"
        subject = item.get("subject")
        if subject:
            head += "  " + plain(subject, max(WIDTH - len(head) - 2, 10))
        lines.append(head)
        message = item.get("message")
        if message:
            lines += wrap("        " + plain(message, 1000), " " * 8)
    shown = min(len(failed), MAX_SHOWN)
    more = (total if total is not None else len(failed)) - shown
    if more > 0:
        lines.append(f"        ... and {more} more (see the report)")
    return lines


def counts_line(counts: object) -> str:
    """`1 failed, 2 warnings, 5 passed`: the counts that are not zero, in the words and
    order of the terminal's verdict line."""
    if not isinstance(counts, dict):
        return ""
    from hwcheck.render.words import count_of
    from hwcheck.status import COUNT_KEYS

    shown = []
    for status, key in COUNT_KEYS.items():
        value = counts.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value:
            shown.append(count_of(status, value))
    return ", ".join(shown) or "none"


def field(label: str, value: object) -> list[str]:
    """`label:` padded to eleven columns, then `value` as plain ASCII, wrapped at spaces to
    WIDTH (a word longer than a line, a path say, is kept whole)."""
    return wrap(f"{label + ':':<11}" + plain(value, 4000), " " * 11)


def verdict_lines(
    answer: Mapping[str, object], *, collector: str | None, colour: bool, note: str | None = None
) -> list[str]:
    """The whole screen for a verdict answer (the collector's, or a local one), without
    the line saying what to do next (next_lines)."""
    verdict = str(answer.get("verdict"))
    lines = banner(verdict, colour=colour, note=note)
    lines += field("node", answer.get("hostname") or answer.get("node") or "this node")
    profiles = answer.get("profiles")
    if isinstance(profiles, list) and profiles:
        lines += field("profiles", ", ".join(str(p) for p in profiles))
    error = answer.get("error")
    if isinstance(error, str) and error:
        lines += field("error", error)
    counts = counts_line(answer.get("counts"))
    if counts:
        lines += field("findings", counts)
    from hwcheck.status import ANSWER_FAILED

    failed = answer.get(ANSWER_FAILED)
    if isinstance(failed, list) and failed:
        lines.append("")
        lines.extend(finding_lines(failed))
    lines.append("")
    report = answer.get("report")
    if collector and isinstance(report, str) and report.startswith("/"):
        lines += field("report", collector + report)
    return lines


def next_lines(verdict: str, exit_code: object = None) -> list[str]:
    from hwcheck.status import ExitStatus

    key = "no-profile" if verdict == "error" and exit_code == ExitStatus.NO_PROFILE else verdict
    return field("next", NEXT.get(key, NEXT["error"]))


def wrap(line: str, indent: str) -> list[str]:
    """`line` cut at spaces to WIDTH columns, continuations indented by `indent`."""
    out: list[str] = []
    rest = line
    while len(rest) > WIDTH:
        cut = rest.rfind(" ", len(indent) + 1, WIDTH + 1)
        if cut <= len(indent):  # one word longer than the line: keep it whole
            cut = rest.find(" ", WIDTH)
            if cut < 0:
                break
        out.append(rest[:cut].rstrip())
        rest = indent + rest[cut:].lstrip()
    out.append(rest)
    return out


def write(stream: TextIO, lines: Sequence[str]) -> None:
    stream.write("\n".join(lines) + "\n")
    stream.flush()


def colour_for(stream: TextIO) -> bool:
    return wants_colour(stream, os.environ)
