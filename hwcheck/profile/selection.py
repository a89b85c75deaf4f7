"""Automatic profile selection: which profiles' `applies_to` match this node, and why.

A profile without `applies_to` is a base layer and is never picked by itself. Of the
matching profiles, one that another matching profile extends is dropped: it is judged
as a layer of the more specific one.
"""

from __future__ import annotations

from hwcheck.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory
    from hwcheck.profile.library import Library
    from hwcheck.profile.model import AppliesTo, Profile, ProfileFile


def card_ids(inventory: Inventory) -> list[tuple[str, tuple[str | None, ...]]]:
    return [
        (
            card["card"],
            (
                card["vendor_id"],
                card["device_id"],
                card["subsystem_vendor_id"],
                card["subsystem_device_id"],
            ),
        )
        for card in inventory["cards"]
    ]


def explain(applies: AppliesTo, inventory: Inventory) -> tuple[bool, str]:
    """Whether `applies` matches the node, and a sentence saying why (or why not)."""
    reasons: list[str] = []
    system = inventory["system"]
    checks = (
        ("arch", applies.arch, inventory["kernel"]["arch"]),
        ("OS", applies.os_id, inventory["os"]["id"]),
        ("system vendor", applies.sys_vendor, system["sys_vendor"] if system["present"] else None),
        (
            "product",
            applies.product_name,
            system["product_name"] if system["present"] else None,
        ),
    )
    for label, wanted, seen in checks:
        if wanted is None:
            continue
        if seen not in wanted:
            shown = "unknown" if seen is None else repr(seen)
            return False, f"{label} {shown} is not one of {', '.join(wanted)}"
        reasons.append(f"{label} {seen!r} is one of {', '.join(wanted)}")
    if applies.devices is not None:
        hits = [
            f"{dev.text} at {card}"
            for card, ids in card_ids(inventory)
            for dev in applies.devices
            if dev.matches(ids)  # type: ignore[arg-type]
        ]
        if not hits:
            wanted_ids = ", ".join(d.text for d in applies.devices)
            return False, f"no card with PCI ID {wanted_ids} is present"
        reasons.append("card " + ", ".join(hits) + " is present")
    return True, "; ".join(reasons)


class Candidate:
    """A profile that may apply to nodes (it has `applies_to`), with its layers resolved:
    read from disk once for a whole run."""

    __slots__ = ("devices", "name", "profile", "resolved")

    def __init__(self, name: str, profile: ProfileFile, resolved: Profile) -> None:
        self.name = name
        self.profile = profile
        self.resolved = resolved
        # The vendor:device pairs one of which a node's card must have for this profile to
        # apply (None: any node may match): most nodes are told no without explain().
        applies = profile.applies_to
        self.devices: frozenset[tuple[str, str]] | None = None
        if applies is not None and applies.devices is not None:
            self.devices = frozenset((d.vendor, d.device) for d in applies.devices)


def candidates(library: Library) -> list[Candidate]:
    """Every profile of `library` that may be selected, read from disk once: a run that
    selects for many nodes (a fleet, a collector) selects from this list."""
    from hwcheck.profile.layering import resolve

    found = []
    for name, path in library.names():
        prof = library.load(path, name)
        if prof.applies_to is not None:
            found.append(Candidate(name, prof, resolve(prof, library)))
    return found


def select_from(
    found: list[Candidate], inventory: Inventory
) -> tuple[list[tuple[Profile, str]], str | None]:
    """The profiles that apply to this node, each with the sentence explaining why; when
    none does, an empty list and the sentence saying why not. No profile applying is a
    fact about the node, not an error: the caller decides what it means."""
    matched: list[tuple[Profile, str]] = []
    present = {(card["vendor_id"], card["device_id"]) for card in inventory["cards"]}
    for candidate in found:
        applies = candidate.profile.applies_to
        if applies is None:  # candidates() keeps only profiles with applies_to
            continue
        if candidate.devices is not None and candidate.devices.isdisjoint(present):
            continue  # explain() would say no; its sentence is wanted only if none applies
        ok, why = explain(applies, inventory)
        if ok:
            matched.append((candidate.resolved, f"applies_to matched: {why}"))
    layered = {layer.path for prof, _ in matched for layer in prof.layers[:-1]}
    chosen = [(prof, why) for prof, why in matched if prof.top.path not in layered]
    if chosen:
        return chosen, None
    rejected = [
        f"{c.name}: {explain(c.profile.applies_to, inventory)[1]}"  # why each said no
        for c in found
        if c.profile.applies_to is not None
    ]
    detail = "; ".join(rejected) if rejected else "no profile has applies_to"
    return [], f"no profile applies to this node ({detail})"


class Selection:
    """How a run picks each node's profiles: those named with --profile (resolved once), or
    those whose `applies_to` matches the node (candidates read once). `check`, the fleet and
    the collector all pick through this, so a node gets the same profiles wherever it is
    judged."""

    __slots__ = ("found", "named")

    def __init__(self, library: Library, named: list[str] | None) -> None:
        from hwcheck.errors import UsageError

        self.named: list[tuple[Profile, str]] | None = None
        self.found: list[Candidate] = []
        if named:
            self.named = [(library.resolve(ref), "named with --profile") for ref in named]
        elif not library.dirs:
            raise UsageError("no profile directory to search; use --profile or --profile-dir")
        else:
            self.found = candidates(library)

    def pick(self, inventory: Inventory) -> tuple[list[tuple[Profile, str]], str | None]:
        """This node's profiles and why; or none, and the sentence saying why not."""
        if self.named is not None:
            return list(self.named), None
        return select_from(self.found, inventory)


def select(library: Library, inventory: Inventory) -> list[tuple[Profile, str]]:
    """The profiles that apply to this node, each with the sentence explaining why; a
    node no profile applies to is refused (InputError), for a command judging one node."""
    chosen, none = select_from(candidates(library), inventory)
    if none is not None:
        raise InputError(f"{none}; name one with --profile")
    return chosen
