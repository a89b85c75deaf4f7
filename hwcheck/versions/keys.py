"""Component grammars: how one component's text becomes a sort key, or why it cannot.

A *kind* names one grammar (``dec3``, ``nvm-hex``, ``eetrack``, ...). Each kind has a
key function that takes the component's text, exactly as the kernel prints it or as a
profile writes a threshold, and returns a tuple that orders like the version does, or
raises GrammarError with a sentence saying why the text does not fit. Numbers compare as
numbers, hex as hex; nothing goes through float() or plain string comparison.

Equality-only kinds (hex IDs, PSIDs, names) have a *normaliser* instead: two texts are
the same component value when their normal forms are equal.

Pure and import-light: only ``re``.
"""

from __future__ import annotations

import re
from collections.abc import Callable  # cheap: `re` has already loaded `collections`

KeyFunc = Callable[[str], tuple[object, ...]]
NormFunc = Callable[[str], str]

_DEC_PARTS = re.compile(r"\d+(?:\.\d+)*")
_NATURAL_TOKEN = re.compile(r"\d+|[A-Za-z]+|~")
_RELEASE_RUN = re.compile(r"\d+(?:\.\d+)*")
_HEX_WORD = re.compile(r"[0-9A-Fa-f]{1,4}")
_EETRACK = re.compile(r"0[xX][0-9A-Fa-f]{1,8}")
_NVM_HEX = re.compile(r"([0-9A-Fa-f])\.([0-9A-Fa-f]+)")
_INVM = re.compile(r"(\d+)\. *(\d+)")
_TG3_BC = re.compile(r"(?:([0-9A-Za-z]+)-)?v?(\d+)\.(\d{2})([a-z]?)")
_TG3_SB = re.compile(r"(?:sb )?v?(\d+)\.(\d{2})([a-z]?)")
_MGMT = re.compile(r"(?:(?:, )?([A-Za-z][A-Za-z0-9]*) )?v?(\d+(?:\.\d+)*)")
_IGC_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})")
_HNS3_HEX = re.compile(r"0[xX][0-9A-Fa-f]{8}")
_NAMED = re.compile(r"([A-Za-z][A-Za-z0-9-]*?)[-_](\d+(?:\.\d+)*)")
_KERNEL = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-(.*))?")


class GrammarError(ValueError):
    """A component text does not fit its grammar; str() is the reason (no quotes added)."""


def _dotted_ints(text: str, what: str) -> tuple[int, ...]:
    if not _DEC_PARTS.fullmatch(text):
        raise GrammarError(f"expected {what}: decimal numbers separated by dots")
    return tuple(int(part) for part in text.split("."))


def _fixed(arity: int, what: str) -> KeyFunc:
    """The kernel prints exactly `arity` numbers; fewer (a threshold copied from a vendor
    matrix, `7.0` for a bootcode 7.0.0) mean the same version padded with zeros."""

    def key(text: str) -> tuple[object, ...]:
        parts = _dotted_ints(text, what)
        if len(parts) > arity:
            raise GrammarError(
                f"expected {what} with at most {arity} numbers (the kernel prints "
                f"{arity}); got {len(parts)}"
            )
        return parts + (0,) * (arity - len(parts))

    return key


def _variable(what: str) -> KeyFunc:
    def key(text: str) -> tuple[object, ...]:
        parts = list(_dotted_ints(text, what))
        while len(parts) > 1 and parts[-1] == 0:  # 1.2 and 1.2.0 are the same version
            parts.pop()
        return tuple(parts)

    return key


def _nvm_hex(text: str) -> tuple[object, ...]:
    match = _NVM_HEX.fullmatch(text)
    if not match:
        raise GrammarError(
            "expected an Intel NVM version: one hex digit, a dot and two hex digits "
            "(the kernel prints '%x.%02x', e.g. 8.15 or 4.30)"
        )
    if len(match.group(2)) != 2:
        minor = match.group(2)
        guess = f"{match.group(1)}.0{minor} or {match.group(1)}.{minor}0"
        raise GrammarError(
            f"ambiguous: the kernel prints the NVM minor as two hex digits ({guess}?)"
        )
    return (int(match.group(1), 16), int(match.group(2), 16))


def _oem_hex(text: str) -> tuple[object, ...]:
    parts = text.split(".")
    if len(parts) != 3 or not all(_HEX_WORD.fullmatch(p) for p in parts):
        raise GrammarError("expected an OEM NVM version: three hex numbers ('%x.%x.%x')")
    return tuple(int(p, 16) for p in parts)


def _hex_word(text: str) -> tuple[object, ...]:
    if not _HEX_WORD.fullmatch(text):
        raise GrammarError("expected a 16-bit hex word: 1 to 4 hex digits ('%x')")
    return (int(text, 16),)


def _bcd(value: int) -> int:
    """Two BCD digits as the number they spell (0x82 -> 82), as Intel's tools read them."""
    high, low = divmod(value, 16)
    if high > 9 or low > 9:
        raise GrammarError(f"expected BCD digits in the NVM minor, got 0x{value:02x}")
    return high * 10 + low


def _igc_nvm(text: str) -> tuple[object, ...]:
    """igc prints the NVM word '%x' (1082); Intel and DPDK print it major.minor (1.82).

    Intel's shared code reads the word as: major = bits 15:12; minor = the low byte as two
    BCD digits when bits 11:8 are zero (newer images), else bits 11:4 as BCD digits.
    """
    dotted = _IGC_DOTTED.fullmatch(text)
    if dotted:
        return (int(dotted.group(1)), int(dotted.group(2)))
    if not _HEX_WORD.fullmatch(text):
        raise GrammarError(
            "expected the igc NVM word ('%x', e.g. 1082) or Intel's major.minor (1.82)"
        )
    word = int(text, 16)
    low = word & 0x00FF if word & 0x0F00 == 0 else (word & 0x0FF0) >> 4
    return (word >> 12, _bcd(low))


def _hns3_fw(text: str) -> tuple[object, ...]:
    """hns3 firmware: four bytes, printed '0x%08x' by older kernels, '%lu.%lu.%lu.%lu' now."""
    if _HNS3_HEX.fullmatch(text):
        word = int(text, 16)
        return tuple((word >> shift) & 0xFF for shift in (24, 16, 8, 0))
    return _fixed(4, "a firmware version 'a.b.c.d' or '0x%08x'")(text)


def named_version(text: str) -> tuple[str | None, str]:
    """(name, dotted version) of 'rtl8168h-2_0.0.2' or 'nic-2.1.16'; (None, text) when
    the text is the version alone (a threshold written '0.0.2')."""
    match = _NAMED.fullmatch(text)
    if match:
        return match.group(1), match.group(2)
    return None, text


def _named(text: str) -> tuple[object, ...]:
    _name, version = named_version(text)
    return _variable("a firmware version '<name>-<a.b.c>' or '<a.b.c>'")(version)


def named_domain(text: str) -> str | None:
    """The firmware a named version belongs to ('rtl8168h-2'), or None when unnamed."""
    return named_version(text)[0]


def _invm(text: str) -> tuple[object, ...]:
    match = _INVM.fullmatch(text.strip())
    if not match:
        raise GrammarError("expected an iNVM version 'major.minor' (printed '%2d.%2d')")
    return (int(match.group(1)), int(match.group(2)))


def _tg3_bc(text: str) -> tuple[object, ...]:
    match = _TG3_BC.fullmatch(text)
    if not match:
        raise GrammarError(
            "expected a tg3 bootcode version like '5720-v1.39' or 'v3.13' "
            "(the minor always has two digits: 'v%d.%02d'; a trailing letter is a later build)"
        )
    return (int(match.group(2)), int(match.group(3)), _build_letter(match.group(4)))


def _build_letter(letter: str) -> int:
    """A trailing build letter ('5751-v3.29a', 'sb v2.04a'): a later build, 'a' first."""
    return ord(letter) - ord("a") + 1 if letter else 0


def tg3_chip(text: str) -> str | None:
    """The chip a tg3 bootcode names ('5720' in '5720-v1.39'), or None when it names none."""
    match = _TG3_BC.fullmatch(text)
    return match.group(1).upper() if match and match.group(1) else None


def _tg3_sb(text: str) -> tuple[object, ...]:
    match = _TG3_SB.fullmatch(text)
    if not match:
        raise GrammarError("expected a tg3 selfboot version like 'sb v2.04' or 'v2.04a'")
    return (int(match.group(1)), int(match.group(2)), _build_letter(match.group(3)))


def _mgmt(text: str) -> tuple[object, ...]:
    match = _MGMT.fullmatch(text)
    if not match:
        raise GrammarError("expected a management firmware version like 'NCSI v1.5.18.0'")
    return _variable("a management firmware version")(match.group(2))


def _ffv(text: str) -> tuple[object, ...]:
    body = text[3:] if text[:3].upper() == "FFV" else text
    return _variable("an FFV family firmware version")(body)


# Words that mark a pre-release: it sorts before the release it leads to.
PRE_RELEASE_WORDS = frozenset({"alpha", "beta", "pre", "rc"})

# Token ranks; keys are tuples of (rank, number, word) so any two keys compare.
_PRE, _END, _NUM, _POST = 0, 1, 2, 3
_TERMINATOR = (_END, 0, "")


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """Suffix tokens: pre-release words (and whatever follows '~') rank below the end of
    the string; numbers (package revisions, build numbers) and other words rank above it."""
    out: list[tuple[int, int, str]] = []
    tilde = False
    for piece in _NATURAL_TOKEN.findall(text):
        if piece == "~":
            tilde = True
        elif piece.isdigit():
            out.append((_PRE if tilde else _NUM, int(piece), ""))
            tilde = False
        else:
            word = piece.lower()
            out.append((_PRE if tilde or word in PRE_RELEASE_WORDS else _POST, 0, word))
            tilde = False
    out.append(_TERMINATOR)
    return out


def natural_key(text: str) -> tuple[object, ...]:
    """Order free-form version text: the leading release numbers, then the suffix.

    The release is the leading run of dotted numbers, trailing zeros dropped
    (1.9.11.0 is 1.9.11). In the suffix, numbers compare as numbers and words as words;
    a pre-release (-rc1, -pre2, alpha, beta, ~anything) sorts before the bare release and
    anything else (-1, -k, r) after it: 2.20.12-rc1 < 2.20.12 < 2.20.12-1 < 2.20.12-k.
    """
    first = _NATURAL_TOKEN.search(text)
    if first is None or not first.group().isdigit():
        raise GrammarError("expected a version that starts with a number")
    run = _RELEASE_RUN.match(text, first.start())
    if run is None:  # unreachable: a digit starts here
        raise GrammarError("expected a version that starts with a number")
    numbers = [int(part) for part in run.group().split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return (tuple(numbers), *_tokens(text[run.end() :]))


# In a kernel's local part a number outranks a word at the same place, as RPM orders
# releases: the GA kernel 3.10.0-1160.el7 comes before its errata 3.10.0-1160.102.1.el7.
_KERNEL_RANK = {_PRE: _PRE, _END: _END, _POST: _NUM, _NUM: _POST}


def kernel_key(text: str) -> tuple[object, ...]:
    """Order kernel releases: upstream version, then the local part (-rc7, build numbers).

    A release candidate sorts before its release (6.1.0-rc7 < 6.1 < 6.1.0-1-amd64); a
    build number after a word at the same place (3.10.0-1160.el7 < 3.10.0-1160.102.1.el7).
    """
    match = _KERNEL.fullmatch(text)
    if not match:
        raise GrammarError("expected a kernel release like 4.18.0-372.82.1.el8_6.x86_64")
    # Azure Linux and CBL-Mariner add a fourth number (6.6.12.1-1.azl3).
    upstream = tuple(int(match.group(i) or 0) for i in (1, 2, 3, 4))
    local = tuple(
        (_KERNEL_RANK[rank], number, word) for rank, number, word in _tokens(match.group(5) or "")
    )
    return (upstream, local)


def _build_key(text: str) -> tuple[object, ...]:
    return _variable("distribution build numbers")(text)


ORDERED_KINDS: dict[str, KeyFunc] = {
    "nvm-hex": _nvm_hex,
    "oem-hex": _oem_hex,
    "hex-word": _hex_word,
    "dec2": _fixed(2, "a version 'major.minor'"),
    "dec3": _fixed(3, "a version 'major.minor.patch'"),
    "mlx-fw": _fixed(3, "a firmware version 'major.minor.subminor'"),
    "dec4": _fixed(4, "a four-part version 'a.b.c.d'"),
    "dotted": _variable("a dotted version"),
    "invm": _invm,
    "tg3-bc": _tg3_bc,
    "igc-nvm": _igc_nvm,
    "hns3-fw": _hns3_fw,
    "named": _named,
    "tg3-sb": _tg3_sb,
    "mgmt": _mgmt,
    "ffv": _ffv,
    "natural": natural_key,
    "kernel": kernel_key,
    "build": _build_key,
}


def _norm_eetrack(text: str) -> str:
    if not _EETRACK.fullmatch(text):
        raise GrammarError("expected an EETrack ID: 0x followed by up to 8 hex digits")
    return f"0x{int(text, 16):08x}"


def _norm_text(text: str) -> str:
    if not text or text != text.strip():
        raise GrammarError("expected a non-empty value without surrounding spaces")
    return text


DomainFunc = Callable[[str], str | None]

DOMAINS: dict[str, tuple[DomainFunc, str]] = {
    "tg3-bc": (tg3_chip, "bootcodes of different chips ({a} and {b}), which have no common order"),
    "named": (
        named_domain,
        "versions of different firmware ({a} and {b}), which have no common order",
    ),
}
"""Ordered kinds whose values carry a domain: two values of different domains do not
order (compare raises), values without one compare with any. With the reason's template."""

EQUALITY_KINDS: dict[str, NormFunc] = {
    "eetrack": _norm_eetrack,
    "text": _norm_text,
}
