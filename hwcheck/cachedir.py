"""Where hwcheck may keep caches that only ever save time: `$XDG_CACHE_HOME/hwcheck/<kind>`
(or `~/.cache/hwcheck/<kind>`). `HWCHECK_NO_CACHE=1` turns every cache off."""

from __future__ import annotations

import os


def cache_dir(kind: str) -> str | None:
    if os.environ.get("HWCHECK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    return os.path.join(base, "hwcheck", kind)
