"""The one handler base of the sidebar API, and the typed services its handlers call.

Every verb parses an ``api`` model, awaits one service call and writes an ``api`` model; the
core's typed errors become the same JSON error body the platform writes (message, reason,
params, fields, request id), so the sidebar translates both alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from pydantic import BaseModel

from jupyterlab_mlplat.api.base import parse_body
from jupyterlab_mlplat.api.errors import error_headers, error_reply, where_it_failed
from jupyterlab_mlplat.api.openapi import declared_query, declared_verbs, operation_of
from jupyterlab_mlplat.api.request_id import REQUEST_ID_HEADER, begin_request
from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.experiments.errors import MLflowNotConfigured
from jupyterlab_mlplat.core.experiments.service import ExperimentService
from jupyterlab_mlplat.core.git.service import GitWorkspace
from jupyterlab_mlplat.core.kernel.errors import (
    NotAuthenticated,
    NoToken,
    PlatformError,
    RoleRequired,
    TokenRefused,
)
from jupyterlab_mlplat.core.models.service import ModelService

NAMESPACE = "jupyterlab-mlplat"
W = TypeVar("W", bound=BaseModel)

SIGN_IN_MESSAGE = (
    "This request carries no valid Jupyter token or login cookie: sign in to JupyterLab, or "
    "send 'Authorization: token <your Jupyter server token>'."
)

#: the one settings key of this extension
SERVICES_KEY = "mlplat_services"


@dataclass(frozen=True)
class SidebarServices:
    """What the sidebar's handlers may call; built once by the extension app."""

    client: PlatformClient
    git: GitWorkspace
    experiments_service: ExperimentService | None
    mode: Literal["hub", "standalone"]
    user: str
    mlflow_ui_url: str | None
    #: built when first asked for: only tools read it, and every server start would pay for it
    openapi: Callable[[], dict[str, Any]]
    #: the person's models (MLflow's registry through the gateway); None without MLflow
    models_service: ModelService | None = None
    catalog_prefix: str = "catalog."

    @property
    def experiments(self) -> ExperimentService:
        if self.experiments_service is None:
            raise MLflowNotConfigured(
                "MLflow is not configured for this server (no MLFLOW_TRACKING_URI)."
            )
        return self.experiments_service

    @property
    def models(self) -> ModelService:
        if self.models_service is None:
            raise MLflowNotConfigured(
                "MLflow is not configured for this server (no MLFLOW_TRACKING_URI)."
            )
        return self.models_service


class SidebarHandler(ExtensionHandlerMixin, APIHandler):
    request_id = ""

    @property
    def services(self) -> SidebarServices:
        return self.settings[SERVICES_KEY]  # type: ignore[no-any-return]

    @property
    def client(self) -> PlatformClient:
        return self.services.client

    async def prepare(self) -> None:  # type: ignore[override]  # as APIHandler.prepare
        # one id across the user server and the platform, so a person can quote it
        self.request_id = begin_request(self.request.headers.get(REQUEST_ID_HEADER))
        self.set_header(REQUEST_ID_HEADER, self.request_id)
        try:
            await super().prepare()
        except tornado.web.HTTPError as refused:
            # Jupyter Server refuses a caller it does not know with a bare 403 (and a POST
            # without XSRF before even that); nobody signed in is a 401 that says how to sign in
            if refused.status_code == 403 and getattr(self, "_jupyter_current_user", None) is None:
                raise self._not_signed_in() from None
            raise

    def get_login_url(self) -> str:
        # ``@tornado.web.authenticated`` asks where to log in when nobody is signed in, and
        # APIHandler answers with a bare 403; an API says 401 and how to authenticate instead
        if not self.current_user:
            raise self._not_signed_in()
        return super().get_login_url()

    def _not_signed_in(self) -> NotAuthenticated:
        if self.request.headers.get("Authorization"):
            return TokenRefused(
                "Jupyter Server does not accept this token: it is not this server's. Reload "
                "JupyterLab, or send this server's token."
            )
        return NoToken(SIGN_IN_MESSAGE)

    def set_default_headers(self) -> None:
        super().set_default_headers()
        if self.request_id:  # send_error() clears headers; errors keep the id too
            self.set_header(REQUEST_ID_HEADER, self.request_id)

    def parse(self, model: type[W]) -> W:
        return parse_body(self.request.body, model)

    def int_argument(self, name: str, default: int) -> int:
        """The parameter within its declared bounds, or ``default`` when it is not sent."""
        raw = self.get_argument(name, None)
        if raw is None:
            return default
        return declared_query(type(self), (self.request.method or "").lower(), name).integer(raw)

    def flag_argument(self, name: str) -> bool:
        """The yes/no parameter as declared: ``true`` or ``false``, false when not sent."""
        raw = self.get_argument(name, None)
        return declared_query(type(self), (self.request.method or "").lower(), name).flag(raw)

    def write_model(self, model: BaseModel, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(model.model_dump_json())

    def write_empty(self) -> None:
        self.set_status(204)
        self.finish()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        said = (
            (error.log_message or self._reason)
            if isinstance(error, tornado.web.HTTPError)
            else None
        )
        status, body = error_reply(error, status_code, self.request_id, http_message=said)
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        for name, value in error_headers(status, declared_verbs(type(self))).items():
            self.set_header(name, value)
        self.finish(body.model_dump_json(exclude_none=True))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError):
            super().log_exception(typ, value, tb)
        elif isinstance(value, PlatformError):
            self.log.info("%s %s → %s", self.request.method, type(self).__name__, value.reason)
        else:  # one line, no traceback: messages of git or MLflow may carry paths or URLs
            where, route = where_it_failed(tb), type(self).__name__
            self.log.error(
                "unexpected %s at %s in %s %s", typ.__name__, where, self.request.method, route
            )


class RoleFirst(SidebarHandler):
    """Checks the role a verb declares before the verb runs, and so before its body or its
    query is read: a person without the role is refused (403) whatever they send, as on the
    platform, and only a holder's input is parsed here."""

    async def prepare(self) -> None:  # type: ignore[override]  # as SidebarHandler.prepare
        await super().prepare()
        op = operation_of(type(self), (self.request.method or "").lower())
        if op is None or not op.role or self._finished:
            return
        me = await self.client.me()
        if op.role not in me.roles:
            raise RoleRequired(f"Only platform {op.role}s may do this.", params={"role": op.role})
