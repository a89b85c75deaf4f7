"""Version semantics for the firmware and driver versions NICs really report.

The judge asks three questions of a version string: which *format* it is in (picked by
driver, see format_for), what its named *components* are (parse), and how two texts of
one component compare (sort_key / compare), or whether they are merely equal (hex IDs
such as an EETrack, PSIDs). Profile lint asks whether a threshold is unambiguous
(check_threshold).

Rules this module keeps:
- numbers compare as numbers and hex as hex: 7.10 > 7.2, never float(), never str < str;
- equality-only components (EETrack, PSID, ...) never order; asking raises VersionError;
- a string that does not fit its format raises VersionError quoting it, with the reason,
  which the judge reports as *unknown*, never as a pass;
- raw strings stay untouched: parse returns each component's text as it appears.

Pure: no I/O, no clock. Results are cached (lru_cache), so judging thousands of
inventories parses each distinct string once. Formats and sources: docs/versions.md.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hwcheck.versions.formats import DRIVER_FIRMWARE_FORMATS, FORMAT_TABLE, Format
from hwcheck.versions.keys import DOMAINS, EQUALITY_KINDS, ORDERED_KINDS, GrammarError
from hwcheck.versions.parsers import looks_like_kernel_release

FORMATS: tuple[str, ...] = tuple(FORMAT_TABLE)
"""All format names, in documentation order."""

FIELDS: tuple[str, ...] = ("firmware", "driver")
"""The driver-info fields format_for knows: firmware_version and driver_version."""

ORDER_OPERATORS: frozenset[str] = frozenset({"min", "max", "range"})
"""Profile operators that need an order (the others only test equality)."""

MAX_NUMBER_DIGITS = 40
"""The most digits one number of a version may have. No vendor's component comes near it,
and Python refuses to read an integer of more than 4300 digits: a longer run, in an
observed string or a threshold, is not a version."""

_LONG_NUMBER = re.compile(f"[0-9]{{{MAX_NUMBER_DIGITS + 1},}}")

TRUNCATION_LENGTH = 31
"""The kernel copies driver-info strings into 32-byte fields: 31 characters may be cut."""

_EQUALITY_WHY = {
    "eetrack": "an EETrack ID names one NVM image; a larger ID is not a newer image",
    "text": "it names a thing (a board ID, a family, a type), it is not a version",
}


class VersionError(ValueError):
    """A version text does not fit its format or component; str() is the reason."""


def _format(fmt: str) -> Format:
    try:
        return FORMAT_TABLE[fmt]
    except KeyError:
        raise VersionError(
            f"unknown version format {fmt!r} (expected one of: {', '.join(FORMATS)})"
        ) from None


def _kind(fmt: str, component: str) -> str:
    spec = _format(fmt)
    try:
        return spec.kinds[component]
    except KeyError:
        raise VersionError(
            f"{fmt} has no component {component!r} (expected one of: {', '.join(spec.components)})"
        ) from None


DEFAULT_FIRMWARE_FORMAT = "dotted"
"""The format firmware of a driver without one of its own is read in."""


def _driver_name(driver: str | None) -> str:
    """The driver's own name: mlx5 reports its IPoIB interfaces as `mlx5_core[ib_ipoib]`."""
    return (driver or "").split("[", 1)[0]


def format_for(driver: str | None, field: str) -> str:
    """The format of `driver`'s firmware_version (field "firmware") or driver_version.

    Driver versions all use "driver", which also recognises in-tree drivers reporting the
    kernel release. Firmware of drivers without a format of their own is read as
    DEFAULT_FIRMWARE_FORMAT ("dotted"); has_own_format says when that happened.
    """
    if field == "driver":
        return "driver"
    if field != "firmware":
        raise VersionError(f"unknown version field {field!r} (expected one of: firmware, driver)")
    return DRIVER_FIRMWARE_FORMATS.get(_driver_name(driver), DEFAULT_FIRMWARE_FORMAT)


def has_own_format(driver: str | None) -> bool:
    """Whether the firmware of `driver` has a format of its own (else it is read as dotted)."""
    return _driver_name(driver) in DRIVER_FIRMWARE_FORMATS


def component_names(fmt: str) -> tuple[str, ...]:
    """The components `fmt` can yield; the first is the default a rule constrains."""
    return _format(fmt).components


def is_ordered(fmt: str, component: str) -> bool:
    """False for equality-only components (EETrack, PSID, PHY firmware, family, ...)."""
    return _kind(fmt, component) not in EQUALITY_KINDS


def format_shape(fmt: str) -> str:
    """One sentence saying what strings of `fmt` look like, with a real example."""
    spec = _format(fmt)
    example = f", e.g. {spec.example!r}" if spec.example else ""
    return f"{spec.shape}{example}"


def format_source(fmt: str) -> str:
    """Where the format comes from (kernel source files)."""
    return _format(fmt).source


@lru_cache(maxsize=8192)
def _parse(raw: str, fmt: str) -> tuple[tuple[str, str], ...]:
    spec = _format(fmt)
    text = raw.strip()
    if text in {"", "N/A"}:
        raise VersionError(
            f"{raw!r} is not a version: the driver reports none here "
            "(virtual functions and some drivers print N/A or nothing)"
        )
    _refuse_long_numbers(raw)
    refused = spec.refuse(text) if spec.refuse else None
    if refused:
        raise VersionError(f"{raw!r} is not a version: {refused}")
    parts = spec.match(text)
    if parts is None:
        raise VersionError(f"{raw!r} does not fit {fmt}: expected {format_shape(fmt)}")
    return tuple((name, parts[name]) for name in spec.components if name in parts)


def long_number(text: str) -> int | None:
    """The length of the first number in `text` longer than MAX_NUMBER_DIGITS, else None."""
    run = _LONG_NUMBER.search(text)
    return None if run is None else len(run.group())


def _refuse_long_numbers(text: str) -> None:
    digits = long_number(text)
    if digits is not None:
        shown = f"{text[:12]!r}... ({len(text)} characters)" if len(text) > 24 else repr(text)
        raise VersionError(
            f"{shown} is not a version: it holds a number of {digits} digits "
            f"(a version component has at most {MAX_NUMBER_DIGITS})"
        )


def parse(raw: str, fmt: str) -> dict[str, str]:
    """Component name -> its text as it appears in `raw` (plus derived info components).

    Raises VersionError, quoting `raw`, when it does not fit `fmt`. Only components
    present in `raw` appear: an I211 running from iNVM has "invm" but no "nvm".
    """
    return dict(_parse(raw, fmt))


def component(raw: str, fmt: str, name: str) -> str:
    """The text of one component of `raw`, or VersionError saying it is absent and why."""
    parts = parse(raw, fmt)
    _kind(fmt, name)
    try:
        return parts[name]
    except KeyError:
        raise VersionError(absent_reason(raw, fmt, name)) from None


def absent_reason(raw: str, fmt: str, name: str) -> str:
    """Why `raw` (which fits `fmt`) has no `name` component: a blank marker, or what the
    format says about such strings, with the components it does have."""
    spec = _format(fmt)
    text = raw.strip()
    blank = spec.blank(text, name)
    if blank:
        return f"{raw!r} has no {name} version: {blank}"
    present = ", ".join(parse(raw, fmt)) or "none"
    hint = spec.hints.get(name)
    return f"{raw!r} has no {name} component (it has: {present})" + (f"; {hint}" if hint else "")


@lru_cache(maxsize=16384)
def sort_key(fmt: str, component: str, text: str) -> tuple[object, ...]:
    """A totally ordered key for `text` of an ordered component (observed or threshold).

    Raises VersionError when the component is equality-only or `text` does not fit it.
    """
    kind = _kind(fmt, component)
    _refuse_long_numbers(text)
    if kind in EQUALITY_KINDS:
        raise VersionError(
            f"{component} of {fmt} compares only for equality ({_EQUALITY_WHY[kind]}); "
            "it has no order"
        )
    marks = FORMAT_TABLE[fmt].blanks.get(component)
    if marks and text in marks[0]:
        raise VersionError(
            f"{text!r} is the blank marker of {fmt} {component}, not a version: {marks[1]}"
        )
    try:
        return ORDERED_KINDS[kind](text)
    except GrammarError as err:
        raise VersionError(_key_failure(fmt, component, text, err)) from None


def _key_failure(fmt: str, component: str, text: str, err: GrammarError) -> str:
    reason = str(err)
    if reason.startswith("ambiguous: "):
        return f"{text!r} is ambiguous for {fmt} {component}: {reason[len('ambiguous: ') :]}"
    return f"{text!r} is not a valid {component} for {fmt}: {reason}"


def _normal(fmt: str, component: str, kind: str, text: str) -> str:
    try:
        return EQUALITY_KINDS[kind](text)
    except GrammarError as err:
        raise VersionError(_key_failure(fmt, component, text, err)) from None


def incomparable(fmt: str, component: str, a: str, b: str) -> str | None:
    """Why two texts of an ordered component have no order, or None when they have one.

    Only kinds with a domain can say so: tg3 bootcodes of different chips
    ('5719-v1.45', '5720-v1.39'). Invalid texts raise VersionError as sort_key does.
    """
    kind = _kind(fmt, component)
    sort_key(fmt, component, a)
    sort_key(fmt, component, b)
    domain = DOMAINS.get(kind)
    if domain is None:
        return None
    of, why = domain
    da, db = of(a), of(b)
    if da is None or db is None or da == db:
        return None
    return f"{a!r} and {b!r} are " + why.format(a=da, b=db)


def equals(fmt: str, component: str, a: str, b: str) -> bool:
    """Whether two texts of one component are the same value (any component).

    EETracks compare as hex numbers (0x8000A4E8 == 0x8000a4e8); ordered components compare
    by sort_key (1.2 == 1.2.0 for variable-length dotted versions, 1.9.11 == 1.9.11.0 for
    driver versions). Values of different domains (tg3 bootcodes of two chips) differ.
    """
    kind = _kind(fmt, component)
    if kind in EQUALITY_KINDS:
        return _normal(fmt, component, kind, a) == _normal(fmt, component, kind, b)
    if incomparable(fmt, component, a, b):
        return False
    return sort_key(fmt, component, a) == sort_key(fmt, component, b)


def compare(fmt: str, component: str, a: str, b: str) -> int:
    """-1, 0 or 1 as `a` is older than, the same as, or newer than `b`.

    Equality-only components return 0 when equal and raise VersionError otherwise, as do
    values of different domains (tg3 bootcodes of different chips, see incomparable).
    """
    kind = _kind(fmt, component)
    if kind in EQUALITY_KINDS:
        if _normal(fmt, component, kind, a) == _normal(fmt, component, kind, b):
            return 0
        raise VersionError(
            f"{a!r} and {b!r} differ, and {component} of {fmt} has no order ({_EQUALITY_WHY[kind]})"
        )
    reason = incomparable(fmt, component, a, b)
    if reason:
        raise VersionError(reason)
    key_a = sort_key(fmt, component, a)
    key_b = sort_key(fmt, component, b)
    return (key_a > key_b) - (key_a < key_b)


def check_threshold(fmt: str, component: str, text: str, *, op: str | None = None) -> str | None:
    """None if `text` is a valid, unambiguous threshold for this component, else why not.

    With `op` (a profile operator such as "min"), also says when an equality-only
    component is used with an ordering operator. An ambiguous threshold (see ambiguity)
    is refused like an invalid one, in every format.
    """
    try:
        kind = _kind(fmt, component)
        if kind in EQUALITY_KINDS:
            if op in ORDER_OPERATORS:
                return (
                    f"{component} of {fmt} compares only for equality ({_EQUALITY_WHY[kind]}); "
                    f"'{op}' needs an order: use exact, allowed or known_bad"
                )
            _normal(fmt, component, kind, text)
            return None
        sort_key(fmt, component, text)
    except VersionError as err:
        return str(err)
    return ambiguity(fmt, component, text)


def ambiguity(fmt: str, component: str, text: str) -> str | None:
    """Why a threshold that parses could mean two versions, or None.

    One rule for every format: where the kernel's print and the vendor's notation differ
    (a minor printed without its leading zero, a subminor printed with four digits), a
    threshold that reads differently in the two is ambiguous. Profiles refuse it when
    they load and the judge reports a rule holding one as unknown: it is never judged by
    a guess. Valid texts only; check_threshold checks validity first.
    """
    kind = FORMAT_TABLE[fmt].kinds[component]
    if kind == "nvm-hex":  # '%x.%02x': the grammar itself refuses a one-digit minor
        return None
    parts = text.split(".")
    if kind in ("dec2", "igc-nvm") and fmt in ("igb", "igc") and len(parts) == 2:
        major, minor = parts
        if len(minor) == 1:
            return (
                f"{text!r} is ambiguous for {fmt} {component}: the kernel prints the minor "
                f"without a leading zero, so {text!r} would be {major}.0{minor}, while Intel "
                f"writes two digits, where it would be {major}.{minor}0 "
                f"(write {major}.0{minor} or {major}.{minor}0)"
            )
    if kind == "mlx-fw" and len(parts) == 3:
        major, minor, sub = parts
        if int(major) >= 10 and len(sub) < 4:
            return (
                f"{text!r} is ambiguous for mlx fw: mlx5 prints the subminor with four "
                f"digits ('%04d'), so this would be {major}.{minor}.{int(sub):04d}, but "
                "release notes write all four digits; write the subminor as they do"
            )
    return None


def may_be_truncated(raw: str, fmt: str, name: str) -> bool:
    """True when `raw` filled the 31-character field and component `name` ends it.

    The kernel cuts driver-info strings at 31 characters, so such a trailing component
    (e.g. bnx2x's "phy", a long kernel release) may be missing its tail.
    """
    if len(raw) < TRUNCATION_LENGTH:
        return False
    text = parse(raw, fmt).get(name)
    return text is not None and raw.rstrip().endswith(text)


def is_kernel_release(raw: str, kernel_release: str | None = None) -> bool:
    """Whether a driver version is the kernel release (an in-tree driver's version).

    With the node's `kernel_release` that settles it: the value is that release (or, cut
    at 31 characters, its beginning), or it is not one. Without it, only shapes no vendor
    driver uses count (4.18.0-372.82.1.el8_6.x86_64, 6.6.12.1-1.azl3, 6.12-intel); a plain
    "6.6.43" could also be a vendor release.
    """
    text = raw.strip()
    if kernel_release:
        if text == kernel_release:
            return True
        if len(text) == TRUNCATION_LENGTH and kernel_release.startswith(text):
            return True
    return looks_like_kernel_release(text)
