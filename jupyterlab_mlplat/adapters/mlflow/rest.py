"""MLflow's REST API as every adapter of ours calls it: one request, MLflow's answers mapped to
the core's typed errors in one table, and MLflow's page tokens as the core's.

Shared by the tracker (``tracking.py``) and the model registry (``registry.py``); who the call is
made as is the subclass's business (a person's hub token through the gateway, or the platform's
identity headers straight to MLflow).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from typing import Any
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

import aiohttp

from jupyterlab_mlplat.core.experiments.errors import (
    MLflowFailed,
    MLflowForbidden,
    MLflowNotFound,
    MLflowRefused,
    MLflowTokenRefused,
    MLflowUnavailable,
)
from jupyterlab_mlplat.core.kernel.errors import NotFound, PlatformError

#: MLflow error codes → the core's errors (HTTP status decides when the code is unknown)
ERROR_TABLE: dict[str, type[PlatformError]] = {
    "RESOURCE_DOES_NOT_EXIST": MLflowNotFound,
    "NOT_FOUND": MLflowNotFound,
    "ENDPOINT_NOT_FOUND": MLflowNotFound,
    "INVALID_PARAMETER_VALUE": MLflowRefused,
    "BAD_REQUEST": MLflowRefused,
    "MALFORMED_REQUEST": MLflowRefused,
    "RESOURCE_ALREADY_EXISTS": MLflowRefused,
    "PERMISSION_DENIED": MLflowForbidden,
    "UNAUTHENTICATED": MLflowTokenRefused,
    "TEMPORARILY_UNAVAILABLE": MLflowUnavailable,
}
STATUS_TABLE: dict[int, type[PlatformError]] = {
    400: MLflowRefused,
    401: MLflowTokenRefused,
    403: MLflowForbidden,
    404: MLflowNotFound,
    503: MLflowUnavailable,
}
HISTORY_PAGE = 25_000
#: how much of MLflow's own message travels as ``params.said``
SAID_LIMIT = 300


def mlflow_error(status: int, body: bytes, *, missing: NotFound | None) -> PlatformError:
    """The core error for an MLflow answer; ``missing`` is what a read reports when the object
    is absent or hidden."""
    try:
        payload = json.loads(body)
        code = str(payload.get("error_code", ""))
        message = str(payload.get("message", "")) or f"MLflow answered {status}"
    except (ValueError, AttributeError):
        code, message = "", f"MLflow answered {status}"
    kind = ERROR_TABLE.get(code) or STATUS_TABLE.get(status)
    if kind is None:
        return MLflowFailed(
            f"MLflow failed ({status}); try again in a moment", params={"status": status}
        )
    if missing is not None and kind in (MLflowNotFound, MLflowForbidden):
        # MLflow's auth answers 403 for a run that does not exist, so an id cannot be probed.
        return missing
    if kind is MLflowRefused:
        return MLflowRefused(message, params={"said": message[:SAID_LIMIT]})
    if kind is MLflowUnavailable:
        return MLflowUnavailable("MLflow is temporarily unavailable; try again in a moment.")
    return kind(message)


def to_mlflow_token(token: str) -> str:
    """The core's page token (rows before the page) as MLflow writes one
    (``SearchUtils.create_page_token``: base64 of ``{"offset": n}``)."""
    return base64.b64encode(json.dumps({"offset": int(token)}).encode()).decode()


def from_mlflow_token(token: str | None) -> str | None:
    """MLflow's ``next_page_token`` as the core's: its offset in decimal digits."""
    if not token:
        return None
    try:
        offset = json.loads(base64.b64decode(token, validate=True)).get("offset")
    except (binascii.Error, ValueError, AttributeError):
        offset = None
    if type(offset) is not int or offset < 1:
        raise MLflowFailed(
            "MLflow handed out a page token of a form this workbench does not know.",
            params={"status": 200},
        )
    return str(offset)


def int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


#: connections to MLflow one process keeps open at most; more calls wait for one (tornado's
#: client, used before, also let 10 through at a time)
MAX_CONNECTIONS = 10
#: seconds an idle connection is kept: under the 5 s after which the hub's proxy and MLflow's
#: server close one, so that a call never goes out on a connection the other side just closed
KEEP_ALIVE_S = 4.0
_pools: WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession] = WeakKeyDictionary()


def _pool() -> aiohttp.ClientSession:
    """This event loop's connections to MLflow, kept open between calls.

    A sidebar request costs its person's server one or more MLflow calls; opening a connection
    for each (name lookup in a thread, connect, a new stream) was most of the server's CPU per
    request (bench/sidebar_load.py), and the proxy and the gateway paid for each accept too.
    Shared by every adapter instance (the platform makes one per author it acts as)."""
    loop = asyncio.get_running_loop()
    session = _pools.get(loop)
    if session is None or session.closed:
        connector = aiohttp.TCPConnector(limit=MAX_CONNECTIONS, keepalive_timeout=KEEP_ALIVE_S)
        # no cookies: every call carries its caller's own headers, never another's session
        session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
        _pools[loop] = session
    return session


async def close_connections() -> None:
    """Close this event loop's connections to MLflow (a server stopping)."""
    session = _pools.pop(asyncio.get_running_loop(), None)
    if session is not None:
        await session.close()


class MlflowRest:
    """One MLflow server, called with a person's hub token (``token``) or, by a subclass, with
    other headers (``_auth_headers``)."""

    def __init__(self, tracking_uri: str, token: str, *, timeout: float = 30.0) -> None:
        self.base = tracking_uri.rstrip("/")
        self._token = token
        self._timeout = timeout

    def __repr__(self) -> str:  # never show the token
        return f"{type(self).__name__}({self.base!r})"

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def _call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | list[tuple[str, Any]] | None = None,
        payload: dict[str, Any] | None = None,
        body: bytes | None = None,
        content_type: str = "application/json",
        missing: NotFound | None = None,
    ) -> tuple[bytes, str]:
        url = f"{self.base}/{path}" + (f"?{urlencode(query, doseq=True)}" if query else "")
        headers = self._auth_headers()
        if payload is not None:
            body = json.dumps(payload).encode()
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            # MLflow reads a DELETE's body too (alias, tags); aiohttp sends any method's body
            async with _pool().request(
                method,
                url,
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self._timeout, sock_connect=self._timeout),
            ) as response:
                status = response.status
                answer = await response.read()
                content_type = response.headers.get("Content-Type", "")
        except (OSError, TimeoutError, aiohttp.ClientError):
            # refused, reset, or not answered in time (MLflow, or the queue before it, busy):
            # not reachable right now, never an unexpected failure
            raise MLflowUnavailable(
                "MLflow is not reachable right now; the workbench retries by itself."
            ) from None
        if status >= 300:
            raise mlflow_error(status, answer, missing=missing)
        return answer, content_type

    async def _json(
        self, method: str, path: str, *, root: str = "api", **kwargs: Any
    ) -> dict[str, Any]:
        body, _ = await self._call(method, f"{root}/2.0/mlflow/{path}", **kwargs)
        return json.loads(body or b"{}")  # type: ignore[no-any-return]
