"""The version formats that a regular expression alone cannot split: mlx (the family
comes from the firmware major), driver versions (vendor version, kernel release, or
something that is no version at all) and kernel releases. Used by the table in formats.py.

Pure and import-light: only ``re`` (and keys).
"""

from __future__ import annotations

import re

from hwcheck.versions.keys import GrammarError, natural_key

_D3 = r"\d+\.\d+\.\d+"
_D4 = r"\d+\.\d+\.\d+\.\d+"

# NVIDIA/Mellanox firmware major -> adapter family (mlxup and NVIDIA's firmware release
# notes: each family has its own firmware train, named by its major).
MLX_FAMILIES: dict[int, str] = {
    2: "ConnectX-3",
    12: "ConnectX-4",
    14: "ConnectX-4 Lx",
    16: "ConnectX-5",
    18: "BlueField",
    20: "ConnectX-6",
    22: "ConnectX-6 Dx",
    24: "BlueField-2",
    26: "ConnectX-6 Lx",
    28: "ConnectX-7",
    32: "BlueField-3",
}

_MLX = re.compile(rf"(?P<fw>{_D3})(?: \((?P<psid>[^()\s]{{1,16}})\))?")


def mlx(text: str) -> dict[str, str] | None:
    found = _MLX.fullmatch(text)
    if not found:
        return None
    parts = {k: v for k, v in found.groupdict().items() if v is not None}
    family = MLX_FAMILIES.get(int(parts["fw"].split(".", 1)[0]))
    if family:
        parts["family"] = family
    return parts


_STORM = re.compile(rf"(?P<head>.*?) ?(?:\[storm (?P<b>{_D4})\]|storm (?P<s>{_D4}))")

# An in-tree driver reports the kernel release (UTS_RELEASE). Alone, only shapes that no
# vendor driver uses count as one: 2.6.x or 3..9.x with up to two more numbers (Azure
# Linux and CBL-Mariner print four: 6.6.12.1-1.azl3), a dash, then a build number or a
# flavour word of two letters or more (-372.82.1.el8_6, -1032-realtime, -intel,
# -microsoft-standard-WSL2). Never a lone letter (Intel's "-k", RHEL's "-k-rh8.1.0" are
# the driver's own versions), and a two-number release needs a word (MLNX_OFED's 5.2-2.0.7
# is a vendor version, Ubuntu's 6.12-intel a kernel).
_KERNEL_SHAPE = re.compile(
    r"(?:2\.6|[3-9]\.\d{1,2})"
    r"(?:(?:\.\d{1,3}){1,2}-(?:\d|[A-Za-z]{2})|-[A-Za-z]{2})\S*"
)


def looks_like_kernel_release(text: str) -> bool:
    """True when a driver version can only be a kernel release (see _KERNEL_SHAPE)."""
    return bool(_KERNEL_SHAPE.fullmatch(text))


# Out-of-tree builds of some drivers (Netronome/Corigine nfp-drv-kmods) print the git
# commit they were built from, or `no-src-ver`, with " (o-o-t)" appended.
_OUT_OF_TREE = " (o-o-t)"
_GIT_HASH = re.compile(r"(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}")


def driver_refusal(text: str) -> str | None:
    """Why a driver-version text is no version at all (to follow "is not a version: "),
    or None."""
    body = text.removesuffix(_OUT_OF_TREE)
    built = " (the driver says it was built out of tree)" if body != text else ""
    if _GIT_HASH.fullmatch(body):
        return (
            f"{body} is the git commit the driver was built from{built}, and commits have no order"
        )
    if body == "no-src-ver":
        return (
            f"the driver was built from a source tree that records no version ('no-src-ver'){built}"
        )
    return None


def driver(text: str) -> dict[str, str] | None:
    parts: dict[str, str] = {}
    storm = _STORM.fullmatch(text)
    if storm:
        parts["storm"] = storm.group("b") or storm.group("s")
        text = storm.group("head")
        if not text:
            return parts
    if driver_refusal(text):
        return None
    if looks_like_kernel_release(text):
        parts["kernel"] = text
        return parts
    try:
        natural_key(text)
    except GrammarError:
        return None
    parts["version"] = text
    return parts


_KREL = re.compile(
    r"(?P<upstream>\d+\.\d+(?:\.\d+){0,2})"
    r"(?:-(?P<build>\d+(?:\.\d+)*)?(?:(?<=-)|[.-])(?P<dist>\S+)?)?"
)


def kernel_release(text: str) -> dict[str, str] | None:
    found = _KREL.fullmatch(text)
    if not found:
        return None
    parts = {"release": text}
    parts.update({k: v for k, v in found.groupdict().items() if v is not None})
    return parts
