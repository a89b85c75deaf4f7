"""A real PXE boot: diskless QEMU guests PXE-boot (iPXE ROM, QEMU's DHCP and TFTP) a Debian
kernel and an initramfs-tools ramdisk holding python3 and hwcheck.pyz; contrib/initramfs-tools'
boot script brings up the boot NIC (DHCP by klibc's ipconfig on the BOOTIF= NIC) and runs
`hwcheck gate` with the collector's URL and an enrollment token from the kernel command
line. The collector is a real `hwcheck serve` on the host's loopback, reached only through
the boot NIC's guestfwd (every user network is restrict=on).

Two guests boot side by side, each against its own collector: one whose profile the guest
meets (compliant, exit 0) and one whose profile asks for a NIC the guest lacks (noncompliant,
exit 1, which the gate's boot step turns into a power-off). For each the test asserts what the
collector stored: this guest's identity (hostname from DHCP, SMBIOS serial and UUID), its
three emulated NICs with their drivers and PCI IDs, the verdict, and that the exit code the
guest printed on its serial console is the collector's.

Builds: the base (kernel, busybox, python3, NIC modules) is cached by package versions
(tests/pxe/base.py); hwcheck.pyz and the small overlay archive are built for each run.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid

import pytest
from collectorproc import Collector
from pxe import base, overlay, qemu

pytestmark = pytest.mark.pxe

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PXE_PROFILES = os.path.join(ROOT, "tests", "pxe", "profiles")
SHIPPED_PROFILES = os.path.join(ROOT, "profiles")
BOOT_TIMEOUT = 180.0  # seconds from QEMU's start to the guest's power-off (about 20-40 s)
GATE_DEADLINE = 60  # the gate's own deadline, well inside the boot timeout

# What initramfs-tools' init prints when it goes on to mount a root file system it was not given.
ROOT_MOUNT = "No root device specified"

TIMES: dict[str, float] = {}


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed: run bash scripts/setup.sh --test")


@pytest.fixture(scope="module")
def ramdisk_base() -> base.Base:
    for tool in ("apt-get", "apt-cache", "dpkg-deb", "readelf", qemu.QEMU, "socat"):
        _need(tool)
    if not os.path.exists(qemu.IPXE_ROM):
        pytest.fail(f"{qemu.IPXE_ROM} is missing: install Debian's ipxe-qemu")
    start = time.monotonic()
    built = base.ensure_base()
    TIMES["base"] = time.monotonic() - start
    return built


@pytest.fixture(scope="module")
def pyz(tmp_path_factory: pytest.TempPathFactory) -> str:
    """hwcheck.pyz of this checkout, by scripts/build-pyz.py (byte-compiled by this
    interpreter, a 3.11 like the guest's python3.11, so the guest starts from the .pycs)."""
    start = time.monotonic()
    out = str(tmp_path_factory.mktemp("pyz") / "hwcheck.pyz")
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "build-pyz.py"), "--output", out],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"build-pyz.py failed:\n{done.stdout}{done.stderr}"
    TIMES["pyz"] = time.monotonic() - start
    return out


def _get(collector: Collector, path: str) -> object:
    request = urllib.request.Request(collector.url + path, headers=collector.auth("read"))
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _boot(guest: qemu.Guest, ramdisk_base: base.Base, run_cpio: str, workdir: str, port: int):
    os.makedirs(workdir, exist_ok=True)
    return qemu.boot(
        guest,
        kernel=ramdisk_base.kernel,
        base_initramfs=ramdisk_base.initramfs,
        overlay=run_cpio,
        workdir=workdir,
        collector_port=port,
        timeout=BOOT_TIMEOUT,
    )


def _explain(name: str, boot: qemu.Boot, collector: Collector, what: str) -> str:
    log_tail = "\n".join(collector.log().splitlines()[-15:])
    return (
        f"guest {name}: {what} (QEMU exit {boot.returncode}, "
        f"{'timed out' if boot.timed_out else 'powered off'} after {boot.seconds:.0f} s)\n"
        f"--- serial console, last lines ---\n{boot.tail(60)}\n"
        f"--- QEMU stderr ---\n{boot.stderr.strip()}\n"
        f"--- collector log, last lines ---\n{log_tail}"
    )


def _guest(name: str, collector: Collector) -> qemu.Guest:
    return qemu.Guest(
        hostname=name,
        serial=f"PXE-{uuid.uuid4().hex[:10].upper()}",
        uuid=str(uuid.uuid4()),
        cmdline=(
            "console=ttyS0,115200 panic=1 loglevel=3"
            f" hwcheck.url={qemu.COLLECTOR_URL} hwcheck.token={collector.enroll_token}"
            f" hwcheck.deadline={GATE_DEADLINE}"
        ),
    )


def _check_stored(
    name: str, guest: qemu.Guest, boot: qemu.Boot, collector: Collector, release: str
) -> dict:
    """What the collector stored for this guest, checked against the guest itself."""
    if boot.gate_exit is None:
        pytest.fail(_explain(name, boot, collector, "no 'hwcheck-gate: exit N' line"))
    listing = _get(collector, "/api/v1/nodes")
    assert isinstance(listing, dict)
    nodes = listing["nodes"]
    assert len(nodes) == 1, _explain(name, boot, collector, f"collector holds {nodes}")
    node = nodes[0]
    assert node["node_key"] == f"{guest.hostname}/{guest.serial}"
    assert node["hostname"] == guest.hostname
    assert node["serial"] == guest.serial
    assert node["product_uuid"] == guest.uuid
    assert node["submissions"] == 1
    key = urllib.parse.quote(node["node_key"], safe="")
    inventory = _get(collector, f"/api/v1/nodes/{key}/inventory")
    assert isinstance(inventory, dict)
    assert inventory["system"]["product_serial"] == guest.serial
    assert inventory["kernel"]["release"] == release
    pci = sorted(
        (n["mac_address"], n["driver"], n["vendor_id"], n["device_id"])
        for n in inventory["nics"]
        if n["pci_address"]
    )
    expected = sorted((n.mac, n.driver, n.vendor_id, n.device_id) for n in guest.nics)
    assert pci == expected, _explain(name, boot, collector, f"NICs stored {pci}")
    assert node["exit_code"] == boot.gate_exit, _explain(
        name, boot, collector, f"collector said exit {node['exit_code']}"
    )
    return node


def test_pxe_boot_gates_each_guest_on_the_collector_verdict(ramdisk_base, pyz, tmp_path):
    start = time.monotonic()
    run_cpio = str(tmp_path / "run.cpio")
    overlay.write_overlay(run_cpio, pyz)
    TIMES["overlay"] = time.monotonic() - start
    dirs = [SHIPPED_PROFILES, PXE_PROFILES]
    with (
        Collector(profiles=["test/qemu-pxe"], profile_dirs=dirs) as passing,
        Collector(profiles=["test/qemu-pxe-two-virtio"], profile_dirs=dirs) as failing,
    ):
        guests = {
            "pxe-pass": (_guest("pxe-pass", passing), passing),
            "pxe-fail": (_guest("pxe-fail", failing), failing),
        }
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(len(guests)) as pool:
            futures = {
                name: pool.submit(
                    _boot, guest, ramdisk_base, run_cpio, str(tmp_path / name), collector.port
                )
                for name, (guest, collector) in guests.items()
            }
            boots = {name: f.result() for name, f in futures.items()}
        TIMES["boots"] = time.monotonic() - start
        for name, boot in boots.items():
            TIMES[f"boot {name}"] = boot.seconds

        guest, collector = guests["pxe-pass"]
        boot = boots["pxe-pass"]
        node = _check_stored("pxe-pass", guest, boot, collector, ramdisk_base.kernel_release)
        assert node["verdict"] == "compliant", _explain("pxe-pass", boot, collector, "verdict")
        assert boot.gate_exit == 0
        assert node["profiles"] == ["test/qemu-pxe"]
        # initramfs-tools went on past a passing gate to mount the root file system; this
        # diskless guest has none, so its init panics (and panic=1 reboots, which ends QEMU).
        assert ROOT_MOUNT in boot.log.split("hwcheck-gate: exit 0", 1)[1]
        assert not boot.timed_out

        guest, collector = guests["pxe-fail"]
        boot = boots["pxe-fail"]
        node = _check_stored("pxe-fail", guest, boot, collector, ramdisk_base.kernel_release)
        assert node["verdict"] == "noncompliant", _explain("pxe-fail", boot, collector, "verdict")
        assert boot.gate_exit == 1
        key = urllib.parse.quote(node["node_key"], safe="")
        result = _get(collector, f"/api/v1/nodes/{key}/result")
        assert isinstance(result, dict)
        failed = {f["rule_id"] for f in result["findings"] if f["status"] == "fail"}
        assert failed == {"test.pxe.virtio.two"}
        # The gate printed what failed on the console, and the boot step stopped the node.
        assert "test.pxe.virtio.two" in boot.log
        assert "hwcheck-gate: powering off: this node did not pass the gate" in boot.log
        assert ROOT_MOUNT not in boot.log
        assert not boot.timed_out
    print(  # shown with -s or -rP: where the tier's time goes
        "pxe times: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMES.items()),
        file=sys.stderr,
    )


# ---- the gate step on this host (no QEMU): what every ramdisk integration runs ----------

GATE_BOOT = os.path.join(ROOT, "contrib", "hwcheck-gate-boot")


def _gate_boot(tmp_path, cmdline: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "cmdline"
    path.write_text(cmdline + "\n")
    return subprocess.run(
        ["sh", GATE_BOOT],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PATH": os.environ["PATH"], "HWCHECK_CMDLINE": str(path), **env},
    )


def test_the_gate_step_without_hwcheck_url_does_not_gate(tmp_path):
    done = _gate_boot(tmp_path, "console=ttyS0 BOOTIF=01-52-54-00-a0-00-01 quiet")
    assert done.returncode == 0
    assert done.stdout == (
        "hwcheck-gate: not enabled (no hwcheck.url= on the kernel command line)\n"
    )


def test_the_gate_step_fails_closed_without_python_or_pyz(tmp_path):
    cmdline = "hwcheck.url=http://127.0.0.1:9 hwcheck.token=t"
    done = _gate_boot(tmp_path, cmdline, HWCHECK_PYZ=str(tmp_path / "absent.pyz"))
    assert done.returncode == 2
    assert done.stdout.splitlines()[-1] == "hwcheck-gate: exit 2 (error)"
    assert "absent.pyz is not in this ramdisk" in done.stdout
    done = _gate_boot(tmp_path, cmdline, HWCHECK_PYTHON="no-such-python3")
    assert done.returncode == 2
    assert "no-such-python3 is not in this ramdisk" in done.stdout


def test_the_gate_step_exits_with_the_collectors_exit_code(tmp_path, pyz):
    """The pyz's gate probes this host and posts it; the step passes the collector's exit code
    through and names it on its last line, as the PXE guests print it."""
    with Collector(profiles=["test/qemu-pxe"], profile_dirs=[SHIPPED_PROFILES, PXE_PROFILES]) as c:
        cmdline = f"hwcheck.url={c.url} hwcheck.token={c.enroll_token} hwcheck.deadline=30"
        done = _gate_boot(tmp_path, cmdline, HWCHECK_PYZ=pyz, HWCHECK_SPOOL=str(tmp_path))
        listing = _get(c, "/api/v1/nodes")
    assert isinstance(listing, dict)
    (node,) = listing["nodes"]
    # This host is no QEMU guest with those three NICs: never compliant.
    assert node["verdict"] != "compliant"
    assert done.returncode == node["exit_code"] != 0, done.stdout + done.stderr
    meaning = {1: "noncompliant", 3: "unknown"}[node["exit_code"]]
    assert done.stdout.splitlines()[-1] == f"hwcheck-gate: exit {node['exit_code']} ({meaning})"
