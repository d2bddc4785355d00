"""Prometheus metrics for every request the platform serves."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


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
        # the drift job (platform/drift.py): what each pass found
        self.drift_share = Gauge(
            "mlplat_drift_share",
            "Share of the features that drifted in a served version's latest drift report",
            ["deployment", "version"],
            registry=self.registry,
        )
        self.drift_reports = Counter(
            "mlplat_drift_reports",
            "Drift reports stored, by status (compared, no_reference, ...)",
            ["status"],
            registry=self.registry,
        )
        self.drift_failures = Counter(
            "mlplat_drift_check_failures",
            "Served versions whose drift could not be checked in a pass (store or MLflow down)",
            registry=self.registry,
        )
        # the usage sampler (platform/usage.py): what each pass sampled
        self.usage_samples = Counter(
            "mlplat_usage_samples",
            "Usage samples stored (one per running workload and pass)",
            registry=self.registry,
        )
        self.usage_idle = Gauge(
            "mlplat_usage_idle_workloads",
            "Workloads idle in the latest usage pass (under the idle CPU share, no activity)",
            registry=self.registry,
        )
        self.usage_source_failures = Counter(
            "mlplat_usage_source_failures",
            "Usage sources that did not answer in a pass (the metrics API, the hub)",
            registry=self.registry,
        )
