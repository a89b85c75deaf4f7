"""PXE-boot a diskless QEMU guest and read what it printed on its serial console.

The guest's first NIC (an e1000 with Debian's iPXE ROM) gets DHCP and TFTP from QEMU's user
networking, which serves boot.ipxe; the script loads the kernel and both ramdisk archives.
Every user network is `restrict=on`: the guest reaches nothing but the collector, through the
boot NIC's guestfwd, for which QEMU runs `socat - TCP:127.0.0.1:PORT` per connection. The other
NICs (e1000e, virtio-net) are there to be probed. TCG only: KVM guests have hung on these
machines.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass

QEMU = "qemu-system-x86_64"
IPXE_ROM = "/usr/lib/ipxe/qemu/pxe-e1000.rom"
COLLECTOR_IP = "10.0.2.100"
COLLECTOR_PORT = 8080
COLLECTOR_URL = f"http://{COLLECTOR_IP}:{COLLECTOR_PORT}"
MARKER = re.compile(r"^hwcheck-gate: exit (\d+)\b", re.MULTILINE)


@dataclass(frozen=True)
class Nic:
    model: str  # QEMU device name
    mac: str
    driver: str  # the Linux driver that binds it
    vendor_id: str  # the PCI IDs QEMU gives the device
    device_id: str


# The boot NIC first. PCI IDs as QEMU presents them: hw/net/e1000.c (82540EM 8086:100e),
# hw/net/e1000e.c (82574L 8086:10d3), and virtio-net-pci, which on the q35 root bus (not a
# PCIe port) stays transitional: the legacy ID 1af4:1000 (hw/virtio/virtio-pci.c).
NICS = (
    Nic("e1000", "52:54:00:a0:00:01", "e1000", "8086", "100e"),
    Nic("e1000e", "52:54:00:a0:00:02", "e1000e", "8086", "10d3"),
    Nic("virtio-net-pci", "52:54:00:a0:00:03", "virtio_net", "1af4", "1000"),
)


@dataclass
class Guest:
    """What to boot: the node's identity and the kernel command line's hwcheck part."""

    hostname: str
    serial: str
    uuid: str
    cmdline: str
    nics: tuple[Nic, ...] = NICS


@dataclass
class Boot:
    """What happened: the serial log, QEMU's exit, the gate's exit code the guest printed."""

    log: str
    returncode: int | None
    seconds: float
    timed_out: bool
    gate_exit: int | None = None
    stderr: str = ""

    def tail(self, n: int = 60) -> str:
        return "\n".join(self.log.splitlines()[-n:])


def ipxe_script(cmdline: str) -> str:
    # BOOTIF=01-<mac> names the NIC the node booted from (pxelinux's convention, which the
    # ironic-python-agent reads too); the ramdisk's init brings that one up.
    return (
        "#!ipxe\n"
        "echo hwcheck-pxe: iPXE loading the kernel and ramdisk over TFTP\n"
        f"kernel vmlinuz {cmdline} BOOTIF=01-${{netX/mac:hexhyp}}\n"
        "initrd base.cpio.gz\n"
        "initrd run.cpio.gz\n"
        "boot\n"
    )


def _link(src: str, dst: str) -> None:
    if os.path.lexists(dst):
        os.unlink(dst)
    os.symlink(os.path.abspath(src), dst)


def qemu_argv(guest: Guest, tftp: str, log: str, collector_port: int) -> list[str]:
    argv = [
        QEMU,
        "-M", "q35,graphics=off",
        "-accel", "tcg,thread=multi",
        "-cpu", "max",
        "-m", "1024",
        "-smp", "1",
        "-display", "none",
        "-monitor", "none",
        "-serial", f"file:{log}",
        "-no-reboot",
        "-boot", "n",
        "-smbios",
        f"type=1,manufacturer=hwcheck-test,product=pxe-guest,serial={guest.serial},uuid={guest.uuid}",
    ]  # fmt: skip
    for i, nic in enumerate(guest.nics):
        netdev = f"user,id=n{i},restrict=on"
        device = f"{nic.model},netdev=n{i},mac={nic.mac}"
        if i == 0:
            forward = f"cmd:socat - TCP:127.0.0.1:{collector_port}"
            netdev += (
                f",tftp={tftp},bootfile=boot.ipxe,hostname={guest.hostname}"
                f",guestfwd=tcp:{COLLECTOR_IP}:{COLLECTOR_PORT}-{forward}"
            )
            device += f",romfile={IPXE_ROM},bootindex=1"
        else:
            device += ",romfile="
        argv += ["-netdev", netdev, "-device", device]
    return argv


def boot(
    guest: Guest,
    *,
    kernel: str,
    base_initramfs: str,
    overlay: str,
    workdir: str,
    collector_port: int,
    timeout: float,
) -> Boot:
    """Boot the guest once, until it powers off or `timeout` seconds pass (then QEMU is
    killed); QEMU and the socat processes it spawned are gone when this returns."""
    tftp = os.path.join(workdir, "tftp")
    os.makedirs(tftp, exist_ok=True)
    _link(kernel, os.path.join(tftp, "vmlinuz"))
    _link(base_initramfs, os.path.join(tftp, "base.cpio.gz"))
    _link(overlay, os.path.join(tftp, "run.cpio.gz"))
    with open(os.path.join(tftp, "boot.ipxe"), "w") as f:
        f.write(ipxe_script(guest.cmdline))
    log = os.path.join(workdir, "serial.log")
    errpath = os.path.join(workdir, "qemu.stderr")
    argv = qemu_argv(guest, tftp, log, collector_port)
    start = time.monotonic()
    timed_out = False
    with open(errpath, "wb") as err:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err, start_new_session=True
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(proc)
    seconds = time.monotonic() - start
    text = _read_text(log)
    found = MARKER.findall(text.replace("\r", ""))
    return Boot(
        log=text,
        returncode=None if timed_out else proc.returncode,
        seconds=seconds,
        timed_out=timed_out,
        gate_exit=int(found[-1]) if found else None,
        stderr=_read_text(errpath),
    )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """QEMU (TERM, then KILL) and whatever it spawned in its process group (the socat
    processes of guestfwd), so nothing outlives a boot."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _read_text(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""
