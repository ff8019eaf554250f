"""Metrics every service exposes at /metrics (prometheus-client, one registry per process).

Counters and histograms are module-level collectors (creating them does no I/O); gauges whose
value lives in a database or the broker (outbox backlog, DLQ depth, members per school) are read
on scrape through ``register_gauge_source``.
"""
from __future__ import annotations

import logging
import os

from prometheus_client import REGISTRY, CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_DURATION = Histogram("unionhub_http_request_duration_seconds", "HTTP request latency",
                          ["service", "method", "route", "status"], buckets=LATENCY_BUCKETS)
RPC_DURATION = Histogram("unionhub_rpc_duration_seconds", "Entrypoint (RPC and event handler) latency",
                         ["service", "entrypoint", "outcome"], buckets=LATENCY_BUCKETS)
ERRORS = Counter("unionhub_errors_total", "Errors returned to callers, by stable code", ["service", "code"])
EVENTS_PUBLISHED = Counter("unionhub_events_published_total", "Events confirmed by the broker", ["service", "type"])
EVENTS_PUBLISH_FAILED = Counter("unionhub_events_publish_failed_total",
                                "Publishes nacked, returned unroutable or unconfirmed (retried later)",
                                ["service", "type"])
EVENTS_UNROUTED = Counter("unionhub_events_unrouted_total", "Events no consumer queue was bound for",
                          ["service", "type"])
EVENTS_CONSUMED = Counter("unionhub_events_consumed_total", "Events handled by consumers",
                          ["service", "type", "outcome"])
RELAY_ERRORS = Counter("unionhub_outbox_relay_errors_total", "Relay rounds that failed (broker or database away)",
                       ["service"])
LOGIN_FAILURES = Counter("unionhub_login_failures_total", "Failed logins", ["reason"])


class _ScrapeCollector:
    """Calls registered sources on scrape; a failing source is logged, never breaks /metrics."""

    def __init__(self):
        self.sources: dict = {}

    def collect(self):
        families = {}
        for (_key, name), (doc, labels, fn) in list(self.sources.items()):
            family = families.get(name) or GaugeMetricFamily(name, doc, labels=labels)
            try:
                for label_values, value in fn():
                    family.add_metric(list(label_values), value)
            except Exception as exc:  # a scrape must not fail because one source is down
                log.warning("metrics source %s failed: %s", name, exc)
            families[name] = family
        yield from families.values()


_scrape = _ScrapeCollector()
_registered = False


def register_gauge_source(key: str, name: str, doc: str, labels: list[str], fn) -> None:
    """``fn()`` yields ``(label_values, value)`` pairs when Prometheus scrapes; ``key`` tells
    sources of the same metric apart (one per service in a process)."""
    global _registered
    if not _registered:
        REGISTRY.register(_scrape)
        _registered = True
    _scrape.sources[(key, name)] = (doc, labels, fn)


def exposition() -> tuple[bytes, str]:
    """This process's metrics, or, when several processes of the service share its port
    (``PROMETHEUS_MULTIPROC_DIR``, set by the runner), the sum over all of them."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)
    if _registered:
        registry.register(_scrape)
    return generate_latest(registry), CONTENT_TYPE_LATEST
