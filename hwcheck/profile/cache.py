"""A cache of parsed YAML node trees, so that `hwcheck check` need not import PyYAML.

Importing PyYAML costs about as much as starting the interpreter. Parsed trees are plain
tuples, lists and strings, stored with `marshal` under `$XDG_CACHE_HOME/hwcheck/yaml/`
(or `~/.cache/...`). An entry holds the exact bytes it was parsed from and is used only
when they equal the file's current bytes, so an edited profile is always parsed again;
no hash or timestamp is trusted. A cache that cannot be read or written is skipped
silently: it only ever saves time. `HWCHECK_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import marshal
import os

from hwcheck.cachedir import cache_dir as shared_cache_dir
from hwcheck.profile import yamlsrc

_FORMAT = 1


def cache_dir() -> str | None:
    return shared_cache_dir("yaml")


def _entry_path(directory: str, path: str) -> str:
    import zlib

    real = os.path.realpath(path)
    key = zlib.crc32(real.encode("utf-8", "surrogateescape"))
    return os.path.join(directory, f"{key:08x}.marshal")


def load_tree(path: str) -> tuple[object, ...]:
    """The node tree of the YAML file at `path`, from the cache when its bytes are unchanged."""
    data = yamlsrc.read_bytes(path)
    directory = cache_dir()
    entry = _entry_path(directory, path) if directory else None
    if entry is not None:
        tree = _read_entry(entry, path, data)
        if tree is not None:
            return tree
    tree = yamlsrc.parse(data, path)
    if entry is not None and directory is not None:
        _write_entry(directory, entry, path, data, tree)
    return tree


def _read_entry(entry: str, path: str, data: bytes) -> tuple[object, ...] | None:
    try:
        with open(entry, "rb") as fh:
            stored = marshal.load(fh)  # noqa: S302 - our own cache file, in the user's 0700 cache dir
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if (
        isinstance(stored, tuple)
        and len(stored) == 4
        and stored[0] == _FORMAT
        and stored[1] == os.path.realpath(path)
        and stored[2] == data
        and isinstance(stored[3], tuple)
    ):
        return stored[3]
    return None


def _write_entry(
    directory: str, entry: str, path: str, data: bytes, tree: tuple[object, ...]
) -> None:
    tmp = f"{entry}.{os.getpid()}.tmp"
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        with open(tmp, "wb") as fh:
            marshal.dump((_FORMAT, os.path.realpath(path), data, tree), fh)  # type: ignore[arg-type]
        os.replace(tmp, entry)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
