"""Physical NICs that are not on PCI (USB NICs) are cards of their own, keyed by the USB
device (`usb:1-14.3`), carry the USB device's identity, are selected by USB ID in a NIC
selector (`usb:413c:a102`), and are unknown NICs like any other when no rule covers them.

The node is the dell-usb-nics fixture host (tests/fixtures/hosts, see its SOURCE.md): a
Dell PowerEdge R750xs with a BCM5720 LOM (tg3), the iDRAC's USB Virtual NIC (413c:a102,
cdc_ether, `idrac`) and an ASIX AX88179 USB 3.0 adapter (0b95:1790, ax88179_178a). Before
this, the two USB NICs belonged to no card: `unknown_nics: fail` never saw them and the
node passed. Each case runs the real command line.
"""

from __future__ import annotations

import json
import os

from runcli import NO_CACHE, ROOT, card_identity, run_hwcheck, write_profile
from runcli import check_json as check
from runcli import findings_of as by_rule

HOST = os.path.join(ROOT, "tests", "fixtures", "hosts", "dell-usb-nics")
LOM = '  - {id: lom.driver, nic: {devices: ["14e4:165f"]}, driver: {exact: tg3}}\n'
# How a site says "the iDRAC's USB NIC is there on purpose": a rule that selects it.
IDRAC = (
    "  - id: bmc.idrac-usb-nic\n"
    "    title: The iDRAC's USB Virtual NIC is expected\n"
    '    nic: {devices: ["usb:413c:a102"]}\n'
    "    count: {max: 1}\n"
)
ASIX_SUBJECT = {
    "kind": "card",
    "id": "usb:2-3",
    "label": "ASIX Elec. Corp. AX88179 [USB 0b95:1790] (enp0s20f0u3) at usb:2-3",
    "ports": ["enp0s20f0u3"],
    "pci_addresses": [],
    "identity": card_identity(os.path.join(HOST, "expected-inventory.json"), "usb:2-3"),
}


def profile(tmp_path, rules: str, unknown_nics: str = "fail") -> str:
    return write_profile(tmp_path, "usb", rules, unknown_nics)


def test_probe_records_the_usb_identity_and_makes_each_usb_nic_a_card():
    done = run_hwcheck("probe", "--from-capture", HOST, "--json", "-", env=NO_CACHE)
    assert done.returncode == 0, done.stderr
    inv = json.loads(done.stdout)
    with open(os.path.join(HOST, "expected-inventory.json"), encoding="utf-8") as fh:
        want = json.load(fh)
    assert (inv["nics"], inv["cards"]) == (want["nics"], want["cards"])
    idrac = next(n for n in inv["nics"] if n["name"] == "idrac")
    assert idrac["usb"] == {
        "device": "1-14.3",
        "vendor_id": "413c",
        "product_id": "a102",
        "manufacturer": "Dell(TM)",
        "product": "iDRAC Virtual NIC USB Device",
        "serial": "5678",
    }
    assert (idrac["kind"], idrac["bus"], idrac["card"]) == ("physical", "usb", "usb:1-14.3")
    assert (idrac["driver"], idrac["firmware_version"]) == ("cdc_ether", "CDC Ethernet Device")
    cards = {c["card"]: c for c in inv["cards"]}
    assert sorted(cards) == ["0000:04:00", "usb:1-14.3", "usb:2-3"]
    asix = cards["usb:2-3"]
    assert (asix["bus"], asix["ports"], asix["functions"]) == ("usb", ["enp0s20f0u3"], [])
    assert asix["usb"]["vendor_id"] == "0b95" and asix["usb"]["serial"] == "007CC2C64A42A5"
    # The PCI identity fields are the PCI device's: a USB NIC has none.
    assert (asix["vendor_id"], asix["device_id"]) == (None, None)
    assert "bus" not in cards["0000:04:00"]


def test_an_uncovered_usb_nic_fails_unknown_nics(tmp_path):
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, LOM + IDRAC))
    assert (code, result["verdict"]) == (1, "noncompliant")
    (unknown,) = by_rule(result, "hwcheck.unknown-nic")
    assert unknown["subject"] == ASIX_SUBJECT
    assert unknown["status"] == "fail"
    assert unknown["message"] == (
        "No rule of profile usb covers card usb:0b95:1790 (AX88179); "
        "unknown_nics is fail (set by usb)."
    )
    assert unknown["observed"]["raw"] == "usb:0b95:1790"
    (bmc,) = by_rule(result, "bmc.idrac-usb-nic")
    assert bmc["status"] == "pass"
    assert bmc["message"] == (
        "Found 1 card(s) of usb:413c:a102 (usb:1-14.3); the profile wants at most 1."
    )


def test_without_the_bmc_rule_the_idrac_nic_is_unknown_too(tmp_path):
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, LOM))
    assert code == 1
    ids = [f["subject"]["id"] for f in by_rule(result, "hwcheck.unknown-nic")]
    assert ids == ["usb:1-14.3", "usb:2-3"]


def test_usb_nics_covered_by_usb_id_and_by_product_pass(tmp_path):
    rules = (
        LOM
        + IDRAC
        + '  - {id: asix.driver, nic: {models: ["AX88179"]}, driver: {exact: ax88179_178a}}\n'
    )
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, rules))
    assert (code, result["verdict"]) == (0, "compliant")
    (asix,) = by_rule(result, "asix.driver")
    assert (asix["status"], asix["subject"]) == ("pass", ASIX_SUBJECT)
    assert by_rule(result, "hwcheck.unknown-nic") == []


def test_a_pci_id_never_selects_a_usb_nic(tmp_path):
    """USB and PCI IDs are different namespaces: 0b95:1790 names no PCI device here."""
    rules = LOM + IDRAC + '  - {id: asix.pci, nic: {devices: ["0b95:1790"]}, driver: {exact: x}}\n'
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, rules))
    assert code == 1
    assert by_rule(result, "asix.pci") == []
    idle = {n["rule_id"]: n["reason"] for n in result["not_applicable"]}
    assert idle["asix.pci"] == "No NIC on this node matches 0b95:1790."
    assert [f["subject"]["id"] for f in by_rule(result, "hwcheck.unknown-nic")] == ["usb:2-3"]


def test_a_malformed_usb_id_in_a_selector_is_exit_2_with_its_line(tmp_path):
    rules = LOM + '  - {id: bad, nic: {devices: ["usb:413c"]}, count: {max: 1}}\n'
    prof = profile(tmp_path, rules)
    done = run_hwcheck("check", "--from-capture", HOST, "--profile", prof, env=NO_CACHE)
    assert done.returncode == 2
    assert done.stderr.startswith(f"hwcheck: error: {prof}:6:"), done.stderr
    assert "usb:413c" in done.stderr and "usb:413c:a102" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_profile_made_from_the_node_covers_its_usb_nics(tmp_path):
    inventory = tmp_path / "inventory.json"
    done = run_hwcheck("probe", "--from-capture", HOST, "--json", str(inventory), env=NO_CACHE)
    assert done.returncode == 0, done.stderr
    golden = tmp_path / "golden.yaml"
    made = run_hwcheck("profile", "new", "--from", str(inventory), "-o", str(golden))
    assert made.returncode == 0, made.stderr
    text = golden.read_text(encoding="utf-8")
    assert "unknown_nics: fail" in text
    assert 'devices: ["usb:413c:a102"]' in text and 'devices: ["usb:0b95:1790"]' in text
    code, result = check("--inventory", str(inventory), "--profile", str(golden))
    assert (code, result["verdict"]) == (0, "compliant"), result["findings"]


def test_terminal_and_html_name_the_usb_nic(tmp_path):
    html = tmp_path / "r.html"
    prof = profile(tmp_path, LOM + IDRAC)
    done = run_hwcheck(
        "check", "--from-capture", HOST, "--profile", prof, "--html", str(html), env=NO_CACHE
    )
    assert done.returncode == 1, done.stderr
    assert ASIX_SUBJECT["label"] in done.stdout
    page = html.read_text(encoding="utf-8")
    assert "usb:0b95:1790" in page and "USB NIC, serial 007CC2C64A42A5" in page
    summary = run_hwcheck("probe", "--from-capture", HOST, env=NO_CACHE)
    assert "  usb:1-14.3: idrac (usb:413c:a102 Dell(TM) iDRAC Virtual NIC USB Device)" in (
        summary.stdout
    )


def test_a_firmware_rule_on_a_usb_nic_is_unknown_not_pass(tmp_path):
    """usbnet drivers answer their description as firmware: not a version, so unknown."""
    rules = '  - {id: fw, nic: {devices: ["usb:413c:a102"]}, firmware: {min: "1.0"}}\n'
    code, result = check("--from-capture", HOST, "--profile", profile(tmp_path, rules, "ignore"))
    assert (code, result["verdict"]) == (3, "unknown")
    (finding,) = by_rule(result, "fw")
    assert finding["status"] == "unknown"
    assert finding["observed"]["raw"] == "CDC Ethernet Device"
    assert finding["message"].startswith("firmware 'CDC Ethernet Device' cannot be read as ")


def test_a_waiver_names_a_usb_nic_by_its_usb_id_in_any_case_or_by_its_product(tmp_path):
    # A site allows only its validated dongle's driver; one node's AX88179 is waived.
    dongle = (
        '  - {id: site.no-usb-dongles, nic: {devices: ["usb:0b95:1790"]}, driver: {exact: r8152}}\n'
    )
    prof = profile(tmp_path, LOM + IDRAC + dongle)
    code, result = check("--from-capture", HOST, "--profile", prof)
    assert code == 1
    assert [f["status"] for f in by_rule(result, "site.no-usb-dongles")] == ["fail"]
    for model in ("USB:0B95:1790", "AX88179"):
        waivers = tmp_path / "waivers.yaml"
        waivers.write_text(
            "hwcheck_waivers: 1\nwaivers:\n"
            f"  - rule: site.no-usb-dongles\n    scope: {{model: '{model}'}}\n"
            "    justification: The PCI NIC for this node is on order (ticket NET-4411).\n"
            "    expires: 2099-12-31\n",
            encoding="utf-8",
        )
        code, result = check("--from-capture", HOST, "--profile", prof, "--waivers", str(waivers))
        assert code == 0, model
        assert [f["status"] for f in by_rule(result, "site.no-usb-dongles")] == ["waived"], model
    # A PCI ID spelled like the USB ID waives nothing.
    waivers.write_text(
        waivers.read_text(encoding="utf-8").replace("AX88179", "0b95:1790"), encoding="utf-8"
    )
    code, _ = check("--from-capture", HOST, "--profile", prof, "--waivers", str(waivers))
    assert code == 1
