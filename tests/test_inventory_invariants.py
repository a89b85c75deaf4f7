"""An inventory is held to what the judge relies on, not only to its shape: PCI IDs spelled
the one way selectors compare them, every NIC in a card that exists and lists it, one entry
per name. Each broken invariant would otherwise judge as if compliant (a selector that never
matches, a card never judged), so `check --inventory` and `report` refuse it with exit 2 and
the JSON path. Inventories start from the real fixture-host inventories
(tests/fixtures/inventories, probed from tests/fixtures/hosts), with one thing broken."""

from __future__ import annotations

import glob
import json
import os

import pytest
from runcli import run_hwcheck

from hwcheck.model.invariants import inventory_problem

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORIES = os.path.join(ROOT, "tests", "fixtures", "inventories")
# eno1, eno2 on card 0000:01:00; ens1f0, ens1f1 on card 0000:3b:00 (the X710); lo
X710 = os.path.join(INVENTORIES, "intel-x710-i40e.json")
CX = os.path.join(INVENTORIES, "mellanox-cx5-dell.json")
RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "judged-intel-x710-i40e.json")
PROFILE = os.path.join(ROOT, "profiles", "intel", "700-series.yaml")


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def nic(doc, name):
    return next(n for n in doc["nics"] if n["name"] == name)


def card(doc, key):
    return next(c for c in doc["cards"] if c["card"] == key)


def refused(tmp_path, doc, *args):
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(doc))
    done = run_hwcheck("check", "--inventory", str(path), *args, "--no-html")
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"hwcheck: error: {path}: ")
    return line[len(f"hwcheck: error: {path}: ") :]


@pytest.mark.parametrize("spelling", ["15B3", "0x15b3", " 15b3", "15b", "15b3 "])
def test_a_pci_id_in_another_spelling_is_refused(tmp_path, spelling):
    """`15B3` would never match a selector's `15b3`: the card would go unjudged."""
    doc = load(CX)
    doc["nics"][0]["vendor_id"] = spelling
    assert refused(tmp_path, doc) == (
        f"$.nics[0].vendor_id: {spelling!r} is not four lowercase hex digits"
    )


@pytest.mark.parametrize(
    "field", ["vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id"]
)
def test_every_card_id_is_spelled_the_one_way(tmp_path, field):
    doc = load(X710)
    doc["cards"][1][field] = "0x" + doc["cards"][1][field]
    said = refused(tmp_path, doc, "--profile", PROFILE)
    assert said == (
        f"$.cards[1].{field}: {doc['cards'][1][field]!r} is not four lowercase hex digits"
    )


def test_a_card_written_in_capitals_is_refused_not_left_unjudged(tmp_path):
    """The defect itself: this node fails (its ConnectX-6 Dx is below NVIDIA's minimum). With
    the card's IDs written `15B3:101D`, as lspci -n never prints them, no rule matched it and
    the failure was gone."""
    doc = load(CX)
    for record in (card(doc, "0000:b1:00"), nic(doc, "ens3f0np0"), nic(doc, "ens3f1np1")):
        record["vendor_id"], record["device_id"] = "15B3", "101D"
    assert refused(tmp_path, doc, "--profile", "nvidia/connectx") == (
        "$.nics[3].vendor_id: '15B3' is not four lowercase hex digits"
    )


def test_a_nic_whose_card_is_missing_is_refused(tmp_path):
    """Without its card the X710's ports are judged by no rule: the NVM failure vanished."""
    doc = load(X710)
    doc["cards"] = [c for c in doc["cards"] if c["card"] != "0000:3b:00"]
    assert refused(tmp_path, doc, "--profile", PROFILE) == (
        "$.nics[2].card: NIC 'ens1f0' names card '0000:3b:00', which is not in $.cards"
    )


def test_a_physical_nic_on_pci_without_a_card_is_refused(tmp_path):
    doc = load(X710)
    nic(doc, "ens1f1")["card"] = None
    assert refused(tmp_path, doc) == (
        "$.nics[3].card: physical NIC 'ens1f1' at 0000:3b:00.1 belongs to no card"
    )


def test_a_card_port_that_is_no_nic_is_refused(tmp_path):
    doc = load(X710)
    card(doc, "0000:3b:00")["ports"].append("ens9")
    assert refused(tmp_path, doc) == "$.cards[1].ports[2]: 'ens9' is not a NIC of this inventory"


def test_a_card_port_of_another_card_is_refused(tmp_path):
    doc = load(X710)
    card(doc, "0000:3b:00")["ports"].append("eno1")
    assert refused(tmp_path, doc) == (
        "$.cards[1].ports[2]: NIC 'eno1' belongs to card '0000:01:00', not '0000:3b:00'"
    )


def test_a_nic_left_out_of_its_cards_ports_is_refused(tmp_path):
    doc = load(X710)
    card(doc, "0000:3b:00")["ports"] = ["ens1f0"]
    assert refused(tmp_path, doc) == (
        "$.nics[3].card: NIC 'ens1f1' is not among the ports of card '0000:3b:00'"
    )


def test_a_function_missing_from_its_card_is_refused(tmp_path):
    doc = load(X710)
    card(doc, "0000:3b:00")["functions"] = ["0000:3b:00.0"]
    assert refused(tmp_path, doc) == (
        "$.nics[3].pci_address: 0000:3b:00.1 is not among the functions of card '0000:3b:00'"
    )


def test_a_card_marked_vf_only_with_a_physical_function_is_refused(tmp_path):
    """A vf_only card is judged only by `vfs: true` rules: a PF on it would escape."""
    doc = load(X710)
    card(doc, "0000:3b:00")["vf_only"] = True
    assert refused(tmp_path, doc) == "$.cards[1].vf_only: card '0000:3b:00' has a physical function"


def test_a_virtual_link_in_a_card_is_refused(tmp_path):
    doc = load(X710)
    nic(doc, "lo")["card"] = "0000:3b:00"
    assert refused(tmp_path, doc) == "$.nics[4].card: loopback NIC 'lo' cannot belong to a card"


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (
            lambda d: d["nics"].append(dict(d["nics"][4])),
            "$.nics[5].name: NIC 'lo' is listed twice (also at $.nics[4].name)",
        ),
        (
            lambda d: d["cards"].append(dict(d["cards"][0])),
            "$.cards[2].card: card '0000:01:00' is listed twice (also at $.cards[0].card)",
        ),
        (
            lambda d: d["modules"].append({**d["modules"][4], "name": "i40e"}),
            "$.modules[10].name: module 'i40e' is listed twice (also at $.modules[4].name)",
        ),
        (
            # module rules read `-` as `_`, as the kernel does: these are one module
            lambda d: d["modules"].append({**d["modules"][3], "name": "i2c-algo-bit"}),
            "$.modules[10].name: module 'i2c_algo_bit' is listed twice (also at $.modules[3].name)",
        ),
        (
            lambda d: d["cards"][1]["ports"].append("ens1f0"),
            "$.cards[1].ports[2]: port 'ens1f0' is listed twice (also at $.cards[1].ports[0])",
        ),
    ],
)
def test_a_name_listed_twice_is_refused(tmp_path, edit, says):
    doc = load(X710)
    assert len(doc["modules"]) == 10
    edit(doc)
    assert refused(tmp_path, doc) == says


def test_a_result_whose_embedded_inventory_breaks_an_invariant_is_refused(tmp_path):
    doc = load(RESULT)
    doc["inventory"]["cards"][1]["vendor_id"] = "808G"
    path = tmp_path / "result.json"
    path.write_text(json.dumps(doc))
    done = run_hwcheck("report", str(path), "--no-html")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"hwcheck: error: {path}: $.inventory.cards[1].vendor_id: '808G' is not four "
        "lowercase hex digits\n"
    )


@pytest.mark.parametrize(
    "path",
    sorted(
        glob.glob(os.path.join(INVENTORIES, "*.json"))
        + glob.glob(
            os.path.join(ROOT, "tests", "fixtures", "hosts", "*", "expected-inventory.json")
        )
    ),
)
def test_every_probed_fixture_inventory_holds_the_invariants(path):
    assert inventory_problem(load(path)) is None


def test_this_machines_inventory_holds_the_invariants():
    done = run_hwcheck("probe", "--json", "-")
    assert done.returncode == 0, done.stderr
    assert inventory_problem(json.loads(done.stdout)) is None


def test_a_card_key_is_compared_never_parsed():
    """A card of its own for a NIC that is not on PCI (a USB NIC, keyed `usb:...`) holds the
    invariants like any other: the key is matched, not read as domain:bus:device."""
    doc = load(X710)
    usb = {**nic(doc, "eno1"), "name": "enx0", "card": "usb:2-1", "pci_address": None}
    usb.update(vendor_id="0bda", device_id="8153", bus="usb")
    doc["nics"].append(usb)
    doc["cards"].append(
        {
            **card(doc, "0000:01:00"),
            "card": "usb:2-1",
            "vendor_id": "0bda",
            "device_id": "8153",
            "functions": [],
            "ports": ["enx0"],
        }
    )
    assert inventory_problem(doc) is None
