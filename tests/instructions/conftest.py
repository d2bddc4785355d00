"""A real platform on a real socket (SQLite and PostgreSQL; a local folder or a real S3 server as
its object store) for the instructions' tests, with the people the hub would vouch for.

``People`` is the hub's answer for a few tokens: ivan and ira are instructors, alice a data
scientist, bob in the transport team, gina in the group that may start the GPU profile, adam an
admin. The profiles are the shipped ones; the fixture restricts ``gpu-1`` to ``gpu-users`` as
an admin would, so an article aimed at it has a real audience.
"""

from __future__ import annotations

import io
import json
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import boto3
import pytest
import pytest_asyncio
import tornado.httpserver
import tornado.netutil
from PIL import Image
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from jupyterlab_mlplat.adapters.s3 import S3ObjectStore
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.kernel.errors import NoToken, TokenRefused
from jupyterlab_mlplat.core.kernel.identity import Identity, Role
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import PlatformAuthenticator
from tests.s3 import running_s3_server

ROOT = Path(__file__).resolve().parents[2]
INSTRUCTOR = (Role.DATA_SCIENTIST, Role.INSTRUCTOR)
TOKENS = {
    "ivan": Identity("ivan", ("instructors",), roles=INSTRUCTOR),
    "ira": Identity("ira", ("instructors",), roles=INSTRUCTOR),
    "alice": Identity("alice", ("data-scientists",)),
    "bob": Identity("bob", ("transport",)),
    "gina": Identity("gina", ("data-scientists", "gpu-users")),
    "adam": Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN)),
}
#: the hub token of ivan, the instructor most tests act as (the stand-in hub's tokens are names)
IVAN = "ivan"
S3_ACCESS, S3_SECRET = "mlplat-access", "s3cr3t-never-shown-0123456789"


class People(PlatformAuthenticator):
    async def authenticate(self, token: str | None) -> Identity:
        if not token:
            raise NoToken("no token")
        if token not in TOKENS:
            raise TokenRefused("the hub does not know this token")
        return TOKENS[token]


def png(width: int = 32, height: int = 16) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def notebook(text: str = "print('hello')") -> bytes:
    cell = {"cell_type": "code", "id": "c1", "metadata": {}, "source": text, "outputs": []}
    cell["execution_count"] = None
    document = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}
    return json.dumps(document).encode()


def content(title: str = "GPU guide", **more: Any) -> dict[str, Any]:
    """An article's content as the editor sends it."""
    return {
        "title": {"en": title, "ru": more.pop("title_ru", "")},
        "introduction": {"en": "Why and how.", "ru": "Зачем и как."},
        "tasks": [
            {
                "title": {"en": "Open the tab", "ru": "Откройте вкладку"},
                "body": {"en": "Open [Experiments](mlplat:open-tab/experiments).", "ru": ""},
                "check": {"en": "You see your runs.", "ru": "Видны ваши запуски."},
                "help": {"en": "Reload the page.", "ru": "Обновите страницу."},
            },
            {"title": {"en": "Track", "ru": ""}, "body": {"en": "[Go](mlplat:track-notebook)"}},
        ],
        "conclusion": {"en": "Done.", "ru": "Готово."},
        "minutes": 5,
        "position": more.pop("position", 100),
        **more,
    }


class Platform:
    def __init__(self, data_dir: Path, db_url: str, **settings: Any) -> None:
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        self.app = PlatformApp(
            data_dir=str(data_dir),
            db_url=db_url,
            base_url="/services/mlplat/",
            authenticator_class=People,
            profiles_seed_file=str(ROOT / "hub_config/profiles.yaml"),
            **settings,
        )
        self.app.services = self.app.build_services()
        self.store = cast(SqlStore, self.app.services.store)
        gpu = next(s for s in self.store.profiles() if s.profile.slug == "gpu-1")
        data = gpu.profile.model_dump(mode="json") | {"allowed_groups": ["gpu-users"]}
        self.app.services.profiles.replace(TOKENS["adam"], "gpu-1", data, revision=gpu.revision)
        # the routes alone: the deployments' reconciler and drift job have nothing to do here
        self.server = self.app.make_http_server()
        self.server.add_sockets(sockets)
        self.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/services/mlplat/"

    async def fetch(
        self, method: str, path: str, body: Any = None, *, token: str = IVAN, raw: bytes = b""
    ) -> HTTPResponse:
        data = raw if raw else json.dumps(body).encode() if body is not None else None
        if data is None and method in ("POST", "PUT"):
            data = b""
        return await AsyncHTTPClient().fetch(
            self.url + path,
            method=method,
            body=data,
            headers={"Authorization": f"token {token}"},
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
        token: str = IVAN,
        raw: bytes = b"",
    ) -> Any:
        """The JSON answer, asserting its status (and that no error is a 500 or a trace)."""
        response = await self.fetch(method, path, body, token=token, raw=raw)
        text = (response.body or b"").decode(errors="replace")
        assert response.code == expect, f"{method} {path}: {response.code} {text}"
        assert "Traceback" not in text
        return json.loads(text) if text else None

    async def article(self, slug: str = "gpu-guide", **more: Any) -> Any:
        """A published article written by ivan."""
        body = {"slug": slug, "content": content(**more)}
        made = await self.call("POST", "api/v1/instructions/articles", body, 201)
        path = f"api/v1/instructions/articles/{slug}/publish"
        return await self.call("POST", path, {"revision": made["revision"]})

    def stop(self) -> None:
        self.server.stop()
        self.app.close()


@pytest_asyncio.fixture
async def platform(tmp_path: Path, database_url: str) -> AsyncIterator[Platform]:
    running = Platform(tmp_path, database_url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    with running_s3_server() as endpoint:
        yield endpoint


@pytest_asyncio.fixture
async def s3_platform(tmp_path: Path, sqlite_url: str, s3_server: str) -> AsyncIterator[Platform]:
    """The platform as on a cluster: its images and notebooks in an S3 bucket."""
    bucket = f"mlplat-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=S3_ACCESS,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    (tmp_path / "access").write_text(S3_ACCESS)
    (tmp_path / "secret").write_text(S3_SECRET)
    running = Platform(
        tmp_path,
        sqlite_url,
        object_store_class=S3ObjectStore,
        s3_endpoint=s3_server,
        s3_bucket=bucket,
        s3_region="us-east-1",
        s3_access_key_file=str(tmp_path / "access"),
        s3_secret_key_file=str(tmp_path / "secret"),
    )
    running.bucket = bucket  # type: ignore[attr-defined]
    yield running
    running.stop()
