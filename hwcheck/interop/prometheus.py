"""A judged node as Prometheus metrics, for node_exporter's textfile collector.

node_exporter (`--collector.textfile.directory DIR`) reads every `*.prom` file in DIR at each
scrape, in the Prometheus text exposition format, without timestamps
(https://github.com/prometheus/node_exporter#textfile-collector); hwcheck.outfile's temporary
name (`.NAME.prom.<random>.tmp`) is one it never reads, and the rename makes the new file
appear whole. Names follow Prometheus' conventions (https://prometheus.io/docs/practices/naming/):
the `hwcheck_` prefix, base units (`_seconds`), `_info` series of value 1 that carry text as
labels, and states as gauges (one series per possible value, 1 for the one that holds), so an
alert is `hwcheck_node_verdict{verdict="compliant"} == 0`. The verdict and status label
values are the ones the collector's fleet metrics use (hwcheck.collector.metrics).

Standard library only: a node that writes this needs no Prometheus client. Pure: a result
and the probe's duration in, text out.
"""

from __future__ import annotations

from hwcheck.interop.facts import UNJUDGED, card_facts, judged_unix
from hwcheck.status import COUNT_KEYS, NODE_EXIT, STATUS_ORDER

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.result import Result

VERDICTS: tuple[str, ...] = tuple(NODE_EXIT)
"""A node's verdicts: each is a series of hwcheck_node_verdict."""

FIRMWARE_STATUSES: tuple[str, ...] = (*STATUS_ORDER, UNJUDGED)
"""A card's firmware status: the most urgent of its firmware findings', or `unjudged`."""


def label_value(text: str | None) -> str:
    """`text` escaped for a label value in the text format (backslash, double quote and line
    feed; nothing else may be escaped); an unknown value is empty, which Prometheus reads as
    the label's absence. Characters UTF-8 cannot encode (a probe's undecodable bytes) are
    written as their backslash escapes, themselves escaped."""
    if text is None:
        return ""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


class _Text:
    """The exposition's lines; a family's HELP and TYPE lines are written with its first
    sample, so a family without samples (a node without cards) is not written at all."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.pending: dict[str, str] = {}

    def family(self, name: str, help_text: str) -> None:
        self.pending[name] = help_text

    def sample(self, name: str, value: float, /, **labels: str | None) -> None:
        help_text = self.pending.pop(name, None)
        if help_text is not None:
            self.lines.append(f"# HELP {name} {_help(help_text)}")
            self.lines.append(f"# TYPE {name} gauge")
        inside = ",".join(f'{key}="{label_value(v)}"' for key, v in labels.items())
        self.lines.append(
            f"{name}{{{inside}}} {_number(value)}" if inside else f"{name} {_number(value)}"
        )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render_textfile(result: Result, *, probe_seconds: float | None) -> str:
    """The node's metrics. `probe_seconds` is how long the probe took; None (the inventory was
    read from a file, not probed) leaves hwcheck_probe_duration_seconds out."""
    out = _Text()
    out.family("hwcheck_build_info", "The hwcheck release that judged this node (always 1).")
    out.sample("hwcheck_build_info", 1, version=result["hwcheck_version"])
    out.family(
        "hwcheck_node_verdict",
        "The node's verdict: 1 for the verdict it got, 0 for the others.",
    )
    for verdict in VERDICTS:
        out.sample(
            "hwcheck_node_verdict", 1 if result["verdict"] == verdict else 0, verdict=verdict
        )
    out.family("hwcheck_findings", "The node's findings with each status.")
    for status in STATUS_ORDER:
        count = result["counts"][COUNT_KEYS[status]]  # type: ignore[literal-required]
        out.sample("hwcheck_findings", count, status=status)
    out.family("hwcheck_profile_info", "A profile the node was judged against (always 1).")
    for use in result["profiles"]:
        out.sample("hwcheck_profile_info", 1, name=use["name"], version=use["version"])
    cards = card_facts(result)
    out.family(
        "hwcheck_nic_info",
        "A port of a card: its slot (the card: PCI domain:bus:device, or usb:DEVICE), IDs, "
        "driver and firmware as the kernel reports them (always 1).",
    )
    for card in cards:
        for nic in card.ports:
            out.sample(
                "hwcheck_nic_info",
                1,
                slot=card.key,
                port=nic["name"],
                vendor_id=card.vendor_id,
                device_id=card.device_id,
                subsystem_vendor_id=card.subsystem_vendor_id,
                subsystem_device_id=card.subsystem_device_id,
                driver=nic["driver"],
                driver_version=nic["driver_version"],
                firmware=nic["firmware_version"],
            )
    out.family(
        "hwcheck_nic_firmware_status",
        "A card's firmware status: the most urgent of its firmware findings' (unjudged: no "
        "rule judged it); 1 for that status, 0 for the others.",
    )
    for card in cards:
        for status in FIRMWARE_STATUSES:
            value = 1 if card.firmware_status == status else 0
            out.sample("hwcheck_nic_firmware_status", value, slot=card.key, status=status)
    if probe_seconds is not None:
        out.family("hwcheck_probe_duration_seconds", "How long probing this node took.")
        out.sample("hwcheck_probe_duration_seconds", round(probe_seconds, 6))
    judged = judged_unix(result)
    if judged is not None:
        out.family("hwcheck_last_run_timestamp_seconds", "When this node was judged (Unix time).")
        out.sample("hwcheck_last_run_timestamp_seconds", judged)
    return "\n".join(out.lines) + "\n"
