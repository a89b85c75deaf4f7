"""Finding and loading profile files: names, search directories, one load per file.

A profile's name is its path under a profile directory without `.yaml`
(`nvidia/connectx`). Directories searched, first match wins: those added with
`--profile-dir`, then the path, which is those given with `--profile-path` or else
`$HWCHECK_PROFILE_PATH` (colon-separated), `/etc/hwcheck/profiles`, and the profiles
shipped with hwcheck (`search_dirs`).

A YAML file in a profile directory is a profile, or a waiver file when its top-level kind
key is `hwcheck_waivers` (`kind_of`): waiver files are listed apart and never loaded as
profiles (nor applied unless named with `--waivers`).
"""

from __future__ import annotations

import errno
import os
import stat

from hwcheck.errors import ProfileError, UsageError
from hwcheck.profile.yamlsrc import not_regular
from hwcheck.shipped import shipped_profiles

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.model import Profile, ProfileFile, Where

_PACKAGE = os.path.dirname(os.path.dirname(__file__))
# A wheel's hwcheck/profiles, a checkout's profiles/, or hwcheck.pyz's (extracted).
SHIPPED = shipped_profiles(_PACKAGE)
SYSTEM = "/etc/hwcheck/profiles"
SUFFIXES = (".yaml", ".yml")


def default_dirs() -> list[str]:
    dirs = [d for d in os.environ.get("HWCHECK_PROFILE_PATH", "").split(":") if d]
    dirs += [SYSTEM, SHIPPED]
    return dirs


def search_dirs(added: list[str] | None = None, path: list[str] | None = None) -> list[str]:
    """The directories searched: `added` (--profile-dir) in front of `path` (--profile-path),
    which is the default path when not given."""
    return [*(added or ()), *(default_dirs() if path is None else path)]


def check_dirs(dirs: list[str] | None, option: str) -> None:
    """A directory named on the command line that is missing or not a directory is a usage
    error naming the option: a mistyped path must not pass for "no profiles"."""
    for directory in dirs or ():
        if not os.path.exists(directory):
            raise UsageError(f"no such profile directory (given with {option})", where=directory)
        if not os.path.isdir(directory):
            raise UsageError(f"not a directory (given with {option})", where=directory)


def looks_like_path(text: str) -> bool:
    return text.endswith(SUFFIXES) or text.startswith((".", "/"))


class Library:
    """Profile files found in `dirs`, each read and compiled at most once."""

    __slots__ = ("_files", "_kinds", "_trees", "dirs")

    def __init__(self, dirs: list[str] | None = None) -> None:
        self.dirs = default_dirs() if dirs is None else list(dirs)
        self._files: dict[str, ProfileFile] = {}
        self._kinds: dict[str, str] = {}
        self._trees: dict[str, tuple[object, ...]] = {}  # read to tell the kind, until loaded

    @classmethod
    def given(cls, dirs: list[str] | None) -> Library:
        """The library of exactly these directories (else the default ones), each checked
        as `--profile-path` gives them."""
        return cls.searching(path=dirs)

    @classmethod
    def searching(cls, *, added: list[str] | None = None, path: list[str] | None = None) -> Library:
        """The library of `added` (--profile-dir) in front of `path` (--profile-path, else
        the default path); each directory named is checked (check_dirs)."""
        check_dirs(added, "--profile-dir")
        check_dirs(path, "--profile-path")
        return cls(search_dirs(added, path))

    def names(self) -> list[tuple[str, str]]:
        """(name, path) of every profile in the search directories, first one wins; waiver
        files among them are not profiles (`waiver_files`).

        Raises ProfileError for a directory or profile file in them that cannot be read:
        skipping it would judge a node against fewer profiles than the operator installed.
        """
        return [(n, p) for n, p in self._documents() if self.kind(p) == PROFILE_KIND]

    def waiver_files(self) -> list[tuple[str, str]]:
        """(name, path) of every waiver file in the search directories, first one wins."""
        return [(n, p) for n, p in self._documents() if self.kind(p) == WAIVERS_KIND]

    def _documents(self) -> list[tuple[str, str]]:
        found: dict[str, str] = {}
        for base in self.dirs:
            for name, path in profiles_in(base):
                found.setdefault(name, path)
        return sorted(found.items())

    def kind(self, path: str) -> str:
        """The file's kind (kind_of), read once per file. A file that cannot be read or
        parsed is taken for a profile: loading it says what is wrong, naming it."""
        known = self._kinds.get(path)
        if known is None:
            from hwcheck.profile.cache import load_tree

            try:
                tree = load_tree(path)
            except ProfileError:
                known = PROFILE_KIND
            else:
                known = kind_of(tree)
                if known == PROFILE_KIND:
                    self._trees[path] = tree
            self._kinds[path] = known
        return known

    def locate(self, ref: str, *, where: Where | None = None) -> tuple[str, str | None]:
        """(path, expected name) of the profile `ref` names: a path or a profile name."""
        if looks_like_path(ref):
            path = ref if os.path.isabs(ref) else os.path.normpath(os.path.join(_cwd(ref), ref))
            if not _is_file(path):
                raise self._missing(f"no profile file {ref}", where)
            return path, None
        return self.locate_name(ref, where=where)

    def locate_name(self, ref: str, *, where: Where | None = None) -> tuple[str, str]:
        """(path, name) of the profile named `ref` in the search directories; never a path
        (`extends` names profiles: a `../../etc/passwd` there must not reach a file)."""
        for base in self.dirs:
            stem = os.path.join(base, *ref.split("/"))
            found = [stem + suffix for suffix in SUFFIXES if _is_file(stem + suffix)]
            if len(found) > 1:
                raise _twice(ref, *found)
            if found:
                return found[0], ref
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
        try:
            key = os.path.realpath(path)
        except OSError:  # a relative path under a deleted working directory
            key = path
        prof = self._files.get(key)
        if prof is None:
            if self.kind(path) == WAIVERS_KIND:
                raise ProfileError(
                    "this is a waiver file (hwcheck_waivers), not a profile; give it with "
                    "--waivers",
                    path=path,
                )
            prof = load_file(path, self._trees.pop(path, None))
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


def profiles_in(base: str) -> list[tuple[str, str]]:
    """(name, path) of the profile files under the search directory `base`, sorted.

    Symlinked subdirectories are followed, as lookup by name follows them; a link back to
    a directory already on the way down (a loop) is not entered again. A `base` that does
    not exist holds no profiles (`/etc/hwcheck/profiles` is usually absent; Library.given
    refuses a missing --profile-dir before this).
    """
    try:
        top = os.stat(base)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as err:
        raise _unreadable(base, err) from None
    if not stat.S_ISDIR(top.st_mode):
        raise ProfileError("not a directory (in the profile search path)", path=base)
    found: list[tuple[str, str]] = []
    _collect(base, "", {(top.st_dev, top.st_ino)}, found)
    return found


def _collect(
    directory: str, prefix: str, ancestors: set[tuple[int, int]], found: list[tuple[str, str]]
) -> None:
    """Append the profiles under `directory` (named `prefix` + relative path) to `found`.

    `ancestors` holds the (device, inode) of every directory from the search directory
    down to this one: identity by inode needs no working directory and sees through any
    spelling of a path, so a symlink loop ends here instead of recursing forever.
    """
    try:
        with os.scandir(directory) as it:
            entries = sorted(entry.name for entry in it)
    except OSError as err:
        raise _unreadable(directory, err) from None
    here: dict[str, str] = {}  # profile name -> the file in this directory that holds it
    for entry in entries:
        full = os.path.join(directory, entry)
        is_profile = entry.endswith(SUFFIXES)
        try:
            info = os.stat(full)
        except OSError as err:
            if err.errno in (errno.EACCES, errno.EPERM):  # listable, not searchable
                raise _unreadable(directory, err) from None
            if is_profile:  # a dangling or looping link: loading it says so, naming it
                _add(prefix + os.path.splitext(entry)[0], full, here, found)
            continue
        if stat.S_ISDIR(info.st_mode):
            ident = (info.st_dev, info.st_ino)
            if ident not in ancestors:
                _collect(full, prefix + entry + "/", ancestors | {ident}, found)
        elif is_profile:
            if not stat.S_ISREG(info.st_mode):
                raise not_regular(full, info.st_mode)
            if not os.access(full, os.R_OK):
                raise ProfileError("cannot read this profile file: permission denied", path=full)
            _add(prefix + os.path.splitext(entry)[0], full, here, found)


def _add(name: str, path: str, here: dict[str, str], found: list[tuple[str, str]]) -> None:
    """Record profile `name` at `path`, refusing a second file for it in the same directory
    (`x.yaml` beside `x.yml`): which one is meant cannot be told, so neither is taken."""
    other = here.get(name)
    if other is not None:
        raise _twice(name, other, path)
    here[name] = path
    found.append((name, path))


def _twice(name: str, first: str, second: str) -> ProfileError:
    return ProfileError(
        f"profile '{name}' is also defined by {second} beside it: remove or rename one",
        path=first,
    )


def _unreadable(path: str, err: OSError) -> ProfileError:
    reason = (err.strerror or str(err)).lower()
    return ProfileError(f"cannot read this profile directory: {reason}", path=path)


def _is_file(path: str) -> bool:
    """Whether `path` is a profile file: False when nothing (or a directory) is there. A
    permission error on the way, or a FIFO, socket or device in its place, is an error, not
    "no": otherwise a same-named profile in a later search directory would silently win."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as err:
        if err.errno in (errno.EACCES, errno.EPERM):
            raise ProfileError(
                f"cannot tell whether this profile exists: {(err.strerror or str(err)).lower()}",
                path=path,
            ) from None
        return False
    if stat.S_ISDIR(mode):
        return False
    if not stat.S_ISREG(mode):
        raise not_regular(path, mode)
    return True


def _cwd(ref: str) -> str:
    try:
        return os.getcwd()
    except FileNotFoundError:
        raise UsageError(
            "the current directory no longer exists; give the profile as an absolute path",
            where=ref,
        ) from None


PROFILE_KIND = "hwcheck_profile"
WAIVERS_KIND = "hwcheck_waivers"


def kind_of(tree: tuple[object, ...]) -> str:
    """What a parsed YAML document is, by its top-level kind key: WAIVERS_KIND for a mapping
    with `hwcheck_waivers` and no `hwcheck_profile`; else PROFILE_KIND, and loading it as a
    profile says what is wrong with it (file:line), as for any profile."""
    if tree[0] == "m":
        keys = {key[1] for key, _value in tree[1]}  # type: ignore[attr-defined]
        if WAIVERS_KIND in keys and PROFILE_KIND not in keys:
            return WAIVERS_KIND
    return PROFILE_KIND


def load_file(path: str, tree: tuple[object, ...] | None = None) -> ProfileFile:
    """Read (unless its parsed `tree` is given), validate and compile one profile file (no
    layering)."""
    from hwcheck.profile.cache import load_tree
    from hwcheck.profile.compile import compile_profile
    from hwcheck.profile.fields import PROFILE

    if tree is None:
        tree = load_tree(path)
    doc = PROFILE.convert(tree, path)
    return compile_profile(doc, path)  # type: ignore[arg-type]
