"""What an inventory must hold beyond its shape: the facts the judge relies on.

The shape check (hwcheck.model.documents) knows that `vendor_id` is a string; the judge also
needs it spelled the one way the profiles' selectors compare it (`15b3`, never `15B3`,
`0x15b3` or ` 15b3`), every NIC it groups into a card to find that card, and each name to
mean one thing. An inventory that breaks one of these would be judged as if compliant (a
selector that never matches, a card never judged), so it is refused, naming the JSON path:
`$.nics[2].vendor_id: '15B3' is not four lowercase hex digits`.

Card keys are compared, never parsed: a card may be a PCI domain:bus:device (`0000:3b:00`)
or any other key the probe gives a card of its own.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from hwcheck.model.inventory import Card, Inventory, Nic

_HEX = frozenset("0123456789abcdef")
# The PCI identity of NICs and cards; other identity fields a later schema adds are held to
# the same spelling when their name says they are IDs of this kind (`usb_vendor_id`, ...).
_ID_FIELDS = ("vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id")
_ID_SUFFIXES = ("_vendor_id", "_device_id", "_product_id")
_MEMBERS = ("physical", "vf")  # the NIC kinds the judge groups into cards


def inventory_problem(inventory: Inventory, path: str = "$") -> str | None:
    """None when `inventory` (already of the right shape) holds every invariant the judge
    relies on, else the first broken one, with its JSON path."""
    return (
        _ids_problem(inventory, path)
        or _unique_problem(inventory, path)
        or _membership_problem(inventory, path)
    )


_ID_KEYS: dict[str, bool] = {}
"""Key -> whether it may hold a PCI or USB ID (a memo of the suffix test)."""
_PLAIN_KEYS: set[str] = set(_ID_FIELDS)
"""The PCI identity fields and the keys seen to hold no ID: a record whose keys are all here
has its IDs in the four identity fields alone (the usual case, told by one subset test)."""
_GOOD_IDS: set[str] = set()
"""IDs seen spelled right (four lowercase hex digits: at most 65,536 of them)."""


def _id_fields(record: Nic | Card) -> list[str]:
    fields = []
    for key in record:
        maybe = _ID_KEYS.get(key)
        if maybe is None:
            maybe = _ID_KEYS[key] = key in _ID_FIELDS or key.endswith(_ID_SUFFIXES)
            if not maybe:
                _PLAIN_KEYS.add(key)
        if maybe and (key in _ID_FIELDS or isinstance(record[key], str)):  # type: ignore[literal-required]
            fields.append(key)
    return fields


def _ids_fine(record: Nic | Card) -> bool:
    """True when the record's IDs are all spelled right, told quickly; False when that needs
    the full look (a key of a kind not seen yet, or an ID not seen spelled right)."""
    if not record.keys() <= _PLAIN_KEYS:
        return False
    for key in _ID_FIELDS:
        value = record.get(key)
        if value is not None and value not in _GOOD_IDS:
            if not (len(value) == 4 and _HEX.issuperset(value)):  # type: ignore[arg-type]
                return False
            _GOOD_IDS.add(value)  # type: ignore[arg-type]
    return True


def _ids_problem(inventory: Inventory, path: str) -> str | None:
    sections: tuple[tuple[str, Sequence[Nic | Card]], ...] = (
        ("nics", inventory["nics"]),
        ("cards", inventory["cards"]),
    )
    for section, records in sections:
        for index, record in enumerate(records):
            if _ids_fine(record):
                continue
            for key in _id_fields(record):
                value = record[key]  # type: ignore[literal-required]
                if value is not None and not (len(value) == 4 and _HEX.issuperset(value)):
                    where = f"{path}.{section}[{index}].{key}"
                    return f"{where}: {value!r} is not four lowercase hex digits"
    return None


def _first_repeat(names: list[str], where: str, label: str) -> str | None:
    """`where` is a format string taking the index of an entry."""
    if len(set(names)) == len(names):
        return None
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in first:
            earlier = where.format(first[name])
            return f"{where.format(index)}: {label} {name!r} is listed twice (also at {earlier})"
        first[name] = index
    return None


def _unique_problem(inventory: Inventory, path: str) -> str | None:
    # Module rules compare names with `-` read as `_` (the kernel's own equivalence).
    modules = [m["name"].replace("-", "_") for m in inventory["modules"]]
    lists = [
        ([n["name"] for n in inventory["nics"]], f"{path}.nics[{{}}].name", "NIC"),
        ([c["card"] for c in inventory["cards"]], f"{path}.cards[{{}}].card", "card"),
        (modules, f"{path}.modules[{{}}].name", "module"),
    ]
    for index, card in enumerate(inventory["cards"]):
        lists.append((card["ports"], f"{path}.cards[{index}].ports[{{}}]", "port"))
        lists.append((card["functions"], f"{path}.cards[{index}].functions[{{}}]", "function"))
    for names, where, label in lists:
        problem = _first_repeat(names, where, label)
        if problem:
            return problem
    return None


def _membership_problem(inventory: Inventory, path: str) -> str | None:
    """Every member NIC names a card that exists and lists it, and every port of a card is a
    NIC that names it back; a card is `vf_only` exactly when no physical NIC is on it."""
    # sets, so that a hostile inventory of many ports costs no more than a real one
    cards = {
        card["card"]: (card, set(card["ports"]), set(card["functions"]))
        for card in inventory["cards"]
    }
    for index, nic in enumerate(inventory["nics"]):
        entry = cards.get(nic["card"] or "")
        if _nic_fine(nic, entry):
            continue
        problem = next(_nic_problems(nic, entry, f"{path}.nics[{index}]", path), None)
        if problem:
            return problem
    nics = {nic["name"]: nic for nic in inventory["nics"]}
    kinds: dict[str | None, set[str]] = {}
    for nic in inventory["nics"]:
        kinds.setdefault(nic["card"], set()).add(nic["kind"])
    for index, card in enumerate(inventory["cards"]):
        card_kinds = kinds.get(card["card"], set())
        if _card_fine(card, nics, card_kinds):
            continue
        where = f"{path}.cards[{index}]"
        problem = next(_card_problems(card, nics, card_kinds, where), None)
        if problem:
            return problem
    return None


def _card_fine(card: Card, nics: dict[str, Nic], kinds: set[str]) -> bool:
    """Whether _card_problems finds nothing, told without building its sentences."""
    key = card["card"]
    for name in card["ports"]:
        port = nics.get(name)
        if port is None or port["card"] != key:
            return False
    if card.get("vf_only", False):
        return "vf" in kinds and "physical" not in kinds
    return "physical" in kinds


def _card_problems(card: Card, nics: dict[str, Nic], kinds: set[str], where: str) -> Iterator[str]:
    """`kinds`: the kinds of the NICs that name this card."""
    key = card["card"]
    for index, name in enumerate(card["ports"]):
        port = nics.get(name)
        if port is None:
            yield f"{where}.ports[{index}]: {name!r} is not a NIC of this inventory"
        elif port["card"] != key:
            yield (
                f"{where}.ports[{index}]: NIC {name!r} belongs to card {port['card']!r}, "
                f"not {key!r}"
            )
    vf_only = card.get("vf_only", False)
    if not kinds & set(_MEMBERS):
        yield f"{where}: no NIC belongs to card {key!r}"
    elif vf_only and "physical" in kinds:
        yield f"{where}.vf_only: card {key!r} has a physical function"
    elif not vf_only and "physical" not in kinds:
        yield f"{where}: card {key!r} has no physical function, so it must be marked vf_only"


def _nic_problems(
    nic: Nic, card: tuple[Card, set[str], set[str]] | None, where: str, path: str
) -> Iterator[str]:
    """`card`: the card `nic` names, with its ports and functions as sets (None if none)."""
    name, key, kind, address = nic["name"], nic["card"], nic["kind"], nic["pci_address"]
    if key is None:
        if kind in _MEMBERS and address is not None:
            yield f"{where}.card: {kind} NIC {name!r} at {address} belongs to no card"
        return
    if card is None:
        yield f"{where}.card: NIC {name!r} names card {key!r}, which is not in {path}.cards"
        return
    if kind not in _MEMBERS:
        yield f"{where}.card: {kind} NIC {name!r} cannot belong to a card"
    record, ports, functions = card
    # A VF sharing its PF's domain:bus:device is no port of that card (it is judged through
    # the PF); every other member is one of the card's ports.
    port = kind == "physical" or record.get("vf_only", False)
    if port and name not in ports:
        yield f"{where}.card: NIC {name!r} is not among the ports of card {key!r}"
    if not port and name in ports:
        yield f"{where}.card: VF {name!r} is listed as a port of card {key!r}, which has a PF"
    if port and address is not None and address not in functions:
        yield f"{where}.pci_address: {address} is not among the functions of card {key!r}"


def _nic_fine(nic: Nic, card: tuple[Card, set[str], set[str]] | None) -> bool:
    """Whether _nic_problems finds nothing, told without building its sentences."""
    kind, address = nic["kind"], nic["pci_address"]
    if nic["card"] is None:
        return kind not in _MEMBERS or address is None
    if card is None or kind not in _MEMBERS:
        return False
    record, ports, functions = card
    if kind == "physical" or record.get("vf_only", False):
        return nic["name"] in ports and (address is None or address in functions)
    return nic["name"] not in ports
