"""Recorded answers in a capture: JSON read with bounded nesting, then checked for shape.

A capture holds, besides the host's files, answers that are not files (docs/inventory.md,
"The capture format"): capture.json, recorded/errors.json, recorded/ethtool/<ifname>.json,
recorded/uname.json, recorded/pci-names.json and recorded/lshw-network.json. A damaged or
wrong-shaped answer refuses the whole capture (exit 2, one line naming the file and the
JSON path of what is wrong): replaying it as a guess would make a half-true inventory.

Only captures load this module: the live probe reads no JSON.
"""

from __future__ import annotations

import errno
import json
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

    Refuse = Callable[[str], NoReturn]

MAX_DEPTH = 64
"""The deepest nesting a recorded answer may have. Every answer hwcheck records is at most
four levels deep (lshw's a few more); Python's parser would recurse without bound first."""

CAPTURE_FORMAT = "hwcheck-capture"
CAPTURE_FORMAT_VERSION = 1
ERRORS = "recorded/errors.json"
DRVINFO_KEYS = ("driver", "version", "fw_version", "bus_info", "erom_version")

# A JSON string, escapes included; an unterminated one runs to the end. Neither pattern can
# fail once started (a string always ends at a quote or at the end of the text), so nothing
# is ever backtracked: no input makes the scan quadratic. (No possessive quantifiers: the
# capture path runs on Python 3.9, whose `re` has none.)
_STRING = re.compile(r'"(?:[^"\\]+|\\.)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEPS = str.maketrans("[{]}", "\x01\x01\xff\xff")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


def nesting(text: str) -> int:
    """How deep the arrays and objects of `text` nest (brackets inside strings do not
    count), measured without recursion; for invalid JSON, at least as deep as a parser goes."""
    from array import array
    from itertools import accumulate

    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    steps = array("b", brackets.translate(_STEPS).encode("latin-1"))
    return max(accumulate(steps), default=0)


class NestedTooDeepError(ValueError):
    """A JSON document nested deeper than MAX_DEPTH."""


def loads(data: bytes | str) -> object:
    """A JSON document, refused (ValueError) when nested deeper than MAX_DEPTH, before the
    parser could recurse into it."""
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode(json.detect_encoding(data), "surrogatepass")
        except UnicodeDecodeError as err:
            raise ValueError(f"not text in any JSON encoding (byte {err.start})") from None
    depth = nesting(text)
    if depth > MAX_DEPTH:
        raise NestedTooDeepError(f"nested {depth} levels deep; the limit is {MAX_DEPTH}")
    try:
        return json.loads(text)
    except RecursionError:  # not reached within MAX_DEPTH; kept so no parse can escape
        raise NestedTooDeepError(f"nested deeper than {MAX_DEPTH} levels") from None


def _where(keys: tuple[str, ...]) -> str:
    """The JSON path of a value: `$["drvinfo"]["driver"]`."""
    from hwcheck.model.documents import shown

    return "$" + "".join(f"[{shown(key)}]" for key in keys)


def _malformed(
    refuse: Refuse, path: str, keys: tuple[str, ...], expected: str, got: object
) -> NoReturn:
    from hwcheck.model.documents import shown

    refuse(f"{path} is malformed: {_where(keys)}: expected {expected}; got {shown(got)}")


def _unknown_key(
    refuse: Refuse, path: str, keys: tuple[str, ...], key: str, known: str
) -> NoReturn:
    from hwcheck.model.documents import shown

    refuse(f"{path} is malformed: {_where(keys)}: unknown key {shown(key)} (expected {known})")


def is_errno_name(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("E")
        and value.isupper()
        and isinstance(getattr(errno, value, None), int)
    )


def check_meta(meta: object, refuse: Refuse) -> None:
    """capture.json: `format` and `format_version` this hwcheck reads; the optional
    `hostname` (a string or null), `captured_at` (RFC 3339 UTC) and `hwcheck_version` of
    the right types. Keys a later hwcheck may add are ignored."""
    path = "capture.json"

    if not isinstance(meta, dict):
        _malformed(refuse, path, (), "an object", meta)
    missing = [f'"{key}"' for key in ("format", "format_version") if key not in meta]
    if missing:
        refuse(f"{path} is malformed: $: missing {', '.join(missing)}")
    if meta["format"] != CAPTURE_FORMAT:
        _malformed(refuse, path, ("format",), f'"{CAPTURE_FORMAT}"', meta["format"])
    version = meta["format_version"]
    if version != CAPTURE_FORMAT_VERSION or isinstance(version, bool):
        expected = f"{CAPTURE_FORMAT_VERSION}, the capture format this hwcheck reads"
        _malformed(refuse, path, ("format_version",), expected, version)
    hostname = meta.get("hostname")
    if hostname is not None and not isinstance(hostname, str):
        _malformed(refuse, path, ("hostname",), "a string or null", hostname)
    if "hwcheck_version" in meta and not isinstance(meta["hwcheck_version"], str):
        _malformed(refuse, path, ("hwcheck_version",), "a string", meta["hwcheck_version"])
    when = meta.get("captured_at")
    if "captured_at" in meta and not (isinstance(when, str) and _TIMESTAMP.fullmatch(when)):
        expected = 'an RFC 3339 UTC time such as "2026-11-24T12:00:00Z"'
        _malformed(refuse, path, ("captured_at",), expected, when)


def checked_errors(raw: object, refuse: Refuse) -> dict[str, str]:
    """recorded/errors.json: `{"path": "ERRNO_NAME"}`."""
    if not isinstance(raw, dict):
        _malformed(refuse, ERRORS, (), "an object of paths and errno names", raw)
    for key, name in raw.items():
        if not is_errno_name(name):
            _malformed(refuse, ERRORS, (key,), 'an errno name such as "EINVAL"', name)
    return raw


def _checked_errno(answer: dict[str, object], path: str, key: str, refuse: Refuse) -> None:
    extra = sorted(set(answer) - {"errno"})
    if extra:
        _unknown_key(refuse, path, (key,), extra[0], 'only "errno" in a failed answer')
    if not is_errno_name(answer["errno"]):
        expected = 'an errno name such as "EOPNOTSUPP"'
        _malformed(refuse, path, (key, "errno"), expected, answer["errno"])


def checked_ethtool(data: object, path: str, refuse: Refuse) -> dict[str, object]:
    """recorded/ethtool/<ifname>.json: `drvinfo` (the five strings of ETHTOOL_GDRVINFO)
    and `permaddr` (a string), each or instead `{"errno": "NAME"}` for a failed ioctl."""
    if not isinstance(data, dict):
        _malformed(refuse, path, (), "an object", data)
    drvinfo = data.get("drvinfo")
    if drvinfo is not None:
        if not isinstance(drvinfo, dict):
            _malformed(refuse, path, ("drvinfo",), "an object", drvinfo)
        if "errno" in drvinfo:
            _checked_errno(drvinfo, path, "drvinfo", refuse)
        else:
            for key in DRVINFO_KEYS:
                if not isinstance(drvinfo.get(key), str):
                    _malformed(refuse, path, ("drvinfo", key), "a string", drvinfo.get(key))
            extra = sorted(set(drvinfo) - set(DRVINFO_KEYS))
            if extra:
                known = f"one of: {', '.join(DRVINFO_KEYS)}"
                _unknown_key(refuse, path, ("drvinfo",), extra[0], known)
    permaddr = data.get("permaddr")
    if isinstance(permaddr, dict):
        _checked_errno(permaddr, path, "permaddr", refuse)
    elif permaddr is not None and not isinstance(permaddr, str):
        _malformed(refuse, path, ("permaddr",), 'a string or {"errno": NAME}', permaddr)
    return data
