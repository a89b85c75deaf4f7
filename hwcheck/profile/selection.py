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
    from hwcheck.profile.model import AppliesTo, Profile


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


def select(library: Library, inventory: Inventory) -> list[tuple[Profile, str]]:
    """The profiles that apply to this node, each with the sentence explaining why."""
    from hwcheck.profile.layering import resolve

    matched: list[tuple[Profile, str]] = []
    rejected: list[str] = []
    for name, path in library.names():
        prof = library.load(path, name)
        if prof.applies_to is None:
            continue
        ok, why = explain(prof.applies_to, inventory)
        if ok:
            matched.append((resolve(prof, library), f"applies_to matched: {why}"))
        else:
            rejected.append(f"{name}: {why}")
    layered = {layer.path for prof, _ in matched for layer in prof.layers[:-1]}
    chosen = [(prof, why) for prof, why in matched if prof.top.path not in layered]
    if not chosen:
        detail = "; ".join(rejected) if rejected else "no profile has applies_to"
        raise InputError(f"no profile applies to this node ({detail}); name one with --profile")
    return chosen
