"""The terminal summary: the verdict first, then what needs attention, then the gaps.

Every value from the node or a profile passes through `clean()`: control characters (an ESC
in a firmware string or an interface alias) are shown as `\\x1b`, never sent to the terminal.
"""

from __future__ import annotations

from hwcheck.model.summary import result_node
from hwcheck.render.order import counts_by_status, safe_url, sorted_findings
from hwcheck.render.waivers import expiring_lines, expiring_soon, tracking_text
from hwcheck.render.words import (
    NO_INVENTORY,
    SHORTENED,
    SHORTENED_NOTE,
    count_of,
    status_word,
    verdict_word,
)

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


LONGEST = 80
"""Values longer than this many characters are shortened in the terminal (the JSON and HTML
reports hold them whole): a 4 KiB firmware string must not bury the summary."""


def clean(value: object) -> str:
    """`value` as one line of printable text (control characters escaped)."""
    return str(value).translate(_CONTROL)


def short(text: str) -> str:
    """`text` (already clean) cut to LONGEST characters and marked, when it is longer."""
    if len(text) <= LONGEST:
        return text
    return text[: LONGEST - 20] + SHORTENED.format(count=f"{len(text):,}")


def _shortened_in(text: str, values: list[str]) -> str:
    """`text` (clean) with each long value it quotes shortened, longest first."""
    for value in sorted(values, key=len, reverse=True):
        if len(value) > LONGEST:
            text = text.replace(value, short(value))
    return text


def _values(finding: Finding) -> list[str]:
    """The node's values a finding shows (observed, parsed), as clean() writes them: what
    the terminal shortens, wherever they appear."""
    observed = finding["observed"]
    raw = observed["raw"]
    texts = [] if raw is None else [clean(raw), clean(repr(raw))]
    return texts + [clean(v) for v in (observed["parsed"] or {}).values()]


def _long_node_values(result: Result) -> list[str]:
    """The inventory's texts longer than LONGEST (a message about several ports quotes the
    values of all of them), as clean() writes them, with their repr."""
    inventory = result.get("inventory")
    if inventory is None:
        return []
    found: list[str] = []
    records: list[Mapping[str, object]] = [*inventory["nics"], *inventory["cards"]]
    records += [inventory["system"], inventory["os"], inventory["kernel"], inventory["host"]]
    for record in records:
        for value in record.values():
            if isinstance(value, str) and len(value) > LONGEST:
                found += [clean(value), clean(repr(value))]
    return found


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
        count_of(status, count)
        for status, count in counts_by_status(result).items()
        if count or status in ("fail", "pass")
    ]
    profiles = ", ".join(
        clean(f"{p['name']} {p['version']}" if p["version"] else p["name"])
        for p in result["profiles"]
    )
    tail = f" (profile {profiles})" if profiles else ""
    return f"{paint(style, f' {word} ')}  {host}: {', '.join(parts)}{tail}"


def _is_long(finding: Finding, node_values: list[str]) -> bool:
    """Whether the terminal shortens a value of `finding`."""
    if any(len(text) > LONGEST for text in _values(finding)):
        return True
    message = clean(finding["message"])
    return any(value in message for value in node_values)


def _finding_lines(finding: Finding, paint: _Painter, node_values: list[str]) -> list[str]:
    status = finding["status"]
    word = status_word(status)
    observed = finding["observed"]
    values = _values(finding) + node_values  # a message may quote them: cut there too
    lines = [
        f"{paint(status, f'{word:<8}')} {clean(finding['rule_id'])}  "
        + paint("dim", f"[{finding['severity']}, layer {clean(finding['layer'])}]"),
        f"{_INDENT}{clean(finding['subject']['label'])}",
        f"{_INDENT}{_shortened_in(clean(finding['message']), values)}",
        f"{_INDENT}expected: {clean(finding['expected'])}",
    ]
    raw = "(not available)" if observed["raw"] is None else repr(observed["raw"])
    source = f"  (from {clean(observed['source'])})" if observed["source"] else ""
    lines.append(f"{_INDENT}observed: {short(clean(raw))}{source}")
    if observed["parsed"]:
        parsed = ", ".join(f"{clean(k)}={short(clean(v))}" for k, v in observed["parsed"].items())
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
    node_values = _long_node_values(result)
    long_values = False
    for finding in sorted_findings(result["findings"]):
        if finding["status"] == "pass":
            continue
        out.append("")
        out.extend(_finding_lines(finding, paint, node_values))
        long_values = long_values or _is_long(finding, node_values)
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
        if long_values:
            out.append(paint("dim", SHORTENED_NOTE.format(limit=LONGEST)))
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
    if long_values:
        out.append("")
        out.append(paint("dim", SHORTENED_NOTE.format(limit=LONGEST)))
    return "\n".join(out) + "\n"
