"""What findings are about: cards (ports grouped), virtual links, the node.

A card is judged once, through its physical functions; an SR-IOV VF is not a port of
its own (its firmware reads `N/A`), and cards made only of VFs are left out unless a
selector asks for them. The functions of one PCI device that carry different identities
are judged as one card per identity; a USB NIC is a card of its own, matched by its USB
ID (`usb:413c:a102`). Virtual links are subjects only for rules with `link_types`.
"""

from __future__ import annotations

from hwcheck.judge import trains
from hwcheck.model.cardident import card_key, split_by_identity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Card, Inventory, Nic, PciIdentity, UsbDevice
    from hwcheck.model.result import CardIdentity, Subject
    from hwcheck.profile.model import Selector


class CardView:
    """A card (or one identity of a mixed card) with the NICs that represent it and the
    text selectors match against."""

    __slots__ = (
        "card",
        "device",
        "ids",
        "names",
        "nics",
        "pci",
        "selected",
        "subject",
        "usb_ids",
        "vf_only",
    )

    def __init__(self, card: Card, nics: list[Nic], key: str | None = None) -> None:
        self.card = card
        # selects() answers, per selector: a node's rules, its unknown-card check and the
        # coverage of several profiles ask the same selector of the same card.
        self.selected: dict[Selector, bool] = {}
        physical = [n for n in nics if n["kind"] == "physical"]
        self.vf_only = not physical and any(n["kind"] == "vf" for n in nics)
        self.nics = physical or [n for n in nics if n["kind"] == "vf"]
        key = key or card["card"]
        # The physical device: what a `count` of cards counts once.
        self.device = card.get("pci_device") or card["card"]
        mixed = bool(card.get("mixed_identity")) or key != card["card"]
        # An identity split here (an older inventory) is told by its own functions.
        first = self.nics[0] if key != card["card"] and self.nics else None
        pci: PciIdentity = first if first is not None else card
        self.pci = pci
        self.ids = (
            pci["vendor_id"],
            pci["device_id"],
            pci["subsystem_vendor_id"],
            pci["subsystem_device_id"],
        )
        usb = card.get("usb")
        self.usb_ids = (usb["vendor_id"], usb["product_id"], None, None) if usb else (None,) * 4
        strings: tuple[str | None, ...] = (
            (usb["product"], usb["manufacturer"])
            if usb
            else (pci["device_name"], pci["subsystem_name"], pci["vendor_name"])
        )
        self.names = " | ".join(n for n in strings if n).lower()
        ports = [n["name"] for n in self.nics]
        self.subject: Subject = {
            "kind": "card",
            "id": key,
            "label": _label(card, pci, key, ports, mixed),
            "ports": ports,
            "pci_addresses": [a for n in self.nics if (a := n["pci_address"]) is not None]
            if first is not None
            else list(card["functions"]),
            # Who the card is, so that a finding can be counted per card model without the
            # inventory beside it (fleet aggregation, a store that keeps findings alone).
            "identity": _identity(pci, usb),
        }

    @property
    def pci_id(self) -> str:
        """The ID the card is known by: `8086:1592`, or `usb:413c:a102` for a USB NIC."""
        if self.card.get("usb"):
            return f"usb:{self.usb_ids[0]}:{self.usb_ids[1]}"
        return f"{self.ids[0]}:{self.ids[1]}"

    @property
    def model(self) -> str | None:
        usb = self.card.get("usb")
        if usb:
            return usb["product"]
        return self.pci["device_name"]


def _label(card: Card, pci: PciIdentity, key: str, ports: list[str], mixed: bool) -> str:
    """`Vendor Model (ports) at key`, saying what is unusual: a USB device, a mixed one."""
    usb = card.get("usb")
    if usb:
        ident = f"{usb['vendor_id']}:{usb['product_id']}"
        names = " ".join(n for n in (usb["manufacturer"], usb["product"]) if n)
        model = f"{names} [USB {ident}]" if names else f"USB device {ident}"
    else:
        model = pci["device_name"] or f"{pci['vendor_id']}:{pci['device_id']}"
        if pci["vendor_name"] and pci["device_name"]:
            model = f"{pci['vendor_name']} {pci['device_name']}"
    where = f" ({', '.join(ports)})" if ports else ""
    label = f"{model}{where} at {key}"
    if mixed:
        label += (
            f", one of several identities on PCI device {card.get('pci_device') or card['card']}"
        )
    return label


def card_views(inventory: Inventory) -> list[CardView]:
    """One view per card, and per identity on a card whose functions differ in identity.

    The probe already splits such a card (hwcheck.model.cardident); an inventory written
    before it did is split here the same way, so every function is judged as what it is.
    """
    by_card: dict[str, list[Nic]] = {}
    for nic in inventory["nics"]:
        if nic["card"] is not None and nic["kind"] in ("physical", "vf"):
            by_card.setdefault(nic["card"], []).append(nic)
    views = []
    for card in inventory["cards"]:
        nics = by_card.get(card["card"], [])
        nics.sort(key=lambda n: (n["pci_address"] or "", n["name"]))
        ports = [n for n in nics if n["kind"] == "physical"] or nics
        split = split_by_identity(ports) if not card.get("usb") else []
        if len(split) < 2:
            views.append(CardView(card, nics))
            continue
        identities = [ident for ident, _members in split]
        for ident, members in split:
            views.append(CardView(card, members, card_key(card["card"], ident, identities)))
    return views


def selects(selector: Selector, view: CardView) -> bool:
    hit = view.selected.get(selector)
    if hit is None:
        hit = view.selected[selector] = _selects(selector, view)
    return hit


def _selects(selector: Selector, view: CardView) -> bool:
    if view.vf_only and not selector.vfs:
        return False
    matched = any(
        dev.matches(view.usb_ids if dev.usb else view.ids) for dev in selector.devices
    ) or any(model in view.names for model in selector.models)
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


def _identity(pci: PciIdentity, usb: UsbDevice | None) -> CardIdentity:
    identity: CardIdentity = {
        "vendor_id": pci["vendor_id"],
        "device_id": pci["device_id"],
        "subsystem_vendor_id": pci["subsystem_vendor_id"],
        "subsystem_device_id": pci["subsystem_device_id"],
        "vendor_name": pci["vendor_name"],
        "device_name": pci["device_name"],
        "subsystem_name": pci["subsystem_name"],
    }
    if usb is not None:
        identity["usb"] = {**usb}
    return identity


def owned(subject: Subject) -> Subject:
    """A copy of `subject` that shares no dict or list with it: each finding owns its own."""
    copy = subject.copy()  # the keys in their order; then each container copied in place
    copy["ports"] = subject["ports"].copy()
    copy["pci_addresses"] = subject["pci_addresses"].copy()
    identity = subject.get("identity")
    if identity is not None:
        identity = copy["identity"] = identity.copy()
        usb = identity.get("usb")
        if usb is not None:
            identity["usb"] = usb.copy()
    return copy
