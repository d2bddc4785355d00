"""API keys: a person's keys (create, list, rotate, revoke) and the gateway's check.

A key is never accepted on these routes (the handler base refuses it on every route but the
catalog's reads): a leaked key cannot make more keys or keep itself alive. The check is for
the hub service that holds ``custom:mlplat:check-keys`` (the deployments' gateway), no person.
"""

from __future__ import annotations

from jupyterlab_mlplat.api.apikeys import (
    ID_PATH,
    ApiKeyBody,
    ApiKeyCreate,
    ApiKeyList,
    IssuedKeyBody,
    KeyCheckAnswer,
    KeyCheckBody,
    RotateBody,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.core.apikeys.rules import key_id as checked_id
from jupyterlab_mlplat.core.kernel.identity import CHECK_KEYS_SCOPE
from jupyterlab_mlplat.platform.base import PlatformHandler

_ERRORS = {404: "No such key, or not the caller's."}


class ApiKeysHandler(PlatformHandler):
    route_name = "apikeys"

    @operation(
        "The caller's API keys, newest first (never a secret); admins may list everybody's.",
        {200: (ApiKeyList, "The keys.")},
        query=[Query("all", "`true`: every person's keys (admins only).", enum=("true", "false"))],
    )
    async def get(self) -> None:
        everyone = self.flag_argument("all")
        found = await self.run(self.services.apikeys.mine, self.identity, everyone=everyone)
        self.send_model(ApiKeyList.of(found))

    @operation(
        "Create a key: its secret is in this answer once and stored only as a digest.",
        {201: (IssuedKeyBody, "The key and its secret.")},
        body=ApiKeyCreate,
    )
    async def post(self) -> None:
        b = self.parse(ApiKeyCreate)
        issued = await self.run(
            self.services.apikeys.create,
            self.identity,
            b.name,
            b.deployments,
            b.catalog_read,
            b.expires_at,
            b.rate_limit,
        )
        self.send_model(IssuedKeyBody.of(issued), 201)


class ApiKeyHandler(PlatformHandler):
    route_name = "apikey"

    @operation(
        "Revoke a key (its owner, or an admin): refused from now on.",
        {200: (ApiKeyBody, "The key, revoked.")},
        path=ID_PATH,
        errors=_ERRORS,
    )
    async def delete(self, key_id: str) -> None:
        revoked = await self.run(self.services.apikeys.revoke, self.identity, checked_id(key_id))
        self.send_model(ApiKeyBody.of(revoked))


class RotateHandler(PlatformHandler):
    route_name = "apikey_rotate"

    @operation(
        "Rotate a key (its owner): a new secret with the same scopes; the old one works for "
        "`overlap_seconds` more, then is refused.",
        {201: (IssuedKeyBody, "The new key and its secret.")},
        body=RotateBody,
        path=ID_PATH,
        errors={**_ERRORS, 409: "The key is revoked, expired or rotated already."},
    )
    async def post(self, key_id: str) -> None:
        body = self.parse(RotateBody)
        issued = await self.run(
            self.services.apikeys.rotate, self.identity, checked_id(key_id), body.overlap_seconds
        )
        self.send_model(IssuedKeyBody.of(issued), 201)


class CheckHandler(PlatformHandler):
    route_name = "apikeys_check"
    allows_services = True

    @operation(
        "Whether a secret is a key that may be used now, and its scopes (the deployments' "
        "gateway, with its hub service token); records the key's last use.",
        {200: (KeyCheckAnswer, "The key may be used.")},
        body=KeyCheckBody,
        grant=CHECK_KEYS_SCOPE,
        errors={401: "The key is unknown, revoked or expired (`reason` says which)."},
    )
    async def post(self) -> None:
        body = self.parse(KeyCheckBody)
        key = await self.run(self.services.apikeys.check, body.secret, body.address)
        self.send_model(KeyCheckAnswer.of(key))


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/apikeys", ApiKeysHandler),
    ("api/v1/apikeys/check", CheckHandler),
    ("api/v1/apikeys/(?P<key_id>[^/]+)", ApiKeyHandler),
    ("api/v1/apikeys/(?P<key_id>[^/]+)/rotate", RotateHandler),
]
