"""Typed async client of the platform API, used by the server extension (and later the SDK).

Every failure surfaces as a core error: an unreachable platform is ``Unavailable`` with a message
a person can act on; a platform error keeps the platform's message and status.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from jupyterlab_mlplat.core.errors import InvalidInput, PlatformError, Unavailable
from jupyterlab_mlplat.platform.errors import error_for
from jupyterlab_mlplat.platform.observability import REQUEST_ID_HEADER
from jupyterlab_mlplat.platform.schemas import (
    GitCredential,
    GitLabAccount,
    GitLabTokenInfo,
    Health,
    LatestPipeline,
    Me,
    MergeRequestBody,
    MergeRequestCreate,
    MergeRequestList,
    NamespaceList,
    PodPreview,
    ProfileList,
    ProfileRecord,
    ProjectBody,
    ProjectCreate,
)

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

    # ---- workspace profiles (admins edit; everyone reads those open to them)
    async def profiles(self, *, request_id: str | None = None) -> ProfileList:
        return await self._get("api/v1/profiles", ProfileList, request_id)

    async def create_profile(
        self, profile: dict[str, Any], *, request_id: str | None = None
    ) -> ProfileRecord:
        return await self._send("POST", "api/v1/profiles", profile, ProfileRecord, request_id)

    async def replace_profile(
        self, slug: str, profile: dict[str, Any], revision: int, *, request_id: str | None = None
    ) -> ProfileRecord:
        body = {"profile": profile, "revision": revision}
        path = f"api/v1/profiles/{quote(slug, safe='')}"
        return await self._send("PUT", path, body, ProfileRecord, request_id)

    async def delete_profile(
        self, slug: str, revision: int, *, request_id: str | None = None
    ) -> None:
        path = f"api/v1/profiles/{quote(slug, safe='')}?revision={int(revision)}"
        await self._send_raw("DELETE", path, None, request_id)

    async def preview_profile(
        self, profile: dict[str, Any], *, request_id: str | None = None
    ) -> PodPreview:
        return await self._send("POST", "api/v1/profile-preview", profile, PodPreview, request_id)

    # ---- GitLab, with the person's saved token
    async def gitlab_account(self, *, request_id: str | None = None) -> GitLabAccount:
        return await self._get("api/v1/gitlab/account", GitLabAccount, request_id)

    async def save_gitlab_token(
        self, token: str, *, request_id: str | None = None
    ) -> GitLabTokenInfo:
        body = {"token": token}
        return await self._send("PUT", "api/v1/gitlab/token", body, GitLabTokenInfo, request_id)

    async def delete_gitlab_token(self, *, request_id: str | None = None) -> None:
        await self._send_raw("DELETE", "api/v1/gitlab/token", None, request_id)

    async def git_credential(self, *, request_id: str | None = None) -> GitCredential:
        return await self._send("POST", "api/v1/gitlab/credential", {}, GitCredential, request_id)

    async def gitlab_namespaces(self, *, request_id: str | None = None) -> NamespaceList:
        return await self._get("api/v1/gitlab/namespaces", NamespaceList, request_id)

    async def create_gitlab_project(
        self, project: ProjectCreate, *, request_id: str | None = None
    ) -> ProjectBody:
        body = project.model_dump()
        return await self._send("POST", "api/v1/gitlab/projects", body, ProjectBody, request_id)

    async def open_merge_request(
        self, request: MergeRequestCreate, *, request_id: str | None = None
    ) -> MergeRequestBody:
        body = request.model_dump()
        path = "api/v1/gitlab/merge-requests"
        return await self._send("POST", path, body, MergeRequestBody, request_id)

    async def merge_requests(
        self, remote_url: str, branch: str, *, request_id: str | None = None
    ) -> MergeRequestList:
        query = urlencode({"remote_url": remote_url, "branch": branch})
        path = f"api/v1/gitlab/merge-requests?{query}"
        return await self._get(path, MergeRequestList, request_id)

    async def latest_pipeline(
        self, remote_url: str, ref: str, *, request_id: str | None = None
    ) -> LatestPipeline:
        query = urlencode({"remote_url": remote_url, "ref": ref})
        return await self._get(
            f"api/v1/gitlab/pipelines/latest?{query}", LatestPipeline, request_id
        )

    # ---- transport
    def _request(
        self, method: str, path: str, request_id: str | None, body: Any = None
    ) -> HTTPRequest:
        headers = {"Authorization": f"token {self._token}", "Accept": "application/json"}
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

    async def _send(
        self, method: str, path: str, body: Any, model: type[M], request_id: str | None
    ) -> M:
        answer = await self._send_raw(method, path, body, request_id)
        try:
            return model.model_validate_json(answer)
        except ValidationError:
            raise self._not_understood() from None

    async def _send_raw(self, method: str, path: str, body: Any, request_id: str | None) -> bytes:
        """A change: sent once, never retried (the platform may have applied it)."""
        try:
            status, answer = await self._fetch(self._request(method, path, request_id, body))
        except _Unreachable as err:
            raise self._unreachable(err) from None
        if 200 <= status < 300:
            return answer
        raise self._error(status, answer)

    def _unreachable(self, err: _Unreachable) -> Unavailable:
        return Unavailable(
            f"The ML platform is not reachable at {self.base_url} ({err}). "
            "It may be restarting; the sidebar retries by itself."
        )

    @staticmethod
    def _not_understood() -> Unavailable:
        return Unavailable(
            "The ML platform answered with a body this version does not understand; "
            "the platform and the user server may be on different releases."
        )

    async def _get(
        self, path: str, model: type[M], request_id: str | None, *, body_on_503: bool = False
    ) -> M:
        request = self._request("GET", path, request_id)
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
        message, reason, fields = f"The ML platform answered {status}.", None, None
        try:
            payload = json.loads(body)
            message = str(payload.get("message") or message)
            reason = payload.get("reason")
            fields = payload.get("fields")
        except (ValueError, AttributeError):
            pass
        if status >= 500 and status != 503:
            return Unavailable(f"The ML platform failed ({status}): {message}")
        error = error_for(status, message, reason)
        if isinstance(error, InvalidInput) and isinstance(fields, dict):
            error.fields = {str(k): str(v) for k, v in fields.items()}
        return error
