"""The operator table: min, max, range, exact, allowed, known_bad.

Each operator returns whether the observed value satisfies it and one sentence saying
so with both values in it; a `known_bad` that matched is returned as well (the finding
records it, with its advisory). Version operators compare sort keys from
hwcheck.versions (numbers as numbers, hex IDs by equality only); text operators
compare exactly. A value or threshold that cannot be read gives `unknown` with the
reason, never pass and never fail.
"""

from __future__ import annotations

from hwcheck import versions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from hwcheck.profile.model import Constraint, KnownBad

    Outcome = tuple[str, str, KnownBad | None]  # status, sentence, the known-bad value matched

OPERATORS = ("min", "max", "range", "exact", "allowed", "known_bad")

_PARSED: dict[tuple[str, str], dict[str, str] | str] = {}
_KEYS: dict[tuple[str, str, str], tuple[object, ...] | str] = {}
_TEXTS: dict[tuple[Constraint, str, str], Outcome] = {}
_VERSIONS: dict[
    tuple[Constraint, str, str, str, str | None],
    tuple[str, str, KnownBad | None, dict[str, str] | None],
] = {}
_MEMO_LIMIT = 50_000
"""Entries each memo keeps. Each memo is of a pure function of its key (a constraint is
never changed once compiled), so a hit gives what the call would: a fleet's nodes mostly
repeat a few versions, and each is parsed, compared and worded once."""


def _remember(memo: dict[Any, Any], key: object, value: object) -> None:
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def parse_cached(raw: str, fmt: str) -> dict[str, str] | str:
    """versions.parse, memoised; a string result is the VersionError's reason."""
    memo = (fmt, raw)
    hit = _PARSED.get(memo)
    if hit is None:
        try:
            hit = versions.parse(raw, fmt)
        except versions.VersionError as err:
            hit = str(err)
        _remember(_PARSED, memo, hit)
    return hit


def key_cached(fmt: str, component: str, text: str) -> tuple[object, ...] | str:
    """versions.sort_key, memoised; a string result is the VersionError's reason."""
    memo = (fmt, component, text)
    hit = _KEYS.get(memo)
    if hit is None:
        try:
            hit = versions.sort_key(fmt, component, text)
        except versions.VersionError as err:
            hit = str(err)
        _remember(_KEYS, memo, hit)
    return hit


# ---- text ---------------------------------------------------------------------------


def judge_text(constraint: Constraint, value: str, label: str) -> Outcome:
    """Judge a text fact (driver name, arch, OS ID, ...) by exact comparison."""
    memo = (constraint, value, label)
    hit = _TEXTS.get(memo)
    if hit is None:
        hit = _judge_text(constraint, value, label)
        _remember(_TEXTS, memo, hit)
    return hit


def _judge_text(constraint: Constraint, value: str, label: str) -> Outcome:
    fails: list[str] = []
    passes: list[str] = []
    matched = None
    for op, arg in constraint.ops:
        shown = f"{label} {value!r}"
        if op == "exact":
            ok = value == arg
            text = f"{shown} is {arg!r} as required" if ok else f"{shown} is not {arg!r}"
        elif op == "allowed":
            allowed: tuple[str, ...] = arg  # type: ignore[assignment]
            ok = value in allowed
            listed = ", ".join(allowed)
            text = f"{shown} is {'' if ok else 'not '}one of the allowed: {listed}"
        else:  # known_bad
            bad = [kb for kb in arg if kb.value == value]  # type: ignore[attr-defined]
            ok = not bad
            text = (
                f"{shown} is not known to be bad"
                if ok
                else f"{shown} is known bad: {bad[0].reason}"
            )
            if bad:
                matched = bad[0]
        (passes if ok else fails).append(text)
    return _combine(fails, passes, matched)


# ---- versions -----------------------------------------------------------------------


def judge_version(
    constraint: Constraint, raw: str, fmt: str, label: str, *, default_for: str | None = None
) -> tuple[str, str, KnownBad | None, dict[str, str] | None]:
    """Judge a version string; returns (status, sentence, the known-bad value it matched,
    parsed components).

    `default_for` names the driver when `fmt` is only the default format its firmware is
    read in (it has none of its own): an unreadable value then says so.
    """
    memo = (constraint, raw, fmt, label, default_for)
    hit = _VERSIONS.get(memo)
    if hit is None:
        hit = _judge_version(constraint, raw, fmt, label, default_for)
        _remember(_VERSIONS, memo, hit)
    return hit


def _judge_version(
    constraint: Constraint, raw: str, fmt: str, label: str, default_for: str | None
) -> tuple[str, str, KnownBad | None, dict[str, str] | None]:
    parsed = parse_cached(raw, fmt)
    if isinstance(parsed, str):
        tried = fmt
        if default_for and not parsed.startswith(f"{raw!r} is not a version"):
            tried = (
                f"{fmt}, the format firmware is read in when its driver ({default_for}) has "
                "no format of its own (name one with 'format' in the rule)"
            )
        return "unknown", f"{label} {raw!r} cannot be read as {tried}: {parsed}.", None, None
    named = constraint.component
    component = named or versions.component_names(fmt)[0]
    value = parsed.get(component)
    if value is None:
        chosen = "" if named else f" (the rule names no component; {component} is the default)"
        return (
            "unknown",
            f"{label} {raw!r} cannot be judged in format {fmt}{chosen}: "
            f"{versions.absent_reason(raw, fmt, component)}.",
            None,
            parsed,
        )
    # Name the component unless the format has just the one (a plain version, a release).
    implicit = component in ("version", "release")
    shown = f"{label} {value}" if implicit else f"{label} {component} {value}"
    if not versions.is_ordered(fmt, component):
        status, sentence, matched = _judge_equal(constraint, fmt, component, value, shown)
        return status, sentence, matched, parsed
    prepared = _prepare(constraint, fmt, component)
    if isinstance(prepared, str):
        return "unknown", prepared, None, parsed
    observed = key_cached(fmt, component, value)
    reason = (
        observed if isinstance(observed, str) else _incomparable(prepared, fmt, component, value)
    )
    if reason:
        return (
            "unknown",
            f"{label} {component} {value!r} cannot be compared: {reason}",
            None,
            parsed,
        )
    fails: list[str] = []
    passes: list[str] = []
    matched = None
    for op, arg, text in prepared:
        ok, sentence = _VERSION_OPS[op](observed, arg, text, shown)
        (passes if ok else fails).append(sentence)
        if not ok and op == "known_bad" and matched is None:
            matched = next(kb for key, kb in arg if key == observed)  # type: ignore[attr-defined]
    status, sentence, _ = _combine(fails, passes, None)
    return status, sentence, matched, parsed


def _incomparable(
    prepared: list[tuple[str, object, object]], fmt: str, component: str, value: str
) -> str | None:
    """Why the observed value has no order with a threshold (tg3 bootcodes of different
    chips), or None. Such a rule is unknown, never passed or failed by a meaningless order."""
    for op, _, text in prepared:
        if op == "known_bad":
            texts = tuple(kb.value for kb in text)  # type: ignore[attr-defined]
        else:
            texts = (text,) if isinstance(text, str) else tuple(text)  # type: ignore[arg-type]
        for threshold in texts:
            reason = versions.incomparable(fmt, component, value, threshold)
            if reason:
                return reason
    return None


def _prepare(
    constraint: Constraint, fmt: str, component: str
) -> list[tuple[str, object, object]] | str:
    """Thresholds as sort keys for (fmt, component), once per constraint; str = why not."""
    memo = (fmt, component)
    hit = constraint.prepared.get(memo)
    if hit is not None:
        return hit  # type: ignore[return-value]
    result: list[tuple[str, object, object]] | str
    if component not in versions.component_names(fmt):
        result = f"the profile names component {component!r}, which format {fmt} does not have"
    else:
        result = []
        for op, arg in constraint.ops:
            if op in ("min", "max", "range") and not versions.is_ordered(fmt, component):
                result = (
                    f"{fmt} {component} values compare only for equality; {op} cannot judge them"
                )
                break
            texts: tuple[str, ...]
            if op == "known_bad":
                texts = tuple(kb.value for kb in arg)  # type: ignore[attr-defined]
            elif isinstance(arg, str):
                texts = (arg,)
            else:
                texts = arg  # type: ignore[assignment]
            keys = [_threshold_key(fmt, component, t) for t in texts]
            bad = [(t, k) for t, k in zip(texts, keys, strict=True) if isinstance(k, str)]
            if bad:
                result = (
                    f"the profile's threshold {bad[0][0]!r} cannot be read as {fmt} "
                    f"{component}: {bad[0][1]}"
                )
                break
            if op == "known_bad":
                result.append((op, tuple(zip(keys, arg, strict=True)), arg))  # type: ignore[call-overload]
            elif isinstance(arg, str):
                result.append((op, keys[0], arg))
            else:
                result.append((op, tuple(keys), arg))
    constraint.prepared[memo] = result
    return result


def _threshold_key(fmt: str, component: str, text: str) -> tuple[object, ...] | str:
    """A threshold's sort key, or why it has none: invalid, or ambiguous (never guessed)."""
    key = key_cached(fmt, component, text)
    if isinstance(key, str):
        return key
    return versions.ambiguity(fmt, component, text) or key


def _judge_equal(
    constraint: Constraint, fmt: str, component: str, value: str, shown: str
) -> Outcome:
    """Equality-only components (EETrack, PSID): exact, allowed and known_bad only."""
    fails: list[str] = []
    passes: list[str] = []
    matched = None
    try:
        for op, arg in constraint.ops:
            if op in ("min", "max", "range"):
                return (
                    "unknown",
                    f"{fmt} {component} values compare only for equality; {op} cannot judge them.",
                    None,
                )
            if op == "exact":
                ok = versions.equals(fmt, component, value, arg)  # type: ignore[arg-type]
                text = f"{shown} is {'the required' if ok else 'not the required'} {arg}"
            elif op == "allowed":
                ok = any(versions.equals(fmt, component, value, a) for a in arg)  # type: ignore[attr-defined]
                text = f"{shown} is {'' if ok else 'not '}one of the allowed: {', '.join(arg)}"  # type: ignore[arg-type]
            else:
                bad = [kb for kb in arg if versions.equals(fmt, component, value, kb.value)]  # type: ignore[attr-defined]
                ok = not bad
                text = (
                    f"{shown} is not a known-bad value"
                    if ok
                    else f"{shown} is known bad: {bad[0].reason}"
                )
                if bad and matched is None:
                    matched = bad[0]
            (passes if ok else fails).append(text)
    except versions.VersionError as err:
        return "unknown", f"{shown} cannot be compared: {err}.", None
    return _combine(fails, passes, matched)


def _min(obs: object, key: object, text: object, shown: str) -> tuple[bool, str]:
    ok = obs >= key  # type: ignore[operator]
    return ok, f"{shown} is {'at or above' if ok else 'below'} the minimum {text}"


def _max(obs: object, key: object, text: object, shown: str) -> tuple[bool, str]:
    ok = obs <= key  # type: ignore[operator]
    return ok, f"{shown} is {'at or below' if ok else 'above'} the maximum {text}"


def _range(obs: object, keys: object, texts: object, shown: str) -> tuple[bool, str]:
    pair: tuple[Any, Any] = keys  # type: ignore[assignment]
    ok = bool(pair[0] <= obs <= pair[1])
    shown_pair: tuple[str, str] = texts  # type: ignore[assignment]
    lo_text, hi_text = shown_pair
    return ok, f"{shown} is {'within' if ok else 'outside'} the range {lo_text} to {hi_text}"


def _exact(obs: object, key: object, text: object, shown: str) -> tuple[bool, str]:
    ok = obs == key
    return ok, f"{shown} is {'the required' if ok else 'not the required'} {text}"


def _allowed(obs: object, keys: object, texts: object, shown: str) -> tuple[bool, str]:
    ok = obs in keys  # type: ignore[operator]
    listed = ", ".join(texts)  # type: ignore[arg-type]
    return ok, f"{shown} is {'' if ok else 'not '}one of the allowed: {listed}"


def _known_bad(obs: object, pairs: object, _texts: object, shown: str) -> tuple[bool, str]:
    for key, kb in pairs:  # type: ignore[attr-defined]
        if key == obs:
            known: KnownBad = kb
            return False, f"{shown} is known bad: {known.reason}"
    return True, f"{shown} is not a known-bad version"


_VERSION_OPS: dict[str, Callable[[object, object, object, str], tuple[bool, str]]] = {
    "min": _min,
    "max": _max,
    "range": _range,
    "exact": _exact,
    "allowed": _allowed,
    "known_bad": _known_bad,
}


def _combine(fails: list[str], passes: list[str], matched: KnownBad | None) -> Outcome:
    if fails:
        return "fail", _sentence(fails), matched
    return "pass", _sentence(passes), matched


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
