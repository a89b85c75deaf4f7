"""The HTML report's view: a Result reshaped into what the template shows, in display order.

Plain data only (dicts, lists, strings); no markup here. Escaping is the template's job
(jinja2 with autoescape). Everything the template writes passes through `visible_text()`
first (hwcheck.render.html sets it as jinja2's `finalize`): a character that would print as
nothing or move the text (NUL, ESC and the other C0 and C1 controls, DEL, bidirectional
overrides, zero-width characters) is shown as its escape, `\\x1b`, as the terminal summary
shows it.
"""

from __future__ import annotations

from hwcheck.model.summary import result_node
from hwcheck.render.order import (
    card_findings,
    counts_by_status,
    format_speed,
    nic_findings,
    safe_url,
    sorted_findings,
)
from hwcheck.render.waivers import waiver_links
from hwcheck.render.words import (
    NO_INVENTORY,
    NOT_CHECKED,
    STATUS_HEADINGS,
    VERDICT_EXPLAINED,
    VERIFICATION_EXPLAINED,
    VERIFICATION_HEADINGS,
    count_of,
    status_word,
    verdict_word,
)
from hwcheck.status import STATUS_ORDER, worst_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hwcheck.model.inventory import Card, Inventory, Nic
    from hwcheck.model.result import Finding, NodeSummary, Result

    View = dict[str, Any]


def _ids(vendor: str | None, device: str | None) -> str | None:
    if vendor is None and device is None:
        return None
    return f"{vendor or '????'}:{device or '????'}"


def _gap_index(inventory: Inventory) -> dict[str, str]:
    return {gap["what"]: f"{gap['reason']}: {gap['detail']}" for gap in inventory["gaps"]}


def _fact(value: object, what: str, gaps: dict[str, str]) -> View:
    """A fact for the identity table: its value, or why it is missing."""
    if value is None or value == "":
        return {"value": None, "missing": gaps.get(what, "not reported")}
    return {"value": str(value), "missing": None}


def _identity(inventory: Inventory) -> list[tuple[str, View]]:
    gaps = _gap_index(inventory)
    system = inventory["system"]
    kernel = inventory["kernel"]
    rows = [("Hostname", _fact(inventory["host"]["hostname"], "host.hostname", gaps))]
    if system["present"]:
        product = " ".join(p for p in (system["sys_vendor"], system["product_name"]) if p)
        bios = " ".join(
            p for p in (system["bios_vendor"], system["bios_version"], system["bios_date"]) if p
        )
        board = " ".join(
            p for p in (system["board_vendor"], system["board_name"], system["board_version"]) if p
        )
        rows += [
            ("System", _fact(product, "system.product_name", gaps)),
            ("Serial", _fact(system["product_serial"], "system.product_serial", gaps)),
            ("BIOS", _fact(bios, "system.bios_version", gaps)),
            ("Board", _fact(board, "system.board_name", gaps)),
        ]
    else:
        rows.append(("System", {"value": None, "missing": "no DMI on this node"}))
    release = " ".join(p for p in (kernel["release"], kernel["arch"]) if p)
    taint = kernel["taint_flags"]
    if taint:
        release += f" (tainted: {''.join(taint)})"
    rows += [
        ("Kernel", _fact(release, "kernel.release", gaps)),
        ("OS", _fact(inventory["os"]["pretty_name"], "os.pretty_name", gaps)),
    ]
    source = inventory["source"]
    where = "this node (live)" if source["kind"] == "live" else f"capture {source['root']}"
    rows.append(("Probed", {"value": f"{where} at {inventory['collected_at']}", "missing": None}))
    return rows


def _node_identity(node: NodeSummary) -> list[tuple[str, View]]:
    """The identity table of a result kept without its inventory: what its `node` says."""
    product = " ".join(p for p in (node["system_vendor"], node["system_model"]) if p)
    rows = [
        ("Hostname", _fact(node["hostname"], "", {})),
        ("System", _fact(product, "", {})),
        ("Serial", _fact(node["serial"], "", {})),
        ("UUID", _fact(node["product_uuid"], "", {})),
    ]
    if node["collected_at"]:
        rows.append(("Probed", {"value": f"at {node['collected_at']}", "missing": None}))
    rows.append(("Inventory", {"value": None, "missing": NO_INVENTORY}))
    return rows


def _parsed_firmware(findings: list[Finding]) -> dict[str, list[tuple[str, str]]]:
    """raw firmware string -> its parsed components, as the judge reported them."""
    parsed: dict[str, list[tuple[str, str]]] = {}
    for finding in findings:
        observed = finding["observed"]
        raw = observed["raw"]
        if raw is not None and observed["parsed"] and raw not in parsed:
            parsed[raw] = sorted(observed["parsed"].items())
    return parsed


def _values_by_port(ports: list[Nic], field: str) -> list[View]:
    """The distinct values of `field` across ports, each with the ports that report it."""
    groups: dict[str | None, list[str]] = {}
    for nic in ports:
        value = nic[field]  # type: ignore[literal-required]
        groups.setdefault(value, []).append(nic["name"])
    single = len(groups) == 1
    return [{"value": value, "ports": [] if single else names} for value, names in groups.items()]


def _mac(nic: Nic) -> str | None:
    """The permanent MAC when the driver reports a real one (VFs and bridges report zeros)."""
    permanent = nic["permanent_mac_address"]
    if permanent and permanent.strip("0:"):
        return permanent
    return nic["mac_address"]


def _port(nic: Nic) -> View:
    speed = format_speed(nic["speed_mbps"])
    link = nic["operstate"] or "unknown"
    if speed:
        link += f" {speed}"
    return {
        "name": nic["name"],
        "pci_address": nic["pci_address"],
        "mac": _mac(nic),
        "link": link,
        "up": nic["operstate"] == "up",
        "alias": nic["ifalias"],
        "kind": nic["kind"],
        "link_type": nic["link_type"],
    }


def _firmware_cells(ports: list[Nic], parsed: dict[str, list[tuple[str, str]]]) -> list[View]:
    cells = []
    for item in _values_by_port(ports, "firmware_version"):
        raw = item["value"]
        truncated = any(
            n["firmware_version_truncated"] for n in ports if n["name"] in item["ports"]
        )
        cells.append(
            {
                "raw": raw,
                "ports": item["ports"],
                "parsed": parsed.get(raw, []) if raw is not None else [],
                "padded": raw is not None and raw != raw.strip(),
                "truncated": truncated,
            }
        )
    return cells


def _status_view(findings: list[Finding]) -> View:
    status = worst_status(f["status"] for f in findings)
    if status is None:
        return {"status": "none", "word": NOT_CHECKED, "count": 0}
    return {"status": status, "word": status_word(status), "count": len(findings)}


def _card_row(result: Result, card: Card, by_name: dict[str, Nic]) -> View:
    ports = [by_name[name] for name in card["ports"] if name in by_name]
    findings = card_findings(result, card)
    row: View = {
        "card": card["card"],
        "vendor": card["vendor_name"],
        "model": card["device_name"],
        "subsystem": card["subsystem_name"],
        "ids": _ids(card["vendor_id"], card["device_id"]),
        "subsystem_ids": _ids(card["subsystem_vendor_id"], card["subsystem_device_id"]),
        "ports": [_port(n) for n in ports],
        "drivers": _driver_cells(ports),
        "firmware": _firmware_cells(ports, _parsed_firmware(findings)),
        "kind": None,
        **_status_view(findings),
    }
    usb = card.get("usb")
    if usb is not None:
        ids = _ids(usb["vendor_id"], usb["product_id"])
        row.update(vendor=usb["manufacturer"], model=usb["product"], ids=ids and f"usb:{ids}")
        row["kind"] = "USB NIC" + (f", serial {usb['serial']}" if usb["serial"] else "")
    elif card.get("mixed_identity"):
        row["kind"] = f"one of several identities on PCI device {card.get('pci_device')}"
    return row


def _driver_cells(ports: list[Nic]) -> list[View]:
    cells: dict[tuple[str | None, str | None], list[str]] = {}
    for nic in ports:
        cells.setdefault((nic["driver"], nic["driver_version"]), []).append(nic["name"])
    single = len(cells) == 1
    return [
        {"driver": driver, "version": version, "ports": [] if single else names}
        for (driver, version), names in cells.items()
    ]


def _other_row(result: Result, nic: Nic) -> View:
    findings = nic_findings(result, nic["name"], nic["pci_address"])
    kind = nic["link_type"] or nic["kind"]
    if nic["kind"] == "vf":
        kind = f"SR-IOV VF of {nic['physfn']}" if nic["physfn"] else "SR-IOV VF"
    return {
        "card": nic["pci_address"],
        "vendor": nic["vendor_name"],
        "model": nic["device_name"] or kind,
        "subsystem": nic["subsystem_name"],
        "ids": _ids(nic["vendor_id"], nic["device_id"]),
        "subsystem_ids": _ids(nic["subsystem_vendor_id"], nic["subsystem_device_id"]),
        "ports": [_port(nic)],
        "drivers": _driver_cells([nic]),
        "firmware": _firmware_cells([nic], _parsed_firmware(findings)),
        "kind": kind if nic["device_name"] else None,
        **_status_view(findings),
    }


def _finding(finding: Finding) -> View:
    observed = finding["observed"]
    raw = observed["raw"]
    advisory = finding["advisory"]
    return {
        **finding,
        "word": status_word(finding["status"]),
        "raw": raw,
        "padded": raw is not None and raw != raw.strip(),
        "parsed": sorted((observed["parsed"] or {}).items()),
        "source": observed["source"],
        "advisory_href": safe_url(advisory),
        "advisory_text": advisory,
        "waiver_links": waiver_links(finding["waiver"]) if finding["waiver"] else [],
    }


def _groups(result: Result) -> list[View]:
    by_status: dict[str, list[View]] = {status: [] for status in STATUS_ORDER}
    for finding in sorted_findings(result["findings"]):
        by_status.setdefault(finding["status"], []).append(_finding(finding))
    return [
        {
            "status": status,
            "heading": STATUS_HEADINGS.get(status, status),
            "word": status_word(status),
            "findings": items,
        }
        for status, items in by_status.items()
        if items
    ]


def _inventory_nic(nic: Nic) -> View:
    sources = nic["sources"]
    rows = [
        (key, value, sources.get(key))
        for key, value in sorted(nic.items())
        if key not in ("sources", "name")
    ]
    return {"name": nic["name"], "rows": rows}


def _verification(result: Result) -> View | None:
    """What `hwcheck report` found when judging the result again; None for `check`'s own."""
    verification = result.get("verification")
    if verification is None:
        return None
    status = verification["status"]
    return {
        **verification,
        "heading": VERIFICATION_HEADINGS[status],
        "text": VERIFICATION_EXPLAINED[status],
    }


def build_view(result: Result) -> View:
    """What the report shows of `result`. A result kept without its inventory
    (`inventory_embedded` false) has no cards, interfaces, gaps or inventory to show: its
    node table is what its `node` says, and `gaps` is None (not known, never "none")."""
    if "inventory" not in result:
        return _view_without_inventory(result)
    inventory = result["inventory"]
    by_name = {nic["name"]: nic for nic in inventory["nics"]}
    # A card made only of VFs gets no row of its own: its VFs are listed with the other
    # interfaces, each naming its PF, and each shows the findings about that card.
    cards = [card for card in inventory["cards"] if not card.get("vf_only")]
    in_cards = {name for card in cards for name in card["ports"]}
    return {
        **_head(result),
        "identity": _identity(inventory),
        "inventory_embedded": True,
        "gaps": inventory["gaps"],
        "probed_at": inventory["collected_at"],
        "cards": [_card_row(result, card, by_name) for card in cards],
        "others": [_other_row(result, n) for n in inventory["nics"] if n["name"] not in in_cards],
        "inventory_nics": [_inventory_nic(n) for n in inventory["nics"]],
        # sorted keys: a result read back from JSON renders byte for byte the same
        "inventory_sections": [
            ("Kernel", sorted(inventory["kernel"].items())),
            ("Operating system", sorted(inventory["os"].items())),
            ("System (DMI)", sorted(inventory["system"].items())),
            ("Source", sorted(inventory["source"].items())),
        ],
    }


def _head(result: Result) -> View:
    """The verdict, verification, host and counts: what every report shows first."""
    verdict = result["verdict"]
    counts = counts_by_status(result)
    return {
        "verdict": verdict,
        "verdict_word": verdict_word(verdict),
        "verdict_explained": VERDICT_EXPLAINED.get(verdict, ""),
        "verification": _verification(result),
        "host": result_node(result)["hostname"] or "unknown host",
        "counts": [
            {
                "status": s,
                "word": status_word(s),
                "heading": STATUS_HEADINGS[s],
                "count": c,
                "noun": count_of(s, c, shown=""),  # `1 warning`, `2 warnings`
            }
            for s, c in counts.items()
        ],
        "total": sum(counts.values()),
        "groups": _groups(result),
    }


def _view_without_inventory(result: Result) -> View:
    node = result_node(result)
    return {
        **_head(result),
        "identity": _node_identity(node),
        "inventory_embedded": False,
        "no_inventory": NO_INVENTORY,
        "gaps": None,
        "probed_at": node["collected_at"],
        "cards": [],
        "others": [],
        "inventory_nics": [],
        "inventory_sections": [],
    }


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible_text(text: str) -> str:
    """`text` with every character that is not printable (str.isprintable: controls, format
    characters, separators other than the space, surrogates) written as its escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)
