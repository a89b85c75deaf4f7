"""Hosts reachable over real SSH, made of network namespaces on this machine.

Each host is a network namespace (`ip netns add`) joined to this namespace by a veth pair
(`eth0` inside, 10.X.N.2/24; this side 10.X.N.1/24) and running its own OpenSSH sshd on
its eth0 address, port 22, with a host key and an authorized key made for this run. sshd
is started through `ip netns exec`, which remounts /sys for the namespace (so
/sys/class/net inside lists that namespace's links), and inside `unshare --uts` with the
host's own hostname set first: namespaces share this machine's hostname and DMI otherwise,
and a fleet would take them for one node. Everything else (the filesystem, Python, the
repository's hwcheck) is this machine's.

`SshHosts.close()` kills every process in each namespace (sshd and the sessions it
started), deletes the namespaces and with them the veth pairs, whatever state setup
reached.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import os
import secrets
import socket
import subprocess
import time

from tests.netns import available as namespaces_available
from tests.netns import free_subnet, kill_all, sh

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

SSHD = "/usr/sbin/sshd"


def available() -> str | None:
    """Why these hosts cannot be made here, or None when they can."""
    return namespaces_available("network namespaces and sshd on their addresses")


run = sh


def link_kinds(netns: str) -> dict[str, str]:
    """Every link of the namespace but lo, as the kernel lists them, with its kind (`veth`,
    `bridge`, ...)."""
    shown = json.loads(run("ip", "-n", netns, "-d", "-j", "link", "show").stdout)
    return {
        link["ifname"]: link.get("linkinfo", {}).get("info_kind", "")
        for link in shown
        if link["ifname"] != "lo"
    }


@dataclasses.dataclass
class SshHost:
    name: str  # the Ansible inventory name
    hostname: str  # the hostname sshd and everything it starts see
    netns: str
    address: str  # its eth0 address, where its sshd listens
    gateway: str  # this side's address on the same veth pair
    log: str  # sshd's log (-e)
    process: subprocess.Popen[bytes] | None = None

    def links(self) -> list[str]:
        """Every link of the host but lo, sorted."""
        return sorted(link_kinds(self.netns))

    def link_kinds(self) -> dict[str, str]:
        return link_kinds(self.netns)

    def stop(self) -> None:
        """Kill sshd and every session it started (all processes in the namespace)."""
        kill_all(self.netns)
        if self.process is not None:
            self.process.wait(timeout=5)


class SshHosts:
    """Up to 250 hosts; one client key, one known_hosts file, one directory for them all."""

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.token = secrets.token_hex(3)
        self.hosts: list[SshHost] = []
        self.subnet = free_subnet(16)
        self.key = os.path.join(workdir, "client_key")
        self.known_hosts = os.path.join(workdir, "known_hosts")
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hwcheck-test", "-f", self.key)
        self.authorized_keys = os.path.join(workdir, "authorized_keys")
        with open(self.key + ".pub") as pub, open(self.authorized_keys, "w") as out:
            out.write(pub.read())
        os.chmod(self.authorized_keys, 0o600)
        open(self.known_hosts, "w").close()
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation

    def add(self, name: str, hostname: str, build: Callable[[str], None]) -> SshHost:
        """A host: its namespace, `build(netns)` making its extra links, its sshd."""
        n = len(self.hosts) + 1
        base = int(self.subnet.network_address) + (n << 8)
        here, there = ipaddress.ip_address(base + 1), ipaddress.ip_address(base + 2)
        netns = f"hwc-{self.token}-{n}"
        hostdir = os.path.join(self.workdir, name)
        os.makedirs(hostdir)
        log = os.path.join(hostdir, "sshd.log")
        host = SshHost(name, hostname, netns, str(there), str(here), log)
        run("ip", "netns", "add", netns)
        self.hosts.append(host)
        outside = f"hwc{self.token}{n}"
        run("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", netns)
        run("ip", "addr", "add", f"{here}/24", "dev", outside)
        run("ip", "link", "set", outside, "up")
        run("ip", "-n", netns, "addr", "add", f"{there}/24", "dev", "eth0")
        for link in ("lo", "eth0"):
            run("ip", "-n", netns, "link", "set", link, "up")
        build(netns)
        hostkey = os.path.join(hostdir, "host_key")
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", hostname, "-f", hostkey)
        with open(hostkey + ".pub") as pub, open(self.known_hosts, "a") as known:
            known.write(f"{host.address} {' '.join(pub.read().split()[:2])}\n")
        self.start(host)
        return host

    def start(self, host: SshHost) -> None:
        """Start the host's sshd and wait until it accepts connections."""
        hostdir = os.path.dirname(host.log)
        hostkey = os.path.join(hostdir, "host_key")
        config = os.path.join(hostdir, "sshd_config")
        with open(config, "w") as out:
            out.write(
                f"ListenAddress {host.address}:22\n"
                f"HostKey {hostkey}\n"
                f"PidFile {os.path.join(hostdir, 'sshd.pid')}\n"
                f"AuthorizedKeysFile {self.authorized_keys}\n"
                "PermitRootLogin prohibit-password\n"
                "PasswordAuthentication no\n"
                "KbdInteractiveAuthentication no\n"
                "UsePAM no\n"
                # The keys live under the test's directory, below the world-writable /tmp.
                "StrictModes no\n"
                "MaxStartups 100\n"
                "Subsystem sftp internal-sftp\n"
                # Sessions run the repository's hwcheck: leave its tree without byte code.
                "SetEnv PYTHONDONTWRITEBYTECODE=1\n"
            )
        script = f'hostname "$1" && exec {SSHD} -D -e -f "$2"'
        with open(host.log, "ab") as log:
            host.process = subprocess.Popen(
                ["ip", "netns", "exec", host.netns, "unshare", "--uts", "--",
                 "sh", "-c", script, "sh", host.hostname, config],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection((host.address, 22), 1):
                return
            if host.process.poll() is not None or time.monotonic() > deadline:
                with open(host.log) as log_text:
                    raise AssertionError(f"sshd of {host.name} did not start: {log_text.read()}")
            time.sleep(0.05)

    def ssh(self, host: SshHost, *command: str) -> subprocess.CompletedProcess[str]:
        """Run `command` on the host as root, through its sshd, as Ansible logs in."""
        return run(
            "ssh", "-i", self.key, "-o", f"UserKnownHostsFile={self.known_hosts}",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
            f"root@{host.address}", "--", *command,
        )  # fmt: skip

    def close(self) -> None:
        problems = []
        for host in self.hosts:
            try:
                host.stop()
            except (AssertionError, subprocess.TimeoutExpired) as problem:
                problems.append(str(problem))
            run("ip", "netns", "del", host.netns, check=False)
        self.hosts.clear()
        if problems:
            raise AssertionError("; ".join(problems))
