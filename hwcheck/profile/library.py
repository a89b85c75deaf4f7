"""Finding and loading profile files: names, search directories, one load per file.

A profile's name is its path under a profile directory without `.yaml`
(`nvidia/connectx`). Directories searched, first match wins: those given with
`--profile-dir`, else `$HWCHECK_PROFILE_PATH` (colon-separated), `/etc/hwcheck/profiles`,
and the profiles shipped with hwcheck.
"""

from __future__ import annotations

import os

from hwcheck.errors import ProfileError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.model import Profile, ProfileFile, Where

_PACKAGE = os.path.dirname(os.path.dirname(__file__))
SHIPPED = (
    os.path.join(_PACKAGE, "profiles")  # installed from a wheel
    if os.path.isdir(os.path.join(_PACKAGE, "profiles"))
    else os.path.join(os.path.dirname(_PACKAGE), "profiles")  # a source checkout
)
SYSTEM = "/etc/hwcheck/profiles"
SUFFIXES = (".yaml", ".yml")


def default_dirs() -> list[str]:
    dirs = [d for d in os.environ.get("HWCHECK_PROFILE_PATH", "").split(":") if d]
    dirs += [SYSTEM, SHIPPED]
    return dirs


def looks_like_path(text: str) -> bool:
    return text.endswith(SUFFIXES) or text.startswith((".", "/"))


class Library:
    """Profile files found in `dirs`, each read and compiled at most once."""

    __slots__ = ("_files", "dirs")

    def __init__(self, dirs: list[str] | None = None) -> None:
        self.dirs = default_dirs() if dirs is None else list(dirs)
        self._files: dict[str, ProfileFile] = {}

    @classmethod
    def given(cls, dirs: list[str] | None) -> Library:
        """The library of the directories named with --profile-dir (else the default ones).
        A named directory that is missing or not a directory is a usage error: a mistyped
        path must not pass for "no profiles"."""
        for directory in dirs or ():
            if not os.path.exists(directory):
                raise UsageError(
                    "no such profile directory (given with --profile-dir)", where=directory
                )
            if not os.path.isdir(directory):
                raise UsageError("not a directory (given with --profile-dir)", where=directory)
        return cls(dirs)

    def names(self) -> list[tuple[str, str]]:
        """(name, path) of every profile in the search directories, first one wins."""
        found: dict[str, str] = {}
        for base in self.dirs:
            for root, subdirs, files in os.walk(base):
                subdirs.sort()
                for fname in sorted(files):
                    if fname.endswith(SUFFIXES):
                        full = os.path.join(root, fname)
                        rel = os.path.relpath(full, base)
                        name = os.path.splitext(rel)[0].replace(os.sep, "/")
                        found.setdefault(name, full)
        return sorted(found.items())

    def locate(
        self, ref: str, *, relative_to: str | None = None, where: Where | None = None
    ) -> tuple[str, str | None]:
        """(path, expected name) of the profile `ref` names: a path or a profile name."""
        if looks_like_path(ref):
            base = os.path.dirname(relative_to) if relative_to else os.getcwd()
            path = ref if os.path.isabs(ref) else os.path.normpath(os.path.join(base, ref))
            if not os.path.isfile(path):
                raise self._missing(f"no profile file {ref}", where)
            return path, None
        for base in self.dirs:
            for suffix in SUFFIXES:
                path = os.path.join(base, *ref.split("/")) + suffix
                if os.path.isfile(path):
                    return path, ref
        known = ", ".join(name for name, _ in self.names()) or "none"
        searched = ", ".join(self.dirs) or "no directories"
        raise self._missing(
            f"no profile named '{ref}' in {searched} (known profiles: {known})", where
        )

    @staticmethod
    def _missing(message: str, where: Where | None) -> ProfileError | UsageError:
        if where is None:
            return UsageError(message)
        return ProfileError(message, path=where.path, line=where.line, column=where.column)

    def load(self, path: str, expected_name: str | None = None) -> ProfileFile:
        key = os.path.realpath(path)
        prof = self._files.get(key)
        if prof is None:
            prof = load_file(path)
            self._files[key] = prof
        if expected_name is not None and prof.name != expected_name:
            w = prof.where
            raise ProfileError(
                f"profile name '{prof.name}' does not match its place in the profile "
                f"directory (expected name: {expected_name})",
                path=w.path,
                line=w.line,
                column=w.column,
            )
        return prof

    def get(self, ref: str) -> ProfileFile:
        path, name = self.locate(ref)
        return self.load(path, name)

    def resolve(self, ref: str) -> Profile:
        from hwcheck.profile.layering import resolve

        return resolve(self.get(ref), self)


def load_file(path: str) -> ProfileFile:
    """Read, validate and compile one profile file (no layering)."""
    from hwcheck.profile.cache import load_tree
    from hwcheck.profile.compile import compile_profile
    from hwcheck.profile.fields import PROFILE

    tree = load_tree(path)
    doc = PROFILE.convert(tree, path)
    return compile_profile(doc, path)  # type: ignore[arg-type]
