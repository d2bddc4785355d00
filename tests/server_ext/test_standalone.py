"""`jupyter lab` with no hub: the platform runs in-process for one user who holds every role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError


async def test_me_is_the_single_user_with_every_role(jp_fetch: Any) -> None:
    response = await jp_fetch("jupyterlab-mlplat", "me")
    body = json.loads(response.body)
    assert response.code == 200
    assert body["mode"] == "standalone"
    assert body["roles"] == ["data_scientist", "reviewer", "admin", "instructor"]
    assert body["name"]
    assert response.headers["X-Request-Id"]


async def test_health_reports_the_in_process_platform(jp_fetch: Any) -> None:
    response = await jp_fetch("jupyterlab-mlplat", "health")
    body = json.loads(response.body)
    assert body["status"] == "ok"
    assert body["mode"] == "standalone"
    assert set(body["checks"]) == {"database", "object_store"}


@pytest.mark.parametrize("route", ["me", "health"])
async def test_without_a_jupyter_token_the_sidebar_api_refuses(jp_fetch: Any, route: str) -> None:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-mlplat", route, headers={"Authorization": ""})
    assert caught.value.code == 401
    assert caught.value.response is not None
    assert "WWW-Authenticate" in caught.value.response.headers


async def test_an_unknown_sidebar_route_is_a_json_404(jp_fetch: Any) -> None:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-mlplat", "no-such-thing")
    assert caught.value.code == 404
    assert caught.value.response is not None
    assert "no API route 'no-such-thing'" in json.loads(caught.value.response.body)["message"]
