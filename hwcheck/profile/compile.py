"""From a validated profile document (hwcheck.profile.spec.Doc) to a ProfileFile.

The spec has already checked keys and types; this module checks meaning: thresholds
that do not parse in the format they will be judged in (the one the profile names; for
driver and module versions, `driver`), ordered operators on components that compare
only for equality (EETrack, PSID), ranges and min/max pairs that are reversed or have no
common order, thresholds ambiguous in their format (`igb` `1.6`: 1.06 or 1.60?), and rule
IDs written twice. It records lint notes (missing formats) on the file.
"""

from __future__ import annotations

from hwcheck import versions
from hwcheck.errors import ProfileError
from hwcheck.profile.fields import NODE_FACTS, SERVER_FIELDS
from hwcheck.profile.model import (
    AppliesTo,
    Constraint,
    DeviceId,
    KnownBad,
    ProfileFile,
    Rule,
    Selector,
    ServerSelector,
    Where,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.spec import Doc, DocList

# Version formats of node facts that have no driver to choose one from.
FACT_FORMATS = {
    ("kernel", "release"): "kernel-release",
    ("os", "version_id"): "dotted",
    ("system", "bios_version"): "dotted",
}


def _where(path: str, doc: Doc, key: str | None = None) -> Where:
    if key is not None and key in doc.marks:
        line, column = doc.marks[key]
        return Where(file_of(doc, key, path), line, column)
    return Where(doc.path or path, doc.line, doc.column)


def file_of(doc: Doc, key: str, path: str) -> str:
    """The file `doc[key]` was written in: `path`, unless layering merged `doc` from several
    (hwcheck.profile.layering), when each key remembers its own."""
    if doc.paths is not None:
        return doc.paths.get(key, doc.path or path)
    return doc.path or path


def _error(message: str, where: Where) -> ProfileError:
    return ProfileError(message, path=where.path, line=where.line, column=where.column)


def compile_profile(doc: Doc, path: str) -> ProfileFile:
    name = str(doc["name"])
    prof = ProfileFile(name, path, _where(path, doc))
    prof.version = _opt(doc, "version")
    prof.vendor = _opt(doc, "vendor")
    prof.description = _opt(doc, "description")
    sources: list[tuple[str, str | None]] = []
    for src in _docs(doc.get("sources")):
        sources.append((str(src["title"]), _opt(src, "url")))
    prof.sources = tuple(sources)
    extends = doc.get("extends")
    if extends is not None:
        ext: DocList = extends  # type: ignore[assignment]
        prof.extends = tuple((str(item), Where(path, *ext.marks[i])) for i, item in enumerate(ext))
        for ref, where in prof.extends:
            if ref.endswith((".yaml", ".yml")):
                base = ref.rsplit(".", 1)[0]
                raise _error(
                    f"'{ref}' is a file name: extends names profiles (write '{base}')", where
                )
    applies = doc.get("applies_to")
    if applies is not None:
        prof.applies_to = _applies_to(applies)  # type: ignore[arg-type]
    prof.unknown_nics = _opt(doc, "unknown_nics")
    rules: list[Rule] = []
    seen: dict[str, Where] = {}
    for rdoc in _docs(doc.get("rules")):
        rule = _rule(rdoc, path, name, prof.notes)
        if rule.id in seen:
            raise _error(
                f"rule ID '{rule.id}' is already used on line {seen[rule.id].line}",
                _where(path, rdoc, "id"),
            )
        seen[rule.id] = rule.where
        rules.append(rule)
    prof.rules = tuple(rules)
    return prof


def _opt(doc: Doc, key: str) -> str | None:
    value = doc.get(key)
    return None if value is None else str(value)


def _docs(value: object) -> list[Doc]:
    return list(value) if value is not None else []  # type: ignore[call-overload]


def _texts(value: object) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(v) for v in value)  # type: ignore[attr-defined]


def _applies_to(doc: Doc) -> AppliesTo:
    devices = _texts(doc.get("devices"))
    return AppliesTo(
        arch=_texts(doc.get("arch")),
        os_id=_texts(doc.get("os_id")),
        sys_vendor=_texts(doc.get("sys_vendor")),
        product_name=_texts(doc.get("product_name")),
        devices=None if devices is None else tuple(DeviceId(d) for d in devices),
    )


def _rule(doc: Doc, path: str, layer: str, notes: list[tuple[Where, str]]) -> Rule:
    rule = compile_rule(doc, path, layer)
    notes.extend(rule.notes)
    return rule


def compile_rule(doc: Doc, path: str, layer: str) -> Rule:
    """One rule from its validated mapping (as written in `path`, or merged by layering)."""
    notes: list[tuple[Where, str]] = []
    rule = Rule(str(doc["id"]), _where(path, doc, "id"), layer)
    rule.doc = doc
    rule.given = tuple(k for k in doc if k != "id")
    rule.title = _opt(doc, "title")
    rule.severity = str(doc.get("severity", "error"))
    rule.remediation = _opt(doc, "remediation")
    rule.advisory = _opt(doc, "advisory")
    rule.disabled = bool(doc.get("disabled", False))
    rule.replace = bool(doc.get("replace", False))
    nic = doc.get("nic")
    if nic is not None:
        rule.selector = _selector(nic, file_of(doc, "nic", path))  # type: ignore[arg-type]
    server = doc.get("server")
    if server is not None:
        rule.server = _server(server)  # type: ignore[arg-type]
    _checks(rule, doc, path, notes)
    rule.notes = tuple(notes)
    return rule


def _checks(rule: Rule, doc: Doc, path: str, notes: list[tuple[Where, str]]) -> None:
    """The rule's check (at most one, the spec says) and its arguments."""
    for check in ("driver", "driver_version", "firmware"):
        if check in doc:
            rule.check = check
            field = "driver" if check == "driver_version" else "firmware"
            rule.constraint = _constraint(
                doc[check],  # type: ignore[arg-type]
                file_of(doc, check, path),
                versioned=check != "driver",
                field=field,
                notes=notes,
            )
    if "pair" in doc:
        pair: Doc = doc["pair"]  # type: ignore[assignment]
        at = file_of(doc, "pair", path)
        rule.check = "pair"
        rule.constraint = _constraint(
            pair["driver_version"],  # type: ignore[arg-type]
            file_of(pair, "driver_version", at),
            field="driver",
            notes=notes,
        )
        rule.pair_firmware = _constraint(
            pair["firmware"],  # type: ignore[arg-type]
            file_of(pair, "firmware", at),
            field="firmware",
            notes=notes,
        )
    if "count" in doc:
        count: Doc = doc["count"]  # type: ignore[assignment]
        at = file_of(doc, "count", path)
        low, high = count.get("min"), count.get("max")
        if low is not None and high is not None and int(low) > int(high):  # type: ignore[call-overload]
            raise _error(f"count min {low} is greater than max {high}", _where(at, count))
        rule.check = "count"
        rule.count = (low, high, str(count.get("per", "card")))  # type: ignore[assignment]
        rule.any_of = _opt(count, "any_of")
    if "module" in doc:
        module: Doc = doc["module"]  # type: ignore[assignment]
        at = file_of(doc, "module", path)
        rule.check = "module"
        rule.module = (str(module["name"]).replace("-", "_"), str(module.get("state", "required")))
        if "version" in module:
            if rule.module[1] == "forbidden":
                raise _error(
                    "a forbidden module cannot have a version", _where(at, module, "version")
                )
            version_doc: Doc = module["version"]  # type: ignore[assignment]
            rule.constraint = _constraint(
                version_doc, file_of(module, "version", at), field="driver", notes=notes
            )
    for section, facts in NODE_FACTS.items():
        if section in doc:
            sdoc: Doc = doc[section]  # type: ignore[assignment]
            at = file_of(doc, section, path)
            field = next(iter(sdoc))
            rule.check = section
            rule.fact = (section, field)
            rule.constraint = _constraint(
                sdoc[field],  # type: ignore[arg-type]
                file_of(sdoc, field, at),
                versioned=facts[field],
                field="fact",
                default_fmt=FACT_FORMATS.get((section, field)),
                notes=notes,
            )


def _server(doc: Doc) -> ServerSelector:
    """A rule's `server` selector: each key's DMI field and its patterns."""
    keys = tuple(key for key in SERVER_FIELDS if key in doc)
    fields = tuple(
        (SERVER_FIELDS[key], tuple(str(v) for v in doc[key]))  # type: ignore[attr-defined]
        for key in keys
    )
    return ServerSelector(fields, keys)


def _selector(doc: Doc, path: str) -> Selector:
    return Selector(
        tuple(DeviceId(d) for d in _texts(doc.get("devices")) or ()),
        _texts(doc.get("models")) or (),
        _texts(doc.get("link_types")) or (),
        bool(doc.get("vfs", False)),
        train=_train(doc, path),
    )


def _train(doc: Doc, path: str) -> tuple[str, str] | None:
    """A selector's `firmware_train` as (key, value): PCI IDs lowercase, PSIDs as written."""
    train: Doc | None = doc.get("firmware_train")  # type: ignore[assignment]
    if train is None:
        return None
    if "link_types" in doc:
        raise _error(
            "'firmware_train' selects cards, and virtual links have no firmware train "
            "(give it in a rule without 'link_types')",
            _where(path, doc, "firmware_train"),
        )
    key = next(iter(train))
    value = str(train[key])
    return key, value.lower() if key == "subsystem_vendor_id" else value


def _constraint(
    doc: Doc,
    path: str,
    *,
    field: str,
    notes: list[tuple[Where, str]],
    versioned: bool = True,
    default_fmt: str | None = None,
) -> Constraint:
    where = _where(path, doc)
    ops: list[tuple[str, object]] = []
    for op in ("min", "max", "exact"):
        if op in doc:
            ops.append((op, str(doc[op])))
    if "range" in doc:
        low, high = (str(v) for v in doc["range"])  # type: ignore[attr-defined]
        ops.append(("range", (low, high)))
    if "allowed" in doc:
        ops.append(("allowed", tuple(str(v) for v in doc["allowed"])))  # type: ignore[attr-defined]
    if "known_bad" in doc:
        key = "version" if versioned else "value"
        bad = tuple(
            KnownBad(str(item[key]), str(item["reason"]), _opt(item, "advisory"))
            for item in doc["known_bad"]  # type: ignore[attr-defined]
        )
        ops.append(("known_bad", bad))
    if not versioned:
        return Constraint(tuple(ops), versioned=False, fmt=None, component=None, where=where)
    fmt = _opt(doc, "format") or default_fmt
    component = _opt(doc, "component")
    # Driver and module versions are judged in format `driver` whatever the driver (see
    # versions.format_for), so their thresholds are checked in it now, not found
    # unreadable on every node later. The constraint keeps the format as written.
    judged_in = fmt or (versions.format_for(None, "driver") if field == "driver" else None)
    if judged_in is not None:
        _check_thresholds(doc, path, judged_in, component, ops=ops, notes=notes)
    elif field == "firmware":
        notes.append(
            (
                where,
                "no 'format' given: thresholds are read in the format of each card's driver; "
                "name the format so that a typo is caught when the profile loads",
            )
        )
    return Constraint(tuple(ops), versioned=True, fmt=fmt, component=component, where=where)


def _check_thresholds(
    doc: Doc,
    path: str,
    fmt: str,
    component: str | None,
    *,
    ops: list[tuple[str, object]],
    notes: list[tuple[Where, str]],
) -> None:
    names = versions.component_names(fmt)
    if component is not None and component not in names:
        raise _error(
            f"format {fmt} has no component '{component}' (expected one of: {', '.join(names)})",
            _where(path, doc, "component"),
        )
    comp = component or names[0]
    ordered = versions.is_ordered(fmt, comp)
    for op, arg in ops:
        where = _where(path, doc, op)
        if op in ("min", "max", "range") and not ordered:
            raise _error(
                f"'{op}' cannot judge {fmt} component '{comp}': it compares only for equality "
                "(expected one of: exact, allowed, known_bad)",
                where,
            )
        texts = _threshold_texts(op, arg)
        for text in texts:
            try:
                if ordered:
                    versions.sort_key(fmt, comp, text)
                else:
                    versions.equals(fmt, comp, text, text)
            except versions.VersionError as err:
                raise _error(f"'{text}' is not a valid {fmt} {comp} value: {err}", where) from None
            # One rule in every format: a threshold that could mean two versions is
            # refused, never judged by a guess (versions.ambiguity).
            reason = versions.ambiguity(fmt, comp, text) if ordered else None
            if reason is not None:
                raise _error(f"threshold '{text}' is ambiguous: {reason}", where)
        if op == "range":
            _check_order(fmt, comp, texts, "range", where)
    bounds = dict(op_arg for op_arg in ops if op_arg[0] in ("min", "max"))
    if ordered and len(bounds) == 2:
        pair = (str(bounds["min"]), str(bounds["max"]))
        _check_order(fmt, comp, pair, "min and max", _where(path, doc, "min"))


def _threshold_texts(op: str, arg: object) -> tuple[str, ...]:
    if isinstance(arg, str):
        return (arg,)
    if op == "known_bad":
        return tuple(kb.value for kb in arg)  # type: ignore[attr-defined]
    return arg  # type: ignore[return-value]


def _check_order(fmt: str, comp: str, ends: tuple[str, ...], what: str, where: Where) -> None:
    """Refuse bounds no value can satisfy: reversed, or with no common order."""
    low, high = ends
    try:
        reverse = versions.compare(fmt, comp, low, high) > 0
    except versions.VersionError as err:
        # tg3 bootcodes of two chips: a card has one chip, so one bound never applies.
        raise _error(f"the {what} cannot be compared: {err}", where) from None
    if reverse and what == "range":
        raise _error(f"range starts above where it ends ({low} > {high})", where)
    if reverse:
        raise _error(f"min is above max ({low} > {high})", where)
