"""A real platform service on a real socket, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio
import tornado.httpserver
import tornado.netutil
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import SharedSecretAuthenticator
from jupyterlab_mlplat.platform.base import Services

SECRET = "test-secret-0123456789"


@dataclass
class RunningPlatform:
    app: PlatformApp
    url: str
    server: tornado.httpserver.HTTPServer

    def stop(self) -> None:
        self.server.stop()
        self.app.close()

    async def get(self, path: str, token: str | None = SECRET, **headers: str) -> HTTPResponse:
        if token is not None:
            headers["Authorization"] = f"token {token}"
        return await AsyncHTTPClient().fetch(self.url + path, headers=headers, raise_error=False)

    @staticmethod
    def body(response: HTTPResponse) -> Any:
        return json.loads(response.body)


def start_platform(
    data_dir: Path,
    db_url: str,
    *,
    secret: str = SECRET,
    sockets: list[socket.socket] | None = None,
    rewire: Callable[[Services], Services] | None = None,
) -> RunningPlatform:
    """Start the real application on a real socket, in the running event loop."""
    sockets = sockets or tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
    port = sockets[0].getsockname()[1]
    app = PlatformApp(
        data_dir=str(data_dir),
        db_url=db_url,
        base_url="/services/mlplat/",
        authenticator_class=SharedSecretAuthenticator,
    )
    app.config.SharedSecretAuthenticator.secret = secret
    app.config.SharedSecretAuthenticator.user_name = "alice"
    app.services = app.build_services()
    if rewire is not None:  # swap one collaborator for a fault, the way a deployment would
        app.services = rewire(app.services)
    server = app.listen(sockets)
    return RunningPlatform(app, f"http://127.0.0.1:{port}/services/mlplat/", server)


@pytest_asyncio.fixture
async def platform(tmp_path: Path, database_url: str) -> AsyncIterator[RunningPlatform]:
    running = start_platform(tmp_path, database_url)
    yield running
    running.stop()
