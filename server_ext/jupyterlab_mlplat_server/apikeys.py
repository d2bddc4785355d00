"""The sidebar's API keys: each verb forwards to the platform as the person, which decides the
limits, keeps only digests and audits every change. The secret of a new or rotated key passes
through once, in the answer, and is neither logged nor kept here."""

from __future__ import annotations

import tornado.web

from jupyterlab_mlplat.api.apikeys import (
    ID_PATH,
    ApiKeyBody,
    ApiKeyCreate,
    ApiKeyList,
    IssuedKeyBody,
    RotateBody,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.core.apikeys.rules import key_id as checked_id

from .base import SidebarHandler

_ERRORS = {404: "No such key, or not the person's."}


class ApiKeysHandler(SidebarHandler):
    @operation(
        "The person's API keys, newest first (never a secret); admins may list everybody's.",
        {200: (ApiKeyList, "The keys.")},
        query=[Query("all", "`true`: every person's keys (admins only).", enum=("true", "false"))],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        everyone = self.flag_argument("all")
        self.write_model(await self.client.api_keys(everyone=everyone))

    @operation(
        "Create a key: its secret is in this answer once and stored only as a digest.",
        {201: (IssuedKeyBody, "The key and its secret.")},
        body=ApiKeyCreate,
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(ApiKeyCreate)
        self.write_model(await self.client.create_api_key(body.model_dump(mode="json")), 201)


class ApiKeyHandler(SidebarHandler):
    @operation(
        "Revoke a key (its owner, or an admin): refused from now on.",
        {200: (ApiKeyBody, "The key, revoked.")},
        path=ID_PATH,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def delete(self, key_id: str) -> None:
        self.write_model(await self.client.revoke_api_key(checked_id(key_id)))


class RotateHandler(SidebarHandler):
    @operation(
        "Rotate a key: a new secret with the same scopes; the old one works for "
        "`overlap_seconds` more, then is refused.",
        {201: (IssuedKeyBody, "The new key and its secret.")},
        body=RotateBody,
        path=ID_PATH,
        errors={**_ERRORS, 409: "The key is revoked, expired or rotated already."},
    )
    @tornado.web.authenticated
    async def post(self, key_id: str) -> None:
        body = self.parse(RotateBody)
        rotated = self.client.rotate_api_key(checked_id(key_id), body.overlap_seconds)
        self.write_model(await rotated, 201)


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("apikeys", ApiKeysHandler),
    ("apikeys/(?P<key_id>[^/]+)", ApiKeyHandler),
    ("apikeys/(?P<key_id>[^/]+)/rotate", RotateHandler),
]
