"""Prometheus metrics for every request the platform serves."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    """Per-application registry, so two platforms in one process (tests) never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mlplat_http_requests",
            "HTTP requests served by the platform",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mlplat_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["route", "method"],
            registry=self.registry,
        )
