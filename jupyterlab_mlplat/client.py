"""Typed async client of the platform API, used by the server extension (and later the SDK).

Every failure surfaces as a core error: an unreachable platform is ``Unavailable`` with a message
a person can act on; a platform error keeps the platform's message and status.
"""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from jupyterlab_mlplat.core.errors import PlatformError, Unavailable
from jupyterlab_mlplat.platform.errors import error_for
from jupyterlab_mlplat.platform.observability import REQUEST_ID_HEADER
from jupyterlab_mlplat.platform.schemas import Health, Me

M = TypeVar("M", bound=BaseModel)


class _Unreachable(Exception):
    """The connection itself failed: worth one quick retry for an idempotent read."""


class PlatformClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        attempts: int = 2,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self._token = token
        self._timeout = timeout
        self._attempts = attempts

    def __repr__(self) -> str:  # never show the token
        return f"PlatformClient({self.base_url!r})"

    async def me(self, *, request_id: str | None = None) -> Me:
        return await self._get("api/v1/me", Me, request_id)

    async def health(self, *, request_id: str | None = None) -> Health:
        """The platform's own report; a failing check arrives as 503 with the same body."""
        return await self._get("api/v1/health", Health, request_id, body_on_503=True)

    async def _get(
        self, path: str, model: type[M], request_id: str | None, *, body_on_503: bool = False
    ) -> M:
        headers = {"Authorization": f"token {self._token}", "Accept": "application/json"}
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        request = HTTPRequest(
            self.base_url + path,
            method="GET",
            headers=headers,
            connect_timeout=self._timeout,
            request_timeout=self._timeout,
        )
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_Unreachable),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=0.2, max=1),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    status, body = await self._fetch(request)
        except _Unreachable as err:
            raise Unavailable(
                f"The ML platform is not reachable at {self.base_url} ({err}). "
                "It may be restarting; the sidebar retries by itself."
            ) from None
        if status == 200 or (body_on_503 and status == 503):
            try:
                return model.model_validate_json(body)
            except ValidationError:
                if status == 200:
                    raise Unavailable(
                        "The ML platform answered with a body this version does not understand; "
                        "the platform and the user server may be on different releases."
                    ) from None
        raise self._error(status, body)

    async def _fetch(self, request: HTTPRequest) -> tuple[int, bytes]:
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, TimeoutError) as err:
            raise _Unreachable(type(err).__name__) from None
        if response.code == 599:  # tornado's "no HTTP response": refused, reset, timed out
            raise _Unreachable(str(response.error) if response.error else "no response")
        return response.code, response.body or b""

    @staticmethod
    def _error(status: int, body: bytes) -> PlatformError:
        message, reason = f"The ML platform answered {status}.", None
        try:
            payload = json.loads(body)
            message = str(payload.get("message") or message)
            reason = payload.get("reason")
        except (ValueError, AttributeError):
            pass
        if status >= 500 and status != 503:
            return Unavailable(f"The ML platform failed ({status}): {message}")
        return error_for(status, message, reason)
