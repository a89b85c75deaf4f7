"""Fault injection: the fixture trees behind a HostRoot that fails the way a real host fails.

`FaultRoot` wraps a real fixture tree (tests/fixtures/hosts/intel-x710-i40e, values from public
captures; see its SOURCE.md) and answers one read with EACCES, EIO or ENODEV, or with bytes
that are not UTF-8, exactly where the kernel would. Each test checks that the probe completes,
that the fault is one gap with the right what/source/reason/detail, and that every other fact
is what the same tree gives without the fault. The last tests use the real machine: a PATH
without lshw, and the probe run as the unprivileged user `nobody`.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence

import pytest
from asnobody import as_nobody

from hwcheck.probe import probe
from hwcheck.probe.dmi import FIELDS as DMI_FIELDS
from hwcheck.probe.host import DirRoot, HostRoot

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
X710 = os.path.join(REPO, "tests", "fixtures", "hosts", "intel-x710-i40e")
HWCHECK = os.path.join(os.path.dirname(sys.executable), "hwcheck")
ENS1F0_PCI = "sys/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0"


class FaultRoot(HostRoot):
    """A real root with faults: `read_errors` maps a path predicate to an errno for reads,
    `drvinfo_errors` an interface to the errno of its driver-info ioctl, `contents` a path
    suffix to the bytes its read returns instead."""

    def __init__(
        self,
        inner: HostRoot,
        *,
        read_errors: Sequence[tuple[Callable[[str], bool], int]] = (),
        drvinfo_errors: dict[str, int] | None = None,
        contents: dict[str, bytes] | None = None,
    ) -> None:
        self.inner = inner
        self.root = inner.root
        self.live = inner.live
        self.read_errors = list(read_errors)
        self.drvinfo_errors = drvinfo_errors or {}
        self.contents = contents or {}
        self.injected: list[str] = []

    def _fault(self, path: str) -> None:
        for matches, code in self.read_errors:
            if matches(path) and self.inner.exists(path):
                self.injected.append(path)
                raise OSError(code, os.strerror(code), "/" + path)

    def read_bytes(self, path: str) -> bytes:
        self._fault(path)
        for suffix, data in self.contents.items():
            if path.endswith(suffix):
                self.injected.append(path)
                return data
        return self.inner.read_bytes(path)

    def listdir(self, path: str) -> list[str]:
        return self.inner.listdir(path)

    def readlink(self, path: str) -> str:
        return self.inner.readlink(path)

    def exists(self, path: str) -> bool:
        return self.inner.exists(path)

    def drvinfo(self, ifname: str) -> dict[str, str]:
        code = self.drvinfo_errors.get(ifname)
        if code is not None:
            self.injected.append(f"drvinfo {ifname}")
            raise OSError(code, os.strerror(code))
        return self.inner.drvinfo(ifname)

    def permaddr(self, ifname: str) -> str:
        return self.inner.permaddr(ifname)

    def machine(self) -> str:
        return self.inner.machine()

    def recorded(self, name: str) -> bytes:
        return self.inner.recorded(name)


def baseline() -> dict:
    return dict(probe(DirRoot(X710)))


def faulted(**faults) -> tuple[dict, FaultRoot]:
    root = FaultRoot(DirRoot(X710), **faults)
    inventory = dict(probe(root))
    json.dumps(inventory)  # still a valid JSON document
    return inventory, root


def nic(inventory: dict, name: str) -> dict:
    (found,) = [n for n in inventory["nics"] if n["name"] == name]
    return found


def new_gaps(base: dict, inventory: dict) -> list[dict]:
    """The gaps the fault added; every gap of the clean tree must still be there."""
    for gap in base["gaps"]:
        assert gap in inventory["gaps"]
    return [g for g in inventory["gaps"] if g not in base["gaps"]]


def assert_only_changed(base: dict, inventory: dict, **changed: object) -> None:
    """Everything but the gaps and the named top-level parts equals the clean tree."""
    for key, value in base.items():
        if key == "gaps" or key in changed:
            continue
        assert inventory[key] == value, key
    for key, value in changed.items():
        assert inventory[key] == value, key


# ---------------------------------------------------------------- DMI: EACCES


def test_dmi_every_file_eacces_is_one_permission_gap_per_field():
    base = baseline()
    dmi = ("sys/class/dmi/id/", "sys/devices/virtual/dmi/id/")
    inventory, root = faulted(read_errors=[(lambda p: p.startswith(dmi), errno.EACCES)])
    present = sorted(f for f in DMI_FIELDS if os.path.exists(os.path.join(X710, dmi[0], f)))
    assert len(present) == len(DMI_FIELDS)  # the tree has every DMI file
    assert sorted(p.rpartition("/")[2] for p in root.injected) == present
    gaps = new_gaps(base, inventory)
    assert [g["what"] for g in gaps] == [f"system.{f}" for f in DMI_FIELDS]
    for gap, field in zip(gaps, DMI_FIELDS, strict=True):
        assert gap["source"] == "dmi"
        assert gap["reason"] == "permission-denied"
        assert gap["detail"] == f"/sys/class/dmi/id/{field}: [Errno 13] Permission denied"
    # DMI is there (not a VM), only unreadable: present, every value unknown.
    system = {"present": True, **dict.fromkeys(DMI_FIELDS)}
    assert_only_changed(base, inventory, system=system)


def test_dmi_root_only_serials_eacces_keeps_the_readable_fields():
    # On a real node product_serial, product_uuid and board_serial are mode 0400 root.
    base = baseline()
    private = ("product_serial", "product_uuid", "board_serial")
    inventory, _ = faulted(read_errors=[(lambda p: p.rpartition("/")[2] in private, errno.EACCES)])
    gaps = new_gaps(base, inventory)
    assert [(g["what"], g["reason"]) for g in gaps] == [
        (f"system.{f}", "permission-denied") for f in DMI_FIELDS if f in private
    ]
    system = dict(base["system"])
    system.update(dict.fromkeys(private))
    assert inventory["system"]["product_name"] == "PowerEdge R740"
    assert inventory["system"]["bios_version"] == "2.12.2"
    assert_only_changed(base, inventory, system=system)


# ---------------------------------------------------------------- driver info: ENODEV


def test_driver_info_enodev_mid_probe_is_a_vanished_gap():
    base = baseline()
    inventory, root = faulted(drvinfo_errors={"ens1f0": errno.ENODEV})
    assert root.injected == ["drvinfo ens1f0"]
    (gap,) = new_gaps(base, inventory)
    assert gap == {
        "what": "nic[ens1f0].driver_info",
        "source": "ethtool-ioctl",
        "reason": "vanished",
        "detail": "/sys/class/net/ens1f0: [Errno 19] No such device",
    }
    port = nic(inventory, "ens1f0")
    for field in ("driver", "driver_version", "firmware_version", "bus_info", "module_version"):
        assert port[field] is None, field
    # What sysfs said before the link went away is kept.
    assert port["pci_address"] == "0000:3b:00.0"
    assert port["vendor_id"] == "8086"
    assert port["mac_address"] == nic(base, "ens1f0")["mac_address"]
    # The other port of the card, and every other NIC, is untouched.
    others = [n for n in inventory["nics"] if n["name"] != "ens1f0"]
    assert others == [n for n in base["nics"] if n["name"] != "ens1f0"]
    assert nic(inventory, "ens1f1")["firmware_version"] == "8.15 0x8000a4e8 1.2879.0"
    assert_only_changed(base, inventory, nics=inventory["nics"])


# ---------------------------------------------------------------- PCI identity: EIO


def test_pci_vendor_file_eio_is_an_io_error_gap():
    base = baseline()
    vendor = f"{ENS1F0_PCI}/vendor"
    inventory, root = faulted(read_errors=[(lambda p: p == vendor, errno.EIO)])
    assert root.injected == [vendor]
    (gap,) = new_gaps(base, inventory)
    assert gap == {
        "what": "nic[ens1f0].vendor_id",
        "source": "sysfs",
        "reason": "io-error",
        "detail": f"/{vendor}: [Errno 5] Input/output error",
    }
    port = nic(inventory, "ens1f0")
    assert port["vendor_id"] is None
    # The rest of its identity and its driver info are intact.
    assert (port["device_id"], port["subsystem_vendor_id"]) == ("1572", "8086")
    assert port["pci_address"] == "0000:3b:00.0"
    assert port["driver"] == "i40e"
    assert port["firmware_version"] == "8.15 0x8000a4e8 1.2879.0"
    assert nic(inventory, "ens1f1") == nic(base, "ens1f1")
    (card,) = [c for c in inventory["cards"] if c["card"] == "0000:3b:00"]
    assert card["ports"] == ["ens1f0", "ens1f1"]
    assert card["functions"] == ["0000:3b:00.0", "0000:3b:00.1"]
    for key in ("kernel", "os", "system", "modules", "host"):
        assert inventory[key] == base[key]


def test_pci_vendor_file_eio_on_one_port_keeps_the_card_identity():
    base = baseline()
    vendor = f"{ENS1F0_PCI}/vendor"
    inventory, _ = faulted(read_errors=[(lambda p: p == vendor, errno.EIO)])
    (card,) = [c for c in inventory["cards"] if c["card"] == "0000:3b:00"]
    (clean,) = [c for c in base["cards"] if c["card"] == "0000:3b:00"]
    assert card == clean


# ---------------------------------------------------------------- ifalias: not UTF-8


def test_ifalias_non_utf8_is_kept_escaped_with_a_gap():
    base = baseline()
    raw = b"uplink \xff\xfe rack 7\n"
    inventory, root = faulted(contents={"/net/ens1f0/ifalias": raw})
    assert root.injected == [f"{ENS1F0_PCI}/net/ens1f0/ifalias"]
    (gap,) = new_gaps(base, inventory)
    assert gap["what"] == "nic[ens1f0].ifalias"
    assert gap["source"] == "sysfs"
    assert gap["reason"] == "not-utf8"
    assert gap["detail"] == (
        f"/{ENS1F0_PCI}/net/ens1f0/ifalias: not UTF-8, kept escaped: uplink \\xff\\xfe rack 7"
    )
    port = nic(inventory, "ens1f0")
    assert port["ifalias"] == "uplink \\xff\\xfe rack 7"
    expected = dict(nic(base, "ens1f0"), ifalias="uplink \\xff\\xfe rack 7")
    assert port == expected
    assert_only_changed(base, inventory, nics=inventory["nics"])
    assert [n for n in inventory["nics"] if n["name"] != "ens1f0"] == [
        n for n in base["nics"] if n["name"] != "ens1f0"
    ]


# ---------------------------------------------------------------- taint: wider than 64 bits


def test_tainted_wider_than_64_bits_is_an_invalid_gap_not_a_number():
    # /proc/sys/kernel/tainted is an unsigned long; 4000 hex digits are a forged reading,
    # and an int that wide cannot even be written as JSON (faulted() writes it).
    base = baseline()
    raw = b"0x" + b"f" * 4000 + b"\n"
    inventory, root = faulted(contents={"proc/sys/kernel/tainted": raw})
    assert root.injected == ["proc/sys/kernel/tainted"]
    (gap,) = new_gaps(base, inventory)
    assert gap == {
        "what": "kernel.tainted",
        "source": "procfs",
        "reason": "invalid",
        "detail": "/proc/sys/kernel/tainted: wider than 64 bits: '0x" + "f" * 38 + "'...",
    }
    kernel = dict(base["kernel"], tainted=None, taint_flags=[])
    assert_only_changed(base, inventory, kernel=kernel)


# ---------------------------------------------------------------- lshw missing, for real


def test_probe_lshw_without_lshw_on_path_is_a_tool_missing_gap(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {"PATH": str(empty), "LC_ALL": "C.UTF-8"}
    done = subprocess.run(
        [HWCHECK, "probe", "--lshw", "--json", "-"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    inventory = json.loads(done.stdout)
    lshw_gaps = [g for g in inventory["gaps"] if g["source"] == "lshw"]
    assert lshw_gaps == [
        {
            "what": "lshw",
            "source": "lshw",
            "reason": "tool-missing",
            "detail": "lshw is not installed (Debian package lshw)",
        }
    ]
    assert all(n["lshw"] is None for n in inventory["nics"])
    assert any(n["driver"] for n in inventory["nics"])  # the probe's own facts are all there


@pytest.mark.live
@pytest.mark.skipif(shutil.which("lshw") is None, reason="the contrast needs lshw installed")
def test_probe_lshw_with_lshw_installed_has_no_lshw_gap():
    done = subprocess.run(
        [HWCHECK, "probe", "--lshw", "--json", "-"], capture_output=True, text=True, check=True
    )
    inventory = json.loads(done.stdout)
    assert [g for g in inventory["gaps"] if g["source"] == "lshw"] == []
    eth0 = nic(inventory, "eth0")
    assert eth0["lshw"] is not None
    assert eth0["lshw"]["driver"] == eth0["driver"]


# ---------------------------------------------------------------- not root, for real


def _unreadable_for_others(paths: list[str]) -> list[str]:
    """Paths (and their ancestors) that user `nobody` could not read or traverse."""
    bad = []
    seen = set()
    for top in paths:
        ancestors = []
        parent = os.path.dirname(top)
        while parent not in seen and parent != os.path.dirname(parent):
            ancestors.append(parent)
            seen.add(parent)
            parent = os.path.dirname(parent)
        for d in ancestors:
            if not os.stat(d).st_mode & stat.S_IXOTH:
                bad.append(d)
        for path in [top] + [
            os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs if ".pyc" not in f
        ]:
            mode = os.stat(path).st_mode
            need = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
            if mode & need != need:
                bad.append(path)
    return bad


@pytest.mark.live
def test_probe_as_nobody_completes_with_valid_json():
    prefix = as_nobody()
    if prefix is None:
        pytest.skip("neither setpriv nor runuser is installed")
    if os.geteuid() != 0:
        pytest.skip("switching to nobody needs root")
    venv = os.path.dirname(os.path.dirname(sys.executable))
    needed = [os.path.join(REPO, "hwcheck"), os.path.join(venv, "bin"), os.path.join(venv, "lib")]
    bad = _unreadable_for_others(needed)
    if bad:
        pytest.skip(f"the virtual environment is not world-readable: {bad[:3]}")
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL": "C.UTF-8"}
    # -B: nobody cannot write __pycache__ and must not try.
    argv = [*prefix, sys.executable, "-B", "-m", "hwcheck", "probe", "--json", "-"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd="/", check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    mine = json.loads(done.stdout)
    as_root = json.loads(
        subprocess.run([HWCHECK, "probe", "--json", "-"], capture_output=True, check=True).stdout
    )
    # This VM has no DMI, so nothing there is root-only; the driver-info ioctl needs no
    # privilege: nobody sees the same NICs with the same driver and firmware strings.
    assert mine["system"]["present"] is False
    assert [n["name"] for n in mine["nics"]] == [n["name"] for n in as_root["nics"]]
    for a, b in zip(mine["nics"], as_root["nics"], strict=True):
        for field in ("driver", "driver_version", "firmware_version", "bus_info", "pci_address"):
            assert a[field] == b[field], (a["name"], field)
    known = {gap["what"] for gap in as_root["gaps"]}
    for gap in mine["gaps"]:  # whatever only nobody could not read, it says why
        if gap["what"] not in known:
            assert gap["reason"] == "permission-denied", gap
