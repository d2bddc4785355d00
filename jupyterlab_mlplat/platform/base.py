"""The one handler base of the platform API: request ids, authentication, the declared role,
parsing into ``api`` models, writing them, the error table and metrics.

A route's verb then stays a few lines: parse an ``api`` model, call one service method, write
an ``api`` model.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from tornado.web import HTTPError, RequestHandler

from jupyterlab_mlplat.api.base import parse_body
from jupyterlab_mlplat.api.errors import error_headers, error_reply, where_it_failed
from jupyterlab_mlplat.api.openapi import declared_query, declared_verbs, operation_of
from jupyterlab_mlplat.api.request_id import REQUEST_ID_HEADER, begin_request
from jupyterlab_mlplat.core.accounts.service import AccountService
from jupyterlab_mlplat.core.analytics.teams_service import TeamService
from jupyterlab_mlplat.core.analytics.usage_service import UsageService
from jupyterlab_mlplat.core.apikeys.errors import KeyNotAccepted
from jupyterlab_mlplat.core.apikeys.rules import looks_like_key
from jupyterlab_mlplat.core.apikeys.service import ApiKeyService
from jupyterlab_mlplat.core.audit.service import AuditService
from jupyterlab_mlplat.core.catalog.service import CatalogService
from jupyterlab_mlplat.core.deployments.drift_service import DriftService
from jupyterlab_mlplat.core.deployments.service import DeploymentService
from jupyterlab_mlplat.core.deployments.traffic_service import TrafficService
from jupyterlab_mlplat.core.experiments.service import ExperimentEvents
from jupyterlab_mlplat.core.gitlab.service import GitLabAccounts
from jupyterlab_mlplat.core.health.service import HealthService
from jupyterlab_mlplat.core.instructions.service import InstructionService
from jupyterlab_mlplat.core.kernel.errors import (
    PlatformError,
    RoleRequired,
    TokenLacksAccess,
)
from jupyterlab_mlplat.core.kernel.identity import Identity, Role
from jupyterlab_mlplat.core.kernel.storage import MetadataStore
from jupyterlab_mlplat.core.people.service import PeopleService
from jupyterlab_mlplat.core.profiles.service import ProfileService
from jupyterlab_mlplat.core.reviews.service import ReviewService
from jupyterlab_mlplat.core.settings.service import SettingsService

from .auth import PlatformAuthenticator
from .observability import Metrics

log = logging.getLogger("mlplat.platform")
T = TypeVar("T")
W = TypeVar("W", bound=BaseModel)


@dataclass(frozen=True)
class Services:
    """What handlers may call; built once by the application."""

    store: MetadataStore
    accounts: AccountService
    audit: AuditService
    settings: SettingsService
    people: PeopleService
    health: HealthService
    authenticator: PlatformAuthenticator
    profiles: ProfileService
    gitlab: GitLabAccounts
    experiment_events: ExperimentEvents
    catalog: CatalogService
    reviews: ReviewService
    instructions: InstructionService
    deployments: DeploymentService
    metrics: Metrics
    #: built when first asked for: only tools read it, and every start would pay for it
    openapi: Callable[[], dict[str, Any]]
    apikeys: ApiKeyService
    drift: DriftService
    traffic: TrafficService
    teams: TeamService
    usage: UsageService


class PlatformHandler(RequestHandler):
    #: label for metrics: the route, never the raw path (that would explode cardinality)
    route_name = "unmatched"
    #: whether hub services (the hub's spawner reading profiles) may call this route
    allows_services = False
    #: for verbs a route does not declare (tornado answers them 405): authenticate first
    requires_auth = True
    #: whether an API key (``mlp_…``, with ``catalog_read``) may call this route: only the
    #: catalog's public reads; everywhere else a key is refused before it is even looked up
    accepts_api_keys = False

    request_id = "-"
    _identity: Identity | None = None
    _started = 0.0

    @property
    def services(self) -> Services:
        return self.settings["mlplat_services"]  # type: ignore[no-any-return]

    @property
    def identity(self) -> Identity:
        assert self._identity is not None, "the operation is declared unauthenticated"
        return self._identity

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        if self.request_id != "-":  # send_error() clears headers; keep the id on errors
            self.set_header(REQUEST_ID_HEADER, self.request_id)

    async def prepare(self) -> None:
        self._started = time.perf_counter()
        self.request_id = begin_request(self.request.headers.get(REQUEST_ID_HEADER))
        self.set_default_headers()
        op = operation_of(type(self), (self.request.method or "").lower())
        if op.authenticated if op is not None else self.requires_auth:
            token = self._token()
            if looks_like_key(token):  # never shown to the hub: it is not the hub's secret
                self._identity = await self._key_caller(token or "")
            else:
                self._identity = await self.services.authenticator.authenticate(token)
            if self._identity.kind == "service" and not self.allows_services:
                raise TokenLacksAccess("This route is for people, not for hub services.")
            if op is not None and op.grant and not self._identity.may(op.grant):
                raise TokenLacksAccess(
                    f"Only the hub service holding {op.grant} may do this.",
                    params={"grant": op.grant},
                )
            if op is not None and op.role and not self._identity.has(Role(op.role)):
                raise RoleRequired(
                    f"Only platform {op.role}s may do this.", params={"role": op.role}
                )

    def _token(self) -> str | None:
        header = self.request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("token", "bearer") and value.strip():
            return value.strip()
        return None

    async def _key_caller(self, secret: str) -> Identity:
        if not self.accepts_api_keys:
            raise KeyNotAccepted(
                "API keys may read the catalog and call deployments, nothing else; this route "
                "takes a person's JupyterHub token."
            )
        address = self.request.remote_ip or ""
        return await self.run(self.services.apikeys.catalog_reader, secret, address)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking core work (database, disk) off the event loop, keeping the request id."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def parse(self, model: type[W]) -> W:
        """The body as ``model``; every way it can be wrong is a 400 naming the field."""
        return parse_body(self.request.body, model)

    def int_argument(self, name: str) -> int:
        declared = declared_query(type(self), (self.request.method or "").lower(), name)
        return declared.integer(self.get_query_argument(name, ""))

    def flag_argument(self, name: str) -> bool:
        declared = declared_query(type(self), (self.request.method or "").lower(), name)
        return declared.flag(self.get_query_argument(name, None))

    def send_model(self, body: BaseModel, status: int = 200) -> None:
        self.set_status(status)
        self.finish(body.model_dump_json())

    def send_empty(self) -> None:
        self.set_status(204)
        self.finish()

    # ---- errors: one table, no tracebacks in responses
    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        said = (error.log_message or self._reason) if isinstance(error, HTTPError) else None
        status, body = error_reply(error, status_code, self.request_id, http_message=said)
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        for name, value in error_headers(status, declared_verbs(type(self))).items():
            self.set_header(name, value)
        self.finish(body.model_dump_json(exclude_none=True))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        method, route = self.request.method, self.route_name
        if isinstance(value, PlatformError):
            log.info("%s %s → %s: %s", method, route, value.reason, value)
        elif isinstance(value, HTTPError):
            log.warning("%s %s → %s", method, route, value)
        else:
            where = where_it_failed(tb)
            log.error("unexpected %s at %s in %s %s", typ.__name__, where, method, route)

    def on_finish(self) -> None:
        metrics = self.services.metrics
        method = self.request.method or "?"
        metrics.requests.labels(self.route_name, method, str(self.get_status())).inc()
        if self._started:
            metrics.latency.labels(self.route_name, method).observe(
                time.perf_counter() - self._started
            )
