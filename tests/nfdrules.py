"""Node Feature Discovery's feature-file format and Kubernetes' label rules, written from their
documentation (not from hwcheck's code), to read what `check --nfd-features` writes.

- The feature file (NFD customization guide, "Local feature source", "Input format":
  https://kubernetes-sigs.github.io/node-feature-discovery/stable/usage/customization-guide.html#local-feature-source):
  one feature per line, `<key>[=<value>]`, the value `true` when omitted; lines are trimmed;
  `#` lines are comments, `# +` lines directives (`expiry-time=<RFC 3339>`, `no-label`,
  `no-feature`; any other is an error nfd-worker logs); an expiry time applies to the lines
  after it; a file over 65536 bytes is ignored whole; dot files are ignored.
- Label namespaces (nfd-master's `-deny-label-ns` / `denyLabelNs`:
  https://kubernetes-sigs.github.io/node-feature-discovery/stable/reference/master-commandline-reference.html):
  `kubernetes.io` and `*.kubernetes.io` are always denied, except `feature.node.kubernetes.io`,
  `profile.node.kubernetes.io` and their sub-namespaces, which are always allowed.
- Label keys and values (Kubernetes, "Labels and Selectors", "Syntax and character set":
  https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set):
  a key is an optional prefix (a DNS subdomain, at most 253 characters) and `/`, then a name
  of at most 63 characters, alphanumeric at both ends with `-`, `_`, `.` and alphanumerics
  between; a value is empty or at most 63 characters of the same form.
"""

from __future__ import annotations

import re
from datetime import datetime

MAX_FILE_BYTES = 65536
NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DIRECTIVES = ("expiry-time", "no-label", "no-feature")


def label_problem(key: str, value: str) -> str | None:
    """Why `key=value` is no label nfd-master publishes, or None."""
    if "/" not in key:
        return f"{key!r} has no namespace"
    prefix, name = key.split("/", 1)
    if len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix):
        return f"{prefix!r} is no DNS subdomain"
    allowed = ("feature.node.kubernetes.io", "profile.node.kubernetes.io")
    k8s = prefix == "kubernetes.io" or prefix.endswith(".kubernetes.io")
    if k8s and not any(prefix == a or prefix.endswith("." + a) for a in allowed):
        return f"{prefix!r} is denied by nfd-master"
    if len(name) > 63 or not NAME.match(name):
        return f"{name!r} is no label name"
    if value and (len(value) > 63 or not NAME.match(value)):
        return f"{value!r} is no label value"
    return None


class FeatureFile:
    """A feature file read as nfd-worker reads it: the labels it publishes `at` a time, its
    expiry times, and every problem (a bad label, an unknown directive, a repeated key)."""

    def __init__(self, data: bytes, *, at: datetime) -> None:
        self.labels: dict[str, str] = {}
        self.expiry: list[datetime] = []
        self.problems: list[str] = []
        self.comments: list[str] = []
        if len(data) > MAX_FILE_BYTES:
            self.problems.append(f"{len(data)} bytes: nfd-worker ignores the file")
            return
        expires: datetime | None = None
        for raw in data.split(b"\n"):
            line = raw.decode("utf-8").strip()
            if not line:
                continue
            if line.startswith("# +"):
                directive, _, value = line[3:].partition("=")
                if directive not in DIRECTIVES:
                    self.problems.append(f"unknown directive {line!r}")
                elif directive == "expiry-time":
                    expires = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
                    self.expiry.append(expires)
                continue
            if line.startswith("#"):
                self.comments.append(line)
                continue
            key, equals, value = line.partition("=")
            if not equals:
                value = "true"
            problem = label_problem(key, value)
            if problem:
                self.problems.append(problem)
            if key in self.labels:
                self.problems.append(f"{key!r} is given twice (the last one wins)")
            if expires is not None and expires < at:
                continue
            self.labels[key] = value
