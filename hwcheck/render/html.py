"""The HTML pages: the node report and the fleet page, each one self-contained file, rendered
with jinja2 (autoescaping on).

Every page extends one base template (templates/base.html.j2). The stylesheet (base.css and
the page's own) and one script (base.js, the filter and sort helpers every page shares,
joined with the page's own) are inlined; nothing is fetched from anywhere. A
Content-Security-Policy in the page allows only that one script (by its hash) and inline
styles, so even a value that slipped past escaping could not run code or load anything.
Data the script reads (the fleet page's node table) travels in a `<script
type="application/json">` block, which is never run and is written so that no value can end
it. The node report reads completely without JavaScript; its script only adds the status
filter and search. This is the only module that imports jinja2.
"""

from __future__ import annotations

import marshal
import os

from hwcheck.render.htmlview import build_view, visible_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    import jinja2
    from markupsafe import Markup

    from hwcheck.model.fleet import Fleet
    from hwcheck.model.result import Result

_TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")

PAGES = ("report", "fleet")
"""The pages: `<page>.html.j2` extends base.html.j2, with `<page>.css` and `<page>.js`."""


def _shown(value: object) -> object:
    """What the template writes for `value`: markup the template made itself (a macro's
    output, the inline assets: anything with `__html__`) as it is; anything else as
    printable text, which autoescaping then escapes."""
    if hasattr(value, "__html__"):
        return value
    return visible_text(value if isinstance(value, str) else str(value))


class _Page:
    """One page's inline assets: its stylesheet and its one script, with that script's hash."""

    __slots__ = ("css", "script", "script_hash")

    def __init__(self, page: str) -> None:
        self.css = _read("base.css").strip() + "\n" + _read(f"{page}.css").strip()
        body = _read("base.js").strip() + "\n" + _read(f"{page}.js").strip()
        self.script = '(function () {\n"use strict";\n' + body + "\n})();"
        self.script_hash = _csp_hash(self.script)


class _Assets:
    """The jinja2 environment and each page's inline assets, loaded once per process."""

    __slots__ = ("env", "pages")

    def __init__(self) -> None:
        import jinja2

        self.env: jinja2.Environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_TEMPLATES),
            bytecode_cache=_bytecode_cache(),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        # Every `{{ value }}` is shown printable before it is escaped: control characters
        # from the node (an alias, a hostname, a DMI string) appear as `\x1b`, never raw.
        self.env.finalize = _shown
        from hwcheck.render.words import plural

        self.env.globals["plural"] = plural  # `{{ plural(n, "gap") }}`: words' one way
        self.pages: dict[str, _Page] = {}

    def page(self, page: str) -> _Page:
        if page not in self.pages:
            self.pages[page] = _Page(page)
        return self.pages[page]


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs: compiling costs more than rendering a report.

    A compiled template is code this process runs, so it is read and written only in a
    cache directory nobody but the effective user can have written (`hwcheck.cachedir`).
    An entry is bound to the SHA-1 of its template's source, compared as bytes before
    anything in it is loaded (jinja2 would unpickle it first), so an edited template is
    compiled again. An entry that is missing, damaged or not trusted costs a recompile.
    Each template (the base and every page) is an entry of its own, held to the same rules.
    """
    import pickle
    from types import CodeType

    import jinja2
    import jinja2.bccache

    from hwcheck.cachedir import open_cache

    cache = open_cache("jinja2")
    if cache is None:
        return None  # off, a read-only root (PXE ramdisk), or a directory others can write
    store = cache

    class _TrustedCache(jinja2.BytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            raw = store.read(f"__jinja2_{bucket.key}.cache")
            head = jinja2.bccache.bc_magic + pickle.dumps(bucket.checksum, 2)
            if raw is None or not raw.startswith(head):
                return
            try:
                code = marshal.loads(raw[len(head) :])  # noqa: S302 - an entry only we can write
            except (EOFError, ValueError, TypeError):
                return
            if isinstance(code, CodeType):
                bucket.code = code

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            store.write(f"__jinja2_{bucket.key}.cache", bucket.bytecode_to_string())

    return _TrustedCache()


def _read(name: str) -> str:
    with open(os.path.join(_TEMPLATES, name), encoding="utf-8") as handle:
        return handle.read()


def _csp_hash(script: str) -> str:
    import base64
    import hashlib

    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


_assets: _Assets | None = None


def _load() -> _Assets:
    global _assets  # noqa: PLW0603 - one environment per process, built on first use
    if _assets is None:
        _assets = _Assets()
    return _assets


def render_page(page: str, view: Mapping[str, object], **context: object) -> str:
    """Page `page` (one of PAGES) rendered from `view` as one self-contained HTML page.

    `context` adds names the template reads besides `view` (the node report reads its
    result). The base template gets the page's stylesheet, its script and that script's
    hash for the Content-Security-Policy."""
    from markupsafe import Markup

    if page not in PAGES:
        raise ValueError(f"no such page: {page!r} (expected one of: {', '.join(PAGES)})")
    assets = _load()
    inline = assets.page(page)
    template = assets.env.get_template(f"{page}.html.j2")
    return template.render(
        view=view,
        **context,
        css=Markup(inline.css),  # noqa: S704 - our own stylesheet files, not data
        script=Markup(inline.script),  # noqa: S704 - our own script files, not data
        script_hashes=[inline.script_hash],
    )


def json_island(data: object) -> Markup:
    """`data` as the text of a `<script type="application/json">` block.

    Every string in it is first made printable (`visible_text`, as everything the templates
    write), then `<`, `>` and `&` are written as JSON escapes, so no value (`</script>`,
    `<!--`) can end or change the block: the browser only ever sees JSON there, which the
    page's script reads with JSON.parse and shows with textContent."""
    import json

    from markupsafe import Markup

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # JSON writes C0 controls as escapes (\u001b) that JSON.parse would turn back into the
    # raw character: any backslash, or any character that is not printable, means a value
    # may hold one, and then every string is made printable first.
    if "\\" in text or not text.isprintable():
        text = json.dumps(_printable(data), ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with every markup character escaped


def _printable(value: object) -> object:
    if isinstance(value, str):
        return visible_text(value)
    if isinstance(value, dict):
        return {visible_text(str(k)): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if v is None or isinstance(v, int | float) else _printable(v) for v in value]
    return value


def render_html(result: Result, *, soon: tuple[str, int] | None = None) -> str:
    """The result as one self-contained HTML page (UTF-8 text). `soon` (today, days): a
    section lists the waivers that expire within that many days of today."""
    view = build_view(result)
    view["expiring"] = None
    if soon is not None:
        from hwcheck.render.waivers import expiring_soon

        view["expiring"] = {
            "within": soon[1],
            "waivers": expiring_soon(result, today=soon[0], within=soon[1]),
        }
    return render_page("report", view, result=result, hwcheck_version=result["hwcheck_version"])


def render_fleet_html(fleet: Fleet) -> str:
    """The fleet document as one self-contained HTML page (UTF-8 text): verdict and
    rollups, failing rules, version spread, known-bad firmware, drift, and the node table
    (its rows embedded as JSON and drawn a page at a time by the page's script)."""
    from hwcheck.render.fleetview import build_fleet_view

    view = build_fleet_view(fleet)
    return render_page(
        "fleet",
        view,
        table=json_island(view["table"]),
        hwcheck_version=fleet["hwcheck_version"],
    )
