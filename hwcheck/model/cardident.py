"""Which functions of one PCI domain:bus:device are one card: those of one identity.

Most multi-function devices carry one vendor:device:subvendor:subdevice on every function,
but some (multi-function LOMs, adapters on mixed firmware) do not. A card is judged under
one identity, so the functions of one domain:bus:device are split by identity: when they
carry one identity the card keeps the domain:bus:device as its key (`0000:3b:00`); when
they carry several, each identity is a card of its own, keyed by the domain:bus:device and
the identity (`0000:5e:00/15b3:101d`, or the full four IDs when two identities share
vendor:device). The probe uses this to build `cards`; the judge uses it again so that an
inventory written before the split still judges each function under its own identity.

A function whose IDs could not all be read (a gap) joins the one identity its known IDs
agree with; when they agree with none, or with several, it stays an identity of its own.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Nic

    Identity = tuple[str | None, str | None, str | None, str | None]

PCI_IDENTITY_FIELDS = (
    "vendor_id",
    "device_id",
    "subsystem_vendor_id",
    "subsystem_device_id",
    "vendor_name",
    "device_name",
    "subsystem_name",
)
"""What a PCI function says it is (hwcheck.model.inventory.PciIdentity), in this order: the
four IDs, then the pci.ids names. A card carries them; so do card subjects and fleet rows."""


def identity(nic: Nic) -> Identity:
    """vendor, device, subsystem vendor, subsystem device: who a PCI function says it is."""
    return (
        nic["vendor_id"],
        nic["device_id"],
        nic["subsystem_vendor_id"],
        nic["subsystem_device_id"],
    )


def _agrees(partial: Identity, full: Identity) -> bool:
    return all(a is None or a == b for a, b in zip(partial, full))


def split_by_identity(nics: list[Nic]) -> list[tuple[Identity, list[Nic]]]:
    """`nics` (the functions of one domain:bus:device) grouped by identity, in order."""
    groups: dict[Identity, list[Nic]] = {}
    for nic in nics:
        groups.setdefault(identity(nic), []).append(nic)
    if len(groups) < 2:
        return list(groups.items())
    known = [ident for ident in groups if None not in ident]
    for ident in [i for i in groups if None in i]:
        matches = [k for k in known if _agrees(ident, k)]
        if len(matches) == 1:
            groups[matches[0]] += groups.pop(ident)
    ordered = sorted(groups.items(), key=lambda item: min(_order(n) for n in item[1]))
    for _ident, members in ordered:
        members.sort(key=_order)
    return ordered


def _order(nic: Nic) -> tuple[str, str]:
    return (nic["pci_address"] or "", nic["name"])


def card_key(device: str, ident: Identity, identities: list[Identity]) -> str:
    """The key of the card of `ident` among the `identities` of PCI device `device`."""
    if len(identities) < 2:
        return device
    short = ident[:2]
    full = sum(1 for other in identities if other[:2] == short) > 1
    parts = ident if full else short
    return f"{device}/{':'.join(part or 'unknown' for part in parts)}"
