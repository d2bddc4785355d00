"""HTTP handlers of the platform: parse, call one service method, write JSON.

Everything cross-cutting — request ids, authentication, the error table, metrics — lives in
``PlatformHandler`` so each verb stays a few lines.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ValidationError
from tornado.web import HTTPError, RequestHandler

from jupyterlab_mlplat.core.accounts import AccountService
from jupyterlab_mlplat.core.errors import InvalidInput, NotAuthenticated, NotFound, PlatformError
from jupyterlab_mlplat.core.gitlab_accounts import GitLabAccounts
from jupyterlab_mlplat.core.health import HealthService
from jupyterlab_mlplat.core.identity import Identity
from jupyterlab_mlplat.core.profile_service import ProfileService
from jupyterlab_mlplat.ports import Store

from .auth import PlatformAuthenticator
from .errors import INTERNAL_ERROR, status_for
from .observability import REQUEST_ID_HEADER, Metrics, accept_or_mint, current_request_id
from .schemas import (
    ErrorBody,
    GitCredential,
    GitLabAccount,
    GitLabTokenInfo,
    Health,
    LatestPipeline,
    Me,
    MergeRequestBody,
    MergeRequestCreate,
    MergeRequestList,
    NamespaceBody,
    NamespaceList,
    PipelineBody,
    PodPreview,
    ProfileList,
    ProfileRecord,
    ProfileUpdate,
    ProjectBody,
    ProjectCreate,
    TokenBody,
)

log = logging.getLogger("mlplat.platform")
T = TypeVar("T")
W = TypeVar("W", bound=BaseModel)


@dataclass(frozen=True)
class Services:
    """What handlers may call; built once by the application."""

    store: Store
    accounts: AccountService
    health: HealthService
    authenticator: PlatformAuthenticator
    profiles: ProfileService
    gitlab: GitLabAccounts
    metrics: Metrics
    openapi: dict[str, Any]


class PlatformHandler(RequestHandler):
    #: label for metrics: the route, never the raw path (that would explode cardinality)
    route_name = "unmatched"
    requires_auth = True
    #: whether hub services (the hub's spawner reading profiles) may call this route
    allows_services = False

    request_id = "-"
    _identity: Identity | None = None
    _started = 0.0

    @property
    def services(self) -> Services:
        return self.settings["mlplat_services"]  # type: ignore[no-any-return]

    @property
    def identity(self) -> Identity:
        assert self._identity is not None, "handler forgot requires_auth"
        return self._identity

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        if self.request_id != "-":  # send_error() clears headers; keep the id on errors
            self.set_header(REQUEST_ID_HEADER, self.request_id)

    async def prepare(self) -> None:
        self._started = time.perf_counter()
        self.request_id = accept_or_mint(self.request.headers.get(REQUEST_ID_HEADER))
        current_request_id.set(self.request_id)
        self.set_default_headers()
        if self.requires_auth:
            self._identity = await self.services.authenticator.authenticate(self._token())
            if self._identity.kind == "service" and not self.allows_services:
                raise NotAuthenticated("This route is for people, not for hub services.")

    def _token(self) -> str | None:
        header = self.request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("token", "bearer") and value.strip():
            return value.strip()
        return None

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking core work (database, disk) off the event loop, keeping the request id."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def json_body(self) -> dict[str, Any]:
        try:
            body = json.loads(self.request.body or b"null")
        except ValueError:
            raise InvalidInput("The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise InvalidInput("The request body must be a JSON object.")
        return body

    def parse(self, model: type[W]) -> W:
        try:
            return model.model_validate(self.json_body())
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            raise InvalidInput(f"{where}: {first['msg']}", where) from None

    def int_argument(self, name: str) -> int:
        value = self.get_query_argument(name, "")
        if not value.isdigit():
            raise InvalidInput(f"The query parameter {name!r} must be a whole number.", name)
        return int(value)

    def send_model(self, body: BaseModel, status: int = 200) -> None:
        self.set_status(status)
        self.finish(body.model_dump_json())

    # ---- errors: one table, no tracebacks in responses
    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        fields = None
        if isinstance(exc, PlatformError):
            status, message, reason = status_for(exc), exc.message, exc.reason
            fields = exc.fields if isinstance(exc, InvalidInput) else None
        elif isinstance(exc, HTTPError) and status_code < 500:
            status = status_code
            message = exc.log_message or self._reason
            reason = "http_error"
        else:
            status, message, reason = 500, INTERNAL_ERROR, "internal_error"
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(
            ErrorBody(
                message=message, reason=reason, request_id=self.request_id, fields=fields
            ).model_dump_json(exclude_none=True)
        )

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, PlatformError):
            log.info("%s %s → %s: %s", self.request.method, self.route_name, value.reason, value)
        elif isinstance(value, HTTPError):
            log.warning("%s %s → %s", self.request.method, self.route_name, value)
        else:
            # One line, no traceback: exception texts of drivers can carry connection strings.
            frame = traceback.extract_tb(tb)[-1] if tb else None
            where = f"{Path(frame.filename).name}:{frame.lineno}" if frame else "?"
            log.error(
                "unexpected %s at %s in %s %s",
                typ.__name__,
                where,
                self.request.method,
                self.route_name,
            )

    def on_finish(self) -> None:
        metrics = self.services.metrics
        method = self.request.method or "?"
        metrics.requests.labels(self.route_name, method, str(self.get_status())).inc()
        if self._started:
            metrics.latency.labels(self.route_name, method).observe(
                time.perf_counter() - self._started
            )


class IndexHandler(PlatformHandler):
    """The service root: JupyterHub polls it to see the service is up; people find the API here."""

    route_name = "index"
    requires_auth = False

    def get(self) -> None:
        self.finish(
            json.dumps({"service": "jupyterlab-mlplat platform", "openapi": "api/v1/openapi.json"})
        )


class MeHandler(PlatformHandler):
    route_name = "me"

    async def get(self) -> None:
        await self.run(self.services.accounts.sign_in, self.identity, request_id=self.request_id)
        self.send_model(Me.of(self.identity))


class HealthHandler(PlatformHandler):
    """Unauthenticated on purpose: load balancers and probes have no hub token."""

    route_name = "health"
    requires_auth = False

    async def get(self) -> None:
        report = await self.run(self.services.health.report)
        self.send_model(Health.of(report), 200 if report.ok else 503)


class OpenAPIHandler(PlatformHandler):
    route_name = "openapi"
    requires_auth = False

    def get(self) -> None:
        self.finish(json.dumps(self.services.openapi))


class MetricsHandler(PlatformHandler):
    """Prometheus text format; only aggregate counters, nothing about any person."""

    route_name = "metrics"
    requires_auth = False

    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(generate_latest(self.services.metrics.registry))


class ProfilesHandler(PlatformHandler):
    """Everyone reads the profiles open to them; admins and the hub's spawner read all."""

    route_name = "profiles"
    allows_services = True

    async def get(self) -> None:
        profiles = self.services.profiles
        visible = await self.run(profiles.visible_to, self.identity)
        self.send_model(
            ProfileList(
                profiles=[ProfileRecord.of(s) for s in visible],
                known_groups=list(profiles.known_groups),
            )
        )

    async def post(self) -> None:
        stored = await self.run(
            self.services.profiles.create,
            self.identity,
            self.json_body(),
            request_id=self.request_id,
        )
        self.send_model(ProfileRecord.of(stored), 201)


class ProfileHandler(PlatformHandler):
    route_name = "profile"

    async def put(self, slug: str) -> None:
        update = self.parse(ProfileUpdate)
        stored = await self.run(
            self.services.profiles.replace,
            self.identity,
            slug,
            update.profile,
            revision=update.revision,
            request_id=self.request_id,
        )
        self.send_model(ProfileRecord.of(stored))

    async def delete(self, slug: str) -> None:
        revision = self.int_argument("revision")
        await self.run(
            self.services.profiles.delete,
            self.identity,
            slug,
            revision=revision,
            request_id=self.request_id,
        )
        self.set_status(204)
        self.finish()


class ProfilePreviewHandler(PlatformHandler):
    """Validate a profile being edited and show the pod it would give, without saving."""

    route_name = "profile_preview"

    async def post(self) -> None:
        pod = await self.run(self.services.profiles.preview, self.identity, self.json_body())
        self.send_model(PodPreview(pod=pod))


class GitLabAccountHandler(PlatformHandler):
    """Whether the person has a token saved, and which; never the token itself."""

    route_name = "gitlab_account"

    async def get(self) -> None:
        gitlab = self.services.gitlab
        stored = await self.run(gitlab.account, self.identity)
        self.send_model(
            GitLabAccount(
                configured=bool(gitlab.gitlab_url),
                url=gitlab.gitlab_url or None,
                token=GitLabTokenInfo.model_validate(stored) if stored else None,
            )
        )


class GitLabTokenHandler(PlatformHandler):
    route_name = "gitlab_token"

    async def put(self) -> None:
        body = self.parse(TokenBody)
        stored = await self.run(
            self.services.gitlab.save_token, self.identity, body.token, request_id=self.request_id
        )
        self.send_model(GitLabTokenInfo.model_validate(stored))

    async def delete(self) -> None:
        await self.run(self.services.gitlab.delete_token, self.identity, request_id=self.request_id)
        self.set_status(204)
        self.finish()


class GitCredentialHandler(PlatformHandler):
    """The token, for the person's own server to hand to git; the sidebar never asks for it."""

    route_name = "git_credential"

    async def post(self) -> None:
        token = await self.run(self.services.gitlab.token_for, self.identity)
        self.send_model(GitCredential(username="oauth2", token=token))


class GitLabNamespacesHandler(PlatformHandler):
    route_name = "gitlab_namespaces"

    async def get(self) -> None:
        found = await self.run(self.services.gitlab.namespaces, self.identity)
        self.send_model(NamespaceList(namespaces=[NamespaceBody.model_validate(n) for n in found]))


class GitLabProjectsHandler(PlatformHandler):
    route_name = "gitlab_projects"

    async def post(self) -> None:
        body = self.parse(ProjectCreate)
        project = await self.run(
            self.services.gitlab.create_project,
            self.identity,
            body.name,
            namespace_id=body.namespace_id,
            visibility=body.visibility,
            request_id=self.request_id,
        )
        self.send_model(ProjectBody.model_validate(project), 201)


class GitLabMergeRequestsHandler(PlatformHandler):
    route_name = "gitlab_merge_requests"

    async def get(self) -> None:
        found = await self.run(
            self.services.gitlab.merge_requests,
            self.identity,
            self.get_query_argument("remote_url", ""),
            self.get_query_argument("branch", ""),
        )
        self.send_model(
            MergeRequestList(merge_requests=[MergeRequestBody.model_validate(m) for m in found])
        )

    async def post(self) -> None:
        body = self.parse(MergeRequestCreate)
        created = await self.run(
            self.services.gitlab.open_merge_request,
            self.identity,
            body.remote_url,
            source_branch=body.source_branch,
            target_branch=body.target_branch,
            title=body.title,
            description=body.description,
        )
        self.send_model(MergeRequestBody.model_validate(created), 201)


class GitLabPipelineHandler(PlatformHandler):
    route_name = "gitlab_pipeline"

    async def get(self) -> None:
        pipeline = await self.run(
            self.services.gitlab.latest_pipeline,
            self.identity,
            self.get_query_argument("remote_url", ""),
            self.get_query_argument("ref", ""),
        )
        self.send_model(
            LatestPipeline(pipeline=PipelineBody.model_validate(pipeline) if pipeline else None)
        )


class NotFoundHandler(PlatformHandler):
    requires_auth = False

    async def prepare(self) -> None:
        await super().prepare()
        raise NotFound(
            f"There is no API route {self.request.method} {self.request.path}. "
            "The routes are listed in api/v1/openapi.json."
        )


#: (path relative to the service prefix, handler); the OpenAPI test walks this table
ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("", IndexHandler),
    ("api/v1/me", MeHandler),
    ("api/v1/health", HealthHandler),
    ("api/v1/openapi.json", OpenAPIHandler),
    ("api/v1/profiles", ProfilesHandler),
    ("api/v1/profiles/(?P<slug>[^/]+)", ProfileHandler),
    ("api/v1/profile-preview", ProfilePreviewHandler),
    ("api/v1/gitlab/account", GitLabAccountHandler),
    ("api/v1/gitlab/token", GitLabTokenHandler),
    ("api/v1/gitlab/credential", GitCredentialHandler),
    ("api/v1/gitlab/namespaces", GitLabNamespacesHandler),
    ("api/v1/gitlab/projects", GitLabProjectsHandler),
    ("api/v1/gitlab/merge-requests", GitLabMergeRequestsHandler),
    ("api/v1/gitlab/pipelines/latest", GitLabPipelineHandler),
    ("metrics", MetricsHandler),
]
