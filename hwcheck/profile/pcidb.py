"""`profile lint`'s look at a profile's PCI IDs in pci.ids: what silently drops a check.

A device ID that looks right but is not the card's (`15b3:101b`, a ConnectX-6, for
`15b3:101d`, a ConnectX-6 Dx) loads cleanly, and the rule then never applies to the card it
was written for: the node passes by having nothing judged. Two warnings catch it:

- a `vendor:device` in a `devices` list (a rule's selector, `applies_to`) that pci.ids does
  not know, with the nearest IDs it knows for that vendor and their names (nearest: fewest
  hex digits differing, then the smallest difference);
- a rule whose title names a model (a name pci.ids gives one of the vendor's devices:
  `ConnectX-6 Dx`, `X710`) that none of the rule's own devices has in its pci.ids name.

Only the `vendor:device` part of a subsystem ID is looked up: pci.ids lists only some of
the subsystems cards ship with, so a missing one says nothing. USB IDs are not PCI IDs and
are not looked up. A device newer than the pci.ids installed here is named, with its
published name, in the profile's `device_names`, and is then not taken for a typo. The
database is the machine's pci.ids, passed in as a `DeviceTable`
(hwcheck.probe.pciids.PciIds is one); without one there is nothing to check against.
Positions are read from the profile's YAML tree, so every warning names file:line:column.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class DeviceTable(Protocol):
        def vendor_devices(self, vendor: str) -> tuple[str, list[tuple[str, str]]] | None: ...


NEAREST = 3
_ID = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})(:[0-9a-fA-F]{4}:[0-9a-fA-F]{4})?$")
# A model token in a pci.ids name: letters and digits together (X710, XXV710, E810-C,
# BCM57414, MT27800), or the bracketed marketing name (`[ConnectX-6 Dx]`).
_TOKEN = re.compile(r"[A-Za-z]*\d[A-Za-z\d]*(?:-[A-Za-z\d]+)*")
_BRACKET = re.compile(r"\[([^\]]+)\]")
_MIN_TOKEN = 4


class _Scalar:
    __slots__ = ("column", "line", "text")

    def __init__(self, node: tuple[object, ...]) -> None:
        self.text = str(node[1])
        self.line = int(node[2])  # type: ignore[call-overload]
        self.column = int(node[3])  # type: ignore[call-overload]


def _devices_in(node: tuple[object, ...]) -> list[_Scalar]:
    """Every scalar of every `devices:` list anywhere under `node`."""
    found: list[_Scalar] = []
    if node[0] == "m":
        for key, value in node[1]:  # type: ignore[attr-defined]
            if key[1] == "devices" and value[0] == "q":
                found.extend(_Scalar(item) for item in value[1] if item[0] == "s")
            else:
                found.extend(_devices_in(value))
    elif node[0] == "q":
        for item in node[1]:  # type: ignore[attr-defined]
            found.extend(_devices_in(item))
    return found


def _get(node: tuple[object, ...], name: str) -> tuple[object, ...] | None:
    if node[0] != "m":
        return None
    for key, value in node[1]:  # type: ignore[attr-defined]
        if key[1] == name:
            return value  # type: ignore[no-any-return]
    return None


def _differing(a: str, b: str) -> tuple[int, int]:
    return sum(x != y for x, y in zip(a, b, strict=True)), abs(int(a, 16) - int(b, 16))


class _Vendors:
    """pci.ids answers for the vendors a profile names, each asked once."""

    __slots__ = ("_seen", "table")

    def __init__(self, table: DeviceTable) -> None:
        self.table = table
        self._seen: dict[str, tuple[str, dict[str, str]] | None] = {}

    def get(self, vendor: str) -> tuple[str, dict[str, str]] | None:
        if vendor not in self._seen:
            answer = self.table.vendor_devices(vendor)
            self._seen[vendor] = None if answer is None else (answer[0], dict(answer[1]))
        return self._seen[vendor]


def _absent(
    scalar: _Scalar, path: str, vendors: _Vendors, declared: dict[str, str]
) -> tuple[str, str, str]:
    """(vendor, device, warning): the warning is empty when pci.ids knows the ID, and all
    three are for an ID that is not a PCI ID (a USB ID, or a value loading refuses)."""
    match = _ID.match(scalar.text)
    if match is None:
        return "", "", ""
    vendor, device = match.group(1).lower(), match.group(2).lower()
    where = f"{path}:{scalar.line}:{scalar.column}"
    known = vendors.get(vendor)
    if f"{vendor}:{device}" in declared and (known is None or device not in known[1]):
        return vendor, device, ""
    if known is None:
        return vendor, device, f"{where}: PCI vendor {vendor} (in {scalar.text}) is not in pci.ids"
    name, devices = known
    if device in devices:
        return vendor, device, ""
    nearest = sorted(devices, key=lambda d: (*_differing(d, device), d))[:NEAREST]
    shown = ", ".join(f"{vendor}:{d} ({devices[d]})" for d in nearest)
    hint = f"nearest: {shown}" if shown else f"it lists no devices of {vendor} ({name})"
    return vendor, device, f"{where}: device {vendor}:{device} is not in pci.ids; {hint}"


def _model_names(names: list[str]) -> set[str]:
    """The model names pci.ids device names carry: bracketed names (each part of one with a
    slash) and tokens of letters and digits at least four long."""
    models: set[str] = set()
    for name in names:
        for inside in _BRACKET.findall(name):
            models.update(part.strip() for part in inside.split("/") if part.strip())
        models.update(t for t in _TOKEN.findall(name) if len(t) >= _MIN_TOKEN)
    return models


def _named(text: str, model: str) -> list[tuple[int, int]]:
    pattern = r"(?<![\w-])" + re.escape(model) + r"(?![\w-])"
    return [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]


def _mentions(title: str, models: set[str]) -> list[str]:
    """The models `title` names, each as a whole word, longest first where one is within
    another (`ConnectX-6 Dx`, not also `ConnectX-6`)."""
    spans = [(span, model) for model in models for span in _named(title, model)]
    kept = []
    for (start, end), model in spans:
        inside = any(s <= start and end <= e and (s, e) != (start, end) for (s, e), _ in spans)
        if not inside:
            kept.append(model)
    return sorted(set(kept), key=lambda m: title.lower().find(m.lower()))


def _title_problem(
    rule: tuple[object, ...], path: str, ids: list[tuple[str, str]], vendors: _Vendors
) -> str | None:
    title_node = _get(rule, "title")
    if title_node is None or title_node[0] != "s" or not ids:
        return None
    title = _Scalar(title_node)
    names: list[tuple[str, str]] = []  # (id, pci.ids name) of the rule's devices
    catalogue: dict[str, list[str]] = {}  # a model name -> the vendor's IDs whose name has it
    for vendor, device in ids:
        known = vendors.get(vendor)
        if known is None or device not in known[1]:
            return None  # said already; a name cannot be compared with nothing
        names.append((f"{vendor}:{device}", known[1][device]))
        for other, other_name in known[1].items():
            for model in _model_names([other_name]):
                catalogue.setdefault(model, []).append(f"{vendor}:{other}")
    for model in _mentions(title.text, set(catalogue)):
        if any(_named(name, model) for _id, name in names):
            continue
        rule_id = _get(rule, "id")
        label = f"rule {rule_id[1]}" if rule_id is not None and rule_id[0] == "s" else "a rule"
        have = "; ".join(f"{i} is {n}" for i, n in names)
        others = ", ".join(catalogue[model][:NEAREST])
        return (
            f"{path}:{title.line}:{title.column}: {label}'s title names {model}, but pci.ids "
            f"names its devices otherwise ({have}); {model} is {others}"
        )
    return None


def _declared(tree: tuple[object, ...]) -> dict[str, str]:
    """The profile's `device_names`: PCI ID (lower case) -> its published name."""
    names: dict[str, str] = {}
    listed = _get(tree, "device_names")
    for entry in listed[1] if listed is not None and listed[0] == "q" else ():  # type: ignore[attr-defined]
        ident, name = _get(entry, "id"), _get(entry, "name")
        if ident is not None and name is not None and ident[0] == name[0] == "s":
            names[str(ident[1]).lower()] = str(name[1])
    return names


def pci_problems(tree: tuple[object, ...], path: str, table: DeviceTable) -> list[str]:
    """The warnings for the profile whose YAML tree is `tree` (see the module's docstring).
    A device the profile names in `device_names` and pci.ids does not list is no typo: the
    pci.ids here is older than the device."""
    vendors = _Vendors(table)
    declared = _declared(tree)
    out: list[str] = []
    applies = _get(tree, "applies_to")
    for scalar in _devices_in(applies) if applies is not None else []:
        text = _absent(scalar, path, vendors, declared)[2]
        if text:
            out.append(text)
    rules = _get(tree, "rules")
    for rule in rules[1] if rules is not None and rules[0] == "q" else ():  # type: ignore[attr-defined]
        ids: list[tuple[str, str]] = []
        for scalar in _devices_in(rule):
            vendor, device, text = _absent(scalar, path, vendors, declared)
            if text:
                out.append(text)
            if vendor:
                ids.append((vendor, device))
        problem = _title_problem(rule, path, ids, vendors)
        if problem is not None:
            out.append(problem)
    return out
