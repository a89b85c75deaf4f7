"""The probe over the fixture hosts in tests/fixtures/hosts (capture format; see each SOURCE.md).

Each test is named after its fixture and asserts what users rely on: raw driver and firmware
strings exactly as the kernel gives them, PCI identity and names, card grouping, VFs with their
PF, truncation and its fallback, and gaps with their reasons. The last group compares the whole
inventory with the reviewed expected-inventory.json of each host.
"""

from __future__ import annotations

import json
import os

import pytest

from hwcheck.probe import probe
from hwcheck.probe.host import open_root

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS_DIR = os.path.join("tests", "fixtures", "hosts")
HOSTS = sorted(
    name
    for name in os.listdir(os.path.join(REPO, HOSTS_DIR))
    if os.path.isfile(os.path.join(REPO, HOSTS_DIR, name, "capture.json"))
)

_cache: dict[str, dict] = {}


def inventory(name: str) -> dict:
    """The probe's inventory of one fixture host, opened by its repository-relative path."""
    if name not in _cache:
        cwd = os.getcwd()
        os.chdir(REPO)
        try:
            _cache[name] = dict(probe(open_root(os.path.join(HOSTS_DIR, name))))
        finally:
            os.chdir(cwd)
    return _cache[name]


def nic(inv: dict, name: str) -> dict:
    found = [n for n in inv["nics"] if n["name"] == name]
    assert len(found) == 1, f"{name} not in {[n['name'] for n in inv['nics']]}"
    return found[0]


def card(inv: dict, address: str) -> dict:
    found = [c for c in inv["cards"] if c["card"] == address]
    assert len(found) == 1, f"{address} not in {[c['card'] for c in inv['cards']]}"
    return found[0]


def gaps_for(inv: dict, what: str) -> list[dict]:
    return [g for g in inv["gaps"] if g["what"] == what]


def expected(name: str) -> dict:
    path = os.path.join(REPO, HOSTS_DIR, name, "expected-inventory.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------- intel-x710-i40e


def test_i40e_x710_driver_info():
    inv = inventory("intel-x710-i40e")
    for name, bdf in (("ens1f0", "0000:3b:00.0"), ("ens1f1", "0000:3b:00.1")):
        port = nic(inv, name)
        assert port["driver"] == "i40e"
        assert port["driver_version"] == "2.8.20-k"
        assert port["firmware_version"] == "8.15 0x8000a4e8 1.2879.0"
        assert port["expansion_rom_version"] == ""
        assert port["bus_info"] == bdf
        assert port["driver_version_truncated"] is False
        assert port["firmware_version_truncated"] is False
        assert port["module_version"] == "2.8.20-k"
        assert port["sources"]["firmware_version"] == "ethtool-ioctl"
        assert port["permanent_mac_address"] == port["mac_address"]


def test_i40e_x710_pci_identity_and_names():
    port = nic(inventory("intel-x710-i40e"), "ens1f0")
    assert port["kind"] == "physical"
    assert port["bus"] == "pci"
    assert port["pci_address"] == "0000:3b:00.0"
    assert (port["vendor_id"], port["device_id"]) == ("8086", "1572")
    assert (port["subsystem_vendor_id"], port["subsystem_device_id"]) == ("8086", "0007")
    assert port["vendor_name"] == "Intel Corporation"
    assert port["device_name"] == "Ethernet Controller X710 for 10GbE SFP+"
    assert port["subsystem_name"] == "Ethernet Converged Network Adapter X710-2"
    assert port["pci_class"] == "020000"
    assert port["revision"] == "02"
    assert (port["sriov_totalvfs"], port["sriov_numvfs"]) == (64, 0)


def test_i40e_x710_two_ports_are_one_card():
    inv = inventory("intel-x710-i40e")
    x710 = card(inv, "0000:3b:00")
    assert x710["functions"] == ["0000:3b:00.0", "0000:3b:00.1"]
    assert x710["ports"] == ["ens1f0", "ens1f1"]
    assert x710["subsystem_name"] == "Ethernet Converged Network Adapter X710-2"
    lom = card(inv, "0000:01:00")
    assert lom["ports"] == ["eno1", "eno2"]
    assert lom["subsystem_vendor_id"] == "1028"
    assert lom["subsystem_name"] == "Gigabit 2P I350-t LOM"
    assert len(inv["cards"]) == 2
    assert nic(inv, "ens1f1")["card"] == "0000:3b:00"


def test_igb_i350_dell_lom_firmware_and_unplugged_port():
    inv = inventory("intel-x710-i40e")
    unplugged = nic(inv, "eno2")
    assert unplugged["firmware_version"] == "1.67, 0x80000e93, 17.5.10"
    assert unplugged["driver_version"] == "5.6.0-k"
    # Up without cable: carrier 0, speed -1 (SPEED_UNKNOWN), duplex "unknown": facts, not gaps.
    assert unplugged["operstate"] == "down"
    assert unplugged["carrier"] is False
    assert unplugged["speed_mbps"] is None
    assert unplugged["duplex"] is None
    assert [g for g in inv["gaps"] if g["what"].startswith("nic[eno2]")] == []
    cabled = nic(inv, "eno1")
    assert (cabled["carrier"], cabled["speed_mbps"], cabled["duplex"]) == (True, 1000, "full")


def test_i40e_x710_down_port_speed_is_an_invalid_gap():
    inv = inventory("intel-x710-i40e")
    down = nic(inv, "ens1f1")
    assert down["operstate"] == "down"
    assert down["speed_mbps"] is None
    assert down["carrier"] is None
    (gap,) = gaps_for(inv, "nic[ens1f1].speed_mbps")
    assert gap["reason"] == "invalid"
    assert gap["source"] == "sysfs"
    assert "ens1f1/speed" in gap["detail"]
    assert "Invalid argument" in gap["detail"]
    # carrier of a link that is not running answers EINVAL by design: no gap for it.
    assert gaps_for(inv, "nic[ens1f1].carrier") == []


def test_i40e_x710_host_facts():
    inv = inventory("intel-x710-i40e")
    assert inv["host"]["hostname"] == "compute-r740-07"
    assert inv["kernel"]["release"] == "5.4.0-150-generic"
    assert inv["kernel"]["modules_supported"] is True
    assert (inv["os"]["id"], inv["os"]["version_id"]) == ("ubuntu", "20.04")
    system = inv["system"]
    assert system["present"] is True
    assert (system["sys_vendor"], system["product_name"]) == ("Dell Inc.", "PowerEdge R740")
    assert system["product_serial"] == "7XJ2Q63"
    assert (system["bios_version"], system["bios_date"]) == ("2.12.2", "07/09/2021")
    loaded = {m["name"]: m for m in inv["modules"] if m["state"] == "loaded"}
    assert {"i40e", "igb", "ptp"} <= set(loaded)
    assert loaded["i40e"]["version"] == "2.8.20-k"
    builtin = {m["name"] for m in inv["modules"] if m["state"] == "builtin"}
    assert "ext4" in builtin


# ---------------------------------------------------------------- intel-e810-ice


def test_ice_e810_pf_driver_info():
    pf = nic(inventory("intel-e810-ice"), "ens2f0")
    assert (pf["driver"], pf["driver_version"]) == ("ice", "1.16.3")
    assert pf["firmware_version"] == "4.30 0x8001af27 1.3429.0"
    assert pf["module_version"] == "1.16.3"
    assert pf["device_name"] == "Ethernet Controller E810-C for QSFP"
    assert pf["subsystem_name"] == "Ethernet Network Adapter E810-C-Q2"
    assert (pf["sriov_totalvfs"], pf["sriov_numvfs"]) == (256, 2)


def test_ice_e810_vfs_with_their_pf():
    inv = inventory("intel-e810-ice")
    for name, bdf in (("ens2f0v0", "0000:18:01.0"), ("ens2f0v1", "0000:18:01.1")):
        vf = nic(inv, name)
        assert vf["kind"] == "vf"
        assert vf["physfn"] == "0000:18:00.0"
        assert vf["pci_address"] == bdf
        assert (vf["vendor_id"], vf["device_id"]) == ("8086", "1889")
        assert vf["device_name"] == "Ethernet Adaptive Virtual Function"
        assert vf["subsystem_name"] is None  # 8086:1889:8086:0000 has no pci.ids entry
        assert vf["driver"] == "iavf"
        # In-tree iavf: the ethtool core fills in the kernel release; VFs have no firmware.
        assert vf["driver_version"] == inv["kernel"]["release"] == "5.15.0-131-generic"
        assert vf["firmware_version"] == "N/A"
        assert vf["module_version"] is None
    # VFs are not ports of the physical card, which is unchanged by them.
    e810 = card(inv, "0000:18:00")
    assert e810["ports"] == ["ens2f0", "ens2f1"]
    assert e810["functions"] == ["0000:18:00.0", "0000:18:00.1"]
    assert "vf_only" not in e810
    # They sit at device 01, where no PF is: a card of VFs alone, flagged so, with their IDs.
    vfs = card(inv, "0000:18:01")
    assert vfs["vf_only"] is True
    assert vfs["ports"] == ["ens2f0v0", "ens2f0v1"]
    assert vfs["functions"] == ["0000:18:01.0", "0000:18:01.1"]
    assert (vfs["vendor_id"], vfs["device_id"]) == ("8086", "1889")
    assert (vfs["subsystem_vendor_id"], vfs["subsystem_device_id"]) == ("8086", "0000")
    assert vfs["device_name"] == "Ethernet Adaptive Virtual Function"
    assert [c["card"] for c in inv["cards"]] == ["0000:18:00", "0000:18:01"]


def test_ice_e810_bridge_and_veth_are_virtual():
    inv = inventory("intel-e810-ice")
    br = nic(inv, "br0")
    assert (br["kind"], br["link_type"]) == ("virtual", "bridge")
    assert (br["driver"], br["driver_version"], br["firmware_version"]) == ("bridge", "2.3", "N/A")
    assert br["pci_address"] is None
    assert br["card"] is None
    veth = nic(inv, "veth9c1e4d2")
    assert (veth["kind"], veth["link_type"]) == ("virtual", "veth")
    assert (veth["driver"], veth["driver_version"], veth["firmware_version"]) == ("veth", "1.0", "")
    assert veth["vendor_id"] is None


def test_ice_e810_out_of_tree_taint():
    kernel = inventory("intel-e810-ice")["kernel"]
    assert kernel["tainted"] == 12288
    assert sorted(kernel["taint_flags"]) == ["E", "O"]


# ---------------------------------------------------------------- intel-ixgbe-igb-i211


def test_igb_i211_firmware_keeps_its_leading_space():
    inv = inventory("intel-ixgbe-igb-i211")
    i211 = nic(inv, "enp4s0")
    assert i211["firmware_version"] == " 0. 6-1"
    assert i211["driver"] == "igb"
    assert i211["driver_version"] == "6.6.9-100.fc38.x86_64"
    assert i211["module_version"] is None  # in-tree igb on 6.6 has no MODULE_VERSION
    assert (i211["vendor_id"], i211["device_id"]) == ("8086", "1539")
    assert i211["device_name"] == "I211 Gigabit Network Connection"
    assert i211["subsystem_vendor_id"] == "1458"
    assert i211["subsystem_name"] is None
    assert card(inv, "0000:04:00")["ports"] == ["enp4s0"]


def test_ixgbe_82599_driver_info():
    inv = inventory("intel-ixgbe-igb-i211")
    for name in ("enp1s0f0", "enp1s0f1"):
        port = nic(inv, name)
        assert (port["driver"], port["driver_version"]) == ("ixgbe", "5.19.6")
        assert port["firmware_version"] == "0x80000887, 1.2688.0"
        assert port["module_version"] == "5.19.6"
        assert port["device_name"] == "82599ES 10-Gigabit SFI/SFP+ Network Connection"
        assert port["subsystem_name"] == "Ethernet Server Adapter X520-2"
    assert card(inv, "0000:01:00")["ports"] == ["enp1s0f0", "enp1s0f1"]
    assert inv["os"]["id"] == "fedora"


# ---------------------------------------------------------------- mellanox-cx5-dell


def test_mlx5_cx5_dell_oem_psid():
    inv = inventory("mellanox-cx5-dell")
    for name in ("ens1f0np0", "ens1f1np1"):
        port = nic(inv, name)
        assert port["driver"] == "mlx5_core"
        assert port["driver_version"] == "24.10-1.1.4"
        assert port["firmware_version"] == "16.32.2004 (DEL0000000016)"
        assert port["module_version"] == "24.10-1.1.4"
        assert port["device_name"] == "MT27800 Family [ConnectX-5]"
    assert card(inv, "0000:31:00")["ports"] == ["ens1f0np0", "ens1f1np1"]


def test_mlx5_cx5_vf_with_its_pf():
    inv = inventory("mellanox-cx5-dell")
    vf = nic(inv, "ens1f0v0")
    assert vf["kind"] == "vf"
    assert vf["physfn"] == "0000:31:00.0"
    assert (vf["vendor_id"], vf["device_id"]) == ("15b3", "1018")
    assert vf["device_name"] == "MT27800 Family [ConnectX-5 Virtual Function]"
    # mlx5 formats the device's own firmware revision for a VF as for its PF.
    assert vf["firmware_version"] == nic(inv, "ens1f0np0")["firmware_version"]
    pf = nic(inv, "ens1f0np0")
    assert (pf["sriov_totalvfs"], pf["sriov_numvfs"]) == (8, 1)
    # Same domain:bus:device as the PFs, yet not a port of the card; nor a card of its own,
    # since its domain:bus:device is the PFs' card.
    cx5 = card(inv, "0000:31:00")
    assert "ens1f0v0" not in cx5["ports"]
    assert "0000:31:00.2" not in cx5["functions"]
    assert "vf_only" not in cx5
    assert not any(c.get("vf_only") for c in inv["cards"])


def test_mlx5_cx6dx_is_its_own_card():
    inv = inventory("mellanox-cx5-dell")
    cx6 = card(inv, "0000:b1:00")
    assert cx6["ports"] == ["ens3f0np0", "ens3f1np1"]
    assert cx6["device_id"] == "101d"
    assert cx6["device_name"] == "MT2892 Family [ConnectX-6 Dx]"
    assert cx6["subsystem_name"] is None
    assert nic(inv, "ens3f0np0")["firmware_version"] == "22.28.1002 (MT_0000000430)"
    assert len(inv["cards"]) == 2
    assert inv["gaps"] == []


# ---------------------------------------------------------------- broadcom-bnxt-bnx2x


def test_bnx2x_truncated_version_falls_back_to_module_version():
    inv = inventory("broadcom-bnxt-bnx2x")
    release = inv["kernel"]["release"]
    assert release == "5.10.0-153.12.0.92.oe2203sp2.x86_64"
    for name in ("ens3f0", "ens3f1"):
        port = nic(inv, name)
        assert port["driver"] == "bnx2x"
        assert port["driver_version"] == "5.10.0-153.12.0.92.oe2203sp2.x8"  # raw, as cut
        assert len(port["driver_version"]) == 31
        assert port["driver_version_truncated"] is True
        assert port["module_version"] == release
        assert port["firmware_version"] == "mbi 7.15.42 bc 7.15.23"
        assert port["firmware_version_truncated"] is False


def test_tg3_bcm5720_truncated_without_fallback():
    inv = inventory("broadcom-bnxt-bnx2x")
    port = nic(inv, "eno1")
    assert port["firmware_version"] == "FFV22.91.5 bc 5720-v1.39"
    assert port["driver_version_truncated"] is True
    assert port["module_version"] is None
    assert port["subsystem_name"] == "PowerEdge Rx5xx LOM Board"


def test_bnxt_en_bcm57414_driver_info():
    inv = inventory("broadcom-bnxt-bnx2x")
    port = nic(inv, "ens2f0np0")
    assert (port["driver"], port["driver_version"]) == ("bnxt_en", "6.6.43")
    assert port["firmware_version"] == "220.0.59.0/pkg 220.0.83.0"
    assert port["driver_version_truncated"] is False
    assert port["device_name"] == "BCM57414 NetXtreme-E 10Gb/25Gb RDMA Ethernet Controller"
    assert [c["card"] for c in inv["cards"]] == ["0000:21:00", "0000:41:00", "0000:63:00"]


# ---------------------------------------------------------------- qlogic-qede


def test_qede_ql41000_driver_info():
    inv = inventory("qlogic-qede")
    for name in ("ens2f0", "ens2f1"):
        port = nic(inv, name)
        assert (port["driver"], port["driver_version"]) == ("qede", "8.10.10.21")
        assert port["firmware_version"] == "mfw 8.25.7.0 storm 8.20.0.0"
        assert port["vendor_name"] == "QLogic Corp."
        assert port["subsystem_name"] == "10/25GbE 2P QL41222HLCU-HP Adapter"
    assert card(inv, "0000:5e:00")["ports"] == ["ens2f0", "ens2f1"]
    assert inv["system"]["product_name"] == "ProLiant DL380 Gen10"


# ---------------------------------------------------------------- virtio-vm (this machine)


def test_virtio_vm_eth0_pci_function_above_virtio_device():
    inv = inventory("virtio-vm")
    eth0 = nic(inv, "eth0")
    assert eth0["kind"] == "physical"
    assert (eth0["bus"], eth0["bus_device"]) == ("virtio", "virtio2")
    assert eth0["pci_address"] == "0000:00:03.0"
    assert eth0["card"] == "0000:00:03"
    assert (eth0["vendor_id"], eth0["device_id"]) == ("1af4", "1041")
    assert eth0["device_name"] == "Virtio 1.0 network device"
    assert (eth0["driver"], eth0["driver_version"]) == ("virtio_net", "1.0.0")
    assert eth0["firmware_version"] == ""
    assert eth0["bus_info"] == "0000:00:03.0"
    assert eth0["permanent_mac_address"] == "02:fc:00:00:00:01"
    assert eth0["speed_mbps"] is None  # virtio_net reports SPEED_UNKNOWN


def test_virtio_vm_monolithic_kernel_without_dmi_is_normal():
    inv = inventory("virtio-vm")
    assert inv["kernel"]["modules_supported"] is False
    assert inv["system"]["present"] is False
    # No DMI and no loadable modules are normal: no gap for either. But without
    # modules.builtin the built-in list from /sys/module is incomplete, and says so.
    node_gaps = [g for g in inv["gaps"] if g["what"].startswith(("system", "module", "kernel"))]
    assert [(g["what"], g["reason"]) for g in node_gaps] == [("modules.builtin", "not-found")]
    assert "may be built in unseen" in node_gaps[0]["detail"]
    lo = nic(inv, "lo")
    assert lo["kind"] == "loopback"
    assert lo["driver"] is None  # EOPNOTSUPP by design
    assert gaps_for(inv, "nic[lo].driver_info") == []
    ifb = nic(inv, "ifb0")
    assert (ifb["kind"], ifb["link_type"], ifb["driver"]) == ("virtual", "ifb", "ifb")
    assert ifb["driver_version"] == inv["kernel"]["release"]


# ---------------------------------------------------------------- hostile


def test_hostile_values_are_kept_as_text():
    inv = inventory("hostile")
    assert nic(inv, "ens1f0")["ifalias"] == "<script>alert(1)</script>"
    assert inv["system"]["product_version"] == '"><img src=x onerror=alert(1)>'
    assert inv["system"]["board_version"] == "</textarea><script>alert(2)</script>"
    long_fw = nic(inv, "ens1f1")["firmware_version"]
    assert len(long_fw) == 985
    assert long_fw.startswith("8.15 0x8000a4e8 1.2879.0 <b>overflow</b>")


def test_hostile_non_utf8_becomes_escaped_text_and_a_gap():
    inv = inventory("hostile")
    assert nic(inv, "ens1f1")["ifalias"] == "uplink \\xff\\xfe rack 12"
    (alias_gap,) = gaps_for(inv, "nic[ens1f1].ifalias")
    assert alias_gap["reason"] == "not-utf8"
    assert "ens1f1/ifalias" in alias_gap["detail"]
    assert inv["system"]["product_name"] == "PowerEdge R740\\xe9 \\xff"
    (dmi_gap,) = gaps_for(inv, "system.product_name")
    assert (dmi_gap["reason"], dmi_gap["source"]) == ("not-utf8", "dmi")


def test_hostile_unreadable_dmi_serials_are_permission_gaps():
    inv = inventory("hostile")
    for field in ("product_serial", "product_uuid", "board_serial"):
        assert inv["system"][field] is None
        (gap,) = gaps_for(inv, f"system.{field}")
        assert gap["reason"] == "permission-denied"
        assert gap["detail"] == f"/sys/class/dmi/id/{field}: [Errno 13] Permission denied"
    assert inv["system"]["sys_vendor"] == "Dell Inc."


def test_hostile_vanished_link_is_one_vanished_gap():
    inv = inventory("hostile")
    assert "ens2f0" not in [n["name"] for n in inv["nics"]]
    gaps = [g for g in inv["gaps"] if g["what"].startswith("nic[ens2f0]")]
    assert [g["reason"] for g in gaps] == ["vanished"]


# ---------------------------------------------------------------- every host


@pytest.mark.parametrize("name", HOSTS)
def test_fixture_host_inventory_matches_expected(name):
    got = json.loads(json.dumps(inventory(name)))
    want = expected(name)
    got.pop("hwcheck_version")
    want.pop("hwcheck_version")
    assert got == want


@pytest.mark.parametrize("name", HOSTS)
def test_fixture_host_is_a_capture_tree(name):
    root = os.path.join(REPO, HOSTS_DIR, name)
    with open(os.path.join(root, "capture.json"), encoding="utf-8") as f:
        meta = json.load(f)
    assert (meta["format"], meta["format_version"]) == ("hwcheck-capture", 1)
    with open(os.path.join(root, "SOURCE.md"), encoding="utf-8") as f:
        assert f.read().startswith(f"# {name}\n")
    dangling = []
    for dirpath, dirnames, filenames in os.walk(root):
        for entry in dirnames + filenames:
            path = os.path.join(dirpath, entry)
            if os.path.islink(path):
                target = os.readlink(path)
                assert not os.path.isabs(target), path
                resolved = os.path.realpath(path)
                assert resolved.startswith(root + os.sep), f"{path} escapes the tree"
                if not os.path.exists(path):
                    dangling.append(os.path.relpath(path, root))
    # Only the hostile tree has a link whose target vanished, on purpose.
    assert dangling == (["sys/class/net/ens2f0"] if name == "hostile" else [])
