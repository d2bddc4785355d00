"""A real platform on a real socket (SQLite and PostgreSQL) for the API keys' tests, with a
clock the tests move and the people the hub would vouch for.

``People`` is the hub's answer for a few tokens (a platform authenticator, the port the hub
token check implements): alice and bob are data scientists, adam an admin, ``gateway`` the
hub service holding ``custom:mlplat:check-keys`` and ``spawner`` one that holds another
grant. It records every credential it was shown, so a test can prove that no API key ever
reaches the hub.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest_asyncio
import tornado.httpserver
import tornado.netutil
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from jupyterlab_mlplat.adapters.cipher import key_from_file
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.apikeys.service import ApiKeyService
from jupyterlab_mlplat.core.kernel.errors import NoToken, TokenRefused
from jupyterlab_mlplat.core.kernel.identity import (
    CHECK_KEYS_SCOPE,
    READ_PROFILES_SCOPE,
    Identity,
    Role,
)
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import PlatformAuthenticator

ALICE, BOB, ADAM, GATEWAY, SPAWNER = (
    "alice-token",
    "bob-token",
    "adam-token",
    "gateway-token",
    "spawner-token",
)
TOKENS = {
    "alice-token": Identity("alice", ("data-scientists",)),
    "bob-token": Identity("bob", ("data-scientists",)),
    "adam-token": Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN)),
    "gateway-token": Identity(
        "mlplat-gateway", roles=(), kind="service", grants=frozenset({CHECK_KEYS_SCOPE})
    ),
    "spawner-token": Identity(
        "hub-spawner", roles=(), kind="service", grants=frozenset({READ_PROFILES_SCOPE})
    ),
}
#: what the hub was shown, by every platform of the session
SHOWN_TO_HUB: list[str] = []
#: bob's deployment, as the deployments feature would answer
OWNERS = {"bobs-model": "bob", "alices-model": "alice"}
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PER_PERSON = 4
#: lower than the documents' ceilings, as a platform may configure them
MAX_OVERLAP, MAX_RATE = 3600, 100.0


class People(PlatformAuthenticator):
    async def authenticate(self, token: str | None) -> Identity:
        SHOWN_TO_HUB.append(token or "")
        if not token:
            raise NoToken("no token")
        if token not in TOKENS:
            raise TokenRefused("the hub does not know this token")
        return TOKENS[token]


class Owners:
    def owner_of(self, name: str) -> str | None:
        return OWNERS.get(name)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Platform:
    def __init__(self, data_dir: Path, db_url: str) -> None:
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        self.app = PlatformApp(
            data_dir=str(data_dir),
            db_url=db_url,
            base_url="/services/mlplat/",
            authenticator_class=People,
        )
        self.clock = Clock()
        services = self.app.build_services()
        self.store = cast(SqlStore, services.store)
        # the platform's own service, with the clock the tests move and a small key limit
        self.keys = ApiKeyService(
            self.store,
            Owners(),
            pepper=key_from_file(Path(self.app.apikey_pepper_file)),
            max_keys_per_person=PER_PERSON,
            max_days=self.app.apikeys_max_days,
            max_overlap_seconds=MAX_OVERLAP,
            max_rate_limit=MAX_RATE,
            now=self.clock,
        )
        self.app.services = replace(services, apikeys=self.keys)
        # the routes alone: the deployments' reconciler and drift job (``listen``) have
        # nothing to do with keys and would hold connections past each test
        self.server = tornado.httpserver.HTTPServer(self.app.make_tornado_app(), xheaders=True)
        self.server.add_sockets(sockets)
        self.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/services/mlplat/"

    async def fetch(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = ALICE,
        raw: bytes | None = None,
        scheme: str = "token",
    ) -> HTTPResponse:
        data = raw if raw is not None else json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
        return await AsyncHTTPClient().fetch(
            self.url + path,
            method=method,
            body=data,
            headers=headers,
            raise_error=False,
            allow_nonstandard_methods=True,
        )

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        expect: int = 200,
        *,
        token: str | None = ALICE,
        scheme: str = "token",
        raw: bytes | None = None,
    ) -> Any:
        """The JSON answer, asserting its status (and that no error is a 500 or a trace)."""
        response = await self.fetch(method, path, body, token=token, raw=raw, scheme=scheme)
        text = (response.body or b"").decode()
        assert response.code == expect, f"{method} {path}: {response.code} {text}"
        assert "Traceback" not in text
        return json.loads(text) if text else None

    async def create(self, token: str = ALICE, **body: Any) -> Any:
        if "deployments" not in body and "catalog_read" not in body:
            body["catalog_read"] = True  # a key must be allowed something
        return await self.call("POST", "api/v1/apikeys", {"name": "ci", **body}, 201, token=token)

    def stop(self) -> None:
        self.server.stop()
        self.app.close()


@pytest_asyncio.fixture
async def platform(tmp_path: Path, database_url: str) -> AsyncIterator[Platform]:
    running = Platform(tmp_path, database_url)
    yield running
    running.stop()
