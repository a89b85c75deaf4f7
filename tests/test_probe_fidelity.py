"""What the probe reads and shows, as the kernel and real drivers give it.

- A driver whose name has a hyphen has its module under `_`: the kernel's ne2k-pci driver
  (drivers/net/ethernet/8390/ne2k-pci.c: DRV_NAME "ne2k-pci", DRV_VERSION "1.03",
  MODULE_VERSION) answers `ethtool -i` with driver `ne2k-pci`, and its version file is
  /sys/module/ne2k_pci/version, `1.03` (seen in a QEMU guest with `-device ne2k_pci`).
- DMI: the chassis, SKU, family and asset-tag files of drivers/firmware/dmi-id.c; the
  intel-x710-i40e tree holds a PowerEdge R740's (see its SOURCE.md).
- The probe's terminal table: operstate with carrier, speed and duplex, interfaces in
  natural order, within 80 columns.
"""

from __future__ import annotations

import copy
import json
import os
import shutil

import pytest
from runcli import ROOT, run_hwcheck

from hwcheck.probe import probe
from hwcheck.probe.host import DirRoot, open_root
from hwcheck.render.inventory_text import render_inventory_text

HOSTS_DIR = os.path.join(ROOT, "tests", "fixtures", "hosts")
VIRTIO_VM = os.path.join(HOSTS_DIR, "virtio-vm")
X710 = os.path.join(HOSTS_DIR, "intel-x710-i40e")


def nic(inventory, name: str) -> dict:
    (found,) = [n for n in inventory["nics"] if n["name"] == name]
    return found


def test_module_version_of_a_hyphenated_driver_is_read_from_its_underscore_module(tmp_path):
    tree = tmp_path / "capture"
    shutil.copytree(VIRTIO_VM, tree, symlinks=True)
    answers = tree / "recorded" / "ethtool" / "eth0.json"
    recorded = json.loads(answers.read_text())
    recorded["drvinfo"].update(driver="ne2k-pci", version="1.03")
    answers.write_text(json.dumps(recorded))
    (tree / "sys" / "module" / "ne2k_pci").mkdir(parents=True)
    (tree / "sys" / "module" / "ne2k_pci" / "version").write_text("1.03\n")
    eth0 = nic(probe(DirRoot(str(tree))), "eth0")
    assert (eth0["driver"], eth0["driver_version"]) == ("ne2k-pci", "1.03")
    assert eth0["module_version"] == "1.03"
    assert eth0["sources"]["module_version"] == "sysfs"


def test_dmi_chassis_sku_family_and_asset_tags_are_recorded():
    system = probe(open_root(X710))["system"]
    assert system["product_sku"] == "SKU=NotProvided;ModelName=PowerEdge R740"
    assert system["product_family"] == "PowerEdge"
    assert system["chassis_vendor"] == "Dell Inc."
    assert system["chassis_serial"] == "7XJ2Q63"
    # "Not Specified" in the firmware's tables: the kernel's file is empty; no value.
    for field in ("chassis_version", "chassis_asset_tag", "board_asset_tag"):
        assert system[field] is None


def test_an_unreadable_chassis_serial_is_a_permission_gap_like_product_serial():
    inventory = probe(open_root(os.path.join(HOSTS_DIR, "hostile")))
    assert inventory["system"]["chassis_serial"] is None
    (gap,) = [g for g in inventory["gaps"] if g["what"] == "system.chassis_serial"]
    assert (gap["source"], gap["reason"]) == ("dmi", "permission-denied")
    assert gap["detail"] == "/sys/class/dmi/id/chassis_serial: [Errno 13] Permission denied"


def table_rows(text: str, second: str) -> dict[str, str]:
    """The rows of the table whose header reads `IFACE <second> ...`, by interface."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["IFACE", second])
    rows = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows[line.split()[0]] = line
    return rows


def link_column(text: str) -> dict[str, str]:
    header = next(line for line in text.splitlines() if line.split()[:2] == ["IFACE", "KIND"])
    at = header.index("LINK")
    return {name: row[at:].rstrip() for name, row in table_rows(text, "KIND").items()}


def test_link_column_shows_carrier_speed_and_duplex():
    done = run_hwcheck("probe", "--from-capture", X710)
    assert done.returncode == 0, done.stderr
    assert link_column(done.stdout) == {
        "eno1": "up 1000/full",
        "eno2": "down, no carrier",  # up without a cable: carrier 0
        "ens1f0": "up 10000/full",
        "ens1f1": "down",  # administratively down: the kernel tells no carrier
        "lo": "unknown",  # lo's operstate is unknown; its carrier (always 1) tells nothing
    }


def test_interfaces_are_listed_in_natural_order():
    with open(os.path.join(VIRTIO_VM, "expected-inventory.json"), encoding="utf-8") as f:
        inventory = json.load(f)
    eth0 = nic(inventory, "eth0")
    # A QEMU guest's PCI slot names, listed by the kernel in byte order.
    names = ["enp0s10", "enp0s11", "enp0s3", "enp0s8", "enp0s9"]
    inventory["nics"] = [dict(copy.deepcopy(eth0), name=n) for n in names]
    text = render_inventory_text(inventory)
    want = ["enp0s3", "enp0s8", "enp0s9", "enp0s10", "enp0s11"]
    assert list(table_rows(text, "KIND")) == want
    assert list(table_rows(text, "DRIVER")) == want


@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n in os.listdir(HOSTS_DIR)
        if n not in ("hostile", "broadcom-bnxt-bnx2x", "dell-usb-nics")
    ),
)
def test_probe_tables_fit_80_columns(name):
    # broadcom-bnxt-bnx2x holds driver versions at the kernel's 31-character limit,
    # dell-usb-nics an AX88179's 31-character firmware field (its driver's description) and
    # hostile a 985-character firmware string: only such values may widen a table.
    text = render_inventory_text(probe(open_root(os.path.join(HOSTS_DIR, name))))
    for header in ("KIND", "DRIVER"):
        for row in [*table_rows(text, header).values()]:
            assert len(row) <= 80, row
