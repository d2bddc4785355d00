"""Who the person is, the platform's health, and this API's own document."""

from __future__ import annotations

import json
from typing import Literal

import tornado.web

from jupyterlab_mlplat.api.meta import Health, Me
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.core.kernel.errors import UnknownRoute

from .base import NAMESPACE, SidebarHandler


class SidebarHealth(Health):
    mode: Literal["hub", "standalone"]


class MeHandler(SidebarHandler):
    @operation("Who the person is, with groups and platform roles.", {200: (Me, "The person.")})
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.client.me())


class HealthHandler(SidebarHandler):
    @operation(
        "The platform's health, and whether it runs under a hub or in-process.",
        {200: (SidebarHealth, "The report; failing checks are named.")},
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        health = await self.client.health()
        self.write_model(SidebarHealth(**health.model_dump(), mode=self.services.mode))


class OpenAPIHandler(SidebarHandler):
    @operation("This API's OpenAPI document.", {200: (("application/json", {}), "The document.")})
    @tornado.web.authenticated
    def get(self) -> None:
        self.finish(json.dumps(self.services.openapi()))


class UnknownRouteHandler(SidebarHandler):
    """A JSON 404 inside our namespace, so a stale front end gets a message, not an HTML page."""

    @tornado.web.authenticated
    def get(self, path: str) -> None:
        raise UnknownRoute(
            f"The ML Platform sidebar has no API route {path!r}; reload JupyterLab.",
            params={"path": path[:200]},
        )

    post = put = patch = delete = get


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("me", MeHandler),
    ("health", HealthHandler),
    ("openapi.json", OpenAPIHandler),
]
#: registered after every other route of the namespace
UNKNOWN_ROUTE = (rf"/{NAMESPACE}/(.*)", UnknownRouteHandler)
