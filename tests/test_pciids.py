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


def parse_whole_file(data):
    """The oracle: pci.ids read line by line, the plain way, into nested dicts."""
    vendors = {}
    devices = None
    subsystems = None
    for raw in data.decode("utf-8", "replace").split("\n"):
        if not raw or raw.startswith("#"):
            continue
        if raw.startswith("C "):
            break  # device classes follow the vendors
        if raw.startswith("\t\t"):
            ids, _, name = raw[2:].partition("  ")
            subsystems[ids.replace(" ", ":")] = name.strip()
        elif raw.startswith("\t"):
            ids, _, name = raw[1:].partition("  ")
            subsystems = {}
            devices[ids] = (name.strip(), subsystems)
        else:
            ids, _, name = raw.partition("  ")
            devices = {}
            vendors[ids] = (name.strip(), devices)
    return vendors


@pytest.fixture(scope="module")
def oracle(db):
    return parse_whole_file(db.data[:])


def answer(oracle, vendor, device, subvendor, subdevice):
    """What the lookup should say, from the oracle."""
    out = {}
    if vendor not in oracle:
        return out
    out["vendor_name"], devices = oracle[vendor]
    if device not in devices:
        return out
    out["device_name"], subsystems = devices[device]
    if f"{subvendor}:{subdevice}" in subsystems:
        out["subsystem_name"] = subsystems[f"{subvendor}:{subdevice}"]
    return out


def test_lookups_agree_with_reading_the_whole_file(db, oracle):
    """Every vendor; its first, middle and last device and their subsystems; and device
    and subsystem IDs that exist only under the next vendor or device, which a search that
    runs past the end of a block would wrongly answer."""
    vendor_ids = list(oracle)
    checked = 0
    for i, vendor in enumerate(vendor_ids):
        devices = list(oracle[vendor][1])
        later = oracle[vendor_ids[i + 1]][1] if i + 1 < len(vendor_ids) else {}
        picks = {devices[0], devices[len(devices) // 2], devices[-1]} if devices else set()
        picks |= set(list(later)[:3])  # usually absent here: must not be found here
        for device in sorted(picks):
            subsystems = oracle[vendor][1].get(device, ("", {}))[1]
            sub_picks = [None, *list(subsystems)[:2], *list(subsystems)[-1:]]
            following = [d for d in devices if d > device][:1]
            for d in following:  # a subsystem of the next device only
                sub_picks += list(oracle[vendor][1][d][1])[:1]
            for sub in sub_picks:
                subvendor, subdevice = sub.split(":") if sub else (None, None)
                got = db.names(vendor, device, subvendor, subdevice)
                assert got == answer(oracle, vendor, device, subvendor, subdevice), (
                    vendor,
                    device,
                    sub,
                )
                checked += 1
    assert checked > 4000


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


def test_a_vendors_devices_agree_with_reading_the_whole_file(db, oracle):
    """`vendor_devices` (profile lint's nearest known IDs) for every vendor: its name and
    every device, none of the next vendor's, none of its subsystems."""
    for vendor, (name, devices) in oracle.items():
        assert db.vendor_devices(vendor) == (
            name,
            [(device, device_name) for device, (device_name, _subs) in devices.items()],
        ), vendor
    missing = next(f"{i:04x}" for i in range(0x10000) if f"{i:04x}" not in oracle)
    assert db.vendor_devices(missing) is None
    assert db.vendor_devices("15B3") is None  # IDs are lowercase in pci.ids, as asked
    assert db.vendor_devices("15b") is None
