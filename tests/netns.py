"""A small network of network namespaces on this machine: a switch and hosts on it.

The switch is a Linux bridge in a namespace of its own. Each host is a namespace joined to
it by a veth pair (`eth0` inside, with 10.X.Y.N/24; the other end a port of the bridge), and
has nothing else but `lo`: no route out, so it reaches the other hosts on the switch and
nothing more. `join_here()` gives this (the test's) namespace a port on the switch too, so a
test can watch a server on the network from outside.

Commands run in a host through `ip netns exec`, which also remounts /sys for the namespace
(so /sys/class/net inside lists that namespace's links, as a probe there sees them), and
inside `unshare --uts` with the host's own hostname set first (namespaces share this
machine's hostname otherwise). The idea is tests/sshhosts.py's, without sshd.

`Lan.close()` kills every process in each namespace and deletes the namespaces (with them
the veth pairs and the bridge) whatever state setup reached; use it in a `finally` or a
fixture's teardown.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import os
import secrets
import signal
import subprocess
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def available(needs: str = "network namespaces, a bridge and veth pairs") -> str | None:
    """Why the network cannot be made here, or None when it can."""
    if os.geteuid() != 0:
        return f"needs root: {needs}"
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"`ip netns` is unavailable: {done.stderr.strip()}"
    return None


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.strip()}")
    return done


def links(netns: str) -> list[str]:
    """Every link of the namespace, `lo` included, sorted."""
    shown = json.loads(sh("ip", "-n", netns, "-j", "link", "show").stdout)
    return sorted(link["ifname"] for link in shown)


@dataclasses.dataclass
class Host:
    name: str
    hostname: str  # what processes started in it see as their hostname
    netns: str
    address: str  # its eth0 address on the switch

    def argv(self, command: Sequence[str]) -> list[str]:
        """`command` as run inside the host: its namespace, its hostname."""
        script = 'hostname "$1" && shift && exec "$@"'
        return ["ip", "netns", "exec", self.netns, "unshare", "--uts", "--",
                "sh", "-c", script, "sh", self.hostname, *command]  # fmt: skip

    def links(self) -> list[str]:
        return links(self.netns)


class Lan:
    """One switch and up to 250 hosts in 10.X.Y.0/24 (a /24 no address or route here uses)."""

    def __init__(self) -> None:
        self.token = secrets.token_hex(3)
        self.subnet = free_subnet(24)
        self.hosts: list[Host] = []
        self.namespaces: list[str] = []
        self.here: str | None = None  # this namespace's port on the switch, when joined
        self.switch = f"hwn-{self.token}-sw"
        try:
            self._add_namespace(self.switch)
            sh("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
            for link in ("lo", "br0"):
                sh("ip", "-n", self.switch, "link", "set", link, "up")
        except BaseException:
            self.close()
            raise

    def _add_namespace(self, name: str) -> None:
        sh("ip", "netns", "add", name)
        self.namespaces.append(name)

    def _address(self, n: int) -> str:
        return str(ipaddress.ip_address(int(self.subnet.network_address) + n))

    def add(self, name: str, hostname: str | None = None) -> Host:
        """A host on the switch: its namespace, eth0 with the next address, lo up."""
        n = len(self.hosts) + 1
        netns = f"hwn-{self.token}-{n}"
        self._add_namespace(netns)
        port = f"p{n}"
        sh("ip", "-n", self.switch, "link", "add", port, "type", "veth",
           "peer", "name", "eth0", "netns", netns)  # fmt: skip
        sh("ip", "-n", self.switch, "link", "set", port, "master", "br0", "up")
        address = self._address(n)
        sh("ip", "-n", netns, "addr", "add", f"{address}/{self.subnet.prefixlen}", "dev", "eth0")
        for link in ("lo", "eth0"):
            sh("ip", "-n", netns, "link", "set", link, "up")
        host = Host(name, hostname or name, netns, address)
        self.hosts.append(host)
        return host

    def join_here(self) -> str:
        """A port on the switch for this namespace (address .254): its address."""
        if self.here is None:
            outside = f"hwn{self.token}"
            sh("ip", "-n", self.switch, "link", "add", "here", "type", "veth",
               "peer", "name", outside, "netns", "1")  # fmt: skip
            self.here = outside
            sh("ip", "-n", self.switch, "link", "set", "here", "master", "br0", "up")
            sh("ip", "addr", "add", f"{self._address(254)}/{self.subnet.prefixlen}", "dev", outside)
            sh("ip", "link", "set", outside, "up")
        return self._address(254)

    def close(self) -> None:
        problems = []
        for netns in reversed(self.namespaces):
            try:
                kill_all(netns)
            except AssertionError as problem:
                problems.append(str(problem))
            sh("ip", "netns", "del", netns, check=False)
        self.namespaces.clear()
        if self.here is not None:  # gone with its peer in the switch; make sure
            sh("ip", "link", "del", self.here, check=False)
            self.here = None
        if problems:
            raise AssertionError("; ".join(problems))

    def __enter__(self) -> Lan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def kill_all(netns: str) -> None:
    """Kill every process in the namespace: SIGTERM, then SIGKILL."""
    deadline = time.monotonic() + 5
    sig = signal.SIGTERM
    while pids := sh("ip", "netns", "pids", netns, check=False).stdout.split():
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), sig)
        time.sleep(0.05)
        if time.monotonic() > deadline - 3:
            sig = signal.SIGKILL
        if time.monotonic() > deadline:
            raise AssertionError(f"processes left in {netns}: {pids}")


def free_subnet(prefixlen: int) -> ipaddress.IPv4Network:
    """A 10.X.Y.0/24 (or 10.X.0.0/16) that no address or route of this machine touches."""
    used = [
        ipaddress.ip_network(f"{a['local']}/{a['prefixlen']}", strict=False)
        for link in json.loads(sh("ip", "-j", "-4", "addr", "show").stdout)
        for a in link.get("addr_info", [])
    ]
    for route in json.loads(sh("ip", "-j", "-4", "route", "show", "table", "all").stdout):
        with contextlib.suppress(ValueError):
            used.append(ipaddress.ip_network(route["dst"], strict=False))
    for _ in range(200):
        third = secrets.choice(range(1, 255)) if prefixlen == 24 else 0
        candidate = ipaddress.ip_network(
            f"10.{secrets.choice(range(64, 250))}.{third}.0/{prefixlen}"
        )
        if not any(candidate.overlaps(net) for net in used if net.prefixlen > 0):
            return candidate
    raise AssertionError(f"no free 10.X network of /{prefixlen} for the test hosts")
