"""The probe against this kernel and the real tools, compared field by field.

Each test builds what it looks at: a network namespace of its own (`ip netns add hwc-<random>`)
holding a veth pair, a bridge with one veth end enslaved, a tap device, a macvlan and a macvtap
on the other veth end and, where the kernel has them, a vxlan. The real CLI runs inside it through
`ip netns exec`, which remounts /sys for that namespace, and its answers are compared with what
`ethtool -i`, `ethtool -P` and `ip -d -j link show` print for the same links. Namespaces are
deleted in teardown, also when a test fails. CI runs these as root (`-m live` selects them).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.live

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
HWCHECK = os.path.join(BIN, "hwcheck")
PYTHON = sys.executable

# `ethtool -i` keys and the inventory fields that hold the same driver-info strings.
ETHTOOL_FIELDS = {
    "driver": "driver",
    "version": "driver_version",
    "firmware-version": "firmware_version",
    "expansion-rom-version": "expansion_rom_version",
    "bus-info": "bus_info",
}
VIRTUAL_KINDS = {"veth", "bridge", "tun", "macvlan", "macvtap", "vxlan"}


def sh(*cmd: str, ns: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    argv = ["ip", "netns", "exec", ns, *cmd] if ns else list(cmd)
    return subprocess.run(argv, capture_output=True, text=True, check=check, cwd=REPO)


def probe_json(*args: str, ns: str | None = None) -> dict:
    done = sh(HWCHECK, "probe", *args, "--json", "-", ns=ns)
    assert done.stderr == ""
    return json.loads(done.stdout)


def ethtool_i(link: str, ns: str | None) -> dict[str, str] | None:
    """`ethtool -i LINK` as {key: value}, values exactly as printed; None when unsupported."""
    done = sh("ethtool", "-i", link, ns=ns, check=False)
    if done.returncode != 0:
        assert "Operation not supported" in done.stderr, done.stderr
        return None
    info = {}
    for line in done.stdout.splitlines():
        key, sep, value = line.partition(": ")
        if not sep and line.endswith(":"):
            key, value = line[:-1], ""  # an empty field, should ethtool drop the space
        info[key] = value
    return info


def ethtool_p(link: str, ns: str | None) -> str | None:
    """`ethtool -P LINK`: the permanent address, None for "not set" or all zeros."""
    out = sh("ethtool", "-P", link, ns=ns).stdout.strip()
    value = out.rpartition(": ")[2]
    return None if value == "not set" or not value.strip("0:") else value


def ip_links(ns: str | None) -> dict[str, dict]:
    return {link["ifname"]: link for link in json.loads(sh("ip", "-d", "-j", "link", ns=ns).stdout)}


def sys_class_net(ns: str | None) -> list[str]:
    return sorted(sh("ls", "/sys/class/net", ns=ns).stdout.split())


def settle(ns: str, links: tuple[str, ...]) -> None:
    """Wait until `links` are operationally up (a bridge follows its ports a moment later)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        states = {n: link["operstate"] for n, link in ip_links(ns).items()}
        if all(states[link] == "UP" for link in links):
            return
        time.sleep(0.1)
    raise AssertionError(f"links did not come up in 15 s: {states}")


@contextlib.contextmanager
def namespace():
    """A fresh network namespace, deleted on exit whatever happened inside."""
    name = f"hwc-{secrets.token_hex(4)}"
    sh("ip", "netns", "add", name)
    try:
        sh("ip", "-n", name, "link", "set", "lo", "up")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)


def build_topology(ns: str) -> None:
    """veth va<->vb, bridge br0 over vb, tap0, macvlan mv0 and macvtap mvt0 on va, vxlan vx0
    on va if possible."""
    ip = ("ip", "-n", ns, "link")
    sh(*ip, "add", "va", "type", "veth", "peer", "name", "vb")
    sh(*ip, "add", "br0", "type", "bridge", "forward_delay", "0")
    sh(*ip, "set", "vb", "master", "br0")
    sh("ip", "-n", ns, "tuntap", "add", "dev", "tap0", "mode", "tap")
    sh(*ip, "add", "mv0", "link", "va", "type", "macvlan", "mode", "bridge")
    # A macvtap shares the macvlan driver; it needs the macvtap module, which a kernel may lack.
    sh(*ip, "add", "mvt0", "link", "va", "type", "macvtap", "mode", "bridge", check=False)
    vxlan = ("add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "dev", "va")
    sh(*ip, *vxlan, check=False)  # vxlan is optional: the kernel may lack it
    sh(*ip, "set", "mtu", "1400", "dev", "va")
    up = ("va", "vb", "br0", "mv0")
    for link in up:
        sh(*ip, "set", link, "up")
    settle(ns, up)


@pytest.fixture(scope="module")
def topo():
    with namespace() as ns:
        build_topology(ns)
        yield ns


@pytest.fixture(scope="module")
def topo_inventory(topo):
    return probe_json(ns=topo)


def by_name(inventory: dict) -> dict[str, dict]:
    return {nic["name"]: nic for nic in inventory["nics"]}


def link_gaps(inventory: dict) -> list[dict]:
    """The gaps about network interfaces. The node's own (a kernel without modules.builtin,
    as this machine's) depend on the machine, not on the links a test built."""
    return [g for g in inventory["gaps"] if g["what"].startswith(("nic[", "link["))]


# ---------------------------------------------------------------- inside a namespace


def test_namespace_topology_every_link_listed(topo, topo_inventory):
    names = sys_class_net(topo)
    assert {"lo", "va", "vb", "br0", "tap0", "mv0"} <= set(names)
    assert sorted(by_name(topo_inventory)) == names
    assert sorted(ip_links(topo)) == names
    # A healthy namespace has nothing the probe could not read (down links are facts).
    assert link_gaps(topo_inventory) == []
    assert topo_inventory["source"] == {"kind": "live", "root": "/"}
    assert topo_inventory["cards"] == []


def test_namespace_driver_info_matches_ethtool_field_by_field(topo, topo_inventory):
    nics = by_name(topo_inventory)
    compared = 0
    for name in sys_class_net(topo):
        nic = nics[name]
        info = ethtool_i(name, topo)
        if info is None:
            assert name == "lo"
            assert nic["driver"] is None
            continue
        for key, field in ETHTOOL_FIELDS.items():
            assert nic[field] == info[key], f"{name}.{field}: {nic[field]!r} != {info[key]!r}"
            assert nic["sources"][field] == "ethtool-ioctl"
        compared += 1
    assert compared == len(nics) - 1


def test_namespace_driver_info_values_users_see(topo_inventory):
    nics = by_name(topo_inventory)
    # Empty firmware is "" (veth, tun, macvlan) and a bridge says "N/A": both kept raw.
    assert (nics["va"]["driver"], nics["va"]["firmware_version"]) == ("veth", "")
    assert (nics["br0"]["driver"], nics["br0"]["firmware_version"]) == ("bridge", "N/A")
    assert nics["br0"]["bus_info"] == "N/A"
    assert (nics["tap0"]["driver"], nics["tap0"]["bus_info"]) == ("tun", "tap")
    assert nics["mv0"]["driver"] == "macvlan"
    for nic in nics.values():
        assert nic["driver_version_truncated"] is False
        assert nic["firmware_version_truncated"] is False


def test_namespace_permanent_address_matches_ethtool(topo, topo_inventory):
    for name, nic in by_name(topo_inventory).items():
        assert nic["permanent_mac_address"] == ethtool_p(name, topo), name


def test_namespace_loopback_has_no_driver_and_no_gap(topo, topo_inventory):
    lo = by_name(topo_inventory)["lo"]
    assert ethtool_i("lo", topo) is None  # "Operation not supported"
    assert lo["kind"] == "loopback"
    assert lo["link_type"] is None
    assert (lo["driver"], lo["driver_version"], lo["firmware_version"]) == (None, None, None)
    assert [g for g in topo_inventory["gaps"] if g["what"].startswith("nic[lo]")] == []


def test_namespace_classification_matches_kernel_link_kind(topo, topo_inventory):
    links = ip_links(topo)
    for name, nic in by_name(topo_inventory).items():
        if name == "lo":
            continue
        kind = links[name]["linkinfo"]["info_kind"]
        assert kind in VIRTUAL_KINDS
        assert nic["kind"] == "virtual", name
        assert nic["link_type"] == kind, name
        assert nic["pci_address"] is None
        assert nic["vendor_id"] is None


def test_namespace_mtu_mac_state_match_ip_link(topo, topo_inventory):
    links = ip_links(topo)
    for name, nic in by_name(topo_inventory).items():
        link = links[name]
        assert nic["mtu"] == link["mtu"], name
        assert nic["mac_address"] == link["address"], name
        assert nic["ifindex"] == link["ifindex"], name
        assert nic["operstate"] == link["operstate"].lower(), name
    nics = by_name(topo_inventory)
    assert nics["va"]["mtu"] == 1400
    assert nics["tap0"]["operstate"] == "down"
    # A down link's carrier answers EINVAL: no carrier value, and (checked above) no gap.
    assert nics["tap0"]["carrier"] is None
    assert (nics["va"]["carrier"], nics["br0"]["operstate"]) == (True, "up")


def test_namespace_capture_replays_to_the_same_inventory(topo, tmp_path):
    out = str(tmp_path / "ns.tar.gz")
    done = sh(HWCHECK, "capture", "--no-lshw", out, ns=topo)
    assert done.returncode == 0
    assert out in done.stdout
    live = probe_json(ns=topo)
    replay = probe_json("--from-capture", out)  # replayed outside the namespace
    assert replay["source"]["kind"] == "capture"
    assert replay["source"]["root"] == out
    for key in ("collected_at", "source"):
        live.pop(key)
        replay.pop(key)
    assert replay == live


def macvtap_or_skip(ns: str) -> None:
    if "mvt0" not in ip_links(ns):
        pytest.skip("this kernel has no macvtap")


def test_namespace_macvtap_is_not_a_macvlan(topo, topo_inventory):
    macvtap_or_skip(topo)
    links = ip_links(topo)
    nics = by_name(topo_inventory)
    assert links["mvt0"]["linkinfo"]["info_kind"] == "macvtap"
    assert links["mv0"]["linkinfo"]["info_kind"] == "macvlan"
    # Both answer driver "macvlan"; only the macvtap's tap device tells them apart.
    assert nics["mvt0"]["driver"] == nics["mv0"]["driver"] == "macvlan"
    assert (nics["mvt0"]["kind"], nics["mvt0"]["link_type"]) == ("virtual", "macvtap")
    assert nics["mv0"]["link_type"] == "macvlan"


def test_namespace_macvtap_capture_replays_as_macvtap(topo, tmp_path):
    macvtap_or_skip(topo)
    out = str(tmp_path / "mvt.tar.gz")
    assert sh(HWCHECK, "capture", "--no-lshw", out, ns=topo).returncode == 0
    live, replay = by_name(probe_json(ns=topo)), by_name(probe_json("--from-capture", out))
    # The capture holds what told the macvtap apart: replayed anywhere, it is still one.
    assert replay["mvt0"]["link_type"] == live["mvt0"]["link_type"] == "macvtap"
    assert replay["mv0"]["link_type"] == "macvlan"
    assert replay["mvt0"] == live["mvt0"]


def test_namespace_is_deleted_even_when_the_test_fails():
    with pytest.raises(RuntimeError, match="test body failed"), namespace() as ns:
        assert ns in sh("ip", "netns", "list").stdout
        raise RuntimeError("test body failed")
    assert ns not in sh("ip", "netns", "list").stdout


# ---------------------------------------------------------------- the root namespace: eth0


def test_eth0_virtio_net_matches_ethtool_and_sysfs():
    nic = by_name(probe_json())["eth0"]
    info = ethtool_i("eth0", None)
    assert info is not None
    for key, field in ETHTOOL_FIELDS.items():
        assert nic[field] == info[key], field
    assert nic["permanent_mac_address"] == ethtool_p("eth0", None)
    # The netdev hangs off the virtio device; the PCI function is its parent.
    device = os.path.realpath("/sys/class/net/eth0/device")
    pci = os.path.dirname(device)
    with open(os.path.join(pci, "vendor")) as f:
        vendor = f.read().strip().removeprefix("0x")
    with open(os.path.join(pci, "device")) as f:
        device_id = f.read().strip().removeprefix("0x")
    assert nic["bus_device"] == os.path.basename(device)
    assert nic["pci_address"] == os.path.basename(pci) == info["bus-info"]
    assert (nic["vendor_id"], nic["device_id"]) == (vendor, device_id)
    link = ip_links(None)["eth0"]
    assert (nic["bus"], nic["bus_device"]) == (link["parentbus"], link["parentdev"])
    assert (nic["mtu"], nic["mac_address"]) == (link["mtu"], link["address"])
    # What this machine is (DESIGN.md): virtio_net on 0000:00:03.0, 1af4:1041, via virtio2.
    assert nic["kind"] == "physical"
    assert (nic["driver"], nic["driver_version"], nic["firmware_version"]) == (
        "virtio_net",
        "1.0.0",
        "",
    )
    assert nic["pci_address"] == "0000:00:03.0"
    assert nic["card"] == "0000:00:03"
    assert (nic["vendor_id"], nic["device_id"]) == ("1af4", "1041")
    assert (nic["bus"], nic["bus_device"]) == ("virtio", "virtio2")


def test_root_namespace_capture_replays_to_the_same_inventory(tmp_path):
    out = str(tmp_path / "root.tar.gz")
    done = sh(HWCHECK, "capture", "--no-lshw", out)
    assert done.returncode == 0
    live = probe_json()
    replay = probe_json("--from-capture", out)
    assert replay["source"]["captured_at"] == replay["collected_at"]
    for key in ("collected_at", "source"):
        live.pop(key)
        replay.pop(key)
    assert replay == live
    assert {"eth0", "lo"} <= set(by_name(replay))


# ---------------------------------------------------------------- links deleted mid-probe

# Runs inside the namespace, in-process: a LiveRoot that deletes a link for real at the
# moment named by argv[2] ("listdir": right after /sys/class/net was listed; "drvinfo":
# right before the driver-info ioctl), then prints the inventory.
_VANISH = """
import json, subprocess, sys
from hwcheck.probe import probe
from hwcheck.probe.host import LiveRoot

victim, when = sys.argv[1], sys.argv[2]

class VanishingRoot(LiveRoot):
    def listdir(self, path):
        names = super().listdir(path)
        if when == "listdir" and path == "sys/class/net" and victim in names:
            subprocess.run(["ip", "link", "del", victim], check=True)
            print("deleted after listing", file=sys.stderr)
        return names

    def drvinfo(self, ifname):
        if when == "drvinfo" and ifname == victim:
            subprocess.run(["ip", "link", "del", victim], check=True)
            print("deleted before driver info", file=sys.stderr)
        return super().drvinfo(ifname)

json.dump(probe(VanishingRoot("/")), sys.stdout)
"""


@pytest.fixture
def lonely_veth():
    """A namespace holding one end of a veth pair (the peer lives in a second namespace,
    so deleting the end takes no other link of the first namespace with it) and a tap."""
    with namespace() as ns, namespace() as peer_ns:
        sh("ip", "-n", ns, "link", "add", "gone0", "type", "veth", "peer", "name", "p0",
           "netns", peer_ns)  # fmt: skip
        sh("ip", "-n", ns, "tuntap", "add", "dev", "tap0", "mode", "tap")
        sh("ip", "-n", ns, "link", "set", "gone0", "up")
        yield ns


def run_vanishing(ns: str, when: str) -> tuple[dict, str]:
    done = sh(PYTHON, "-c", _VANISH, "gone0", when, ns=ns, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout), done.stderr


def test_link_deleted_between_listing_and_reading_is_one_vanished_gap(lonely_veth):
    inventory, stderr = run_vanishing(lonely_veth, "listdir")
    assert "deleted after listing" in stderr
    assert "gone0" not in sys_class_net(lonely_veth)  # really gone
    assert sorted(by_name(inventory)) == ["lo", "tap0"]
    (gap,) = link_gaps(inventory)
    assert gap["what"] == "nic[gone0]"
    assert gap["reason"] == "vanished"
    assert gap["source"] == "sysfs"
    assert gap["detail"].startswith("/sys/class/net/gone0")
    assert "vanished during the probe" in gap["detail"]
    assert by_name(inventory)["tap0"]["driver"] == "tun"


def test_link_deleted_before_driver_info_is_a_vanished_driver_info_gap(lonely_veth):
    inventory, stderr = run_vanishing(lonely_veth, "drvinfo")
    assert "deleted before driver info" in stderr
    gone = by_name(inventory)["gone0"]
    assert gone["driver"] is None  # the ioctl answered ENODEV for real
    assert gone["mac_address"] is not None  # read from sysfs before the deletion
    gaps = [g for g in inventory["gaps"] if g["what"].startswith("nic[gone0]")]
    assert [(g["what"], g["source"], g["reason"]) for g in gaps] == [
        ("nic[gone0].driver_info", "ethtool-ioctl", "vanished")
    ]
    assert gaps[0]["detail"] == "/sys/class/net/gone0: [Errno 19] No such device"
    assert by_name(inventory)["tap0"]["driver"] == "tun"
    assert len(link_gaps(inventory)) == 1


# ---------------------------------------------------------------- bytes that are not UTF-8


def test_alias_with_non_utf8_bytes_set_for_real(tmp_path):
    with namespace() as ns:
        sh("ip", "-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb")
        sh("ip", "-n", ns, "link", "set", "dev", "va", "alias", os.fsdecode(b"rack\xff 7"))
        live = probe_json(ns=ns)
        out = str(tmp_path / "alias.tar.gz")
        sh(HWCHECK, "capture", "--no-lshw", out, ns=ns)
    assert by_name(live)["va"]["ifalias"] == "rack\\xff 7"
    assert by_name(live)["vb"]["ifalias"] is None
    (gap,) = link_gaps(live)
    assert (gap["what"], gap["source"], gap["reason"]) == ("nic[va].ifalias", "sysfs", "not-utf8")
    assert (
        gap["detail"] == "/sys/devices/virtual/net/va/ifalias: not UTF-8, kept escaped: rack\\xff 7"
    )
    # The capture holds the raw bytes; the replay, made after the namespace is gone, agrees.
    assert link_gaps(probe_json("--from-capture", out)) == [gap]


@pytest.fixture
def non_utf8_link():
    """A namespace with a veth end whose name is the bytes `v\\xffx` (the kernel allows any
    byte in a name but '/', ':' and whitespace) and its peer `peer0`."""
    with namespace() as ns:
        name = os.fsdecode(b"v\xffx")
        sh("ip", "-n", ns, "link", "add", name, "type", "veth", "peer", "name", "peer0")
        yield ns


@pytest.mark.parametrize("args", [["--json", "-"], []])
def test_link_named_with_non_utf8_bytes_is_probed(non_utf8_link, args):
    done = sh(HWCHECK, "probe", *args, ns=non_utf8_link, check=False)
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr
    if args:
        inventory = json.loads(done.stdout)
        nics = by_name(inventory)
        assert len(nics) == 3
        (odd,) = [n for n in nics if n not in ("lo", "peer0")]
        assert "x" in odd  # the name is kept, its odd byte escaped however the probe chooses
        # Both ends are veth links, whatever their names: driver info was asked and answered.
        assert nics[odd]["driver"] == nics["peer0"]["driver"] == "veth"
        assert all(g["reason"] == "not-utf8" for g in link_gaps(inventory))
    else:
        assert "peer0" in done.stdout
