"""The transport of the platform client: one request, retries for reads, the error table.

Every failure surfaces as a core error: an unreachable platform is ``Unavailable`` with a message
a person can act on; a platform error keeps the platform's message, status, reason and params.
The request id of the request being served travels along by itself (a context variable).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from jupyterlab_mlplat.api.errors import ErrorBody, FieldReason, declare_every_reason, error_for
from jupyterlab_mlplat.api.request_id import REQUEST_ID_HEADER, current_request_id
from jupyterlab_mlplat.core.kernel.errors import (
    FieldProblem,
    InvalidInput,
    PlatformError,
    PlatformMismatch,
    PlatformUnreachable,
    Unavailable,
    field_reasons,
)

M = TypeVar("M", bound=BaseModel)


class _Unreachable(Exception):
    """The connection itself failed: worth one quick retry for an idempotent read."""


class Transport:
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
        return f"{type(self).__name__}({self.base_url!r})"

    # ---- transport
    def _request(self, method: str, path: str, body: Any = None) -> HTTPRequest:
        headers = {"Authorization": f"token {self._token}", "Accept": "application/json"}
        request_id = current_request_id.get()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        if body is not None:
            headers["Content-Type"] = "application/json"
        return HTTPRequest(
            self.base_url + path,
            method=method,
            headers=headers,
            body=None if body is None else json.dumps(body),
            allow_nonstandard_methods=True,
            connect_timeout=self._timeout,
            request_timeout=self._timeout,
        )

    async def _send(self, method: str, path: str, body: Any, model: type[M]) -> M:
        answer = await self._send_raw(method, path, body)
        try:
            return model.model_validate_json(answer)
        except ValidationError:
            raise self._not_understood() from None

    async def _send_raw(self, method: str, path: str, body: Any) -> bytes:
        """A change: sent once, never retried (the platform may have applied it)."""
        try:
            status, answer = await self._fetch(self._request(method, path, body))
        except _Unreachable as err:
            raise self._unreachable(err) from None
        if 200 <= status < 300:
            return answer
        raise self._error(status, answer)

    def _unreachable(self, err: _Unreachable) -> Unavailable:
        return PlatformUnreachable(
            f"The ML platform is not reachable at {self.base_url} ({err}). "
            "It may be restarting; the sidebar retries by itself."
        )

    @staticmethod
    def _not_understood() -> Unavailable:
        return PlatformMismatch(
            "The ML platform answered with a body this version does not understand; "
            "the platform and the user server may be on different releases."
        )

    async def _get(self, path: str, model: type[M], *, body_on_503: bool = False) -> M:
        request = self._request("GET", path)
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
            raise self._unreachable(err) from None
        if status == 200 or (body_on_503 and status == 503):
            try:
                return model.model_validate_json(body)
            except ValidationError:
                if status == 200:
                    raise self._not_understood() from None
        raise self._error(status, body)

    async def _fetch(self, request: HTTPRequest) -> tuple[int, bytes]:
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, TimeoutError) as err:
            raise _Unreachable(type(err).__name__) from None
        except HTTPClientError as err:
            # raise_error=False keeps HTTP statuses, but tornado still raises its own 599s
            # (timeouts of a platform that accepts connections and never answers)
            if err.code != 599:
                raise
            raise _Unreachable(err.message or "no response") from None
        if response.code == 599:  # tornado's "no HTTP response": refused, reset, timed out
            raise _Unreachable(str(response.error) if response.error else "no response")
        return response.code, response.body or b""

    @staticmethod
    def _error(status: int, body: bytes) -> PlatformError:
        try:
            answer: ErrorBody | None = ErrorBody.model_validate_json(body)
        except ValidationError:
            answer = None
        message = answer.message if answer else f"The ML platform answered {status}."
        if status >= 500 and status != 503:
            return PlatformUnreachable(
                f"The ML platform failed ({status}): {message}", params={"status": status}
            )
        if answer is None:
            return error_for(status, message)
        error = error_for(status, message, answer.reason, answer.params)
        if isinstance(error, InvalidInput):
            error.fields = dict(answer.fields) if answer.fields else None
            error.field_reasons = _problems(answer.field_reasons)
        return error


def _problems(found: dict[str, FieldReason] | None) -> dict[str, FieldProblem] | None:
    """Field reasons as the platform sent them; one this release does not know is dropped (the
    form then shows the English message of that field)."""
    if not found:
        return None
    known = set(field_reasons())
    if any(item.reason not in known for item in found.values()):
        declare_every_reason()  # another feature's field reasons
        known = set(field_reasons())
    return {
        path: FieldProblem(item.reason, item.params)
        for path, item in found.items()
        if item.reason in known
    } or None
