"""Thin handlers of the sidebar's API: authenticate the Jupyter user, call one client method,
write JSON. Core errors become HTTP errors through the platform's one status table."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from pydantic import BaseModel

from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.errors import InvalidInput, PlatformError
from jupyterlab_mlplat.platform.errors import status_for
from jupyterlab_mlplat.platform.observability import REQUEST_ID_HEADER, accept_or_mint

NAMESPACE = "jupyterlab-mlplat"
M = TypeVar("M")


class SidebarHandler(ExtensionHandlerMixin, APIHandler):
    @property
    def client(self) -> PlatformClient:
        return self.settings["mlplat_client"]  # type: ignore[no-any-return]

    request_id = ""

    async def prepare(self) -> None:  # type: ignore[override]  # as APIHandler.prepare
        # one id across the user server and the platform, so a person can quote it
        self.request_id = accept_or_mint(self.request.headers.get(REQUEST_ID_HEADER))
        self.set_header(REQUEST_ID_HEADER, self.request_id)
        await super().prepare()

    def set_default_headers(self) -> None:
        super().set_default_headers()
        if self.request_id:  # send_error() clears headers; errors keep the id too
            self.set_header(REQUEST_ID_HEADER, self.request_id)

    async def core(self, call: Awaitable[M]) -> M:
        """Await core work; its typed errors become HTTP errors through the one status table."""
        try:
            return await call
        except InvalidInput as err:
            if not err.fields:
                raise tornado.web.HTTPError(400, err.message, reason=err.reason) from None
            # a form needs each field's message; APIHandler's error body carries only one
            self.set_status(400)
            self.finish({"message": err.message, "reason": err.reason, "fields": err.fields})
            raise tornado.web.Finish() from None
        except PlatformError as err:
            raise tornado.web.HTTPError(status_for(err), err.message, reason=err.reason) from None

    def write_model(self, model: BaseModel, **extra: Any) -> None:
        self.finish({**model.model_dump(mode="json"), **extra})


class MeHandler(SidebarHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.core(self.client.me(request_id=self.request_id)))


class HealthHandler(SidebarHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        health = await self.core(self.client.health(request_id=self.request_id))
        self.write_model(health, mode=self.settings["mlplat_mode"])


class UnknownRouteHandler(SidebarHandler):
    """A JSON 404 inside our namespace, so a stale front end gets a message, not an HTML page."""

    @tornado.web.authenticated
    def get(self, path: str) -> None:
        raise tornado.web.HTTPError(
            404, f"The ML Platform sidebar has no API route {path!r}; reload JupyterLab."
        )

    post = put = patch = delete = get


HANDLERS: list[tuple[str, type[SidebarHandler]]] = [
    (rf"/{NAMESPACE}/me", MeHandler),
    (rf"/{NAMESPACE}/health", HealthHandler),
]
#: registered after every other route of the namespace
UNKNOWN_ROUTE = (rf"/{NAMESPACE}/(.*)", UnknownRouteHandler)
