"""A cache of parsed YAML node trees, so that `hwcheck check` need not import PyYAML.

Importing PyYAML costs about as much as starting the interpreter. Parsed trees are plain
tuples, lists and strings, stored with `marshal` under `$XDG_CACHE_HOME/hwcheck/yaml/`
(or `~/.cache/...`). An entry holds the exact bytes it was parsed from and is used only
when they equal the file's current bytes, so an edited profile is always parsed again;
no hash or timestamp is trusted. A tree decides verdicts, so the cache is read and written
only where nobody but the effective user can have written it (`hwcheck.cachedir`): an
entry another user could have planted is never used. A cache that cannot be read or
written is skipped silently: it only ever saves time. `HWCHECK_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import marshal
import os

from hwcheck.cachedir import open_cache
from hwcheck.profile import yamlsrc

_FORMAT = 1


def _entry_name(real: str) -> str:
    import zlib

    key = zlib.crc32(real.encode("utf-8", "surrogateescape"))
    return f"{key:08x}.marshal"


def load_tree(path: str, *, pipe_ok: bool = False) -> tuple[object, ...]:
    """The node tree of the YAML file at `path`, from the cache when its bytes are unchanged
    (`pipe_ok`: see `yamlsrc.read_bytes`)."""
    data = yamlsrc.read_bytes(path, pipe_ok=pipe_ok)
    cache = open_cache("yaml")
    if cache is None:
        return yamlsrc.parse(data, path)
    real = os.path.realpath(path)
    name = _entry_name(real)
    tree = _from_entry(cache.read(name), real, data)
    if tree is not None:
        return tree
    tree = yamlsrc.parse(data, path)
    cache.write(name, marshal.dumps((_FORMAT, real, data, tree)))  # type: ignore[arg-type]
    return tree


def _from_entry(raw: bytes | None, real: str, data: bytes) -> tuple[object, ...] | None:
    if raw is None:
        return None
    try:
        stored = marshal.loads(raw)  # noqa: S302 - an entry only this user can have written
    except (EOFError, ValueError, TypeError):
        return None
    if (
        isinstance(stored, tuple)
        and len(stored) == 4
        and stored[0] == _FORMAT
        and stored[1] == real
        and stored[2] == data
        and isinstance(stored[3], tuple)
    ):
        return stored[3]
    return None
