"""What findings are about: cards (ports grouped), virtual links, the node.

A card is judged once, through its physical functions; an SR-IOV VF is not a port of
its own (its firmware reads `N/A`), and cards made only of VFs are left out unless a
selector asks for them. Virtual links are subjects only for rules with `link_types`.
"""

from __future__ import annotations

from hwcheck.judge import trains

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Card, Inventory, Nic
    from hwcheck.model.result import Subject
    from hwcheck.profile.model import Selector


class CardView:
    """A card with the NICs that represent it and the text selectors match against."""

    __slots__ = ("card", "ids", "names", "nics", "subject", "vf_only")

    def __init__(self, card: Card, nics: list[Nic]) -> None:
        self.card = card
        physical = [n for n in nics if n["kind"] == "physical"]
        self.vf_only = not physical and any(n["kind"] == "vf" for n in nics)
        self.nics = physical or [n for n in nics if n["kind"] == "vf"]
        self.ids = (
            card["vendor_id"],
            card["device_id"],
            card["subsystem_vendor_id"],
            card["subsystem_device_id"],
        )
        self.names = " | ".join(
            n for n in (card["device_name"], card["subsystem_name"], card["vendor_name"]) if n
        ).lower()
        ports = [n["name"] for n in self.nics]
        model = card["device_name"] or f"{card['vendor_id']}:{card['device_id']}"
        if card["vendor_name"] and card["device_name"]:
            model = f"{card['vendor_name']} {card['device_name']}"
        label = (
            f"{model} ({', '.join(ports)}) at {card['card']}"
            if ports
            else f"{model} at {card['card']}"
        )
        self.subject: Subject = {
            "kind": "card",
            "id": card["card"],
            "label": label,
            "ports": ports,
            "pci_addresses": list(card["functions"]),
        }

    @property
    def pci_id(self) -> str:
        return f"{self.ids[0]}:{self.ids[1]}"


def card_views(inventory: Inventory) -> list[CardView]:
    by_card: dict[str, list[Nic]] = {}
    for nic in inventory["nics"]:
        if nic["card"] is not None and nic["kind"] in ("physical", "vf"):
            by_card.setdefault(nic["card"], []).append(nic)
    views = []
    for card in inventory["cards"]:
        nics = by_card.get(card["card"], [])
        nics.sort(key=lambda n: (n["pci_address"] or "", n["name"]))
        views.append(CardView(card, nics))
    return views


def selects(selector: Selector, view: CardView) -> bool:
    if view.vf_only and not selector.vfs:
        return False
    matched = any(dev.matches(view.ids) for dev in selector.devices) or any(
        model in view.names for model in selector.models
    )
    if not matched or selector.train is None:
        return matched
    wanted = selector.train
    return any(trains.nic_on_train(wanted, nic) for nic in view.nics)


def virtual_subject(nic: Nic) -> Subject:
    return {
        "kind": "nic",
        "id": nic["name"],
        "label": f"{nic['link_type'] or 'virtual'} link {nic['name']}",
        "ports": [nic["name"]],
        "pci_addresses": [],
    }


def node_subject(inventory: Inventory, kind: str = "node", ident: str = "node") -> Subject:
    host = inventory["host"]["hostname"] or "this node"
    label = host if kind == "node" else f"{kind} of {host}"
    return {"kind": kind, "id": ident, "label": label, "ports": [], "pci_addresses": []}  # type: ignore[typeddict-item]
