"""/metrics: the Prometheus text format, over the store.

A custom collector asks the store at each scrape, so every process of a collector (and
every collector on one PostgreSQL) reports the same fleet: nodes by verdict and nodes by
failing rule (each node's latest submission), submissions stored, whether the store answers,
and which profile generation this process judges with.
"""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from hwcheck.collector.store import VERDICTS, StoreError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from prometheus_client.metrics_core import Metric

    from hwcheck.collector.app import Collector

LOG = logging.getLogger("hwcheck.serve")
CONTENT_TYPE = CONTENT_TYPE_LATEST
PREFIX = "hwcheck_collector"


class StoreCollector:
    """The metrics of one collector process, read from its store at each scrape."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector

    def describe(self) -> list[Metric]:
        return []  # collected at each scrape, never at registration

    def collect(self) -> Iterator[Metric]:
        collector = self.collector
        up = GaugeMetricFamily(
            f"{PREFIX}_store_up", "Whether the store answered this scrape (1) or not (0)."
        )
        store = collector.store
        counts: dict[str, int] | None = None
        rules: dict[tuple[str, str], int] | None = None
        total: int | None = None
        if store is not None:
            try:
                counts = store.verdict_counts()
                rules = store.rule_counts()
                total = store.submission_count()
            except StoreError as err:
                LOG.error("metrics: the store did not answer: %s", err)  # noqa: TRY400 - one line
                counts = rules = total = None
        up.add_metric([], 1.0 if total is not None else 0.0)
        yield up
        if counts is not None and rules is not None and total is not None:
            nodes = GaugeMetricFamily(
                f"{PREFIX}_nodes",
                "Nodes by the verdict of their latest submission.",
                labels=["verdict"],
            )
            for verdict in VERDICTS:
                nodes.add_metric([verdict], float(counts.get(verdict, 0)))
            yield nodes
            failing = GaugeMetricFamily(
                f"{PREFIX}_rule_nodes",
                "Nodes whose latest submission has a finding of this rule with this status "
                "(fail, unknown, warn, waived).",
                labels=["rule", "status"],
            )
            for (rule, status), n in sorted(rules.items()):
                failing.add_metric([rule, status], float(n))
            yield failing
            submissions = CounterMetricFamily(
                f"{PREFIX}_submissions", "Submissions stored (replays not counted)."
            )
            submissions.add_metric([], float(total))
            yield submissions
        profiles = collector.profiles
        generation = profiles.current
        gen = GaugeMetricFamily(
            f"{PREFIX}_profile_generation",
            "The profile generation this process judges with (1 at start, +1 per reload).",
        )
        gen.add_metric([], float(generation.number))
        yield gen
        loaded = GaugeMetricFamily(
            f"{PREFIX}_profile_loaded_timestamp_seconds",
            "When the profile generation in force was loaded (Unix time).",
        )
        loaded.add_metric([], generation.loaded_at)
        yield loaded
        failed = GaugeMetricFamily(
            f"{PREFIX}_profile_reload_failed",
            "Whether the last profile reload failed (1: the previous generation stays in "
            "force; see /readyz).",
        )
        failed.add_metric([], 1.0 if profiles.error is not None else 0.0)
        yield failed
        info = InfoMetricFamily(
            f"{PREFIX}_profile", "A profile of the generation in force.", labels=["name"]
        )
        for name in generation.names:
            info.add_metric([name], {})
        yield info


def exposition(collector: Collector) -> bytes:
    """The metrics, in the Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(collector))
    return generate_latest(registry)
