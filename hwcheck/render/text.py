"""The terminal summary: the verdict first, then what needs attention, then the gaps.

Every value from the node or a profile passes through `clean()`: control characters (an ESC
in a firmware string or an interface alias) are shown as `\\x1b`, never sent to the terminal.
"""

from __future__ import annotations

from hwcheck.model.summary import result_node
from hwcheck.render.order import counts_by_status, safe_url, sorted_findings
from hwcheck.render.waivers import expiring_lines, expiring_soon, tracking_text
from hwcheck.render.words import COUNT_WORDS, NO_INVENTORY, status_word, verdict_word

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

    from hwcheck.model.result import Finding, Result

_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}

_RESET = "\x1b[0m"
_COLORS = {
    "fail": "\x1b[1;31m",
    "unknown": "\x1b[1;35m",
    "warn": "\x1b[1;33m",
    "waived": "\x1b[36m",
    "pass": "\x1b[32m",
    "compliant": "\x1b[1;97;42m",
    "noncompliant": "\x1b[1;97;41m",
    "verdict-unknown": "\x1b[1;97;45m",
    "dim": "\x1b[2m",
}
_INDENT = " " * 9


def clean(value: object) -> str:
    """`value` as one line of printable text (control characters escaped)."""
    return str(value).translate(_CONTROL)


def want_color(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, never when NO_COLOR is set to anything non-empty
    (https://no-color.org) or TERM is `dumb`."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Painter:
    __slots__ = ("color",)

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        if not self.color:
            return text
        return f"{_COLORS[style]}{text}{_RESET}"


def verdict_line(result: Result, *, color: bool) -> str:
    """` NON-COMPLIANT   host: 2 failed, 1 unknown, 2 warnings, 12 passed (profile p 1.0)`."""
    paint = _Painter(color)
    verdict = result["verdict"]
    word = verdict_word(verdict)
    style = "verdict-unknown" if verdict == "unknown" else verdict
    host = clean(result_node(result)["hostname"] or "unknown host")
    parts = [
        f"{count} {COUNT_WORDS[status]}"
        for status, count in counts_by_status(result).items()
        if count or status in ("fail", "pass")
    ]
    profiles = ", ".join(
        clean(f"{p['name']} {p['version']}" if p["version"] else p["name"])
        for p in result["profiles"]
    )
    tail = f" (profile {profiles})" if profiles else ""
    return f"{paint(style, f' {word} ')}  {host}: {', '.join(parts)}{tail}"


def _finding_lines(finding: Finding, paint: _Painter) -> list[str]:
    status = finding["status"]
    word = status_word(status)
    lines = [
        f"{paint(status, f'{word:<8}')} {clean(finding['rule_id'])}  "
        + paint("dim", f"[{finding['severity']}, layer {clean(finding['layer'])}]"),
        f"{_INDENT}{clean(finding['subject']['label'])}",
        f"{_INDENT}{clean(finding['message'])}",
        f"{_INDENT}expected: {clean(finding['expected'])}",
    ]
    observed = finding["observed"]
    raw = "(not available)" if observed["raw"] is None else repr(observed["raw"])
    source = f"  (from {clean(observed['source'])})" if observed["source"] else ""
    lines.append(f"{_INDENT}observed: {clean(raw)}{source}")
    if observed["parsed"]:
        parsed = ", ".join(f"{clean(k)}={clean(v)}" for k, v in observed["parsed"].items())
        lines.append(f"{_INDENT}parsed:   {parsed}")
    waiver = finding["waiver"]
    if waiver is not None:
        state = "EXPIRED" if waiver["expired"] else "until"
        lines.append(
            f"{_INDENT}waiver {state} {clean(waiver['expires'])} ({clean(waiver['where'])}): "
            f"{clean(waiver['justification'])}"
        )
        tracking = tracking_text(waiver)
        if tracking:
            lines.append(f"{_INDENT}waiver {clean(tracking)}")
    if finding["remediation"]:
        lines.append(f"{_INDENT}fix: {clean(finding['remediation'])}")
    link = safe_url(finding["advisory"])
    if link:
        lines.append(f"{_INDENT}see: {clean(link)}")
    return lines


def render_text(
    result: Result, *, color: bool, quiet: bool = False, soon: tuple[str, int] | None = None
) -> str:
    """The terminal summary. `quiet` gives the verdict line alone; passed rules are only
    counted; everything that failed, is unknown, warned or was waived is listed, most urgent
    first, with the values compared and what to do. `soon` (today, days): also list the
    waivers that expire within that many days of today."""
    paint = _Painter(color)
    out = [verdict_line(result, color=color)]
    if quiet:
        return out[0] + "\n"
    for finding in sorted_findings(result["findings"]):
        if finding["status"] == "pass":
            continue
        out.append("")
        out.extend(_finding_lines(finding, paint))
    notes = result["waiver_notes"]
    if notes:
        out.append("")
        out.append("waivers:")
        out.extend(f"  {clean(note)}" for note in notes)
    if soon is not None:
        expiring = expiring_lines(expiring_soon(result, today=soon[0], within=soon[1]), soon[1])
        if expiring:
            out.append("")
            out.extend(clean(line) for line in expiring)
    idle = result.get("not_applicable", [])
    if idle:
        out.append("")
        out.append(f"did not apply to this node ({len(idle)}):")
        out.extend(f"  {clean(r['rule_id'])}: {clean(r['reason'])}" for r in idle)
    if "inventory" not in result:
        out.append("")
        out.append(f"could not read: not known ({NO_INVENTORY})")
        return "\n".join(out) + "\n"
    gaps = result["inventory"]["gaps"]
    if gaps:
        out.append("")
        out.append(f"could not read ({len(gaps)}):")
        out.extend(
            f"  {clean(gap['what'])}: {gap['reason']} ({clean(gap['source'])}) "
            + paint("dim", clean(gap["detail"]))
            for gap in gaps
        )
    return "\n".join(out) + "\n"
