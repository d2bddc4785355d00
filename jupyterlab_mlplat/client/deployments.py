"""Deployments and their sizes, as the sidebar's server calls the platform for its person."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from pydantic import ValidationError

from jupyterlab_mlplat.api.deployments import (
    DeploymentBody,
    DeploymentList,
    LogsBody,
    RevisionList,
    SizeBody,
    SizeList,
)

from .transport import Transport

_BASE = "api/v1/deployments"
_SIZES = "api/v1/deployment-sizes"


def _name(name: str) -> str:
    """One path segment, whatever the person typed: the platform checks the name itself."""
    return quote(name, safe="")


class DeploymentCalls(Transport):
    async def deployments(self, *, everyone: bool = False) -> DeploymentList:
        query = "?all=true" if everyone else ""
        return await self._get(_BASE + query, DeploymentList)

    async def deployment(self, name: str, since: int | None = None) -> DeploymentBody | None:
        """The deployment's page; with ``since``, None when nothing changed after it."""
        if since is None:
            return await self._get(f"{_BASE}/{_name(name)}", DeploymentBody)
        query = urlencode({"since": int(since)})
        answer = await self._send_raw("GET", f"{_BASE}/{_name(name)}?{query}", None)
        if not answer:
            return None
        try:
            return DeploymentBody.model_validate_json(answer)
        except ValidationError:
            raise self._not_understood() from None

    async def create_deployment(self, body: dict[str, Any]) -> DeploymentBody:
        return await self._send("POST", _BASE, body, DeploymentBody)

    async def deployment_change(
        self, name: str, method: str, verb: str, body: dict[str, Any]
    ) -> DeploymentBody:
        """``PUT traffic``, ``POST promote``, ``POST rollback`` or ``PUT size``."""
        path = f"{_BASE}/{_name(name)}/{verb}"
        return await self._send(method, path, body, DeploymentBody)

    async def delete_deployment(self, name: str, revision: int) -> DeploymentBody:
        query = urlencode({"revision": int(revision)})
        return await self._send("DELETE", f"{_BASE}/{_name(name)}?{query}", None, DeploymentBody)

    async def deployment_revisions(self, name: str) -> RevisionList:
        return await self._get(f"{_BASE}/{_name(name)}/revisions", RevisionList)

    async def deployment_logs(self, name: str, version: str, tail: int) -> LogsBody:
        query = urlencode({"version": version, "tail": int(tail)})
        return await self._get(f"{_BASE}/{_name(name)}/logs?{query}", LogsBody)

    async def deployment_sizes(self) -> SizeList:
        return await self._get(_SIZES, SizeList)

    async def create_size(self, body: dict[str, Any]) -> SizeBody:
        return await self._send("POST", _SIZES, body, SizeBody)

    async def update_size(self, size: str, body: dict[str, Any]) -> SizeBody:
        return await self._send("PUT", f"{_SIZES}/{_name(size)}", body, SizeBody)

    async def delete_size(self, size: str, revision: int) -> None:
        query = urlencode({"revision": int(revision)})
        await self._send_raw("DELETE", f"{_SIZES}/{_name(size)}?{query}", None)
