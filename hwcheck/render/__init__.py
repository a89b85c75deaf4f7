"""Renderers: a Result document in, report text out. One module per format.

`text`, `json`, `junit` and `html` each expose `render_<format>(result) -> str` (the
terminal renderer also takes `color` and `quiet`). Renderers do no I/O; write their output
with `hwcheck.outfile.write_atomic`. This package module imports nothing, so loading one
renderer never loads another (jinja2 is imported by `hwcheck.render.html` alone).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.result import Result

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
_MAX_NAME = 64


def safe_filename_part(text: str | None, fallback: str = "unknown-host") -> str:
    """`text` reduced to a harmless file name part: [A-Za-z0-9._-] only, no leading dots or
    dashes, at most 64 characters. A hostile hostname (`../../etc/x`, `a/b`, `-rf`) cannot
    climb out of the reports directory or pose as an option."""
    cleaned = "".join(ch if ch in _SAFE else "_" for ch in (text or ""))
    cleaned = cleaned.lstrip("._-")[:_MAX_NAME].rstrip(".")
    return cleaned or fallback


def compact_timestamp(rfc3339: str) -> str:
    """`2026-11-24T14:02:12Z` -> `20261124T140212Z` (digits and T/Z only)."""
    digits = "".join(ch for ch in rfc3339 if ch.isdigit())
    if len(digits) < 14:
        return safe_filename_part(rfc3339, fallback="undated")
    return f"{digits[:8]}T{digits[8:14]}Z"


def default_html_path(result: Result, reports_dir: str = "reports") -> str:
    """Where `hwcheck check` writes its HTML report by default:
    `<reports_dir>/<hostname>-<UTC timestamp>.html`, both parts taken from the result
    (the judge's time, so re-rendering a saved result names it the same way). The name
    has one-second resolution, so it is a wish, not a promise: the caller writes it with
    `OutputSet.add(..., unique=True)`, which takes `-2`, `-3`, ... when it is taken and
    never replaces another run's report."""
    from hwcheck.model.summary import result_node

    host = safe_filename_part(result_node(result)["hostname"])
    stamp = compact_timestamp(result["judged_at"])
    directory = reports_dir.rstrip("/") or "/"
    if directory == "/":
        return f"/{host}-{stamp}.html"
    return f"{directory}/{host}-{stamp}.html"
