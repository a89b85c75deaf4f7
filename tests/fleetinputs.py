"""Fleet inputs for `hwcheck fleet`, synthesised from the real fixture inventories, for the
fleet page's browser test.

Node `i` is a copy of one of tests/fixtures/inventories/*.json (each fixture host in turn:
its DMI system, its cards' PCI and USB identities and pci.ids names, its drivers and
firmware strings, as probed) with its own hostname, serial, UUID and collection time, and
its firmware strings moved by a step (`fleetdoc.STEPS`: mostly the real string; the last
number of its first dotted version one up, one down, two up or five up), so every card model
has a majority version, outliers and a tail. A few nodes carry hostile hostnames and
firmware strings (`fleetdoc.HOSTILE_HOSTNAMES`, `fleetdoc.HOSTILE_FIRMWARE`); a few inputs
are not inventories at all (error rows, one named like markup), and a few nodes are given
twice, the older copy in `old/` (superseded).

SITE_PROFILES is a site layer over the shipped E810 profile that names the NVM the +5 step
gives known bad, so the fleet has a known-bad entry from the real judge.
"""

from __future__ import annotations

import copy
import json
import os

import fleetdoc

HOSTILE_ERROR_NAME = "<img src=x onerror=\"window.__pwned='file'\">.json"
KNOWN_BAD_NVM = "4.35"  # the E810's 4.30 moved five up

SITE_PROFILES = {
    "site/e810.yaml": f"""\
hwcheck_profile: 1
name: site/e810
description: The shipped E810 profile, and one NVM this site has seen fail.
extends: [intel/800-series]
applies_to:
  devices: ["8086:1592"]
rules:
  - id: site.e810.nvm.known-bad
    title: No E810 NVM this site has seen fail
    nic: {{devices: ["8086:1592"]}}
    firmware:
      format: intel-nvm
      component: nvm
      known_bad:
        - version: "{KNOWN_BAD_NVM}"
          reason: link drops after a warm reboot on this site's switches
          advisory: https://www.intel.com/content/www/us/en/download/19626/
    remediation: Move the card to the NVM the profile's minimum names, or newer.
""",
    # The fixture hosts no shipped profile applies to, each judged by a site profile of
    # its own, so only the planted inputs are error rows.
    "site/qlogic.yaml": """\
hwcheck_profile: 1
name: site/qlogic
extends: [linux/baseline]
applies_to:
  devices: ["1077:8070"]
rules:
  - id: site.qede.driver
    title: FastLinQ cards run qede
    nic: {devices: ["1077:8070"]}
    driver: {allowed: [qede]}
""",
    "site/edge.yaml": """\
hwcheck_profile: 1
name: site/edge
extends: [linux/baseline]
applies_to:
  devices: ["8086:10fb"]
rules:
  - id: site.ixgbe.driver
    title: 82599 cards run ixgbe
    nic: {devices: ["8086:10fb"]}
    driver: {allowed: [ixgbe]}
""",
    "site/dell-lom.yaml": """\
hwcheck_profile: 1
name: site/dell-lom
extends: [linux/baseline]
applies_to:
  devices: ["14e4:165f"]
rules:
  - id: site.tg3.driver
    title: BCM5720 LOMs run tg3
    nic: {devices: ["14e4:165f"]}
    driver: {allowed: [tg3]}
""",
}


def _dump(path: str, document: object) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(document))  # the C encoder: json.dump writes piecewise


def node_inventory(base: dict, i: int, step: int) -> dict:
    inv = copy.deepcopy(base)
    inv["host"]["hostname"] = f"{base['host']['hostname']}-{i:05d}.dc{i % 3 + 1}.example.net"
    system = inv["system"]
    if system["present"]:
        system["product_serial"] = f"SN{i:07d}"
        system["product_uuid"] = f"00000000-0000-4000-8000-{i:012d}"
    inv["collected_at"] = f"2026-11-30T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
    for nic in inv["nics"]:
        nic["firmware_version"] = fleetdoc.step_version(nic["firmware_version"], step)
    return inv


def synthesise(directory: str, count: int, *, shift: int = 0) -> dict[str, object]:
    """Write `count` node inputs (and the error and superseded ones) under `directory`.
    `shift` moves every node to another step (a baseline taken before an update). What was
    planted, for the test to look for."""
    bases = list(fleetdoc.load_inventories().values())
    os.makedirs(os.path.join(directory, "old"), exist_ok=True)
    hostile_hosts = {}
    hostile_firmware = {}
    errors = []
    superseded = []
    for i in range(count):
        if i % 499 == 7:
            path = os.path.join(directory, f"broken-{i:05d}.json")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write('{"kind": "hwcheck-inventory", "truncated')
            errors.append(path)
            continue
        base = bases[i % len(bases)]
        step = fleetdoc.STEPS[(i // len(bases) + shift) % len(fleetdoc.STEPS)]
        inv = node_inventory(base, i, step)
        if 10 <= i < 10 + len(fleetdoc.HOSTILE_HOSTNAMES) and not shift:
            inv["host"]["hostname"] = fleetdoc.HOSTILE_HOSTNAMES[i - 10]
            hostile_hosts[inv["host"]["hostname"]] = inv["system"]["product_serial"]
        if 20 <= i < 20 + len(fleetdoc.HOSTILE_FIRMWARE) and not shift:
            firmware = fleetdoc.HOSTILE_FIRMWARE[i - 20]
            for nic in inv["nics"]:
                if nic["firmware_version"]:
                    nic["firmware_version"] = firmware
            hostile_firmware[firmware] = inv["host"]["hostname"]
        _dump(os.path.join(directory, f"node-{i:05d}.json"), inv)
        if i % 997 == 3:
            old = copy.deepcopy(inv)
            old["collected_at"] = "2026-10-01T00:00:00Z"
            _dump(os.path.join(directory, "old", f"node-{i:05d}.json"), old)
            superseded.append(inv["host"]["hostname"])
    if not shift:
        path = os.path.join(directory, HOSTILE_ERROR_NAME)
        _dump(path, {"kind": "not-an-inventory"})
        errors.append(path)
    return {
        "hostile_hosts": hostile_hosts,
        "hostile_firmware": hostile_firmware,
        "errors": errors,
        "superseded": superseded,
    }


def write_site_profiles(directory: str) -> str:
    for name, text in SITE_PROFILES.items():
        path = os.path.join(directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return directory
