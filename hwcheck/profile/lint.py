"""`hwcheck profile lint`: everything that loading and layering reject, plus advice.

Errors are what `hwcheck check` would refuse (exit 2), thresholds ambiguous for their
format among them (`min: 4.3` for an Intel NVM printed `4.30`). Warnings are legal but
risky: firmware constraints that name no format, rules without a title, profiles citing
no source, and, given the machine's pci.ids, device IDs it does not know and rule titles
naming a model the rule's devices are not (hwcheck.profile.pcidb).
Linting nothing is an error too (see targets).
"""

from __future__ import annotations

from hwcheck.errors import ProfileError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.library import Library
    from hwcheck.profile.pcidb import DeviceTable


def targets(library: Library, refs: list[str]) -> list[str]:
    """What to lint: `refs`, else every profile found; never nothing.

    A CI job that lints a directory with no profiles in it must fail rather than report
    "0 profiles: 0 errors" and pass (a mistyped `--profile-dir` is refused by
    Library.given).
    """
    if refs:
        return refs
    found = [path for _name, path in library.names()]
    if not found:
        raise UsageError(
            "no profiles found (.yaml or .yml files); name the profiles to lint or the "
            "directory that holds them",
            where=", ".join(library.dirs),
        )
    return found


def lint(library: Library, ref: str, *, pci: DeviceTable | None = None) -> list[tuple[str, str]]:
    """(level, "where: what") problems of the profile `ref` (a name or a path); `pci`, the
    machine's pci.ids, to check its device IDs against."""
    from hwcheck.profile.layering import resolve

    try:
        path, name = library.locate(ref)
        top = library.load(path, name)
        profile = resolve(top, library)
    except (ProfileError, UsageError) as err:
        return [("error", str(err))]
    # The notes of the rules as resolved: an overlay's `firmware: {min: ...}` names no format
    # of its own, and keeps the one of the rule it changes. The rules this file wrote only.
    written = {rule.id for rule in top.rules}
    problems = [
        ("warning", f"{where}: {message}")
        for rule in profile.rules
        if rule.id in written
        for where, message in rule.notes
        if where.path == top.path
    ]
    if not top.sources:
        problems.append(("warning", f"{top.where}: the profile cites no sources"))
    problems.extend(
        ("warning", f"{rule.where}: rule {rule.id} has no title")
        for rule in profile.rules  # an overlay's title may be the rule's it changes
        if rule.id in written and rule.where.path == top.path and not rule.title
    )
    if pci is not None:
        from hwcheck.profile.cache import load_tree
        from hwcheck.profile.pcidb import pci_problems

        problems.extend(("warning", text) for text in pci_problems(load_tree(path), path, pci))
    return problems
