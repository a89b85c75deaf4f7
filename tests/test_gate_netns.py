"""Nodes gating against a collector over a network: every party in its own network namespace.

tests/netns.py makes a switch (a bridge in its own namespace) and hosts on it over veth
pairs, in a 10.X.Y.0/24: the collector (a real `hwcheck serve`, listening on its eth0
address only), and nodes that run the real `hwcheck gate` against it at the same time:

- three nodes post real fixture inventories (tests/fixtures/inventories): broadcom-bnxt-bnx2x
  (compliant with the shipped profiles), intel-x710-i40e (NVM 8.15 below the 700-series
  minimum: non-compliant) and virtio-vm, whose virtio NIC reports an empty firmware string,
  which a site profile requiring virtio firmware 1.0 cannot judge: unknown. That profile is
  tests/fixtures/profiles/virtio-firmware.yaml with an `applies_to` added, so the collector
  picks it by itself beside the shipped ones;
- one node probes itself LIVE, with hwcheck.pyz under a bare `python3 -I` as a ramdisk runs
  it, so the inventory it posts holds that namespace's links (its eth0 and a veth pair made
  there) and its hostname; no profile applies to a node without cards, so its verdict is
  `error` (exit 6: no profile applies), from the collector as from `hwcheck check`.

Each gate's exit code must be the verdict's exit code the collector stored for that node,
and the exit code `hwcheck check --inventory` gives for the same document with the same
profiles. The test's own namespace joins the switch only to start, watch and read the
collector. Namespaces, links and processes are removed afterwards, even on failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

import netns
import pytest
from collectorproc import Collector
from runcli import ROOT

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(netns.available() is not None, reason=str(netns.available())),
]

INVENTORIES = os.path.join(ROOT, "tests", "fixtures", "inventories")
SHIPPED = os.path.join(ROOT, "profiles")
VIRTIO_FIRMWARE = os.path.join(ROOT, "tests", "fixtures", "profiles", "virtio-firmware.yaml")
PORT = 8740
# node name -> (fixture inventory, the exit code its verdict has with these profiles)
FIXTURE_NODES = {
    "compliant": ("broadcom-bnxt-bnx2x.json", 0),
    "noncompliant": ("intel-x710-i40e.json", 1),
    "unknown": ("virtio-vm.json", 3),
}
LIVE_HOSTNAME = "netns-live"
# Interpreters a ramdisk base ships (RHEL 9: 3.9, Ubuntu 22.04: 3.10); the oldest found runs
# the live node's gate, else this test's own.
OLD_PYTHONS = (
    "/root/.pyenv/versions/3.9.18/bin/python3",
    "/root/.pyenv/versions/3.10.13/bin/python3",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Profile directories: the shipped ones, and a site one holding the virtio firmware
    rule picked by applies_to."""
    directory = tmp_path_factory.mktemp("site-profiles")
    with open(VIRTIO_FIRMWARE, encoding="utf-8") as handle:
        text = handle.read()
    assert "\napplies_to:" not in text
    (directory / "virtio-firmware.yaml").write_text(
        text + 'applies_to:\n  devices: ["1af4:1041"]\n', encoding="utf-8"
    )
    return [SHIPPED, str(directory)]


@pytest.fixture(scope="module")
def lan():
    with netns.Lan() as network:
        yield network


@pytest.fixture(scope="module")
def collector(lan, site):
    """`hwcheck serve` in its own namespace, listening on its eth0 address only."""
    host = lan.add("collector")
    lan.join_here()
    c = Collector(host=host.address, port=PORT, profile_dirs=site)
    c.argv[:0] = ["ip", "netns", "exec", host.netns]
    with c:
        yield c


@pytest.fixture(scope="module")
def pyz(tmp_path_factory):
    out = tmp_path_factory.mktemp("pyz") / "hwcheck.pyz"
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "build-pyz.py"), "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return str(out)


def token_file(directory, token):
    path = os.path.join(directory, "enroll.token")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.chmod(path, 0o600)
    return path


def stored_nodes(collector):
    request = urllib.request.Request(
        f"{collector.url}/api/v1/nodes?limit=1000", headers=collector.auth("read")
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return {node["hostname"]: node for node in json.loads(answer.read())["nodes"]}


def stored_inventory(collector, node_key):
    quoted = urllib.parse.quote(node_key, safe="/")
    request = urllib.request.Request(
        f"{collector.url}/api/v1/nodes/{quoted}/inventory", headers=collector.auth("read")
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read()


def check_exit(path, site):
    argv = [sys.executable, "-m", "hwcheck", "check", "--inventory", path, "--no-html", "--quiet"]
    for directory in site:
        argv += ["--profile-path", directory]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
    return done.returncode


def start_gate(host, gate_argv, collector, workdir):
    """The real `hwcheck gate` inside `host`, posting to the collector's eth0 address."""
    os.makedirs(workdir, exist_ok=True)
    cmdline = os.path.join(workdir, "cmdline")
    with open(cmdline, "w", encoding="ascii") as handle:
        handle.write("BOOT_IMAGE=/vmlinuz\n")  # no hwcheck.* settings: the flags say it all
    argv = [
        *gate_argv,
        "--url", collector.url,
        "--token-file", token_file(workdir, collector.enroll_token),
        "--spool", os.path.join(workdir, "spool"),
        "--deadline", "120",
    ]  # fmt: skip
    env = {
        "PATH": os.environ["PATH"],
        "NO_COLOR": "1",
        "HWCHECK_CMDLINE": cmdline,
        "HWCHECK_NO_CACHE": "1",
    }
    return subprocess.Popen(
        host.argv(argv),
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process):
    out, err = process.communicate(timeout=180)
    return process.returncode, out + err


def test_nodes_in_their_namespaces_exit_with_the_verdict_the_collector_stored(
    lan, collector, site, pyz, tmp_path
):
    assert collector.host.startswith("10.")
    hosts = {name: lan.add(name, hostname=f"netns-{name}") for name in FIXTURE_NODES}
    live = lan.add("live", hostname=LIVE_HOSTNAME)
    netns.sh("ip", "-n", live.netns, "link", "add", "lv0", "type", "veth", "peer", "name", "lv1")
    assert live.links() == ["eth0", "lo", "lv0", "lv1"]
    for host in [*hosts.values(), live]:  # each node's one way out is its veth to the switch
        routes = netns.sh("ip", "-n", host.netns, "-j", "-4", "route", "show").stdout
        assert [r["dst"] for r in json.loads(routes)] == [str(lan.subnet)], routes

    python = next((p for p in OLD_PYTHONS if os.access(p, os.X_OK)), sys.executable)
    gates = {
        name: start_gate(
            hosts[name],
            [sys.executable, "-m", "hwcheck", "gate", "--inventory",
             os.path.join(INVENTORIES, inventory)],
            collector,
            str(tmp_path / name),
        )
        for name, (inventory, _) in FIXTURE_NODES.items()
    }  # fmt: skip
    gates["live"] = start_gate(live, [python, "-I", pyz, "gate"], collector, str(tmp_path / "live"))
    finished = {name: finish(process) for name, process in gates.items()}

    nodes = stored_nodes(collector)
    for name, (inventory, expected) in FIXTURE_NODES.items():
        rc, output = finished[name]
        with open(os.path.join(INVENTORIES, inventory), encoding="utf-8") as handle:
            fixture = json.load(handle)
        node = nodes[fixture["host"]["hostname"]]
        assert rc == node["exit_code"] == expected, (name, output, node)
        assert check_exit(os.path.join(INVENTORIES, inventory), site) == expected
        assert node["submissions"] == 1
        assert f"report:    {collector.url}{node['report']}" in output, output

    rc, output = finished["live"]
    node = nodes[LIVE_HOSTNAME]
    assert node["verdict"] == "error", (node, output)
    assert rc == node["exit_code"] == 6, output
    document = stored_inventory(collector, node["node_key"])
    inventory = json.loads(document)
    assert inventory["host"]["hostname"] == LIVE_HOSTNAME
    assert sorted(nic["name"] for nic in inventory["nics"]) == live.links()
    kinds = {nic["name"]: nic["link_type"] for nic in inventory["nics"]}
    assert kinds == {"lo": None, "eth0": "veth", "lv0": "veth", "lv1": "veth"}, kinds
    written = tmp_path / "live-stored.json"
    written.write_bytes(document)
    assert check_exit(str(written), site) == rc  # `check` agrees on what the collector holds
    assert len(nodes) == len(FIXTURE_NODES) + 1
