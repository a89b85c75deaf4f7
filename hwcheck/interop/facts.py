"""What the exporters read of a judged node: each card's ports and identity with the status
the judge gave it, and when the node was judged.

One reading of a result for both exporters (hwcheck.interop.nfd, hwcheck.interop.prometheus),
so the NFD labels and the Prometheus metrics of one run tell the same story. Pure: a result
in, plain values out. A card whose firmware no rule judged is `unjudged` (hwcheck.model.fleet
says the same of a fleet's cards), never a pass.
"""

from __future__ import annotations

from hwcheck.status import worst_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Nic
    from hwcheck.model.result import Finding, Result

UNJUDGED = "unjudged"
"""The status of a card (or of its firmware) that no rule judged."""


class CardFacts:
    """One card: its key (`0000:3b:00`, `usb:1-14.3`), IDs (a USB NIC's idVendor and
    idProduct as vendor and device), ports, the worst status of
    its firmware findings and of all its findings (UNJUDGED where there are none)."""

    __slots__ = (
        "device_id",
        "firmware_status",
        "key",
        "ports",
        "status",
        "subsystem_device_id",
        "subsystem_vendor_id",
        "vendor_id",
    )

    def __init__(
        self,
        key: str,
        ids: tuple[str | None, str | None, str | None, str | None],
        ports: list[Nic],
        findings: list[Finding],
    ) -> None:
        self.key = key
        self.vendor_id, self.device_id, self.subsystem_vendor_id, self.subsystem_device_id = ids
        self.ports = ports
        firmware = [f["status"] for f in findings if f.get("fact") == "firmware_version"]
        self.firmware_status = worst_status(firmware) or UNJUDGED
        self.status = worst_status(f["status"] for f in findings) or UNJUDGED

    def drivers(self) -> list[str | None]:
        """The drivers its ports report, each once, in port order (None: not read)."""
        return list(dict.fromkeys(nic["driver"] for nic in self.ports))


def card_facts(result: Result) -> list[CardFacts]:
    """The node's cards in the inventory's order, without VF-only cards (their VFs follow
    their PF, and a node may carry hundreds). A result kept without its inventory gives the
    cards its findings name, without ports."""
    by_card: dict[str, list[Finding]] = {}
    for finding in result["findings"]:
        if finding["subject"]["kind"] == "card":
            by_card.setdefault(finding["subject"]["id"], []).append(finding)
    inventory = result.get("inventory")
    if inventory is None:
        cards = []
        for key, findings in by_card.items():
            identity = findings[0]["subject"].get("identity")
            ids = (
                (None, None, None, None)
                if identity is None
                else (
                    identity["vendor_id"],
                    identity["device_id"],
                    identity["subsystem_vendor_id"],
                    identity["subsystem_device_id"],
                )
            )
            cards.append(CardFacts(key, ids, [], findings))
        return cards
    by_name = {nic["name"]: nic for nic in inventory["nics"]}
    cards = []
    for card in inventory["cards"]:
        if card.get("vf_only"):
            continue
        usb = card.get("usb")
        ids = (
            (usb["vendor_id"], usb["product_id"], None, None)
            if usb is not None
            else (
                card["vendor_id"],
                card["device_id"],
                card["subsystem_vendor_id"],
                card["subsystem_device_id"],
            )
        )
        ports = [by_name[port] for port in card["ports"] if port in by_name]
        cards.append(CardFacts(card["card"], ids, ports, by_card.get(card["card"], [])))
    return cards


def judged_unix(result: Result) -> int | None:
    """When the node was judged (its `judged_at`, RFC 3339 UTC as the judge writes it) in
    Unix time; None where it cannot be read."""
    from datetime import UTC, datetime

    try:
        when = datetime.strptime(result["judged_at"], "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return int(when.replace(tzinfo=UTC).timestamp())
