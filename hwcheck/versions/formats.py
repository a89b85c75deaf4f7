"""The vendor version formats: what each driver prints, split into named components.

Every format here mirrors the kernel's own format string for the ethtool driver-info
`fw_version` (or `version`) field; the source file is named beside it and the whole table
is explained in docs/versions.md. A format is a list of whole-string patterns whose named
groups are the components, plus each component's kind (its grammar in keys.py).

A format also says what its strings mean when a component is not there: a *blank marker*
(`255.65535.255` where Intel's combo version would be: no option ROM; bnxt's `/pkg N/A`)
is matched, then dropped, so a rule on it is unknown and never compares; a *hint* says
why a component can be missing (an I211 running from iNVM has no flash NVM).

Pure and import-light: only ``re`` (and keys, parsers).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hwcheck.versions import parsers
from hwcheck.versions.keys import EQUALITY_KINDS


class Format:
    """One vendor format: components (first is the default), their kinds, the patterns."""

    __slots__ = (
        "_compiled",
        "_patterns",
        "blanks",
        "components",
        "example",
        "hints",
        "kinds",
        "parser",
        "refuse",
        "shape",
        "source",
    )

    def __init__(
        self,
        kinds: dict[str, str],
        patterns: tuple[str, ...],
        *,
        shape: str,
        example: str,
        source: str,
        parser: Callable[[str], dict[str, str] | None] | None = None,
        blanks: dict[str, tuple[frozenset[str], str]] | None = None,
        hints: dict[str, str] | None = None,
        refuse: Callable[[str], str | None] | None = None,
    ) -> None:
        self.components = tuple(kinds)
        self.kinds = kinds
        self._patterns = patterns
        self._compiled: tuple[re.Pattern[str], ...] | None = None
        self.shape = shape
        self.example = example
        self.source = source
        self.parser = parser
        self.blanks = blanks or {}
        """component -> (marker texts, what a marker means)"""
        self.hints = hints or {}
        """component -> why a string of this format may lack it"""
        self.refuse = refuse
        """text -> why it is no version at all (a git commit), or None"""

    def is_ordered(self, component: str) -> bool:
        return self.kinds[component] not in EQUALITY_KINDS

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """Compiled on first use: a check touches two or three of the formats, not all."""
        if self._compiled is None:
            self._compiled = tuple(re.compile(p) for p in self._patterns)
        return self._compiled

    def groups(self, text: str) -> dict[str, str] | None:
        """Every component the text holds, blank markers included."""
        if self.parser is not None:
            return self.parser(text)
        for pattern in self.patterns:
            found = pattern.fullmatch(text)
            if found:
                return {k: v for k, v in found.groupdict().items() if v is not None}
        return None

    def match(self, text: str) -> dict[str, str] | None:
        """The components the text holds, without those that read a blank marker."""
        parts = self.groups(text)
        if parts is None or not self.blanks:
            return parts
        return {k: v for k, v in parts.items() if v not in self.blanks.get(k, ((), ""))[0]}

    def blank(self, text: str, component: str) -> str | None:
        """What the blank marker in `component` of `text` means, or None."""
        marks = self.blanks.get(component)
        parts = self.groups(text) if marks else None
        if marks is None or parts is None or parts.get(component) not in marks[0]:
            return None
        return f"its {component} reads {parts[component]!r}, the blank marker: {marks[1]}"


_H = "[0-9A-Fa-f]"
_D3 = r"\d+\.\d+\.\d+"
_D4 = r"\d+\.\d+\.\d+\.\d+"
_NVM = rf"(?P<nvm>{_H}{{1,2}}\.{_H}{{2}})"
_INTEL_NVM = rf"{_NVM} (?P<eetrack>0[xX]{_H}{{1,8}}) (?P<combo>{_D3})"
_OEM = rf"(?P<oem>{_H}+\.{_H}+\.{_H}+)"
_INTEL_SRC = "drivers/net/ethernet/intel/"

# Intel prints the combo (option ROM) version '%d.%d.%d' of an 8-, 16- and 8-bit field;
# a card without an option ROM reads all ones (255.65535.255) or all zeros.
_NO_OROM = (
    frozenset({"255.65535.255", "0.0.0"}),
    "the card has no option ROM, so there is no combo version to judge",
)
_INVM_HINT = (
    "an I210/I211 running from its iNVM (no flash) has no NVM version, only the iNVM "
    "version 'invm'; name component invm for these cards"
)

FORMAT_TABLE: dict[str, Format] = {
    "intel-nvm": Format(
        {"nvm": "nvm-hex", "eetrack": "eetrack", "combo": "dec3", "oem": "oem-hex"},
        (_INTEL_NVM, _OEM),
        shape="'<NVM %x.%02x> 0x<EETrack> <combo a.b.c>' (or an OEM '%x.%x.%x')",
        example="8.15 0x8000a4e8 1.2879.0",
        source=_INTEL_SRC + "i40e/i40e.h (i40e_nvm_version_str), ice/ice_ethtool.c",
        blanks={"combo": _NO_OROM},
        hints={"nvm": "an OEM NVM prints only its OEM version ('oem')"},
    ),
    "ixgbe": Format(
        {"eetrack": "eetrack", "combo": "dec3", "nvm": "nvm-hex", "oem": "oem-hex"},
        (
            rf"(?P<eetrack>0[xX]{_H}{{8}}), (?P<combo>{_D3})",
            rf"(?P<eetrack>0[xX]{_H}{{8}})",
            _OEM,
            _INTEL_NVM,
        ),
        shape="'0x<EETrack>, <combo a.b.c>', '0x<EETrack>', an OEM '%x.%x.%x' or (E610) "
        "the i40e/ice form",
        example="0x80000887, 1.2688.0",
        source=_INTEL_SRC + "ixgbe/ixgbe_main.c (ixgbe_set_fw_version*)",
        blanks={"combo": _NO_OROM},
        hints={"combo": "ixgbe prints the combo version only when the option ROM is valid"},
    ),
    "igb": Format(
        {
            "nvm": "dec2",
            "eetrack": "eetrack",
            "combo": "dec3",
            "build": "dotted",
            "invm": "invm",
            "image_type": "text",
        },
        (
            rf"(?P<nvm>\d+\.\d+), (?P<eetrack>0[xX]{_H}{{8}}), (?P<combo>{_D3})",
            rf"(?P<nvm>\d+\.\d+), (?P<eetrack>0[xX]{_H}{{8}})",
            r"(?P<nvm>\d+\.\d+)\.(?P<build>\d+)",
            r"(?P<invm>\d+\. *\d+)-(?P<image_type>\d+)",
        ),
        shape="'<NVM %d.%d>, 0x<EETrack>[, <combo a.b.c>]', '%d.%d.%d', or the I210/I211 "
        "iNVM form '%2d.%2d-%d'",
        example="1.67, 0x80000e93, 17.5.10",
        source=_INTEL_SRC + "igb/igb_main.c (igb_set_fw_version)",
        blanks={"combo": _NO_OROM},
        hints={"nvm": _INVM_HINT, "eetrack": _INVM_HINT},
    ),
    "igc": Format(
        {"nvm": "igc-nvm", "phy": "hex-word"},
        (rf"(?P<nvm>{_H}{{1,4}}):(?P<phy>{_H}{{1,4}})", rf"(?P<nvm>{_H}{{1,4}})"),
        shape="'<NVM word %x>:<PHY firmware word %x>' (a threshold may be written the "
        "way Intel prints the NVM: 1.82 for 1082)",
        example="1082:8770",
        source=_INTEL_SRC + "igc/igc_ethtool.c (igc_ethtool_get_drvinfo)",
    ),
    "e1000e": Format(
        {"nvm": "dec2", "image": "text"},
        (r"(?P<nvm>\d+\.\d+)-(?P<image>\d+)",),
        shape="'<NVM major %d>.<minor %d>-<image id %d>'",
        example="0.13-3",
        source=_INTEL_SRC + "e1000e/ethtool.c (e1000_get_drvinfo)",
    ),
    "mlx": Format(
        {"fw": "mlx-fw", "psid": "text", "family": "text"},
        (),
        shape="'<major>.<minor>.<subminor %04d> (<PSID>)' (mlx5) or '%d.%d.%d' (mlx4)",
        example="16.32.2004 (DEL0000000016)",
        source="drivers/net/ethernet/mellanox/mlx5/core/en_ethtool.c, mlx4/en_ethtool.c",
        parser=parsers.mlx,
    ),
    "bnxt": Format(
        {"fw": "dec4", "pkg": "dotted"},
        (rf"(?P<fw>{_D4})(?:/pkg (?P<pkg>\d[^\s/]*|N/A))?",),
        shape="'<fw a.b.c.d>[/pkg <package version>]'",
        example="220.0.59.0/pkg 220.0.83.0",
        source="drivers/net/ethernet/broadcom/bnxt/bnxt.c, bnxt_ethtool.c (bnxt_get_pkgver)",
        blanks={"pkg": (frozenset({"N/A"}), "the card reports no installed package version")},
        hints={"pkg": "bnxt_en appends '/pkg <version>' only when it can read the package log"},
    ),
    "bnx2x": Format(
        {"bc": "dec3", "mbi": "dec3", "ffv": "ffv", "phy": "text"},
        (
            rf"(?:mbi (?P<mbi>{_D3}) )?(?:(?P<ffv>\S+) )?bc (?P<bc>{_D3})"
            r"(?: phy (?P<phy>\S+))?",
        ),
        shape="'[mbi a.b.c ][<VPD version, e.g. FFV7.10.19 or 7.8.16> ]bc <a.b.c>[ phy <x>]'",
        example="mbi 7.15.42 bc 7.15.23",
        source="drivers/net/ethernet/broadcom/bnx2x/bnx2x_ethtool.c, bnx2x_cmn.c",
    ),
    "bnx2": Format(
        {"bc": "dec3", "mgmt": "mgmt", "ffv": "ffv"},
        (rf"(?:(?P<ffv>\S+) )?bc (?P<bc>{_D3})(?: (?P<mgmt>[A-Za-z]+ v?\d+(?:\.\d+)*))?",),
        shape="'[<VPD version> ]bc <a.b.c>[ <management firmware, e.g. NCSI 2.0.12>]'",
        example="bc 5.2.3 NCSI 2.0.12",
        source="drivers/net/ethernet/broadcom/bnx2.c (bnx2_init_board)",
    ),
    "tg3": Format(
        {"bc": "tg3-bc", "ffv": "ffv", "sb": "tg3-sb", "mgmt": "mgmt"},
        (
            r"(?:(?P<ffv>FFV\S+) bc )?(?:(?P<bc>(?:[0-9A-Za-z]+-)?v\d+\.\d{2}[a-z]?)"
            r"|(?P<sb>sb(?: v\d+\.\d{2}[a-z]?)?))"
            r"(?:,? (?P<mgmt>[A-Za-z][A-Za-z0-9]* v\d+(?:\.\d+)*))?",
        ),
        shape="'[FFV<x> bc ]<bootcode like 5720-v1.39, 5751-v3.29a or v3.13 | sb[ v%d.%02d]>"
        "[ NCSI|DASH|SMASH v<a.b.c.d>]'",
        example="FFV22.91.5 bc 5720-v1.39",
        source="drivers/net/ethernet/broadcom/tg3.c (tg3_read_fw_ver and helpers)",
        blanks={
            "sb": (
                frozenset({"sb"}),
                "a selfboot image in a format tg3 cannot read the version of",
            )
        },
        hints={"bc": "a selfboot ('sb') image carries no bootcode; name component sb"},
    ),
    "qede": Format(
        {"mfw": "dec4", "storm": "dec4", "mbi": "dec3"},
        (
            rf"mfw (?P<mfw>{_D4}) storm (?P<storm>{_D4})",
            rf"(?P<mfw>{_D4}) (?P<storm>{_D4})",
            rf"mbi (?P<mbi>{_D3}) \[mfw (?P<mfw>{_D4})\]",
            rf"mfw (?P<mfw>{_D4})",
        ),
        shape="'mfw <a.b.c.d> storm <a.b.c.d>', 'mbi <a.b.c> [mfw <a.b.c.d>]' or 'mfw <a.b.c.d>'",
        example="mfw 8.25.7.0 storm 8.20.0.0",
        source="drivers/net/ethernet/qlogic/qede/qede_ethtool.c (qede_get_drvinfo)",
    ),
    "sfc": Format(
        {"fw": "dec4", "rx": "text", "tx": "text"},
        (rf"(?P<fw>{_D4})(?: rx(?P<rx>{_H}+|\?) tx(?P<tx>{_H}+|\?))?",),
        shape="'<MC firmware %u.%u.%u.%u>[ rx<datapath id %x> tx<datapath id %x>]'",
        example="6.2.7.1000 rx0 tx0",
        source="drivers/net/ethernet/sfc/mcdi.c (efx_mcdi_print_fwver), ef10.c",
        blanks={
            "rx": (frozenset({"?"}), "the driver could not read the datapath firmware"),
            "tx": (frozenset({"?"}), "the driver could not read the datapath firmware"),
        },
        hints={"rx": "only EF10 cards and later report datapath firmware variants"},
    ),
    "cxgb4": Format(
        {"fw": "dec4", "tp": "dec4"},
        (rf"(?P<fw>{_D4}), TP (?P<tp>{_D4})",),
        shape="'<firmware %u.%u.%u.%u>, TP <TP microcode %u.%u.%u.%u>'",
        example="1.25.6.0, TP 0.1.23.2",
        source="drivers/net/ethernet/chelsio/cxgb4/cxgb4_ethtool.c (get_drvinfo)",
    ),
    "r8169": Format(
        {"fw": "named", "name": "text", "date": "text"},
        (
            r"(?P<fw>(?P<name>[A-Za-z][A-Za-z0-9-]*?)_\d+(?:\.\d+)*)"
            r"(?: (?P<date>\d{2}/\d{2}/\d{2}))?",
        ),
        shape="'<firmware file>_<version a.b.c> <date mm/dd/yy>' (the version line of the "
        "rtl_nic firmware file loaded)",
        example="rtl8168h-2_0.0.2 02/26/15",
        source="drivers/net/ethernet/realtek/r8169_firmware.c (rtl_fw_format_ok), r8169_main.c",
        hints={"fw": "r8169 prints a firmware version only when it loaded an rtl_nic file"},
    ),
    "nfp": Format(
        {"fw": "named", "vnic": "dec4", "nsp": "dotted", "app": "text"},
        (rf"(?P<vnic>{_D4}|\*) (?P<nsp>\d+\.\d+|) (?P<fw>\S*) (?P<app>\S+)",),
        shape="'<vNIC ABI %d.%d.%d.%d> <NSP ABI %hu.%hu> <application firmware, e.g. "
        "nic-2.1.16> <app type>'",
        example="0.0.3.5 0.25 nic-2.1.16 nic",
        source="drivers/net/ethernet/netronome/nfp/nfp_net_ethtool.c (nfp_get_drvinfo)",
        blanks={
            "vnic": (frozenset({"*"}), "a representor port has no vNIC firmware of its own"),
            "fw": (frozenset({""}), "no application firmware (MIP) is loaded"),
            "nsp": (frozenset({""}), "the service processor (NSP) could not be read"),
        },
    ),
    "hns3": Format(
        {"fw": "hns3-fw"},
        (rf"(?P<fw>0[xX]{_H}{{8}}|{_D4})",),
        shape="'0x%08x' (older kernels) or '%lu.%lu.%lu.%lu': the four bytes of the "
        "firmware version",
        example="0x0114001b",
        source="drivers/net/ethernet/hisilicon/hns3/hns3_ethtool.c (hns3_get_drvinfo)",
    ),
    "dotted": Format(
        {"version": "dotted", "flash": "dotted"},
        (r"v?(?P<version>\d+(?:\.\d+)*)(?: \[v?(?P<flash>\d+(?:\.\d+)*)\])?",),
        shape="dotted decimal numbers, optionally followed by ' [<on-flash version>]' (be2net)",
        example="10.0.803.19",
        source="drivers/net/ethernet/emulex/benet/be_ethtool.c (be_get_drvinfo)",
    ),
    "kernel-release": Format(
        {"release": "kernel", "upstream": "dotted", "build": "build", "dist": "text"},
        (),
        shape="a kernel release '<upstream a.b.c>[-<build numbers>[.<dist/flavour>]]'",
        example="4.18.0-372.82.1.el8_6.x86_64",
        source="include/generated/utsrelease.h (UTS_RELEASE), what `uname -r` prints",
        parser=parsers.kernel_release,
    ),
    "driver": Format(
        {"version": "natural", "kernel": "kernel", "storm": "dec4"},
        (),
        shape="a vendor driver version starting with a number (2.8.20-k, 5.2-2.0.7, 4.1.307r) "
        "or, for in-tree drivers, the kernel release",
        example="2.8.20-k",
        source="net/ethtool/ioctl.c (ethtool_get_drvinfo fills UTS_RELEASE for in-tree drivers)",
        parser=parsers.driver,
        refuse=parsers.driver_refusal,
        hints={
            "version": "it is a kernel release: the in-tree driver carries no version of its own",
            "kernel": "it is a vendor driver version, not a kernel release",
        },
    ),
}

DRIVER_FIRMWARE_FORMATS: dict[str, str] = {
    "i40e": "intel-nvm",
    "ice": "intel-nvm",
    "ixgbe": "ixgbe",
    "igb": "igb",
    "igc": "igc",
    "e1000e": "e1000e",
    "mlx5_core": "mlx",
    "mlx4_en": "mlx",
    "mlx4_core": "mlx",
    "bnxt_en": "bnxt",
    "bnx2x": "bnx2x",
    "bnx2": "bnx2",
    "tg3": "tg3",
    "qede": "qede",
    "qed": "qede",
    "sfc": "sfc",
    "sfc_siena": "sfc",
    "sfc_ef100": "sfc",
    "cxgb4": "cxgb4",
    "cxgb4vf": "cxgb4",
    "r8169": "r8169",
    "nfp": "nfp",
    "hns3": "hns3",
    "be2net": "dotted",
}
"""Firmware format by driver name. A name with a bracketed suffix is the driver's own:
mlx5 names its IPoIB interfaces `mlx5_core[ib_ipoib]` (see versions.format_for)."""
