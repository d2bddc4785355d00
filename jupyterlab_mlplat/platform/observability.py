"""Request ids on every log line and Prometheus metrics for every request.

The request id is held in a context variable, so log lines written by the core in worker threads
(``asyncio.to_thread`` copies the context) carry it too.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from prometheus_client import CollectorRegistry, Counter, Histogram

REQUEST_ID_HEADER = "X-Request-Id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "mlplat_request_id", default="-"
)


def accept_or_mint(incoming: str | None) -> str:
    """Keep a caller's id so one request is traceable across the user server and the platform,
    but only if it is a plain token: a header is user input and must not forge log lines."""
    if incoming and _VALID_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


LOG_FORMAT = "[%(levelname)1.1s %(asctime)s %(name)s req=%(request_id)s] %(message)s"


def install_request_id_logging(logger: logging.Logger) -> None:
    """Add the filter to every handler so third-party loggers (tornado's access log) get it too."""
    for handler in logger.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())


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
