"""Compact JSON text without importing the `json` package.

`json` imports `re` (and with it `enum`, `functools` and `collections`): a quarter of the
probe's start-up budget. The encoding itself is CPython's C encoder, which `json.dumps` uses
for exactly these settings; here it is called directly. The text is byte for byte what
`json.dumps(obj, ensure_ascii=False, separators=(",", ":"))` gives (a test holds it to that),
and on an interpreter without the C encoder it is `json.dumps` itself.
"""

from __future__ import annotations


def _unserializable(obj: object) -> object:
    raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")


def dumps(obj: object) -> str:
    """`obj` as compact JSON: no spaces, non-ASCII kept as is, NaN allowed, cycles refused."""
    try:
        from _json import encode_basestring, make_encoder
    except ImportError:  # pragma: no cover - interpreters without CPython's C encoder
        import json

        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    # The arguments json.JSONEncoder passes, in its order.
    markers: dict[int, object] = {}  # what is being encoded, to refuse cycles
    sort_keys = skipkeys = False
    allow_nan = True
    encode = make_encoder(
        markers, _unserializable, encode_basestring, None, ":", ",", sort_keys, skipkeys, allow_nan
    )
    return "".join(encode(obj, 0))
