"""The vendor version formats: what each driver prints, split into named components.

Every format here mirrors the kernel's own format string for the ethtool driver-info
`fw_version` (or `version`) field; the source file is named beside it and the whole table
is explained in docs/versions.md. A format is a list of whole-string patterns whose named
groups are the components, plus each component's kind (its grammar in vkeys.py).

Pure and import-light: only ``re`` (and vkeys).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hwcheck.judge.vkeys import EQUALITY_KINDS, GrammarError, natural_key

_H = "[0-9A-Fa-f]"
_D3 = r"\d+\.\d+\.\d+"
_D4 = r"\d+\.\d+\.\d+\.\d+"
_NVM = rf"(?P<nvm>{_H}{{1,2}}\.{_H}{{2}})"
_INTEL_NVM = rf"{_NVM} (?P<eetrack>0[xX]{_H}{{1,8}}) (?P<combo>{_D3})"
_OEM = rf"(?P<oem>{_H}+\.{_H}+\.{_H}+)"


class Format:
    """One vendor format: components (first is the default), their kinds, the patterns."""

    __slots__ = (
        "_compiled",
        "_patterns",
        "components",
        "example",
        "kinds",
        "parser",
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
    ) -> None:
        self.components = tuple(kinds)
        self.kinds = kinds
        self._patterns = patterns
        self._compiled: tuple[re.Pattern[str], ...] | None = None
        self.shape = shape
        self.example = example
        self.source = source
        self.parser = parser

    def is_ordered(self, component: str) -> bool:
        return self.kinds[component] not in EQUALITY_KINDS

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """Compiled on first use: a check touches two or three of the formats, not all."""
        if self._compiled is None:
            self._compiled = tuple(re.compile(p) for p in self._patterns)
        return self._compiled

    def match(self, text: str) -> dict[str, str] | None:
        if self.parser is not None:
            return self.parser(text)
        for pattern in self.patterns:
            found = pattern.fullmatch(text)
            if found:
                return {k: v for k, v in found.groupdict().items() if v is not None}
        return None


# NVIDIA/Mellanox firmware major -> adapter family (mlxup and firmware release notes).
MLX_FAMILIES: dict[int, str] = {
    2: "ConnectX-3",
    12: "ConnectX-4",
    14: "ConnectX-4 Lx",
    16: "ConnectX-5",
    20: "ConnectX-6",
    22: "ConnectX-6 Dx",
    26: "ConnectX-6 Lx",
    28: "ConnectX-7",
}


def _mlx(text: str) -> dict[str, str] | None:
    found = _MLX.fullmatch(text)
    if not found:
        return None
    parts = {k: v for k, v in found.groupdict().items() if v is not None}
    family = MLX_FAMILIES.get(int(parts["fw"].split(".", 1)[0]))
    if family:
        parts["family"] = family
    return parts


_MLX = re.compile(rf"(?P<fw>{_D3})(?: \((?P<psid>[^()\s]{{1,16}})\))?")

_STORM = re.compile(rf"(?P<head>.*?) ?(?:\[storm (?P<b>{_D4})\]|storm (?P<s>{_D4}))")
# An in-tree driver reports the kernel release (UTS_RELEASE). Only shapes that no vendor
# driver uses count as one: 2.6.x or 3..9.x.y, a dash, and more than one letter after it.
_KERNEL_SHAPE = re.compile(r"(?:2\.6|[3-9]\.\d{1,2})\.\d{1,3}-(?![A-Za-z]$)\S+")


def looks_like_kernel_release(text: str) -> bool:
    """True when a driver version can only be a kernel release (see _KERNEL_SHAPE)."""
    return bool(_KERNEL_SHAPE.fullmatch(text))


def _driver(text: str) -> dict[str, str] | None:
    parts: dict[str, str] = {}
    storm = _STORM.fullmatch(text)
    if storm:
        parts["storm"] = storm.group("b") or storm.group("s")
        text = storm.group("head")
        if not text:
            return parts
    if looks_like_kernel_release(text):
        parts["kernel"] = text
        return parts
    try:
        natural_key(text)
    except GrammarError:
        return None
    parts["version"] = text
    return parts


def _kernel_release(text: str) -> dict[str, str] | None:
    found = _KREL.fullmatch(text)
    if not found:
        return None
    parts = {"release": text}
    parts.update({k: v for k, v in found.groupdict().items() if v is not None})
    return parts


_KREL = re.compile(
    r"(?P<upstream>\d+\.\d+(?:\.\d+)?)"
    r"(?:-(?P<build>\d+(?:\.\d+)*)?(?:(?<=-)|[.-])(?P<dist>\S+)?)?"
)

_INTEL_SRC = "drivers/net/ethernet/intel/"

FORMAT_TABLE: dict[str, Format] = {
    "intel-nvm": Format(
        {"nvm": "nvm-hex", "eetrack": "eetrack", "combo": "dec3", "oem": "oem-hex"},
        (_INTEL_NVM, _OEM),
        shape="'<NVM %x.%02x> 0x<EETrack> <combo a.b.c>' (or an OEM '%x.%x.%x')",
        example="8.15 0x8000a4e8 1.2879.0",
        source=_INTEL_SRC + "i40e/i40e.h (i40e_nvm_version_str), ice/ice_ethtool.c",
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
    ),
    "igc": Format(
        {"nvm": "hex-word", "phy": "hex-word"},
        (rf"(?P<nvm>{_H}{{1,4}}):(?P<phy>{_H}{{1,4}})", rf"(?P<nvm>{_H}{{1,4}})"),
        shape="'<NVM word %x>:<PHY firmware word %x>'",
        example="",  # no public capture on file; the shape comes from the source alone
        source=_INTEL_SRC + "igc/igc_ethtool.c (igc_ethtool_get_drvinfo)",
    ),
    "mlx": Format(
        {"fw": "mlx-fw", "psid": "text", "family": "text"},
        (),
        shape="'<major>.<minor>.<subminor %04d> (<PSID>)' (mlx5) or '%d.%d.%d' (mlx4)",
        example="16.32.2004 (DEL0000000016)",
        source="drivers/net/ethernet/mellanox/mlx5/core/en_ethtool.c, mlx4/en_ethtool.c",
        parser=_mlx,
    ),
    "bnxt": Format(
        {"fw": "dec4", "pkg": "dotted"},
        (rf"(?P<fw>{_D4})(?:/pkg (?P<pkg>\d[^\s/]*))?",),
        shape="'<fw a.b.c.d>[/pkg <package version>]'",
        example="220.0.59.0/pkg 220.0.83.0",
        source="drivers/net/ethernet/broadcom/bnxt/bnxt.c, bnxt_ethtool.c (bnxt_get_pkgver)",
    ),
    "bnx2x": Format(
        {"bc": "dec3", "mbi": "dec3", "ffv": "ffv", "phy": "text"},
        (
            rf"(?:mbi (?P<mbi>{_D3}) )?(?:(?P<ffv>FFV\S+) )?bc (?P<bc>{_D3})"
            r"(?: phy (?P<phy>\S+))?",
        ),
        shape="'[mbi a.b.c ][FFV<x> ]bc <a.b.c>[ phy <x>]'",
        example="mbi 7.15.42 bc 7.15.23",
        source="drivers/net/ethernet/broadcom/bnx2x/bnx2x_ethtool.c, bnx2x_cmn.c",
    ),
    "tg3": Format(
        {"bc": "tg3-bc", "ffv": "ffv", "sb": "tg3-sb", "mgmt": "mgmt"},
        (
            r"(?:(?P<ffv>FFV\S+) bc )?(?:(?P<bc>(?:[0-9A-Za-z]+-)?v\d+\.\d{2})"
            r"|(?P<sb>sb v\d+\.\d{2}[a-z]?))"
            r"(?:,? (?P<mgmt>[A-Za-z][A-Za-z0-9]* v\d+(?:\.\d+)*))?",
        ),
        shape="'[FFV<x> bc ]<bootcode like 5720-v1.39 or v3.13 | sb v%d.%02d>"
        "[ NCSI|DASH|SMASH v<a.b.c.d>]'",
        example="FFV22.91.5 bc 5720-v1.39",
        source="drivers/net/ethernet/broadcom/tg3.c (tg3_read_fw_ver and helpers)",
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
        parser=_kernel_release,
    ),
    "driver": Format(
        {"version": "natural", "kernel": "kernel", "storm": "dec4"},
        (),
        shape="a vendor driver version starting with a number (2.8.20-k, 5.2-2.0.7, 4.1.307r) "
        "or, for in-tree drivers, the kernel release",
        example="2.8.20-k",
        source="net/ethtool/ioctl.c (ethtool_get_drvinfo fills UTS_RELEASE for in-tree drivers)",
        parser=_driver,
    ),
}

DRIVER_FIRMWARE_FORMATS: dict[str, str] = {
    "i40e": "intel-nvm",
    "ice": "intel-nvm",
    "ixgbe": "ixgbe",
    "igb": "igb",
    "igc": "igc",
    "mlx5_core": "mlx",
    "mlx4_en": "mlx",
    "mlx4_core": "mlx",
    "bnxt_en": "bnxt",
    "bnx2x": "bnx2x",
    "tg3": "tg3",
    "qede": "qede",
    "qed": "qede",
    "be2net": "dotted",
}
