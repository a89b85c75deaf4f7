"""pci.ids lookups against the real database Debian's pci.ids package installs."""

import mmap
import os
import re

import pytest

from hwcheck.probe.pciids import PCI_IDS_PATHS, PciIds

PATH = next(p for p in PCI_IDS_PATHS if os.path.exists(p))


@pytest.fixture(scope="module")
def db():
    with open(PATH, "rb") as fh:
        yield PciIds(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))


def test_every_vendor_is_found_where_a_linear_search_finds_it(db):
    data = db.data[:]
    vendors = re.findall(rb"\n([0-9a-f]{4})  ", data)
    assert len(vendors) > 1000
    for vendor in vendors:
        assert db._vendor(vendor) == data.find(b"\n" + vendor + b"  ") + 7, vendor


@pytest.mark.parametrize(
    ("ids", "want"),
    [
        (
            ("8086", "1572", "8086", "0007"),
            (
                "Intel Corporation",
                "Ethernet Controller X710 for 10GbE SFP+",
                "Ethernet Converged Network Adapter X710-2",
            ),
        ),
        (
            ("15b3", "1017", None, None),
            ("Mellanox Technologies", "MT27800 Family [ConnectX-5]", None),
        ),
        (("1af4", "1041", "1af4", "1041"), ("Red Hat, Inc.", "Virtio 1.0 network device", None)),
        (
            ("14e4", "16d7", None, None),
            (
                "Broadcom Inc. and subsidiaries",
                "BCM57414 NetXtreme-E 10Gb/25Gb RDMA Ethernet Controller",
                None,
            ),
        ),
    ],
)
def test_names_of_real_nics(db, ids, want):
    got = db.names(*ids)
    assert (got.get("vendor_name"), got.get("device_name"), got.get("subsystem_name")) == want


def test_unknown_ids_give_no_names(db):
    assert db.names("1af4", "ffff", None, None) == {"vendor_name": "Red Hat, Inc."}
    assert db.names("0bad", "0001", None, None) == {}
