"""`hwcheck profile lint` against the machine's pci.ids (Debian's pci.ids package): a device
ID that pci.ids does not know, or a rule whose title names a model its devices are not, is a
warning at file:line:column, with the IDs pci.ids does know. The profiles are copies of the
shipped nvidia/connectx with one ID changed, as a typo would change it."""

from __future__ import annotations

import os

from runcli import NO_CACHE, ROOT, run_hwcheck

from hwcheck.status import ExitStatus

CONNECTX = os.path.join(ROOT, "profiles", "nvidia", "connectx.yaml")
CX6DX_RULE = (
    "  - id: nvidia.cx6dx.firmware\n"
    "    title: ConnectX-6 Dx firmware at least 22.36.1010 (mlxup 4.23.0)\n"
    '    nic: {devices: ["15b3:101d"]}\n'
)


def _copy(tmp_path, old: str, new: str) -> str:
    with open(CONNECTX, encoding="utf-8") as fh:
        text = fh.read()
    assert old in text
    path = tmp_path / "connectx.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return str(path)


def _line_of(path: str, needle: str) -> int:
    with open(path, encoding="utf-8") as fh:
        return next(n for n, line in enumerate(fh, 1) if needle in line)


def _lint(path: str):
    return run_hwcheck("profile", "lint", path, env=NO_CACHE)


def test_a_real_id_of_the_wrong_model_is_a_warning_naming_the_right_one(tmp_path):
    """The issue's case: 15b3:101b is in pci.ids (a ConnectX-6), so only the title tells
    that the rule meant the ConnectX-6 Dx, 15b3:101d."""
    path = _copy(tmp_path, CX6DX_RULE, CX6DX_RULE.replace("15b3:101d", "15b3:101b"))
    done = _lint(path)
    assert done.returncode == ExitStatus.NONCOMPLIANT, done.stdout + done.stderr
    line = _line_of(path, "title: ConnectX-6 Dx firmware")
    assert done.stdout == (
        f"warning: {path}:{line}:12: rule nvidia.cx6dx.firmware's title names ConnectX-6 Dx, "
        "but pci.ids names its devices otherwise (15b3:101b is MT28908 Family [ConnectX-6]); "
        "ConnectX-6 Dx is 15b3:101d\n"
        "1 profile: 0 errors, 1 warning\n"
    )


def test_an_id_pci_ids_does_not_know_is_a_warning_with_the_nearest_known_ids(tmp_path):
    path = _copy(tmp_path, CX6DX_RULE, CX6DX_RULE.replace("15b3:101d", "15b3:1022"))
    done = _lint(path)
    assert done.returncode == ExitStatus.NONCOMPLIANT
    line = _line_of(path, '"15b3:1022"')
    assert done.stdout.splitlines() == [
        f"warning: {path}:{line}:21: device 15b3:1022 is not in pci.ids; nearest: "
        "15b3:1021 (MT2910 Family [ConnectX-7]), 15b3:1023 (CX8 Family [ConnectX-8]), "
        "15b3:1020 (MT28860)",
        "1 profile: 0 errors, 1 warning",
    ]


def test_applies_to_and_a_vendor_pci_ids_does_not_know(tmp_path):
    """15a9 is in no pci.ids line; 15b4 (CCI/TRIAD) is a vendor with no devices listed."""
    path = _copy(
        tmp_path,
        'applies_to:\n  devices: ["15b3:1015", "15b3:1017"',
        'applies_to:\n  devices: ["15a9:1015", "15b4:1017"',
    )
    done = _lint(path)
    assert done.returncode == ExitStatus.NONCOMPLIANT
    line = _line_of(path, '"15a9:1015"')
    assert done.stdout.splitlines()[:2] == [
        f"warning: {path}:{line}:13: PCI vendor 15a9 (in 15a9:1015) is not in pci.ids",
        f"warning: {path}:{line}:26: device 15b4:1017 is not in pci.ids; it lists no devices "
        "of 15b4 (CCI/TRIAD)",
    ]


def test_subsystem_and_usb_ids_are_not_held_to_pci_ids_subsystem_lists(tmp_path):
    """pci.ids lists only some subsystems: a Dell ConnectX-5 (1028:0024, not listed there)
    is judged by its vendor:device, which pci.ids knows. A USB ID is not a PCI ID."""
    path = _copy(
        tmp_path,
        CX6DX_RULE,
        CX6DX_RULE.replace('"15b3:101d"', '"15b3:101d:1028:ffff", "usb:0bda:8153"'),
    )
    done = _lint(path)
    assert (done.returncode, done.stdout) == (
        ExitStatus.OK,
        "1 profile: 0 errors, 0 warnings\n",
    )


def test_a_device_newer_than_pci_ids_is_no_typo_once_the_profile_names_it(tmp_path):
    """DPDK 24.11 lists the E830-CQDA2 as 8086:12d2, which Debian 12's pci.ids (2023.04.10)
    does not know yet: named in `device_names` with its published name, it lints clean; the
    same profile without the entry is warned about, and the entry excuses no other ID."""
    rule = CX6DX_RULE.replace('["15b3:101d"]', '["15b3:101d", "8086:12d2"]')
    named = (
        "device_names:\n"
        '  - {id: "8086:12d2", name: "Intel Ethernet Network Adapter E830-CQDA2"}\n'
        "rules:\n"
    )
    with open(CONNECTX, encoding="utf-8") as fh:
        text = fh.read().replace(CX6DX_RULE, rule)
    bare = tmp_path / "bare.yaml"
    bare.write_text(text, encoding="utf-8")
    assert "not in pci.ids" in _lint(str(bare)).stdout
    ok = tmp_path / "named.yaml"
    ok.write_text(text.replace("rules:\n", named, 1), encoding="utf-8")
    done = _lint(str(ok))
    assert done.returncode == ExitStatus.OK, done.stdout + done.stderr
    typo = tmp_path / "typo.yaml"
    typo.write_text(
        text.replace("rules:\n", named, 1).replace('"8086:12d2"]', '"8086:12d4"]'),
        encoding="utf-8",
    )
    assert "device 8086:12d4 is not in pci.ids" in _lint(str(typo)).stdout
