"""`check --inventory` and `fleet` on the inventories Ironic stores (tests/fixtures/ironic:
the api-ref's sample, the admin guide's examples, ironic-python-agent 13.0.0's own output):
what Ironic carries is mapped, what it does not is a gap, and rules on those facts go
unknown, never pass."""

import json
import os
import shutil
import subprocess
import sys

from runcli import NO_CACHE, run_hwcheck

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IRONIC = os.path.join(ROOT, "tests", "fixtures", "ironic")
HOSTS = os.path.join(ROOT, "tests", "fixtures", "hosts")
PROBE_HINT = "not in Ironic inventory; run hwcheck probe"


def fixture(name):
    return os.path.join(IRONIC, name)


def judged(path, *profile, expect):
    args = ["check", "--inventory", path, "--no-html", "--json", "-", "-q"]
    for name in profile:
        args += ["--profile", name]
    proc = run_hwcheck(*args, env=NO_CACHE)
    assert proc.returncode == expect, proc.stderr
    return json.loads(proc.stdout)


def gaps(inventory):
    return {gap["what"]: gap for gap in inventory["gaps"]}


def test_the_api_ref_sample_keeps_virtio_bus_ids_out_of_the_pci_identity():
    result = judged(fixture("api-ref-node-inventory-response.json"), "lab/kvm-virtio", expect=1)
    inventory = result["inventory"]
    assert inventory["source"]["kind"] == "ironic"
    (nic,) = inventory["nics"]
    assert (nic["name"], nic["mac_address"], nic["carrier"]) == ("eth0", "52:54:00:90:35:d6", True)
    assert nic["bus"] == "virtio"
    # 0x1af4/0x0001 are virtio's vendor and network device type, not a PCI function's IDs
    assert (nic["vendor_id"], nic["device_id"]) == (None, None)
    quirk = gaps(inventory)["nic[eth0].device_id"]
    assert quirk["reason"] == "invalid"
    assert "0x1af4" in quirk["detail"]
    assert "0x0001" in quirk["detail"]
    assert inventory["kernel"]["arch"] == "x86_64"
    assert inventory["system"]["present"] is False  # the sample holds no system_vendor
    assert result["verdict"] == "noncompliant"  # a card of unknown identity is not passed


def test_the_admin_guides_system_vendor_and_its_empty_serial():
    result = judged(fixture("admin-guide-inspection-data.json"), "lab/kvm-virtio", expect=1)
    system = result["inventory"]["system"]
    assert system["present"] is True
    assert system["sys_vendor"] == "Red Hat"
    assert system["product_name"] == "KVM (9.2.0)"
    assert system["product_serial"] is None  # the agent's "" is not a serial
    assert system["bios_vendor"] == "EDK II"
    assert system["bios_version"] == "edk2-20221207gitfff6d81270b5-7.el9"
    assert system["bios_date"] == "12/07/2022"
    assert gaps(result["inventory"])["system.product_uuid"]["detail"] == PROBE_HINT


def test_ipa_13_on_a_virtio_vm_names_the_virtio_device_and_its_driver():
    result = judged(fixture("ipa-13.0.0-virtio-vm.json"), "lab/kvm-virtio", expect=1)
    inventory = result["inventory"]
    (nic,) = inventory["nics"]
    assert (nic["driver"], nic["bus"], nic["bus_device"]) == ("virtio_net", "virtio", "virtio2")
    assert nic["pci_address"] is None
    assert inventory["host"]["hostname"] == "vm"
    assert inventory["system"]["present"] is False  # every system_vendor field is ""


def test_an_e810_node_maps_its_cards_and_leaves_firmware_unknown():
    result = judged(fixture("ipa-13.0.0-intel-e810-ice.json"), expect=3)
    inventory = result["inventory"]
    # the same cards, functions and PCI identity the probe finds on the host itself
    with open(os.path.join(HOSTS, "intel-e810-ice", "expected-inventory.json")) as fh:
        probed = json.load(fh)
    pf = next(c for c in inventory["cards"] if c["card"] == "0000:18:00")
    want = next(c for c in probed["cards"] if c["card"] == "0000:18:00")
    for key in ("functions", "ports", "vendor_id", "device_id"):
        assert pf[key] == want[key], key
    nics = {n["name"]: n for n in inventory["nics"]}
    assert nics["ens2f0"]["driver"] == "ice"
    assert nics["ens2f0"]["pci_class"] == "020000"  # from plugin_data.pci_devices
    assert nics["ens2f0"]["revision"] == "02"
    status = {f["rule_id"]: f for f in result["findings"]}
    assert status["intel.800.driver"]["status"] == "pass"
    for rule in ("intel.800.nvm", "intel.800.driver-version", "linux.kernel.release"):
        assert status[rule]["status"] == "unknown", rule
        assert PROBE_HINT in status[rule]["message"], rule
    assert result["verdict"] == "unknown"
    assert result["profiles"][0]["name"] == "intel/800-series"  # applies_to matched


def test_the_collectors_own_inventory_in_plugin_data_is_read_whole(tmp_path):
    """What Ironic stores after inspection with `ipa-inspection-collectors=default,hwcheck`:
    the collector's output lands in plugin data, and is judged as the probe's."""
    proc = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "tests", "ipaagent.py"),
            "collect",
            os.path.join(HOSTS, "intel-x710-i40e"),
            "{}",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    plugin = json.loads(proc.stdout)["data"]
    with open(fixture("api-ref-node-inventory-response.json")) as fh:
        stored = json.load(fh)
    stored["plugin_data"].update(plugin)
    path = tmp_path / "node.json"
    path.write_text(json.dumps(stored))
    result = judged(str(path), expect=1)
    assert result["inventory"]["source"]["kind"] == "capture"  # the probe's, not a mapping
    failed = {f["rule_id"] for f in result["findings"] if f["status"] == "fail"}
    assert "intel.700.nvm" in failed


def test_a_fleet_of_ironic_inventories(tmp_path):
    inputs = tmp_path / "ironic"
    shutil.copytree(IRONIC, inputs, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "fleet.json"
    proc = run_hwcheck("fleet", str(inputs), "--json", str(out), env=NO_CACHE)
    assert proc.returncode == 6, proc.stderr  # three nodes no shipped profile applies to
    nodes = {os.path.basename(r["source"]): r for r in json.loads(out.read_text())["nodes"]}
    assert len(nodes) == 4
    e810 = nodes["ipa-13.0.0-intel-e810-ice.json"]
    assert e810["verdict"] == "unknown"
    assert e810["hostname"] == "nfvi-sm-12"
    assert e810["serial"] == "S452178X2A10077"
    assert "intel.800.nvm" in e810["unknown_rules"]
    virtio = nodes["ipa-13.0.0-virtio-vm.json"]
    assert virtio["verdict"] == "error"
    assert "no profile applies" in virtio["error"]


def test_a_malformed_ironic_inventory_is_one_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"inventory": {"interfaces": {"eth0": {}}}, "plugin_data": {}}))
    proc = run_hwcheck("check", "--inventory", str(path), "--no-html", env=NO_CACHE)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"hwcheck: error: {path}: not an Ironic inventory: $.inventory.interfaces: "
        'expected a list; got {"eth0": {}}\n'
    )


def test_a_document_that_is_neither_is_refused_as_before(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"interfaces": []}))
    proc = run_hwcheck("check", "--inventory", str(path), "--no-html", env=NO_CACHE)
    assert proc.returncode == 2
    assert "not an hwcheck inventory" in proc.stderr
