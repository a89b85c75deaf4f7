"""Card models and cohorts: how the fleet groups cards and nodes.

A card model is a card's full identity: PCI vendor:device:subvendor:subdevice (the subsystem
decides the OEM firmware train), or a USB NIC's `usb:vendor:product`. A cohort is a system
model with the card models it carries: nodes in one cohort should run the same versions.
"""

from __future__ import annotations

import typing

from hwcheck.model.cardident import PCI_IDENTITY_FIELDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.result import CardIdentity


def card_model(source: dict[str, object]) -> tuple[str, str, CardIdentity]:
    """(model key, label, identity) of a card, from an inventory card or a subject identity."""
    identity = typing.cast("CardIdentity", {key: source.get(key) for key in PCI_IDENTITY_FIELDS})
    usb = source.get("usb")
    if isinstance(usb, dict):
        identity["usb"] = usb  # type: ignore[typeddict-item]
        key = f"usb:{usb.get('vendor_id') or '?'}:{usb.get('product_id') or '?'}"
        label = " ".join(str(p) for p in (usb.get("manufacturer"), usb.get("product")) if p)
        return key, label or key, identity
    ids = [identity[k] or "?" for k in PCI_IDENTITY_FIELDS[:4]]  # type: ignore[literal-required]
    key = ":".join(ids if identity["subsystem_vendor_id"] else ids[:2])
    device = identity["device_name"] or f"device {ids[1]}"
    vendor = identity["vendor_name"] or f"vendor {ids[0]}"
    label = f"{vendor} {device}"
    if identity["subsystem_name"]:
        label += f" ({identity['subsystem_name']})"
    return key, label, identity


def cohort_of(system_model: str | None, card_labels: list[str]) -> str:
    """`system model | card model, card model`: one key per combination."""
    system = system_model or "unknown system"
    cards = ", ".join(sorted(set(card_labels))) or "no cards"
    return f"{system} | {cards}"
