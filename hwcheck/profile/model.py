"""Compiled profiles: small immutable-by-convention classes the judge reads.

Plain classes with __slots__ rather than dataclasses: `import dataclasses` alone costs
more than compiling every shipped profile.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.profile.spec import Doc


class Where:
    """A position in a profile or waiver file."""

    __slots__ = ("column", "line", "path")

    def __init__(self, path: str, line: int, column: int) -> None:
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class KnownBad:
    __slots__ = ("advisory", "reason", "value")

    def __init__(self, value: str, reason: str, advisory: str | None) -> None:
        self.value = value
        self.reason = reason
        self.advisory = advisory


class Constraint:
    """Operators on one observed value; all must hold.

    `ops` is a tuple of (operator, argument): `min`/`max`/`exact` take a string, `range`
    a (low, high) pair, `allowed` a tuple of strings, `known_bad` a tuple of KnownBad.
    `versioned` is False for text facts (driver name, arch, ...): only equality operators.
    """

    __slots__ = ("component", "described", "fmt", "ops", "prepared", "versioned", "where")

    def __init__(
        self,
        ops: tuple[tuple[str, object], ...],
        *,
        versioned: bool,
        fmt: str | None,
        component: str | None,
        where: Where,
    ) -> None:
        self.ops = ops
        self.versioned = versioned
        self.fmt = fmt
        self.component = component
        self.where = where
        # (format, component) -> thresholds prepared by hwcheck.judge.ops; a memo only.
        self.prepared: dict[tuple[str, str], object] = {}
        # (the fields it was made from, the text): every finding of the rule says it.
        self.described: tuple[tuple[object, ...], str] | None = None

    def describe(self) -> str:
        """The constraint as a reader would say it: `nvm >= 4.0, not 4.20`."""
        given = (self.ops, self.component, self.fmt)
        if self.described is not None and self.described[0] == given:
            return self.described[1]
        text = self._describe()
        self.described = (given, text)
        return text

    def _describe(self) -> str:
        parts: list[str] = []
        for op, arg in self.ops:
            if op == "min":
                parts.append(f">= {arg}")
            elif op == "max":
                parts.append(f"<= {arg}")
            elif op == "range":
                parts.append(f"{arg[0]} to {arg[1]}")  # type: ignore[index]
            elif op == "exact":
                parts.append(f"exactly {arg}")
            elif op == "allowed":
                parts.append("one of " + ", ".join(arg))  # type: ignore[arg-type]
            else:
                parts.append("not " + ", ".join(kb.value for kb in arg))  # type: ignore[attr-defined]
        text = ", ".join(parts)
        if self.component:
            text = f"{self.component} {text}"
        if self.fmt:
            text += f" ({self.fmt})"
        return text


class DeviceId:
    """A PCI ID `vendor:device[:subvendor:subdevice]`, or a USB ID `usb:vendor:product`
    (`usb` is then true, and it matches a USB NIC's idVendor:idProduct only)."""

    __slots__ = ("device", "subdevice", "subvendor", "text", "usb", "vendor")

    def __init__(self, text: str) -> None:
        text = text.lower()  # hex has no case; the inventory writes IDs in lower case
        self.text = text
        self.usb = text.startswith("usb:")
        parts = text.split(":")[1:] if self.usb else text.split(":")
        self.vendor, self.device = parts[0], parts[1]
        self.subvendor = parts[2] if len(parts) == 4 else None
        self.subdevice = parts[3] if len(parts) == 4 else None

    def matches(self, ids: tuple[str | None, str | None, str | None, str | None]) -> bool:
        if ids[0] != self.vendor or ids[1] != self.device:
            return False
        return self.subvendor is None or (ids[2] == self.subvendor and ids[3] == self.subdevice)


class Selector:
    """Which NICs a rule is about. `train`: the `firmware_train` (key, value) a card must be
    on (see hwcheck.versions.trains), or None for any train."""

    __slots__ = ("devices", "link_types", "models", "train", "vfs")

    def __init__(
        self,
        devices: tuple[DeviceId, ...],
        models: tuple[str, ...],
        link_types: tuple[str, ...],
        vfs: bool,
        *,
        train: tuple[str, str] | None = None,
    ) -> None:
        self.devices = devices
        self.models = tuple(m.lower() for m in models)
        self.link_types = link_types
        self.vfs = vfs
        self.train = train

    def describe(self) -> str:
        parts = [d.text for d in self.devices] + [repr(m) for m in self.models]
        parts += [f"{t} links" for t in self.link_types]
        text = ", ".join(parts)
        if self.train is not None:
            from hwcheck.versions.trains import describe_wanted

            text += f" on {describe_wanted(self.train)}"
        return text


class ServerSelector:
    """Which servers a rule is about, by DMI facts: `fields` is ((inventory field, patterns),
    ...) with every field to match and any of its patterns, as written (`*` matches any run
    of characters); `folded` the same patterns case-folded, split at each `*`. `keys` are the
    profile's words for the fields (`vendor`, `product`, ...). Matching is
    hwcheck.judge.servers'."""

    __slots__ = ("fields", "folded", "keys")

    def __init__(
        self, fields: tuple[tuple[str, tuple[str, ...]], ...], keys: tuple[str, ...]
    ) -> None:
        self.fields = fields
        self.keys = keys
        self.folded = tuple(
            tuple(tuple(p.casefold().split("*")) for p in patterns) for _field, patterns in fields
        )

    def describe(self) -> str:
        return ", ".join(
            f"{key} {' or '.join(repr(p) for p in patterns)}"
            for key, (_field, patterns) in zip(self.keys, self.fields, strict=True)
        )


class Rule:
    """One rule as a layer defines it (after overlays: as the deciding layer left it).

    `check` is one of hwcheck.profile.fields.CHECKS, or None for an overlay patch.
    Check arguments: driver/driver_version/firmware -> `constraint`; pair -> `constraint`
    (driver version) and `pair_firmware`; count -> `count` (min, max, per);
    module -> `module` (name, state) and optional `constraint` (its version);
    kernel/os/system -> `fact` (section, field) and `constraint`.
    `server` selects the servers the rule is about (None: every server). `any_of` names the
    group of count rules a node satisfies together (see hwcheck.judge.cardgroups). `doc` is
    the validated mapping the rule was compiled from (after overlays: the merged one, each
    field remembering its file, see hwcheck.profile.layering), `notes` the lint warnings
    compiling it gave.
    """

    __slots__ = (
        "advisory",
        "any_of",
        "check",
        "constraint",
        "count",
        "disabled",
        "doc",
        "fact",
        "given",
        "id",
        "layer",
        "module",
        "notes",
        "pair_firmware",
        "remediation",
        "replace",
        "selector",
        "server",
        "severity",
        "title",
        "where",
    )

    def __init__(self, rule_id: str, where: Where, layer: str) -> None:
        self.id = rule_id
        self.where = where
        self.layer = layer
        self.title: str | None = None
        self.severity = "error"
        self.remediation: str | None = None
        self.advisory: str | None = None
        self.disabled = False
        self.check: str | None = None
        self.selector: Selector | None = None
        self.constraint: Constraint | None = None
        self.pair_firmware: Constraint | None = None
        self.count: tuple[int | None, int | None, str] | None = None
        self.module: tuple[str, str] | None = None
        self.fact: tuple[str, str] | None = None
        self.server: ServerSelector | None = None
        self.any_of: str | None = None
        self.replace = False
        self.doc: Doc | None = None
        self.notes: tuple[tuple[Where, str], ...] = ()
        self.given: tuple[str, ...] = ()  # the keys this layer wrote, for the layer trace

    def copy(self) -> Rule:
        other = Rule(self.id, self.where, self.layer)
        for name in Rule.__slots__:
            setattr(other, name, getattr(self, name))
        return other


class AppliesTo:
    __slots__ = ("arch", "devices", "os_id", "product_name", "sys_vendor")

    def __init__(
        self,
        *,
        arch: tuple[str, ...] | None,
        os_id: tuple[str, ...] | None,
        sys_vendor: tuple[str, ...] | None,
        product_name: tuple[str, ...] | None,
        devices: tuple[DeviceId, ...] | None,
    ) -> None:
        self.arch = arch
        self.os_id = os_id
        self.sys_vendor = sys_vendor
        self.product_name = product_name
        self.devices = devices


class ProfileFile:
    """One profile file as written, before layering."""

    __slots__ = (
        "applies_to",
        "description",
        "extends",
        "name",
        "notes",
        "path",
        "rules",
        "sources",
        "unknown_nics",
        "vendor",
        "version",
        "where",
    )

    def __init__(self, name: str, path: str, where: Where) -> None:
        self.name = name
        self.path = path
        self.where = where
        self.version: str | None = None
        self.vendor: str | None = None
        self.description: str | None = None
        self.sources: tuple[tuple[str, str | None], ...] = ()
        self.extends: tuple[tuple[str, Where], ...] = ()
        self.applies_to: AppliesTo | None = None
        self.unknown_nics: str | None = None
        self.rules: tuple[Rule, ...] = ()
        self.notes: list[tuple[Where, str]] = []  # lint warnings found while compiling


class Profile:
    """A profile resolved through its `extends` chain: what the judge uses.

    `layers` is base first, the profile itself last. `trace[rule_id]` lists, in order,
    which layer set what (`"linux/baseline: defined"`, `"site/x: severity, remediation"`).
    """

    __slots__ = ("layers", "rules", "top", "trace", "unknown_nics", "unknown_nics_layer")

    def __init__(
        self,
        top: ProfileFile,
        *,
        layers: tuple[ProfileFile, ...],
        rules: tuple[Rule, ...],
        trace: dict[str, list[str]],
        unknown_nics: str,
        unknown_nics_layer: str,
    ) -> None:
        self.top = top
        self.layers = layers
        self.rules = rules
        self.trace = trace
        self.unknown_nics = unknown_nics
        self.unknown_nics_layer = unknown_nics_layer

    @property
    def name(self) -> str:
        return self.top.name
