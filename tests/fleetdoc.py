"""Fleet documents for the fleet page's tests, built from the real fixture inventories.

Each node of a built fleet is one of tests/fixtures/inventories/*.json (its DMI system, its
cards' PCI or USB identities and pci.ids names, its drivers and firmware strings, as
probed), renamed (hostname, serial) and given one of a few versions near the real one
(the real string, or its last number moved by a step), so the version spread has a
majority, outliers and a long tail. Which rules a node fails follows from the versions it
was given, by one table (`FIRMWARE_RULES`): the rollups, the spread and the known-bad list
are counted from the rows, so every count the page shows can be checked against the rows.

These documents are the fleet view's unit-test input: small, fast and exact, with every
section filled (drift, known bad, superseded, hostile values). `hwcheck fleet` builds the
real document (hwcheck/fleet/) by judging each inventory; the browser test renders that
(tests/fleetinputs.py writes its inputs).
"""

from __future__ import annotations

import copy
import json
import os
import re

from hwcheck.fleet.nodes import error_outcome

HERE = os.path.dirname(os.path.abspath(__file__))
INVENTORIES = os.path.join(HERE, "fixtures", "inventories")
KINDS = (
    "intel-x710-i40e",
    "mellanox-cx5-dell",
    "intel-e810-ice",
    "broadcom-bnxt-bnx2x",
    "qlogic-qede",
    "intel-ixgbe-igb-i211",
    "dell-usb-nics",
    "mellanox-mixed-function",
    "virtio-vm",
)
# version step by variant: the real string is the majority, -1 fails the minimum, +5 is
# named known bad; the others pass
STEPS = (0, 0, 0, 0, 0, 0, 0, 1, 1, -1, 2, 5, 0, 0, 1, 0, 0, 0, -1, 0)
KNOWN_BAD_STEP = 5
# a rule per card model (device ID), as the shipped profiles name them where one exists
FIRMWARE_RULES = {
    "1572": ("intel.700.nvm", "intel/700-series", "X710 NVM minimum"),
    "1592": ("intel.800.nvm", "intel/800-series", "E810 NVM minimum"),
    "1017": ("nvidia.cx5.firmware", "nvidia/connectx", "ConnectX-5 firmware minimum"),
    "101d": ("nvidia.cx6dx.firmware", "nvidia/connectx", "ConnectX-6 Dx firmware minimum"),
    "1015": ("nvidia.cx4lx.firmware", "nvidia/connectx", "ConnectX-4 Lx firmware minimum"),
    "16d7": ("broadcom.bnxt.package", "broadcom/netxtreme-e", "BCM57414 package minimum"),
}
ADVISORY = "https://docs.nvidia.com/networking/display/connectx5firmware"

HOSTILE_HOSTNAMES = (
    "<img src=x onerror=\"window.__pwned='img'\">",
    '</script><script>window.__pwned="script"</script>',
    "quote\"'`-node",
    "rtl-\u202egnp.exe-\u200bzero\u200dwidth",
    "<svg onload=\"window.__pwned='svg'\">",
)
HOSTILE_FIRMWARE = (
    '16.32.2004 (DEL0000000016)"><img src=x onerror="window.__pwned=\'fw\'">',
    "8.15 0x8000a4e8 </script><script>window.__pwned='fw2'</script>",
)


def load_inventories() -> dict[str, dict]:
    found = {}
    for kind in KINDS:
        with open(os.path.join(INVENTORIES, f"{kind}.json"), encoding="utf-8") as handle:
            found[kind] = json.load(handle)
    return found


def step_version(version: str | None, step: int) -> str | None:
    """`version` with its first dotted number's last part moved by `step` (never below 0)."""
    if not version or step == 0:
        return version
    match = re.search(r"\d+(?:\.\d+)+", version)
    if match is None:
        return version
    head, _, last = match.group().rpartition(".")
    moved = str(max(0, int(last) + step)).zfill(len(last))
    number = f"{head}.{moved}" if head else moved
    return version[: match.start()] + number + version[match.end() :]


def _identity(card: dict) -> dict:
    keys = ("vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id")
    names = ("vendor_name", "device_name", "subsystem_vendor_name", "subsystem_name")
    identity = {k: card.get(k) for k in keys + names}
    if card.get("usb"):
        identity["usb"] = copy.deepcopy(card["usb"])
    return identity


def _model_key(card: dict) -> str:
    usb = card.get("usb")
    if usb:
        return f"usb:{usb['vendor_id']}:{usb['product_id']}"
    ids = ("vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id")
    return ":".join(card.get(k) or "????" for k in ids)


def _model_label(card: dict) -> str:
    usb = card.get("usb")
    if usb:
        return usb.get("product") or _model_key(card)
    return card.get("subsystem_name") or card.get("device_name") or _model_key(card)


def _cards(inventory: dict, step: int, hostile_firmware: str | None) -> list[dict]:
    by_name = {nic["name"]: nic for nic in inventory["nics"]}
    rows = []
    for card in inventory["cards"]:
        if card.get("vf_only"):
            continue
        port = by_name[card["ports"][0]]
        firmware = step_version(port["firmware_version"], step)
        if hostile_firmware is not None and card.get("device_id") in FIRMWARE_RULES:
            firmware = hostile_firmware
        rows.append(
            {
                "card": card["card"],
                "model": _model_key(card),
                "label": _model_label(card),
                "identity": _identity(card),
                "ports": list(card["ports"]),
                "driver": port["driver"],
                "driver_version": port["driver_version"],
                "firmware_version": firmware,
                "firmware_parsed": None,
                "status": "pass",
            }
        )
    return rows


def node_row(inventory: dict, number: int, step: int = 0, **changes: object) -> dict:
    """Node `number` made from `inventory`, with its firmware moved by `step`."""
    hostname = f"{inventory['host']['hostname']}-{number:05d}.dc{number % 3 + 1}.example.net"
    system = inventory["system"]
    serial = f"{system.get('product_serial') or 'VM'}{number:05d}" if system["present"] else None
    hostile_firmware = changes.pop("hostile_firmware", None)
    cards = _cards(inventory, step, hostile_firmware)  # type: ignore[arg-type]
    failed, unknown = [], []
    for card in cards:
        rule = FIRMWARE_RULES.get(card["identity"]["device_id"] or "")
        if rule is None:
            card["status"] = "unjudged"
        elif step < 0 or step == KNOWN_BAD_STEP or hostile_firmware:
            card["status"] = "fail"
            failed.append(rule[0])
    if inventory["host"]["hostname"] == "vm" and step < 0:
        unknown.append("lab.virtio.driver-version")
    failed = sorted(set(failed))
    profiles = sorted(
        {
            FIRMWARE_RULES[c["identity"]["device_id"]][1]
            for c in cards
            if c["identity"]["device_id"] in FIRMWARE_RULES
        }
    ) or ["linux/baseline"]
    model = system.get("product_name") if system["present"] else None
    verdict = "noncompliant" if failed else ("unknown" if unknown else "compliant")
    row = {
        "node": f"{hostname}/{serial or system.get('product_uuid') or number}",
        "hostname": hostname,
        "serial": serial,
        "product_uuid": system.get("product_uuid"),
        "system_vendor": system.get("sys_vendor") if system["present"] else None,
        "system_model": model,
        "collected_at": inventory["collected_at"],
        "judged_at": "2026-11-24T14:00:00Z",
        "verdict": verdict,
        "exit_code": {"noncompliant": 1, "unknown": 3, "compliant": 0}[verdict],
        "error": None,
        "source": f"inventories/{hostname}.json",
        "profiles": profiles,
        "cohort": "",
        "failed_rules": failed,
        "warned_rules": [],
        "unknown_rules": unknown,
        "waived_rules": [],
        "links": sorted(n["name"] for n in inventory["nics"] if n["name"] != "lo"),
        "cards": cards,
        "report": f"nodes/{re.sub(r'[^A-Za-z0-9._-]', '_', hostname)}.html",
    }
    row.update(changes)
    row["cohort"] = cohort_key(row)
    return row


def error_row(number: int, reason: str) -> dict:
    """The row `hwcheck fleet` makes of an input it could not read (its own error_outcome)."""
    row = dict(error_outcome(f"inventories/broken-{number:05d}.json", reason).row)
    row["cohort"] = "unreadable"
    return row


def cohort_key(row: dict) -> str:
    if row["verdict"] == "error":
        return "unreadable"
    models = sorted({c["model"] for c in row["cards"]})
    return f"{row['system_model'] or 'no DMI'} | {', '.join(models)}"


def _cohort_label(row: dict) -> str:
    if row["verdict"] == "error":
        return "inputs that could not be read"
    labels = sorted({c["label"] for c in row["cards"]})
    return f"{row['system_model'] or 'no DMI'} with {', '.join(labels)}"


PRECEDENCE = ("noncompliant", "error", "unknown", "compliant")


def _counts(rows: list[dict], superseded: int = 0) -> dict:
    counts = dict.fromkeys(PRECEDENCE, 0)
    for row in rows:
        counts[row["verdict"]] += 1
    return {"nodes": len(rows), **counts, "superseded": superseded}


def _worst(rows: list[dict]) -> str:
    verdicts = {row["verdict"] for row in rows}
    return next((v for v in PRECEDENCE if v in verdicts), "compliant")


def _rollups(rows: list[dict], key: object, label: object) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    labels = {}
    for row in rows:
        for k in key(row):  # type: ignore[operator]
            groups.setdefault(k, []).append(row)
            labels[k] = label(row, k)  # type: ignore[operator]
    ordered = sorted(
        groups, key=lambda k: (PRECEDENCE.index(_worst(groups[k])), -len(groups[k]), k)
    )
    return [
        {"key": k, "label": labels[k], "verdict": _worst(groups[k]), "counts": _counts(groups[k])}
        for k in ordered
    ]


def _failing_rules(rows: list[dict]) -> list[dict]:
    found: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        for status, field in (("fail", "failed_rules"), ("unknown", "unknown_rules")):
            for rule in row[field]:
                found.setdefault((status, rule), []).append(row)
    titles = {rule: (profile, title) for rule, profile, title in FIRMWARE_RULES.values()}
    result = []
    for (status, rule), nodes in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        cohorts: dict[str, int] = {}
        for row in nodes:
            cohorts[row["cohort"]] = cohorts.get(row["cohort"], 0) + 1
        profile, title = titles.get(rule, ("lab/kvm-virtio", "virtio driver version"))
        result.append(
            {
                "rule_id": rule,
                "title": title,
                "profile": profile,
                "severity": "error",
                "status": status,
                "nodes": len(nodes),
                "cohorts": sorted(cohorts, key=lambda c: (-cohorts[c], c)),
                "remediation": f"Update to the {title.replace(' minimum', '')} the profile names.",
                "advisory": ADVISORY if rule.startswith("nvidia") else None,
            }
        )
    return result


RANK = ("fail", "unknown", "warn", "waived", "pass", "unjudged")


def _spread(rows: list[dict], limit: int = 20) -> list[dict]:
    models: dict[str, dict] = {}
    for row in rows:
        for card in row["cards"]:
            entry = models.setdefault(
                card["model"],
                {"label": card["label"], "identity": card["identity"], "cards": [], "nodes": set()},
            )
            entry["cards"].append((row, card))
            entry["nodes"].add(row["node"])
    spread = []
    for model, entry in sorted(models.items(), key=lambda kv: (-len(kv[1]["nodes"]), kv[0])):
        components = []
        for component in ("firmware_version", "driver_version"):
            versions: dict[str, dict] = {}
            for row, card in entry["cards"]:
                value = card[component]
                if value is None:
                    continue
                v = versions.setdefault(value, {"nodes": set(), "cards": 0, "status": "unjudged"})
                v["nodes"].add(row["node"])
                v["cards"] += 1
                status = card["status"] if component == "firmware_version" else "unjudged"
                if RANK.index(status) < RANK.index(v["status"]):
                    v["status"] = status
            ordered = sorted(versions.items(), key=lambda kv: (-kv[1]["cards"], kv[0]))
            majority = ordered[0][0] if ordered else None
            outliers = [
                {
                    "node": row["node"],
                    "hostname": row["hostname"],
                    "card": card["card"],
                    "version": card[component],
                }
                for row, card in entry["cards"]
                if card[component] is not None and card[component] != majority
            ]
            components.append(
                {
                    "component": component,
                    "versions": [
                        {
                            "version": value,
                            "nodes": len(v["nodes"]),
                            "cards": v["cards"],
                            "status": v["status"],
                            "majority": value == majority,
                        }
                        for value, v in ordered
                    ],
                    "majority": majority,
                    "outliers": outliers[:limit],
                    "outlier_count": len(outliers),
                }
            )
        spread.append(
            {
                "model": model,
                "label": entry["label"],
                "identity": entry["identity"],
                "nodes": len(entry["nodes"]),
                "cards": len(entry["cards"]),
                "components": components,
            }
        )
    return spread


def _known_bad(rows: list[dict], spread: list[dict]) -> list[dict]:
    bad = []
    for model in spread:
        rule = FIRMWARE_RULES.get(model["identity"]["device_id"] or "")
        if rule is None:
            continue
        majority = model["components"][0]["majority"]
        named = step_version(majority, KNOWN_BAD_STEP)
        for version in model["components"][0]["versions"]:
            if version["version"] == named and named != majority:
                bad.append(
                    {
                        "rule_id": rule[0],
                        "model": model["model"],
                        "label": model["label"],
                        "component": "firmware_version",
                        "version": named,
                        "nodes": version["nodes"],
                        "reason": "link flaps under load (vendor advisory)",
                        "advisory": ADVISORY if rule[0].startswith("nvidia") else None,
                    }
                )
    return bad


def fleet_of(
    rows: list[dict], *, superseded: list[dict] | None = None, drift: dict | None = None
) -> dict:
    """The fleet document of `rows`: counts, rollups, failing rules, spread and known bad
    counted from them."""
    superseded = superseded or []
    spread = _spread(rows)
    verdict = _worst(rows)
    return {
        "schema_version": 1,
        "kind": "hwcheck-fleet",
        "hwcheck_version": "0.1.0",
        "judged_at": "2026-11-24T14:00:00Z",
        "strict": False,
        "rejudged": False,
        "verdict": verdict,
        "exit_code": {"noncompliant": 1, "error": 2, "unknown": 3, "compliant": 0}[verdict],
        "counts": _counts(rows, len(superseded)),
        "by_profile": _rollups(rows, lambda r: r["profiles"], lambda r, k: k),
        "by_cohort": _rollups(rows, lambda r: [r["cohort"]], lambda r, k: _cohort_label(r)),
        "failing_rules": _failing_rules(rows),
        "spread": spread,
        "known_bad": _known_bad(rows, spread),
        "drift": drift,
        "nodes": rows,
        "superseded": superseded,
    }


def big_fleet(nodes: int = 10_000, *, hostile: bool = True) -> dict:
    """A fleet of `nodes` nodes over every fixture kind, with errors, superseded inputs, a
    drift section and (with `hostile`) hostile hostnames, firmware and error reasons."""
    inventories = load_inventories()
    kinds = list(inventories.values())
    rows = []
    for number in range(nodes):
        if number % 199 == 7:
            rows.append(error_row(number, f"inventories/broken-{number:05d}.json: not JSON"))
            continue
        inventory = kinds[number % len(kinds)]
        rows.append(node_row(inventory, number, STEPS[(number // len(kinds)) % len(STEPS)]))
    if hostile:
        x710 = inventories["intel-x710-i40e"]
        cx5 = inventories["mellanox-cx5-dell"]
        for i, hostname in enumerate(HOSTILE_HOSTNAMES):
            rows[10 + i] = node_row(x710 if i % 2 else cx5, 10 + i, 0, hostname=hostname)
            rows[10 + i]["node"] = f"{hostname}/{rows[10 + i]['serial']}"
        for i, firmware in enumerate(HOSTILE_FIRMWARE):
            rows[20 + i] = node_row(cx5 if i == 0 else x710, 20 + i, 0, hostile_firmware=firmware)
        rows[30] = error_row(30, "<img src=x onerror=\"window.__pwned='error'\"> not an inventory")
    superseded = [
        {
            "node": rows[n]["node"],
            "source": f"old/{rows[n]['hostname']}.json",
            "collected_at": "2026-10-01T00:00:00Z",
            "by": rows[n]["source"],
        }
        for n in range(0, nodes, 500)
        if rows[n]["verdict"] != "error"
    ]
    drift = {
        "baseline": "fleet-2026-10.json",
        "baseline_judged_at": "2026-10-01T00:00:00Z",
        "newly_failing": [r["node"] for r in rows if r["verdict"] == "noncompliant"][:40],
        "newly_passing": [r["node"] for r in rows if r["verdict"] == "compliant"][:25],
        "changed": [
            {
                "node": r["node"],
                "card": r["cards"][0]["card"],
                "field": "firmware_version",
                "before": step_version(r["cards"][0]["firmware_version"], -1),
                "after": r["cards"][0]["firmware_version"],
            }
            for r in rows[:60]
            if r["cards"] and r["cards"][0]["firmware_version"]
        ],
        "added": [r["node"] for r in rows[-5:]],
        "gone": ["retired-r630-01.dc1.example.net/4XK9Q52"],
    }
    return fleet_of(rows, superseded=superseded, drift=drift)
