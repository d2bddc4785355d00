"""Under a hub: the extension forwards to the platform with the server's token, reports an outage
as 503 with a message, and recovers by itself when the platform is back."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import tornado.netutil
from tornado.httpclient import HTTPClientError

from tests.platform.conftest import SECRET, RunningPlatform, start_platform


@pytest.fixture
def platform_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def extension_config(platform_port: int) -> dict[str, Any]:
    return {
        "platform_url": f"http://127.0.0.1:{platform_port}/services/mlplat/",
        "platform_token": SECRET,
        "request_timeout": 2.0,
    }


def _serve(tmp_path: Path, port: int, secret: str = SECRET) -> RunningPlatform:
    sockets = tornado.netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET)
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite'}"
    return start_platform(tmp_path, db_url, secret=secret, sockets=sockets)


async def test_calls_are_forwarded_with_the_servers_token(
    jp_fetch: Any, tmp_path: Path, platform_port: int
) -> None:
    running = _serve(tmp_path, platform_port)
    try:
        response = await jp_fetch(
            "jupyterlab-mlplat", "me", headers={"X-Request-Id": "sidebar-req-0001"}
        )
        assert json.loads(response.body)["name"] == "alice"
        assert running.app.services is not None
        entries = running.app.services.store.audit_entries()
        (entry,) = [e for e in entries if e.action == "user.first_seen"]  # not the seeding
        assert entry.request_id == "sidebar-req-0001"  # one id across both services
        health = json.loads((await jp_fetch("jupyterlab-mlplat", "health")).body)
        assert health["mode"] == "hub"
    finally:
        running.stop()


async def test_platform_down_is_503_with_a_message_and_recovers_without_restart(
    jp_fetch: Any, tmp_path: Path, platform_port: int
) -> None:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-mlplat", "me")
    assert caught.value.code == 503
    assert caught.value.response is not None
    message = json.loads(caught.value.response.body)["message"]
    assert "not reachable" in message
    assert SECRET not in caught.value.response.body.decode()

    running = _serve(tmp_path, platform_port)
    try:
        response = await jp_fetch("jupyterlab-mlplat", "me")
        assert response.code == 200
    finally:
        running.stop()


async def test_a_token_the_platform_rejects_is_401_with_the_platforms_message(
    jp_fetch: Any, tmp_path: Path, platform_port: int
) -> None:
    running = _serve(tmp_path, platform_port, secret="rotated-elsewhere")
    try:
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("jupyterlab-mlplat", "me")
        assert caught.value.code == 401
        assert caught.value.response is not None
        assert "not valid" in json.loads(caught.value.response.body)["message"]
    finally:
        running.stop()


async def test_an_error_response_keeps_the_request_id_a_person_can_quote(jp_fetch: Any) -> None:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-mlplat", "me", headers={"X-Request-Id": "sidebar-req-0002"})
    assert caught.value.response is not None
    assert caught.value.response.headers["X-Request-Id"] == "sidebar-req-0002"
