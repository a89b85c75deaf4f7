"""Waivers: accepted exceptions to rules, each justified, scoped and expiring.

A waiver names a rule ID and a scope (node, serial, model, card: every key given must
match). It turns a `fail`, `warn` or `unknown` finding into `waived` (hwcheck.status) until
its expiry date (inclusive, compared with the `today` the caller passes in: the judge reads
no clock). An expired waiver waives nothing and says so; a waiver that matched nothing is
noted. Waiver files are read by hwcheck.profile.waivers, outside the pure judge.
"""

from __future__ import annotations

from hwcheck.status import WAIVABLE, waived_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory
    from hwcheck.model.result import Finding, Waiver
    from hwcheck.profile.waivers import WaiverEntry


def _scope_matches(scope: dict[str, str], finding: Finding, inventory: Inventory) -> bool:
    subject = finding["subject"]
    for key, wanted in scope.items():
        if key == "node":
            ok = inventory["host"]["hostname"] == wanted
        elif key == "serial":
            ok = inventory["system"]["product_serial"] == wanted
        elif key == "card":
            ok = subject["kind"] == "card" and subject["id"] == wanted
        else:  # model: a PCI or USB ID, or a name within the card's label
            ok = subject["kind"] == "card" and _model_matches(wanted, subject["id"], inventory)
        if not ok:
            return False
    return True


def _model_matches(wanted: str, card_id: str, inventory: Inventory) -> bool:
    for card in inventory["cards"]:
        if card["card"] != card_id:
            continue
        usb = card.get("usb")
        if usb is not None:  # a USB NIC: its USB ID and its own descriptor strings
            ids = full = f"usb:{usb['vendor_id']}:{usb['product_id']}"
            names = " ".join(n for n in (usb["manufacturer"], usb["product"]) if n)
        else:
            ids = f"{card['vendor_id']}:{card['device_id']}"
            full = f"{ids}:{card['subsystem_vendor_id']}:{card['subsystem_device_id']}"
            names = " ".join(n for n in (card["device_name"], card["subsystem_name"]) if n)
        # PCI IDs are hex: 15B3:1017 is 15b3:1017 (load_waivers lowercases them already).
        wanted = wanted.lower()
        return wanted in (ids.lower(), full.lower()) or wanted in names.lower()
    return False


def apply_waivers(
    findings: list[Finding], entries: list[WaiverEntry], inventory: Inventory, today: str
) -> list[str]:
    """Mark waived findings in place; return notes on expired and unused waivers."""
    notes: list[str] = []
    used: set[int] = set()
    for finding in findings:
        if finding["status"] not in WAIVABLE:
            continue
        for index, entry in enumerate(entries):
            if entry.rule_id != finding["rule_id"] or not _scope_matches(
                entry.scope, finding, inventory
            ):
                continue
            used.add(index)
            expired = entry.expires < today
            record: Waiver = {
                "rule_id": entry.rule_id,
                "justification": entry.justification,
                "expires": entry.expires,
                "scope": dict(entry.scope),
                "expired": expired,
                "where": entry.where,
                "judged_status": finding["status"],  # type: ignore[typeddict-item]
            }
            if entry.ticket is not None:  # metadata for the reports: it decides nothing
                record["ticket"] = entry.ticket
            if entry.links:
                record["links"] = list(entry.links)
            finding["waiver"] = record
            if expired:
                notes.append(
                    f"waiver for {entry.rule_id} ({entry.where}) expired on {entry.expires}; "
                    f"it no longer waives: {finding['subject']['label']} stays {finding['status']}"
                )
                continue
            finding["message"] += f" Waived until {entry.expires}: {entry.justification}"
            finding["status"] = waived_status(finding["status"], expired=expired)  # type: ignore[typeddict-item]
            break
    for index, entry in enumerate(entries):
        if index not in used:
            notes.append(f"waiver for {entry.rule_id} ({entry.where}) matched no finding")
    return notes
