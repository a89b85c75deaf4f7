"""Where hwcheck may keep caches that only ever save time: `$XDG_CACHE_HOME/hwcheck/<kind>`
(or `~/.cache/hwcheck/<kind>`). `HWCHECK_NO_CACHE=1` turns every cache off, and so does a
cache base whose parent does not exist."""

from __future__ import annotations

import os


def cache_dir(kind: str) -> str | None:
    if os.environ.get("HWCHECK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    # The cache base may be created (XDG), but never its parents: a missing home directory
    # (HOME=/nonexistent in a ramdisk) means no cache, not a new /nonexistent.
    if not os.path.isdir(os.path.dirname(os.path.normpath(base))):
        return None
    return os.path.join(base, "hwcheck", kind)
