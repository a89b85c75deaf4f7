"""The profiles and waivers a collector judges with: loaded as `check` loads them, once per
generation, and loaded again when one of their files changes (no restart).

A generation is everything judging needs (the Selection, the waivers, --strict), built once;
requests read the current one and never load anything. A watcher looks at the files' stat
data at most once a second; when it changed, a new generation is built, and only once it
built completely does it replace the current one. A profile or waiver file that fails to
load keeps the previous generation in force and is reported (`error`) until fixed.
"""

from __future__ import annotations

import logging
import os
import time

from hwcheck.errors import HwcheckError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.selection import Selection
    from hwcheck.profile.waivers import WaiverEntry

LOG = logging.getLogger("hwcheck.serve")

CHECK_INTERVAL = 1.0
"""Seconds between two looks at the profile and waiver files' stat data (at most)."""

Fingerprint = tuple[tuple[str, int, int, int], ...]


class Generation:
    """One complete set of what nodes are judged with; never changed once built."""

    __slots__ = ("fingerprint", "loaded_at", "names", "number", "selection", "strict", "waivers")

    def __init__(
        self,
        number: int,
        selection: Selection,
        waivers: list[WaiverEntry] | None,
        *,
        strict: bool,
        fingerprint: Fingerprint,
    ) -> None:
        self.number = number
        self.selection = selection
        self.waivers = waivers
        self.strict = strict
        self.fingerprint = fingerprint
        self.loaded_at = time.time()
        found = [c.name for c in selection.found]
        named = [p.top.name for p, _ in selection.named or ()]
        self.names: tuple[str, ...] = tuple(named or found)


class ProfileSet:
    """The profiles (`--profile`, `--profile-dir`, `--profile-path`) and waivers (`--waivers`)
    of a server.

    `current` is the generation in force; `refresh()` builds a new one when a file changed
    (call it at most once a second: `due()`); `error` is the last failed load's sentence,
    None once a load succeeds."""

    def __init__(
        self,
        profiles: list[str] | None,
        profile_dirs: list[str] | None,
        waivers: str | None,
        *,
        strict: bool,
        profile_path: list[str] | None = None,
    ) -> None:
        self.profiles = list(profiles) if profiles else None
        self.profile_dirs = list(profile_dirs) if profile_dirs else None
        self.profile_path = list(profile_path) if profile_path else None
        self.waivers_path = waivers
        self.strict = strict
        self.error: str | None = None
        self.failed_fingerprint: Fingerprint | None = None
        self.checked = time.monotonic()
        self.current = self._load(1)  # a first load that fails is the caller's error

    def _load(self, number: int) -> Generation:
        from hwcheck.profile.library import Library
        from hwcheck.profile.selection import Selection

        before = self.fingerprint()
        selection = Selection(
            Library.searching(added=self.profile_dirs, path=self.profile_path), self.profiles
        )
        waivers = None
        if self.waivers_path is not None:
            from hwcheck.profile.waivers import load_waivers

            waivers = load_waivers(self.waivers_path)
        return Generation(number, selection, waivers, strict=self.strict, fingerprint=before)

    def fingerprint(self) -> Fingerprint:
        """The stat data of every file the generation was built from: each profile file in
        the search directories (and their directories), each profile named by path, the
        waiver file. A file that is missing is there with zeros."""
        from hwcheck.profile.library import SUFFIXES, looks_like_path, search_dirs

        seen: list[tuple[str, int, int, int]] = []
        paths: list[str] = []
        for ref in self.profiles or ():
            if looks_like_path(ref):
                paths.append(os.path.abspath(ref))
        if self.waivers_path is not None:
            paths.append(os.path.abspath(self.waivers_path))
        for base in search_dirs(self.profile_dirs, self.profile_path):
            for here, subdirs, files in os.walk(base):
                subdirs.sort()
                paths.append(here)
                paths.extend(os.path.join(here, f) for f in sorted(files) if f.endswith(SUFFIXES))
        for path in paths:
            try:
                st = os.stat(path)
            except OSError:
                seen.append((path, 0, 0, 0))
                continue
            seen.append((path, st.st_mtime_ns, st.st_size, st.st_ino))
        return tuple(seen)

    def due(self) -> bool:
        return time.monotonic() - self.checked >= CHECK_INTERVAL

    def refresh(self) -> bool:
        """Build a new generation when a file changed since the current one was built;
        whether one replaced it. A load that fails leaves the current one in force."""
        self.checked = time.monotonic()
        now = self.fingerprint()
        if now in (self.current.fingerprint, self.failed_fingerprint):
            return False
        try:
            fresh = self._load(self.current.number + 1)
        except HwcheckError as err:
            self.error = str(err)
            self.failed_fingerprint = now
            LOG.error(  # noqa: TRY400 - the sentence is the whole story
                "profiles not reloaded, generation %d stays in force: %s",
                self.current.number,
                err,
            )
            return False
        self.current = fresh
        self.error = None
        self.failed_fingerprint = None
        LOG.info("profiles reloaded: generation %d: %s", fresh.number, ", ".join(fresh.names))
        return True

    def state(self) -> dict[str, object]:
        """What /readyz says of the profiles."""
        gen = self.current
        return {
            "generation": gen.number,
            "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(gen.loaded_at)),
            "profiles": list(gen.names),
            "waivers": self.waivers_path,
            "strict": gen.strict,
            "error": self.error,
        }
