"""Waiver files: read and checked here, outside the judge, which only applies them.

A malformed waiver file is an error (exit 2, file:line:column), never an empty list. Scope
values that are hex (PCI and USB IDs, PCI addresses) are lowercased, the inventory's
spelling. Applying waivers to findings is hwcheck.judge.waivers'.
"""

from __future__ import annotations


class WaiverEntry:
    """One waiver. `ticket` and `links` are metadata: the judge copies them into the
    finding's waiver record for the reports, and nothing decides on them."""

    __slots__ = (
        "expires",
        "justification",
        "links",
        "owner",
        "rule_id",
        "scope",
        "ticket",
        "where",
    )

    def __init__(
        self,
        *,
        rule_id: str,
        scope: dict[str, str],
        justification: str,
        expires: str,
        owner: str | None,
        where: str,
        ticket: str | None = None,
        links: tuple[str, ...] = (),
    ) -> None:
        self.rule_id = rule_id
        self.scope = scope
        self.justification = justification
        self.expires = expires
        self.owner = owner
        self.where = where
        self.ticket = ticket
        self.links = links


def load_waivers(path: str) -> list[WaiverEntry]:
    """Read and validate a waiver file; ProfileError (exit 2) on anything wrong."""
    from hwcheck.profile.cache import load_tree
    from hwcheck.profile.fields import WAIVERS

    doc = WAIVERS.convert(load_tree(path, pipe_ok=True), path)
    entries = []
    items = doc["waivers"]  # type: ignore[index]
    for i, item in enumerate(items):
        line, _column = items.marks[i]
        entries.append(
            WaiverEntry(
                rule_id=str(item["rule"]),
                scope={str(k): _normalised(str(k), str(v)) for k, v in item["scope"].items()},
                justification=str(item["justification"]),
                expires=str(item["expires"]),
                owner=None if item.get("owner") is None else str(item["owner"]),
                where=f"{path}:{line}",
                ticket=None if item.get("ticket") is None else str(item["ticket"]),
                links=tuple(str(link) for link in item.get("links") or ()),
            )
        )
    return entries


def _normalised(key: str, value: str) -> str:
    """A scope value in the inventory's spelling: PCI IDs (`model: 15B3:1017`) and PCI
    addresses (`card: 0000:3B:00`) are hex, which has no case, so they are lowercased."""
    import re

    from hwcheck.profile.fields import NIC_ID, PCI_ADDRESS

    if (key == "model" and re.search(NIC_ID, value)) or (
        key == "card" and re.search(PCI_ADDRESS, value)
    ):
        return value.lower()
    return value
