"""The MLflow gateway: MLflow's API and UI behind the JupyterHub login, as the hub user.

A JupyterHub-managed service at ``/services/mlflow/``. It identifies the caller with HubOAuth (the
user server's token for API calls, the OAuth cookie for the MLflow UI in a browser), then
forwards to the MLflow server on loopback with the user's name and a secret only it and that
server share (see ``adapters/mlflow/auth.py``). MLflow's own permission engine decides what the
user may do, and answers 403 for a change to another user's experiment or run.

A run is always created as the hub user, whatever the client claims, so every run names the
person who made it. What the gateway may not be talked out of is decided in
``core/experiments/rules.py``: the path is canonicalised (or refused) before it is routed and
exactly that path is forwarded; every spelling of the identity headers a client sent is dropped
before the gateway sets its own; MLflow's administration is for admins; artifact locations stay
in the platform's store; and MLflow's own failures reach the client without SQL or tracebacks.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import zlib
from typing import Any
from urllib.parse import parse_qsl, quote, urlparse

import tornado.ioloop
import tornado.web
from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from traitlets import Int, List, Unicode, default
from traitlets.config import Application

from jupyterlab_mlplat import __version__
from jupyterlab_mlplat.api.mlflow import SECRET_ENV, SECRET_HEADER, USER_HEADER
from jupyterlab_mlplat.api.request_id import LOG_FORMAT, REQUEST_ID_HEADER, accept_or_mint
from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.experiments.rules import (
    ChangePrivacy,
    Forward,
    NotCanonical,
    Refuse,
    acl_call_done,
    canonical_path,
    decide,
    header_forwarded,
    mlflow_endpoint,
    privacy_acl,
    upstream_error,
)
from jupyterlab_mlplat.core.kernel.errors import PlatformError
from jupyterlab_mlplat.core.kernel.identity import Role, roles_from_scopes
from jupyterlab_mlplat.core.models.rules import (
    DEFAULT_CATALOG_PREFIX,
    RegistryRefusal,
    RegistryStamp,
    is_platform_identity,
    registry_decision,
)

log = logging.getLogger("mlplat.mlflow_gateway")

#: headers that describe one hop, or carry the caller's credentials, never forwarded
_REQUEST_DROP = frozenset(
    {
        "host",
        "authorization",
        "cookie",
        "connection",
        "keep-alive",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)
#: the headers only the gateway sets: who the caller is, and the secret that vouches for it
_IDENTITY = (USER_HEADER, SECRET_HEADER)
_RESPONSE_DROP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "set-cookie", "server"}
)
#: characters a path segment keeps as they are when the canonical path is forwarded
_PATH_SAFE = "/:@!$&'()*+,=~"


def forwarded_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    """The client's headers that reach MLflow: not those of one hop, and none that could be
    read as an identity header (``header_forwarded``); the gateway sets those itself."""
    return {
        name: value
        for name, value in headers
        if name.lower() not in _REQUEST_DROP and header_forwarded(name, _IDENTITY)
    }


class _Unreachable(Exception):
    """MLflow gave no answer to a call the gateway makes itself."""


class MlflowProxyHandler(HubOAuthenticated, tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    def initialize(
        self,
        upstream: str,
        secret: str,
        prefix: str,
        events: PlatformClient | None = None,
        artifact_roots: tuple[str, ...] = (),
        catalog_prefix: str = DEFAULT_CATALOG_PREFIX,
    ) -> None:
        self.upstream = upstream
        self.catalog_prefix = catalog_prefix
        self.secret = secret
        self.prefix = prefix
        self.events = events
        self.artifact_roots = artifact_roots
        self._upstream_status = 0
        self._upstream_encoding = ""
        self._error_body: list[bytes] = []
        self.health_path = prefix + "health"
        self.request_id = accept_or_mint(self.request.headers.get(REQUEST_ID_HEADER))

    def check_xsrf_cookie(self) -> None:
        """MLflow's UI cannot send JupyterHub's XSRF token with its fetches, so a cookie-signed
        request is accepted when the browser itself vouches that it comes from this origin
        (``Sec-Fetch-Site``, or a matching ``Origin``), which a page on another site cannot fake.
        Token-authenticated calls (kernels, the sidebar) never reach this check."""
        site = self.request.headers.get("Sec-Fetch-Site")
        if site in ("same-origin", "none"):
            return
        origin = self.request.headers.get("Origin")
        if site is None and origin and urlparse(origin).netloc == self.request.host:
            return
        if site is None and origin is None and self.request.method in ("GET", "HEAD"):
            return  # a plain navigation from a client that sends neither header
        raise tornado.web.HTTPError(403, "cross-site request refused")

    def _is_api(self) -> bool:
        return "/api/" in self.request.path or "/ajax-api/" in self.request.path

    async def prepare(self) -> None:
        self.set_header(REQUEST_ID_HEADER, self.request_id)
        if self.request.path == self.health_path:  # probes carry no identity
            self.user = None
            return
        model = await self.hub_auth.get_user(self, sync=False)
        self.user = self.check_hub_user(model) if model else None
        if self.user is None:
            if self._is_api() or self.request.method != "GET":
                self._deny(
                    "Sign in to JupyterHub first: call MLflow with your JupyterHub API token "
                    "(MLFLOW_TRACKING_TOKEN, set for you in the workbench)."
                )
            else:
                self.redirect(self.get_login_url())
            return
        if is_platform_identity(self.user.get("name", "")):
            # the platform's own MLflow identity writes the catalog; a hub account of that name
            # would hold its rights, so none is let through, however it got made
            self._refuse(
                403,
                "PERMISSION_DENIED",
                "This account name is reserved for the platform itself.",
                reason="platform_identity_reserved",
            )

    def _deny(self, message: str) -> None:
        self._refuse(403, "PERMISSION_DENIED", message)

    def _refuse(self, status: int, error_code: str, message: str, *, reason: str = "") -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        answer = {"error_code": error_code, "message": message}
        if reason:  # our reason code beside MLflow's, for the sidebar to translate
            answer["reason"] = reason
        self.finish(answer)

    def _is_admin(self) -> bool:
        """A hub admin, or a holder of the platform's admin scope (the admins group)."""
        if not self.user:
            return False
        scopes = self.user.get("scopes") or []
        return bool(self.user.get("admin")) or Role.ADMIN in roles_from_scopes(scopes)

    async def _forward(self) -> None:
        user = self.user["name"] if self.user else ""
        body = self.request.body if self.request.body else None
        try:
            path = canonical_path(self.request.path, self.prefix)
        except NotCanonical as unclear:
            self._refuse(400, "BAD_REQUEST", str(unclear))
            return
        privacy_change: ChangePrivacy | None = None
        stamped: bytes | None = None
        endpoint = mlflow_endpoint(path, self.prefix)
        if user and endpoint is not None:
            # the registry's walls first: a catalog name is refused however the rest is spelled
            registry = registry_decision(
                self.request.method or "",
                endpoint,
                body,
                parse_qsl(self.request.query, keep_blank_values=True),
                user,
                prefix=self.catalog_prefix,
            )
            if isinstance(registry, RegistryRefusal):
                self._refuse(
                    registry.status, registry.error_code, registry.message, reason=registry.reason
                )
                return
            if isinstance(registry, RegistryStamp):
                stamped = registry.body
        if user:
            decision = decide(
                self.request.method or "",
                path,
                self.prefix,
                body,
                user,
                query=self.request.query,
                admin=self._is_admin(),
                artifact_roots=self.artifact_roots,
            )
            if isinstance(decision, Refuse):
                self._refuse(decision.status, decision.error_code, decision.message)
                return
            if isinstance(decision, ChangePrivacy):
                try:
                    refused = await self._apply_privacy(
                        user, decision.experiment_id, decision.private
                    )
                except _Unreachable:
                    self._unavailable(user)
                    return
                if refused:
                    self._refuse(403, "PERMISSION_DENIED", refused)
                    return
                body = decision.body
                privacy_change = decision
            elif isinstance(decision, Forward) and decision.body is not None:
                body = decision.body
            elif stamped is not None:
                body = stamped
        query = self.request.query
        uri = quote(path, safe=_PATH_SAFE) + (f"?{query}" if query else "")
        headers = forwarded_headers(list(self.request.headers.get_all()))
        if user:
            headers.update({USER_HEADER: user, SECRET_HEADER: self.secret})
        headers.update(
            {
                REQUEST_ID_HEADER: self.request_id,
                "X-Forwarded-For": self.request.remote_ip or "",
                "X-Forwarded-Proto": self.request.protocol,
                "X-Forwarded-Host": self.request.host,
            }
        )
        upstream = HTTPRequest(
            self.upstream + uri,
            method=self.request.method,
            headers=headers,
            body=body,
            allow_nonstandard_methods=True,
            follow_redirects=False,
            decompress_response=False,
            request_timeout=600,
            header_callback=self._on_upstream_header,
            streaming_callback=self._on_upstream_chunk,
        )
        try:
            response = await AsyncHTTPClient().fetch(upstream, raise_error=False)
        except (OSError, TimeoutError, HTTPClientError):
            # tornado's own HTTPTimeoutError (an HTTPClientError) is how a busy MLflow shows:
            # a request that waited past the connect timeout in this client's queue
            response = None
        if response is None or response.code == 599:
            self._unavailable(user)
            return
        if privacy_change is not None and 200 <= response.code < 300:
            await self._record_privacy(user, privacy_change)
        if self._error_body:
            self._finish_error(path)
            return
        self.finish()

    def _finish_error(self, path: str) -> None:
        """MLflow answered an error, held back until now: sent on as it is, or in its clean form
        (``upstream_error``) with a log line that lets an operator find MLflow's own record."""
        raw = b"".join(self._error_body)
        try:
            if self._upstream_encoding == "gzip":
                raw = gzip.decompress(raw)
            elif self._upstream_encoding == "deflate":
                raw = zlib.decompress(raw)
        except (OSError, zlib.error, EOFError):
            raw = b""
        cleaned = upstream_error(self._upstream_status, raw)
        if cleaned is None:
            self.finish(b"".join(self._error_body))
            return
        status, answer = cleaned
        if status >= 500:
            log.warning(
                "MLflow failed with %d on %s %s (request %s); its answer was replaced",
                status,
                self.request.method,
                path,
                self.request_id,
            )
        self.clear_header("Content-Encoding")
        self.set_header("Content-Type", "application/json")
        self.set_status(status)
        self.finish(answer)

    async def _record_privacy(self, user: str, change: ChangePrivacy) -> None:
        """MLflow accepted the change: the platform's audit log gets who made it. A lost report
        cannot undo the change, so it is logged (the reason only) and the answer goes on."""
        if self.events is None:
            return
        try:
            await self.events.record_privacy(
                change.experiment_id, actor=user, private=change.private
            )
        except PlatformError as err:
            log.warning(
                "privacy change of experiment %s not audited: %s", change.experiment_id, err.reason
            )

    async def _upstream_json(
        self, user: str, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        request = HTTPRequest(
            f"{self.upstream}{self.prefix}{path}",
            method=method,
            headers={
                USER_HEADER: user,
                SECRET_HEADER: self.secret,
                REQUEST_ID_HEADER: self.request_id,
                "Content-Type": "application/json",
            },
            body=json.dumps(payload) if payload is not None else None,
            request_timeout=60,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, TimeoutError, HTTPClientError):  # tornado raises its 599s regardless
            raise _Unreachable from None
        if response.code == 599:
            raise _Unreachable
        try:
            return response.code, json.loads(response.body or b"{}")
        except ValueError:
            return response.code, {}

    def _unavailable(self, user: str) -> None:
        """MLflow did not answer (down, restarting, or this client's queue timed out): a 503
        the client can retry, never a 500 with a traceback."""
        self.set_status(503)
        self.set_header("Content-Type", "application/json")
        self.finish(
            {
                "error_code": "TEMPORARILY_UNAVAILABLE",
                "message": "The MLflow server is not answering; it may be restarting.",
            }
        )
        log.warning("MLflow upstream unreachable for %s %s", self.request.method, user)

    async def _apply_privacy(self, owner: str, experiment_id: str, private: bool) -> str | None:
        """Before an experiment is flagged private (or public), deny (or restore) every other
        person's access, asking MLflow as the owner: MLflow lets only a manager of the experiment
        change its permissions, so a refusal here means the flag is not theirs to set. Who is
        denied is the core's rule (``privacy_acl``); this only makes the calls."""
        status, listing = await self._upstream_json(owner, "GET", "api/2.0/mlflow/users/list")
        if status != 200:
            return "MLflow did not let you list users, so the experiment's privacy is unchanged."
        users = [str(u.get("username", "")) for u in listing.get("users", [])]
        calls = privacy_acl(owner, users, experiment_id, private)
        results = await asyncio.gather(
            *(self._upstream_json(owner, "POST", call.path, dict(call.payload)) for call in calls)
        )
        failed = [code for code, answer in results if not acl_call_done(code, answer)]
        if failed:
            log.warning(
                "privacy of experiment %s: %d of %d calls refused",
                experiment_id,
                len(failed),
                len(results),
            )
            return "MLflow refused to change who may read this experiment; only its owner can."
        return None

    def _on_upstream_header(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if line.startswith("HTTP/"):
            parts = line.split(" ", 2)
            self._upstream_status = int(parts[1])
            self.set_status(self._upstream_status, parts[2] if len(parts) > 2 else None)
            # headers of a 100-continue or redirect chain restart here
            self.clear_header("Content-Type")
            self._upstream_encoding = ""
            return
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-encoding":
            self._upstream_encoding = value.strip().lower()
        if name.lower() not in _RESPONSE_DROP:
            self.add_header(name.strip(), value.strip())

    def _on_upstream_chunk(self, chunk: bytes) -> None:
        if self._upstream_status >= 400:  # an error body is small; it is read before it is sent
            self._error_body.append(chunk)
            return
        self.write(chunk)
        self.flush()

    get = head = post = put = patch = delete = options = _forward

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish({"error_code": "INTERNAL_ERROR", "message": "The MLflow gateway failed."})


class MlflowGatewayApp(Application):
    name = "mlplat-mlflow-gateway"
    description = "MLflow behind the JupyterHub login, as the hub user (a hub-managed service)."
    version = __version__

    aliases = {"upstream": "MlflowGatewayApp.upstream_url", "port": "MlflowGatewayApp.port"}

    upstream_url = Unicode(
        help="The MLflow server on loopback, e.g. http://127.0.0.1:8102 (started with "
        "--static-prefix equal to this service's prefix). Defaults to $MLPLAT_MLFLOW_UPSTREAM."
    ).tag(config=True)

    @default("upstream_url")
    def _upstream_default(self) -> str:
        return os.environ.get("MLPLAT_MLFLOW_UPSTREAM", "http://127.0.0.1:8102").rstrip("/")

    gateway_secret = Unicode(
        help=f"Secret shared with the MLflow server's auth function; defaults to ${SECRET_ENV}."
    ).tag(config=True)

    @default("gateway_secret")
    def _secret_default(self) -> str:
        return os.environ.get(SECRET_ENV, "")

    platform_url = Unicode(
        help="The platform service, where accepted privacy changes are recorded in the audit "
        "log, e.g. http://127.0.0.1:8101/services/mlplat/. Defaults to $MLPLAT_PLATFORM_URL; "
        "empty: privacy changes are not audited (a line at start says so)."
    ).tag(config=True)

    @default("platform_url")
    def _platform_url_default(self) -> str:
        return os.environ.get("MLPLAT_PLATFORM_URL", "")

    platform_token = Unicode(
        help="This service's token for the platform (scope custom:mlplat:record-events). "
        "Defaults to $JUPYTERHUB_API_TOKEN, the token the hub gives its services."
    ).tag(config=True)

    @default("platform_token")
    def _platform_token_default(self) -> str:
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    ip = Unicode(help="Address to listen on, e.g. 127.0.0.1.").tag(config=True)
    port = Int(help="Port to listen on, e.g. 8103.").tag(config=True)
    base_url = Unicode(help="Service prefix, e.g. /services/mlflow/.").tag(config=True)
    artifact_roots = List(
        Unicode(),
        help="Prefixes of the platform's artifact store that an experiment may name as its "
        "artifact location besides MLflow's proxied mlflow-artifacts:/ (e.g. "
        "s3://mlplat-artifacts/). Defaults to $MLPLAT_MLFLOW_ARTIFACTS_ROOT (comma-separated); "
        "empty: only mlflow-artifacts:/ locations.",
    ).tag(config=True)

    catalog_prefix = Unicode(
        DEFAULT_CATALOG_PREFIX,
        help="Registered models whose names start with it are the catalog's: people may read "
        "them, and only the platform writes them (every write naming one is refused here), "
        "e.g. catalog.; the platform's catalog_prefix. Defaults to $MLPLAT_CATALOG_PREFIX.",
    ).tag(config=True)

    @default("catalog_prefix")
    def _catalog_prefix_default(self) -> str:
        return os.environ.get("MLPLAT_CATALOG_PREFIX", DEFAULT_CATALOG_PREFIX)

    @default("artifact_roots")
    def _artifact_roots_default(self) -> list[str]:
        raw = os.environ.get("MLPLAT_MLFLOW_ARTIFACTS_ROOT", "")
        return [root.strip() for root in raw.split(",") if root.strip()]

    max_body_size = Int(
        1024**3, help="Largest request body (artifact upload) accepted, in bytes, e.g. 1073741824."
    ).tag(config=True)

    @default("ip")
    def _ip_default(self) -> str:
        return (
            urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8103")).hostname
            or "127.0.0.1"
        )

    @default("port")
    def _port_default(self) -> int:
        return (
            urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8103")).port or 8103
        )

    @default("base_url")
    def _base_url_default(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/mlflow/")

    @default("log_format")
    def _log_format_default(self) -> str:
        return LOG_FORMAT.replace(" req=%(request_id)s", "")

    def make_tornado_app(self, hub_auth: HubOAuth | None = None) -> tornado.web.Application:
        if not self.gateway_secret:
            raise SystemExit(f"{self.name}: set {SECRET_ENV} (shared with the MLflow server)")
        hub_auth = hub_auth or HubOAuth(parent=self, cache_max_age=60)
        prefix = "/" + self.base_url.strip("/") + "/"
        return tornado.web.Application(
            [
                (prefix + "oauth_callback", HubOAuthCallbackHandler),
                (
                    prefix + ".*",
                    MlflowProxyHandler,
                    {
                        "upstream": self.upstream_url,
                        "secret": self.gateway_secret,
                        "prefix": prefix,
                        "events": self._events(),
                        "artifact_roots": tuple(self.artifact_roots),
                        "catalog_prefix": self.catalog_prefix,
                    },
                ),
            ],
            hub_auth=hub_auth,
            cookie_secret=os.urandom(32),
            xsrf_cookies=False,
            log_function=lambda handler: None,
        )

    def _events(self) -> PlatformClient | None:
        if not self.platform_url:
            self.log.warning("no platform_url: privacy changes made in MLflow are not audited")
            return None
        return PlatformClient(self.platform_url, self.platform_token, timeout=5.0)

    def start(self) -> None:
        app = self.make_tornado_app()
        app.listen(self.port, self.ip, max_body_size=self.max_body_size, xheaders=True)
        self.log.info(
            "MLflow gateway on http://%s:%s%s → %s",
            self.ip,
            self.port,
            self.base_url,
            self.upstream_url,
        )
        tornado.ioloop.IOLoop.current().start()


def main(argv: list[str] | None = None) -> None:
    MlflowGatewayApp.launch_instance(argv)
