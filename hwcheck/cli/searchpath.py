"""Where profiles are found: the `--profile-dir` and `--profile-path` options every command
that reads profiles shares, and the Library they give.

`--profile-dir DIR` (repeatable) adds DIR in front of the default search path
(`$HWCHECK_PROFILE_PATH`, `/etc/hwcheck/profiles`, the shipped profiles), so a site
profile that extends a shipped one resolves with no environment variable.
`--profile-path DIR` (repeatable) replaces the whole path with exactly the directories
given. Both may be given: the added directories come first. A directory named that is
missing or not a directory is exit 2 naming the option.
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.library import Library

HELP_DIR = (
    "also search profiles in DIR, before the default path ($HWCHECK_PROFILE_PATH, "
    "/etc/hwcheck/profiles, the shipped profiles) (repeatable)"
)
HELP_PATH = "search profiles only in these directories, in this order (repeatable)"


def add_search_options(p: argparse.ArgumentParser) -> None:
    """--profile-dir (adds) and --profile-path (replaces)."""
    p.add_argument(
        "--profile-dir",
        action="append",
        metavar="DIR",
        help=HELP_DIR,
    )
    p.add_argument(
        "--profile-path",
        action="append",
        metavar="DIR",
        help=HELP_PATH,
    )


def search_parent() -> argparse.ArgumentParser:
    """The two options as a parent parser, for subcommands' actions (`profile list`...)."""
    parent = argparse.ArgumentParser(add_help=False)
    add_search_options(parent)
    return parent


def library_of(args: argparse.Namespace) -> Library:
    """The Library the options give (each named directory checked)."""
    from hwcheck.profile.library import Library

    return Library.searching(added=args.profile_dir, path=args.profile_path)
