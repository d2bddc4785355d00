"""The admin console's platform: a real platform on a real socket (SQLite and PostgreSQL), the
routes served as in production, and the people the hub would vouch for.

``People`` answers for a few tokens as the hub would: alice a data scientist, rita and roman
reviewers, adam an admin, ``gateway`` a hub service with a grant of its own.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pytest_asyncio
import sqlalchemy as sa
import tornado.httpserver
import tornado.netutil
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from jupyterlab_mlplat.adapters.sql.schema import audit
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.kernel.errors import NoToken, TokenRefused
from jupyterlab_mlplat.core.kernel.identity import CHECK_KEYS_SCOPE, Identity, Role
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import PlatformAuthenticator

ALICE, RITA, ROMAN, ADAM, GATEWAY = "alice-t", "rita-t", "roman-t", "adam-t", "gateway-t"
IDENTITIES = {
    ALICE: Identity("alice", ("data-scientists",)),
    RITA: Identity("rita", ("reviewers",), roles=(Role.DATA_SCIENTIST, Role.REVIEWER)),
    ROMAN: Identity("roman", ("reviewers",), roles=(Role.DATA_SCIENTIST, Role.REVIEWER)),
    ADAM: Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN)),
    GATEWAY: Identity(
        "deployments", roles=(), kind="service", grants=frozenset({CHECK_KEYS_SCOPE})
    ),
}


class People(PlatformAuthenticator):
    async def authenticate(self, token: str | None) -> Identity:
        if not token:
            raise NoToken("no token")
        if token not in IDENTITIES:
            raise TokenRefused("the hub does not know this token")
        return IDENTITIES[token]


class Platform:
    def __init__(self, data_dir: Path, db_url: str) -> None:
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        self.app = PlatformApp(
            data_dir=str(data_dir),
            db_url=db_url,
            base_url="/services/mlplat/",
            authenticator_class=People,
            server_idle_timeout=3600,
        )
        self.app.services = self.app.build_services()
        self.store = cast(SqlStore, self.app.services.store)
        #: what a first start writes to the log by itself (seeds), before any test's record
        self.seeded = len(self.store.audit_entries(limit=1000))
        # the routes alone: the reconciler and the drift job have nothing to do here
        self.server = tornado.httpserver.HTTPServer(self.app.make_tornado_app(), xheaders=True)
        self.server.add_sockets(sockets)
        self.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/services/mlplat/"

    async def fetch(
        self, method: str, path: str, body: Any = None, *, token: str | None = ADAM
    ) -> HTTPResponse:
        headers = {"Authorization": f"token {token}"} if token is not None else {}
        return await AsyncHTTPClient().fetch(
            self.url + path,
            method=method,
            body=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            raise_error=False,
            allow_nonstandard_methods=True,
        )

    async def call(
        self, method: str, path: str, body: Any = None, expect: int = 200, *, token: str = ADAM
    ) -> Any:
        """The JSON answer, asserting its status (and that no error is a 500 or a trace)."""
        response = await self.fetch(method, path, body, token=token)
        text = (response.body or b"").decode()
        assert response.code == expect, f"{method} {path}: {response.code} {text}"
        assert "Traceback" not in text
        return json.loads(text) if text else None

    def record(self, at: datetime, actor: str, action: str, object_type: str, object_id: str,
               **detail: Any) -> None:  # fmt: skip
        """A record written at a chosen time (the log is append-only: inserted, as the unit of
        work does, with the time the test needs)."""
        with self.store.engine.begin() as connection:
            connection.execute(
                sa.insert(audit).values(
                    at=at,
                    actor=actor,
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    detail=detail,
                    request_id=None,
                )
            )

    def stop(self) -> None:
        self.server.stop()
        self.app.close()


@pytest_asyncio.fixture
async def platform(tmp_path: Path, database_url: str) -> AsyncIterator[Platform]:
    running = Platform(tmp_path, database_url)
    yield running
    running.stop()
