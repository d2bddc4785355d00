"""The service's own routes: its root, who is calling, health, this API's document, metrics."""

from __future__ import annotations

import json

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from jupyterlab_mlplat.api.meta import Health, Me
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.core.kernel.errors import UnknownRoute
from jupyterlab_mlplat.platform.base import PlatformHandler

_ANY_JSON = ("application/json", {"type": "object"})


class IndexHandler(PlatformHandler):
    """The service root: JupyterHub polls it to see the service is up; people find the API here."""

    route_name = "index"

    @operation(
        "Names the service and links this document. No token needed.",
        {200: (_ANY_JSON, "Service name and the document's path.")},
        authenticated=False,
    )
    def get(self) -> None:
        self.finish(
            json.dumps({"service": "jupyterlab-mlplat platform", "openapi": "api/v1/openapi.json"})
        )


class MeHandler(PlatformHandler):
    route_name = "me"

    @operation(
        "Who the token belongs to, with groups and platform roles.", {200: (Me, "The caller.")}
    )
    async def get(self) -> None:
        await self.run(self.services.accounts.sign_in, self.identity)
        self.send_model(Me.of(self.identity))


class HealthHandler(PlatformHandler):
    """Unauthenticated on purpose: load balancers and probes have no hub token."""

    route_name = "health"

    @operation(
        "Whether the platform and its database answer. No token needed.",
        {
            200: (Health, "Every check passes."),
            503: (Health, "At least one check fails; see `checks`."),
        },
        authenticated=False,
    )
    async def get(self) -> None:
        report = await self.run(self.services.health.report)
        self.send_model(Health.of(report), 200 if report.ok else 503)


class OpenAPIHandler(PlatformHandler):
    route_name = "openapi"

    @operation("This document.", {200: (_ANY_JSON, "OpenAPI 3.1 document.")}, authenticated=False)
    def get(self) -> None:
        self.finish(json.dumps(self.services.openapi()))


class MetricsHandler(PlatformHandler):
    """Prometheus text format; only aggregate counters, nothing about any person."""

    route_name = "metrics"

    @operation(
        "Prometheus metrics (aggregate request counts and latencies).",
        {200: (("text/plain", {"type": "string"}), "Prometheus text exposition format.")},
        authenticated=False,
    )
    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(generate_latest(self.services.metrics.registry))


class NoRouteHandler(PlatformHandler):
    """Every path no route matches: a JSON 404 naming where the routes are listed."""

    requires_auth = False

    async def prepare(self) -> None:
        await super().prepare()
        raise UnknownRoute(
            f"There is no API route {self.request.method} {self.request.path}. "
            "The routes are listed in api/v1/openapi.json.",
            params={"method": self.request.method or "", "path": self.request.path},
        )


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("", IndexHandler),
    ("api/v1/me", MeHandler),
    ("api/v1/health", HealthHandler),
    ("api/v1/openapi.json", OpenAPIHandler),
    ("metrics", MetricsHandler),
]
