"""API keys: a person's keys (through their server), and the gateway's check of a secret
(with the gateway's hub service token, which holds ``custom:mlplat:check-keys``)."""

from __future__ import annotations

from typing import Any

from jupyterlab_mlplat.api.apikeys import (
    ApiKeyBody,
    ApiKeyList,
    IssuedKeyBody,
    KeyCheckAnswer,
)

from .transport import Transport

_BASE = "api/v1/apikeys"


class ApiKeyCalls(Transport):
    async def api_keys(self, *, everyone: bool = False) -> ApiKeyList:
        return await self._get(_BASE + ("?all=true" if everyone else ""), ApiKeyList)

    async def create_api_key(self, body: dict[str, Any]) -> IssuedKeyBody:
        """``body`` as ``api.apikeys.ApiKeyCreate`` (JSON-ready)."""
        return await self._send("POST", _BASE, body, IssuedKeyBody)

    async def revoke_api_key(self, key_id: int) -> ApiKeyBody:
        return await self._send("DELETE", f"{_BASE}/{int(key_id)}", None, ApiKeyBody)

    async def rotate_api_key(self, key_id: int, overlap_seconds: int) -> IssuedKeyBody:
        body = {"overlap_seconds": int(overlap_seconds)}
        return await self._send("POST", f"{_BASE}/{int(key_id)}/rotate", body, IssuedKeyBody)


class ApiKeysClient(Transport):
    """The deployments' gateway's view of API keys: one call, the check.

    ``check`` raises the core's ``KeyUnknown``, ``KeyRevoked`` or ``KeyExpired`` (401s of the
    platform, reason and params kept) for a key that may not be used, and ``Unavailable`` when
    the platform does not answer; the gateway answers its caller accordingly.
    """

    async def check(self, secret: str, address: str) -> KeyCheckAnswer:
        body = {"secret": secret, "address": address[:255]}
        return await self._send("POST", f"{_BASE}/check", body, KeyCheckAnswer)
