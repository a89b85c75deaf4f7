"""Vendor version formats that real hardware reports, read as each vendor defines them.

Every string below is a published `ethtool -i` value (or lshw's copy of it), with where it
was published beside it; thresholds are the shapes vendor matrices print. Rows marked
"constructed" apply the kernel's own format string to a value built from it.
"""

from __future__ import annotations

import pytest

from hwcheck import versions
from hwcheck.versions import VersionError

# (driver, raw firmware_version, components, where it was published)
FIRMWARE = [
    ("e1000e", "0.13-3", {"nvm": "0.13", "image": "3"}, "os-net-config tests, 82579LM"),
    ("e1000e", "2.1-0", {"nvm": "2.1", "image": "0"}, "an 82574 under e1000e 3.2.6-k (blog)"),
    ("sfc", "6.2.7.1000 rx0 tx0", {"fw": "6.2.7.1000", "rx": "0", "tx": "0"}, "issue 8's list"),
    (
        "sfc",
        "7.8.7.1005 rx0 tx0",
        {"fw": "7.8.7.1005", "rx": "0", "tx": "0"},
        "an X2522 setup guide (sfc 5.3.3.2000.1)",
    ),
    ("cxgb4", "1.25.6.0, TP 0.1.23.2", {"fw": "1.25.6.0", "tp": "0.1.23.2"}, "DPDK cxgbe guide"),
    ("bnx2", "bc 5.2.3 NCSI 2.0.12", {"bc": "5.2.3", "mgmt": "NCSI 2.0.12"}, "issue 8's list"),
    (
        "r8169",
        "rtl8168h-2_0.0.2 02/26/15",
        {"fw": "rtl8168h-2_0.0.2", "name": "rtl8168h-2", "date": "02/26/15"},
        "lshw/ethtool -i captures of RTL8111H boards",
    ),
    (
        "nfp",
        "0.0.3.5 0.25 nic-2.1.16 nic",
        {"fw": "nic-2.1.16", "vnic": "0.0.3.5", "nsp": "0.25", "app": "nic"},
        "Agilio SmartNIC setup notes (nfp, no-src-ver driver)",
    ),
    ("hns3", "0x0114001b", {"fw": "0x0114001b"}, "ethtool -i on a CentOS 7 hns3 port"),
    ("hns3", "1.8.15.0", {"fw": "1.8.15.0"}, "openEuler 22.03 SP3 hns3 port (newer print)"),
    (
        "bnx2x",
        "7.8.16 bc 6.2.26 phy aa0.406",
        {"ffv": "7.8.16", "bc": "6.2.26", "phy": "aa0.406"},
        "netdev, BCM57711 (bnx2x firmware load report)",
    ),
    ("tg3", "5751-v3.29a", {"bc": "5751-v3.29a"}, "lshw on BCM5751 laptops"),
    ("tg3", "sb", {}, "constructed: tg3_read_sb_ver prints 'sb' alone for unknown images"),
    ("bnxt_en", "229.0.121.0/pkg N/A", {"fw": "229.0.121.0"}, "Proxmox BCM57414 guide"),
    (
        "mlx5_core[ib_ipoib]",
        "20.43.1014 (MT_0000000224)",
        {"fw": "20.43.1014", "psid": "MT_0000000224", "family": "ConnectX-6"},
        "netdev, Dec 2024: an IPoIB port (mlx5i names its driver so)",
    ),
    (
        "mlx5_core",
        "18.26.1040 (MT_0000000311)",
        {"fw": "18.26.1040", "psid": "MT_0000000311", "family": "BlueField"},
        "constructed on BlueField's firmware train 18 (illustrative PSID)",
    ),
    (
        "mlx5_core",
        "24.35.2000 (MT_0000000765)",
        {"fw": "24.35.2000", "psid": "MT_0000000765", "family": "BlueField-2"},
        "constructed on BlueField-2's firmware train 24 (illustrative PSID)",
    ),
    ("igc", "1082:8770", {"nvm": "1082", "phy": "8770"}, "intel-wired-lan, Sept 2024 (I225)"),
    (
        "i40e",
        "6.01 0x80003493 255.65535.255",
        {"nvm": "6.01", "eetrack": "0x80003493"},
        "Contrail 5.0.1 release notes (XL710 without option ROM)",
    ),
    (
        "ixgbe",
        "0x61c10001, 255.65535.255",
        {"eetrack": "0x61c10001"},
        "X550 LED write-up (ixgbe 5.5.5)",
    ),
    ("ixgbe", "0x800006d1, 0.0.0", {"eetrack": "0x800006d1"}, "constructed: all-zeros marker"),
]


@pytest.mark.parametrize(("driver", "raw", "expected", "where"), FIRMWARE)
def test_published_firmware_strings_parse_into_the_vendors_components(driver, raw, expected, where):
    fmt = versions.format_for(driver, "firmware")
    assert versions.has_own_format(driver), where
    assert versions.parse(raw, fmt) == expected, where


# Ordering facts: format, component, the older text, the newer text
ORDERING = [
    ("e1000e", "nvm", "0.2", "0.13"),  # %d: 13 > 2
    ("e1000e", "nvm", "0.13", "2.1"),
    ("sfc", "fw", "6.2.7.1000", "7.0.0.1001"),
    ("cxgb4", "fw", "1.24.3.0", "1.25.6.0"),
    ("cxgb4", "tp", "0.1.4.9", "0.1.23.2"),
    ("bnx2", "bc", "4.6.4", "5.2.3"),
    ("bnx2", "mgmt", "NCSI 1.0.6", "NCSI 2.0.12"),
    ("r8169", "fw", "rtl8168h-2_0.0.1", "rtl8168h-2_0.0.2"),
    ("r8169", "fw", "0.0.1", "rtl8168h-2_0.0.2"),  # a threshold naming no firmware
    ("nfp", "fw", "nic-2.0.7", "nic-2.1.16"),
    ("hns3", "fw", "0x0114001b", "1.20.1.0"),  # older kernels print the word, newer bytes
    ("tg3", "bc", "5751-v3.29", "5751-v3.29a"),  # the letter is a later build
    ("tg3", "bc", "5751-v3.29a", "5751-v3.30"),
    ("igc", "nvm", "1082", "2014"),  # NVM 1.82 < 2.14 (DPDK 25.07 lists I226 at 2.14)
    ("igc", "nvm", "1.79", "1082"),
    ("bnx2x", "ffv", "7.8.16", "FFV7.10.19"),
]


@pytest.mark.parametrize(("fmt", "component", "older", "newer"), ORDERING)
def test_vendor_format_ordering(fmt, component, older, newer):
    assert versions.compare(fmt, component, older, newer) == -1
    assert versions.compare(fmt, component, newer, older) == 1


def test_hns3_word_and_bytes_are_one_version():
    assert versions.equals("hns3", "fw", "0x0114001b", "1.20.0.27")


def test_igc_threshold_written_as_intel_prints_the_nvm_equals_the_raw_word():
    # Intel's engineer read firmware-version 1082:8770 as "NVM version, 1.82".
    assert versions.equals("igc", "nvm", "1082", "1.82")
    assert versions.check_threshold("igc", "nvm", "1.82", op="min") is None
    assert versions.parse("1082:8770", "igc")["nvm"] == "1082"  # raw words are kept


def test_r8169_versions_of_two_firmware_files_do_not_compare():
    with pytest.raises(VersionError) as err:
        versions.compare("r8169", "fw", "rtl8168e-3_0.0.4", "rtl8168h-2_0.0.2")
    assert str(err.value) == (
        "'rtl8168e-3_0.0.4' and 'rtl8168h-2_0.0.2' are versions of different firmware "
        "(rtl8168e-3 and rtl8168h-2), which have no common order"
    )


@pytest.mark.parametrize(
    ("fmt", "component", "short", "full"),
    [
        ("bnx2x", "bc", "7.0", "7.0.0"),  # bootcode from a vendor matrix
        ("qede", "mfw", "8.37.0", "8.37.0.0"),  # QLogic mfw from a vendor matrix
        ("mlx", "fw", "16.35", "16.35.0000"),
        ("cxgb4", "fw", "1.25", "1.25.0.0"),
    ],
)
def test_thresholds_with_fewer_parts_mean_the_version_padded_with_zeros(
    fmt, component, short, full
):
    assert versions.check_threshold(fmt, component, short, op="min") is None
    assert versions.equals(fmt, component, short, full)


def test_a_threshold_with_more_parts_than_the_format_is_refused():
    assert versions.check_threshold("bnx2x", "bc", "7.0.0.1") == (
        "'7.0.0.1' is not a valid bc for bnx2x: expected a version 'major.minor.patch' with "
        "at most 3 numbers (the kernel prints 3); got 4"
    )


@pytest.mark.parametrize(
    ("fmt", "component", "text"),
    [
        ("intel-nvm", "nvm", "7.2"),  # %x.%02x: 7.02 or 7.20
        ("igb", "nvm", "1.6"),  # %d.%d: 1.06, Intel 1.60
        ("igc", "nvm", "1.8"),  # as igb: 1.08 or 1.80
        ("mlx", "fw", "16.35.200"),  # %04d: 16.35.0200 or 16.35.2000
    ],
)
def test_ambiguous_thresholds_are_refused_alike_in_every_format(fmt, component, text):
    reason = versions.check_threshold(fmt, component, text, op="min")
    assert reason is not None
    assert reason.startswith(f"'{text}' is ambiguous for {fmt} ")


def test_a_blank_marker_is_absent_and_says_so():
    with pytest.raises(VersionError) as err:
        versions.component("6.01 0x80003493 255.65535.255", "intel-nvm", "combo")
    assert str(err.value) == (
        "'6.01 0x80003493 255.65535.255' has no combo version: its combo reads "
        "'255.65535.255', the blank marker: the card has no option ROM, so there is no "
        "combo version to judge"
    )
    # and it is never a threshold
    assert versions.check_threshold("ixgbe", "combo", "255.65535.255", op="min") == (
        "'255.65535.255' is the blank marker of ixgbe combo, not a version: the card has "
        "no option ROM, so there is no combo version to judge"
    )


def test_bnxt_package_na_keeps_the_firmware_readable():
    with pytest.raises(VersionError, match=r"has no pkg version: its pkg reads 'N/A'"):
        versions.component("229.0.121.0/pkg N/A", "bnxt", "pkg")
    assert versions.component("229.0.121.0/pkg N/A", "bnxt", "fw") == "229.0.121.0"


def test_i211_from_invm_names_the_components_it_has():
    with pytest.raises(VersionError) as err:
        versions.component(" 0. 6-1", "igb", "nvm")
    assert str(err.value) == (
        "' 0. 6-1' has no nvm component (it has: invm, image_type); an I210/I211 running "
        "from its iNVM (no flash) has no NVM version, only the iNVM version 'invm'; name "
        "component invm for these cards"
    )


# Driver versions: (raw, components); distribution kernels and what is no version at all.
DRIVER = [
    ("6.6.12.1-1.azl3", {"kernel": "6.6.12.1-1.azl3"}),  # Azure Linux 3 (DPDK 24.11 notes)
    ("5.15.55.1-1.cm2-5464b22cac7+", {"kernel": "5.15.55.1-1.cm2-5464b22cac7+"}),  # Mariner 2
    ("6.12-intel", {"kernel": "6.12-intel"}),  # Ubuntu 24.04 igb (DPDK 25.07 notes)
    ("5.10.102.1-microsoft-standard-W", {"kernel": "5.10.102.1-microsoft-standard-W"}),  # WSL2
    ("5.1.0-k-rh8.1.0", {"version": "5.1.0-k-rh8.1.0"}),  # RHEL 8.1 ixgbe: its own version
    ("5.2-2.0.7", {"version": "5.2-2.0.7"}),  # MLNX_OFED: still a vendor version
]


@pytest.mark.parametrize(("raw", "expected"), DRIVER)
def test_distribution_kernel_releases_are_kernel_releases(raw, expected):
    assert versions.parse(raw, "driver") == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            "210587a (o-o-t)",
            "'210587a (o-o-t)' is not a version: 210587a is the git commit the driver was "
            "built from (the driver says it was built out of tree), and commits have no order",
        ),
        (
            "no-src-ver (o-o-t)",
            "'no-src-ver (o-o-t)' is not a version: the driver was built from a source tree "
            "that records no version ('no-src-ver') (the driver says it was built out of tree)",
        ),
    ],
)
def test_a_git_commit_or_no_src_ver_is_not_a_driver_version(raw, reason):
    # nfp-drv-kmods: "version: 210587a (o-o-t)", "version: no-src-ver (o-o-t)"
    with pytest.raises(VersionError) as err:
        versions.parse(raw, "driver")
    assert str(err.value) == reason


def test_the_nodes_kernel_release_decides_a_plain_version():
    assert versions.is_kernel_release("6.6.43", "6.6.43")
    assert not versions.is_kernel_release("6.6.43", "6.6.44")
    wsl = "5.10.102.1-microsoft-standard-WSL2"
    assert versions.is_kernel_release(wsl[:31], wsl)
    assert versions.parse("6.6.12.1-1.azl3", "kernel-release")["upstream"] == "6.6.12.1"
