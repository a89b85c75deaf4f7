"""Layering: a profile `extends` others; the result records which layer decided what.

Precedence, lowest first: the bases in `extends` order (each with its own bases before
it), then the profile itself. A profile reached twice (a diamond) is a single layer, at
its first place. A rule whose ID a layer below defines is an overlay of it:
- it changes only the fields it names and keeps the rest (a site raising a firmware
  minimum keeps the vendor's format, component, remediation and advisory). A check's
  mapping merges key by key at every depth (`firmware: {min: ...}` keeps `format`,
  `component`, `known_bad`); a selector (`nic`, `server`), a list and a value replace
  what was there. An overlay cannot turn a rule into another check, or a fact rule onto
  another fact: that is a new rule, or `replace: true`;
- with `replace: true` it replaces the inherited rule wholesale;
- `disabled: true` drops the rule; the trace still says who dropped it.
The merged rule is compiled again (its thresholds checked in its merged format), and each
of its fields remembers the file and line it came from (`provenance`, for `profile show`).
A rule's layer is the highest layer that gave it a check. `unknown_nics` comes from the
highest layer that sets it (default: warn).
"""

from __future__ import annotations

from hwcheck.errors import ProfileError
from hwcheck.profile.compile import compile_rule, file_of
from hwcheck.profile.fields import CHECKS, NIC_CHECKS
from hwcheck.profile.model import Profile, Where
from hwcheck.profile.spec import Doc, DocList

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.library import Library
    from hwcheck.profile.model import ProfileFile, Rule


def linearize(top: ProfileFile, library: Library) -> list[ProfileFile]:
    """The layers of `top`, base first, `top` last."""
    order: list[ProfileFile] = []
    done: set[str] = set()
    chain: list[str] = []

    def visit(prof: ProfileFile) -> None:
        chain.append(prof.path)
        for ref, where in prof.extends:
            path, name = library.locate_name(ref, where=where)
            base = library.load(path, name)
            if base.path in chain:
                cycle = " -> ".join([*chain[chain.index(base.path) :], base.path])
                raise ProfileError(
                    f"'extends' makes a cycle: {cycle}",
                    path=where.path,
                    line=where.line,
                    column=where.column,
                )
            if base.path not in done:
                visit(base)
        chain.pop()
        if prof.path not in done:
            done.add(prof.path)
            order.append(prof)

    visit(top)
    return order


def resolve(top: ProfileFile, library: Library) -> Profile:
    layers = linearize(top, library)
    merged: dict[str, Rule] = {}
    trace: dict[str, list[str]] = {}
    unknown_nics, unknown_layer = "warn", "(default)"
    for layer in layers:
        if layer.unknown_nics is not None:
            unknown_nics, unknown_layer = layer.unknown_nics, layer.name
        for rule in layer.rules:
            steps = trace.setdefault(rule.id, [])
            below = merged.get(rule.id)
            if below is None:
                if rule.check is None:
                    raise _error(
                        f"rule '{rule.id}' has no check and no layer below defines it "
                        "(a rule needs one of: driver, driver_version, firmware, pair, count, "
                        "module, kernel, os, system)",
                        rule.where,
                    )
                if rule.replace:
                    raise _error(
                        f"rule '{rule.id}' says 'replace: true', but no layer below defines "
                        "it (is the ID mistyped?)",
                        _key_where(rule, "replace"),
                    )
                _check_selector(rule)
                merged[rule.id] = rule
                steps.append(f"{layer.name} ({rule.where}): defined")
                continue
            if rule.replace:
                if rule.check is None:
                    raise _error(
                        f"rule '{rule.id}' says 'replace: true' but has no check to replace "
                        "the inherited rule with",
                        _key_where(rule, "replace"),
                    )
                _check_selector(rule)
                merged[rule.id] = rule
                steps.append(f"{layer.name} ({rule.where}): replaced")
                continue
            merged[rule.id] = _merged(below, rule)
            changed = ", ".join(_leaves(rule.doc, skip=("id",))) if rule.doc else ""
            steps.append(f"{layer.name} ({rule.where}): {changed or 'mentioned'}")
    active = tuple(rule for rule in merged.values() if not rule.disabled)
    return Profile(
        layers[-1],
        layers=tuple(layers),
        rules=active,
        trace=trace,
        unknown_nics=unknown_nics,
        unknown_nics_layer=unknown_layer,
    )


def _error(message: str, where: Where) -> ProfileError:
    return ProfileError(message, path=where.path, line=where.line, column=where.column)


def _check_selector(rule: Rule) -> None:
    """A NIC check needs a `nic` selector, in the rule itself when no layer below gives one."""
    if rule.check in NIC_CHECKS and rule.selector is None:
        doc = rule.doc
        where = rule.where if doc is None else Where(rule.where.path, doc.line, doc.column)
        raise _error(f"'{rule.check}' needs 'nic' in the same mapping", where)


def _key_where(rule: Rule, key: str) -> Where:
    doc = rule.doc
    if doc is None or key not in doc.marks:
        return rule.where
    return Where(file_of(doc, key, rule.where.path), *doc.marks[key])


def _merged(below: Rule, patch: Rule) -> Rule:
    """`below` with the fields `patch` names changed, compiled again."""
    assert below.doc is not None and patch.doc is not None  # noqa: S101 - compiled rules
    if patch.check is not None and below.check is not None:
        if patch.check != below.check:
            raise _error(
                f"rule '{patch.id}' is a {below.check} rule ({below.layer}, {below.where}); "
                f"an overlay changes only what it names and cannot make it a {patch.check} "
                "rule: give it a new ID, or write 'replace: true'",
                _key_where(patch, patch.check),
            )
        if patch.fact is not None and below.fact is not None and patch.fact != below.fact:
            raise _error(
                f"rule '{patch.id}' judges {'.'.join(below.fact)} ({below.layer}, "
                f"{below.where}); an overlay cannot make it judge {'.'.join(patch.fact)}: "
                "give it a new ID, or write 'replace: true'",
                _key_where(patch, patch.check),
            )
    doc = _merge_docs(below.doc, below.where.path, patch.doc, patch.where.path, top=True)
    gives_check = patch.check is not None
    layer = patch.layer if gives_check else below.layer
    rule = compile_rule(doc, patch.where.path, layer)
    rule.where = patch.where if gives_check else below.where
    return rule


def _merge_docs(low: Doc, low_path: str, high: Doc, high_path: str, *, top: bool) -> Doc:
    """`low` with `high`'s keys over it; mappings merge (at the top of a rule: only the
    checks'), anything else replaces. Each key keeps the file it came from."""
    out = Doc(high.line, high.column)
    out.path = high.path or high_path
    out.paths = {}
    for source, path in ((low, low_path), (high, high_path)):
        for key, value in source.items():
            here = file_of(source, key, path)
            old = out.get(key)
            if (
                source is high
                and isinstance(old, Doc)
                and isinstance(value, Doc)
                and (not top or key in CHECKS)
            ):
                out[key] = _merge_docs(old, out.paths[key], value, here, top=False)
            else:
                out[key] = value
            out.marks[key] = source.marks[key]
            out.paths[key] = here
    return out


def _leaves(doc: Doc, *, skip: tuple[str, ...] = (), prefix: str = "") -> list[str]:
    """The dotted names of the fields `doc` gives (`firmware.min`), nested ones through the
    checks' mappings; a selector is one field."""
    out: list[str] = []
    for key, value in doc.items():
        if key in skip:
            continue
        if isinstance(value, Doc) and (prefix or key in CHECKS):
            out.extend(_leaves(value, prefix=f"{prefix}{key}."))
        else:
            out.append(prefix + key)
    return out


def provenance(rule: Rule) -> list[tuple[str, str, Where]]:
    """(field, its value as written, where it was written) of each field of a resolved rule,
    nested fields dotted (`firmware.min`), in the order of the rule's mapping."""
    out: list[tuple[str, str, Where]] = []
    if rule.doc is not None:
        _walk(rule.doc, rule.where.path, "", out)
    return out


def _walk(doc: Doc, path: str, prefix: str, out: list[tuple[str, str, Where]]) -> None:
    for key, value in doc.items():
        here = file_of(doc, key, path)
        if isinstance(value, Doc):
            _walk(value, here, f"{prefix}{key}.", out)
        else:
            out.append((prefix + key, _shown(value), Where(here, *doc.marks[key])))


def _shown(value: object) -> str:
    if isinstance(value, DocList):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, Doc):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
