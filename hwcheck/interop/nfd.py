"""A judged node as a feature file for Node Feature Discovery's `local` source.

nfd-worker reads every file in `/etc/kubernetes/node-feature-discovery/features.d/` (dot files
excepted) and turns each `<namespace>/<name>=<value>` line into a node label; `#` lines are
comments, and `# +expiry-time=<RFC 3339>` makes the lines after it count only until then. A
file over 65536 bytes is ignored whole. (NFD's customization guide, "Local feature source":
https://kubernetes-sigs.github.io/node-feature-discovery/stable/usage/customization-guide.html)

Every line written is a valid Kubernetes label (names: at most 63 characters of
`[A-Za-z0-9._-]`, starting and ending alphanumeric; values: the same, or empty): text that
comes from the node and is no label value (a hostile driver name) is left out with a comment
saying so, and names made from a card's PCI address or a profile's name are spelled
deterministically. The default namespace is a sub-namespace of NFD's own, which every
nfd-master accepts without configuration. Pure: a result in, text out.
"""

from __future__ import annotations

import re

from hwcheck.errors import UsageError
from hwcheck.interop.facts import card_facts, judged_unix
from hwcheck.status import COUNT_KEYS, STATUS_ORDER

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.result import Result

DEFAULT_NAMESPACE = "hwcheck.feature.node.kubernetes.io"
"""`feature.node.kubernetes.io` and its sub-namespaces are always allowed by nfd-master (the
rest of `kubernetes.io` is always denied); another namespace needs nfd-master's
`-extra-label-ns` on releases that deny by default."""

MAX_FILE_BYTES = 65536
"""nfd-worker ignores a larger feature file (source/local: MaxFeatureFileSize)."""

MAX_NAME = 63
MAX_VALUE = 63
MAX_NAMESPACE = 253
# Patterns as text, compiled (and cached by `re`) on first use: `check`'s parser imports
# this module for its default, and every command builds that parser.
_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_NAMESPACE = rf"{_DNS_LABEL}(\.{_DNS_LABEL})*"
_ALLOWED_K8S = ("feature.node.kubernetes.io", "profile.node.kubernetes.io")
_DURATION = r"(?:(\d+)([smhd]))+"
_DURATION_PART = r"(\d+)([smhd])"
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_EXPIRY_SECONDS = 366 * 86400


def is_label_value(text: str) -> bool:
    """Whether `text` may be a Kubernetes label value (empty, or a name's characters)."""
    return text == "" or (len(text) <= MAX_VALUE and re.fullmatch(_NAME, text) is not None)


def namespace(text: str) -> str:
    """The label namespace `--nfd-prefix` names (a trailing `/` allowed), checked as
    nfd-master checks it; UsageError otherwise."""
    ns = text[:-1] if text.endswith("/") else text
    if len(ns) > MAX_NAMESPACE or re.fullmatch(_NAMESPACE, ns) is None:
        raise UsageError(
            f"{text!r} is no label namespace (a DNS subdomain such as hwcheck.example.com: "
            "lower-case letters, digits, '-' and '.', at most 253 characters)",
            where="--nfd-prefix",
        )
    k8s = ns == "kubernetes.io" or ns.endswith(".kubernetes.io")
    if k8s and not any(ns == a or ns.endswith("." + a) for a in _ALLOWED_K8S):
        raise UsageError(
            f"nfd-master never publishes labels in {ns!r} (kubernetes.io is denied but for "
            "feature.node.kubernetes.io, profile.node.kubernetes.io and their sub-namespaces)",
            where="--nfd-prefix",
        )
    return ns


def expiry_seconds(text: str) -> int:
    """`--nfd-expiry`'s duration (`90m`, `2h`, `1d12h`) in seconds; UsageError otherwise."""
    if re.fullmatch(_DURATION, text) is None:
        raise UsageError(
            f"{text!r} is no duration: give a number with a unit, s, m, h or d (90m, 2h, 1d12h)",
            where="--nfd-expiry",
        )
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in re.findall(_DURATION_PART, text))
    if not 0 < seconds <= MAX_EXPIRY_SECONDS:
        raise UsageError(
            f"{text!r}: the labels must expire after more than 0 seconds and within 366 days",
            where="--nfd-expiry",
        )
    return seconds


def name_part(text: str) -> str:
    """`text` as characters a label name may hold: `:` becomes `-`, `/` becomes `.`, any
    other character outside `[A-Za-z0-9._-]` `_`, and what does not start or end
    alphanumeric is trimmed (`0000:3b:00` -> `0000-3b-00`, `intel/700-series` ->
    `intel.700-series`)."""
    spelled = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_.") else {":": "-", "/": "."}.get(c, "_")
        for c in text
    )
    return spelled.strip("-_.")


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _said(text: str) -> str:
    """Text from the node, quoted for a comment line: printable ASCII only (no line break
    that could start a label line), at most 80 characters."""
    quoted = ascii(text)
    return quoted if len(quoted) <= 80 else quoted[:76] + "...'"


class _Labels:
    """The file's lines: labels with unique names, and comments for what was left out."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.lines: list[str] = []
        self.names: set[str] = set()

    def name(self, head: str, source: str, tail: str) -> str:
        """`head` + `source` spelled as a name + `tail`, unique in the file: a name that
        had to be shortened, or that another source already took, carries a digest of
        `source`."""
        spelled = name_part(source) or "x"
        name = f"{head}{spelled}{tail}"
        if len(name) > MAX_NAME or name in self.names:
            digest = _digest(source)
            room = MAX_NAME - len(head) - len(tail) - len(digest) - 1
            name = f"{head}{spelled[:room].rstrip('-_.')}-{digest}{tail}"
        return name

    def add(self, name: str, value: str) -> None:
        self.names.add(name)
        self.lines.append(f"{self.ns}/{name}={value}")

    def add_value(self, name: str, value: str | None, what: str) -> None:
        """A label whose value comes from the node: left out, with a comment, when it is
        unknown or no label value."""
        if value is None:
            self.lines.append(f"# {name} left out: the {what} was not read")
        elif not is_label_value(value):
            self.lines.append(f"# {name} left out: the {what} {_said(value)} is no label value")
        else:
            self.add(name, value)


def render_features(result: Result, *, ns: str = DEFAULT_NAMESPACE, expiry: int | None) -> str:
    """The feature file of a judged node: its verdict (`compliant`, `verdict`), hwcheck's
    version, whether `--strict` judged it, its counts (`findings.<status>`), a label per
    profile (`profile.<name>`, its version or `true`), and per card (`card.<slot>.`)
    the status of its firmware and of all its findings, and its driver. With `expiry`
    (seconds), the labels expire that long after the node was judged."""
    labels = _Labels(ns)
    verdict = result["verdict"]
    labels.add("compliant", "true" if verdict == "compliant" else "false")
    labels.add("verdict", verdict)
    labels.add_value("version", result["hwcheck_version"], "hwcheck version")
    labels.add("strict", "true" if result["strict"] else "false")
    for status in STATUS_ORDER:
        labels.add(f"findings.{status}", str(result["counts"][COUNT_KEYS[status]]))  # type: ignore[literal-required]
    for use in result["profiles"]:
        name = labels.name("profile.", use["name"], "")
        labels.add_value(name, use["version"] or "true", "profile version")
    for card in card_facts(result):
        firmware = labels.name("card.", card.key, ".firmware")
        labels.add(firmware, card.firmware_status)
        labels.add(firmware[: -len("firmware")] + "status", card.status)
        drivers = card.drivers()
        driver = firmware[: -len("firmware")] + "driver"
        if len(drivers) > 1:
            labels.lines.append(f"# {driver} left out: its ports report different drivers")
        elif drivers:
            labels.add_value(driver, drivers[0], "driver")
    return _file(result, labels, expiry)


def _file(result: Result, labels: _Labels, expiry: int | None) -> str:
    head = [
        f"# hwcheck {_said(result['hwcheck_version'])}: this node's labels for NFD's local source",
        f"# judged {_said(result['judged_at'])}, verdict {result['verdict']}",
    ]
    if expiry is not None:
        judged = judged_unix(result)
        if judged is None:
            head.append("# no expiry-time: the judging time could not be read")
        else:
            head.append(f"# +expiry-time={_rfc3339(judged + expiry)}")
    lines = head + labels.lines
    text = "\n".join(lines) + "\n"
    # A file over NFD's limit would be ignored whole: drop card lines from the end.
    while len(text.encode("ascii")) > MAX_FILE_BYTES - 100:
        lines.pop()
        cut = len(head) + len(labels.lines) - len(lines)
        text = "\n".join([*lines, f"# {cut} lines left out: NFD ignores files over 64 KiB"]) + "\n"
    return text


def _rfc3339(unix: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
