"""The HTML report: one self-contained file, rendered with jinja2 (autoescaping on).

CSS and the small filter script are inlined; nothing is fetched from anywhere. A
Content-Security-Policy in the page allows only that one script (by its hash) and inline
styles, so even a value that slipped past escaping could not run code or load anything.
The page reads completely without JavaScript; the script only adds the status filter and
search. This is the only module that imports jinja2.
"""

from __future__ import annotations

import marshal
import os

from hwcheck.render.htmlview import build_view, visible_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    import jinja2

    from hwcheck.model.result import Result

_TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")


def _shown(value: object) -> object:
    """What the template writes for `value`: markup the template made itself (a macro's
    output, the inline assets: anything with `__html__`) as it is; anything else as
    printable text, which autoescaping then escapes."""
    if hasattr(value, "__html__"):
        return value
    return visible_text(value if isinstance(value, str) else str(value))


class _Assets:
    """The jinja2 environment and the inline assets, loaded once per process."""

    __slots__ = ("css", "env", "script", "script_hash")

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
        self.css = _read("report.css").strip()
        self.script = _read("report.js").strip()
        self.script_hash = _csp_hash(self.script)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs: compiling costs more than rendering a report.

    A compiled template is code this process runs, so it is read and written only in a
    cache directory nobody but the effective user can have written (`hwcheck.cachedir`).
    An entry is bound to the SHA-1 of its template's source, compared as bytes before
    anything in it is loaded (jinja2 would unpickle it first), so an edited template is
    compiled again. An entry that is missing, damaged or not trusted costs a recompile.
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


def render_html(result: Result) -> str:
    """The result as one self-contained HTML page (UTF-8 text)."""
    from markupsafe import Markup

    assets = _load()
    template = assets.env.get_template("report.html.j2")
    return template.render(
        result=result,
        view=build_view(result),
        css=Markup(assets.css),  # noqa: S704 - our own stylesheet file, not data
        script=Markup(assets.script),  # noqa: S704 - our own script file, not data
        script_hash=assets.script_hash,
    )
