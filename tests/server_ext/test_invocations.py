"""Try it through the sidebar: the person's server calls the invocations gateway (the hub service
beside the platform) with its own hub token and hands the answer back as it came; an absent
gateway is a 503 with a reason, never a traceback.

The gateway (the extension's ``gateway_url``) is a stand-in speaking its HTTP (the real one,
with a real model server, is tests/gateways'; the browser test drives this route against the
real stack)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from tornado.httpclient import HTTPClientError

SERVER_TOKEN = "the-servers-hub-token"


class _Gateway(tornado.web.RequestHandler):
    """``POST /services/deployments/api/v1/deployments/{name}/invocations`` as the gateway
    answers: the model's answer for a good row, the model server's 400 for a bad one."""

    def initialize(self, seen: list[dict[str, Any]]) -> None:
        self.seen = seen

    def post(self, name: str) -> None:
        self.seen.append(
            {
                "name": name,
                "authorization": self.request.headers.get("Authorization"),
                "body": json.loads(self.request.body),
            }
        )
        rows = self.seen[-1]["body"]["dataframe_split"]["data"]
        if not isinstance(rows[0][0], (int, float)):
            self.set_status(400)
            self.finish({"message": "column 'tenure': not a number", "reason": "bad_input"})
            return
        self.finish({"predictions": [1 for _ in rows]})


@pytest.fixture
def hub_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def extension_config(hub_port: int) -> dict[str, Any]:
    return {
        "platform_url": f"http://127.0.0.1:{hub_port}/services/mlplat/",
        "gateway_url": f"http://127.0.0.1:{hub_port}/services/deployments/",
        "platform_token": SERVER_TOKEN,
        "request_timeout": 2.0,
    }


@pytest.fixture
def gateway(hub_port: int, io_loop: Any) -> Iterator[list[dict[str, Any]]]:
    """The stand-in on the server's own loop (pytest-jupyter runs the tests on it)."""
    seen: list[dict[str, Any]] = []
    app = tornado.web.Application(
        [
            (
                r"/services/deployments/api/v1/deployments/([^/]+)/invocations",
                _Gateway,
                {"seen": seen},
            )
        ]
    )
    sockets = tornado.netutil.bind_sockets(hub_port, "127.0.0.1", family=socket.AF_INET)

    async def start() -> tornado.httpserver.HTTPServer:
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        return server

    server = io_loop.run_sync(start)
    yield seen
    server.stop()


async def test_the_model_answers_through_the_gateway_as_the_person(
    jp_fetch: Any, gateway: list[dict[str, Any]]
) -> None:
    row = {"dataframe_split": {"columns": ["tenure", "plan"], "data": [[24, "basic"]]}}
    response = await jp_fetch(
        "jupyterlab-mlplat",
        "deployments",
        "churn-staging",
        "invocations",
        method="POST",
        body=json.dumps(row),
    )
    assert json.loads(response.body) == {"predictions": [1]}
    assert gateway == [
        {"name": "churn-staging", "authorization": f"token {SERVER_TOKEN}", "body": row}
    ]


async def test_the_model_servers_refusal_comes_back_as_it_said_it(
    jp_fetch: Any, gateway: list[dict[str, Any]]
) -> None:
    row = {"dataframe_split": {"columns": ["tenure"], "data": [["abc"]]}}
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(
            "jupyterlab-mlplat",
            "deployments",
            "churn-staging",
            "invocations",
            method="POST",
            body=json.dumps(row),
        )
    assert caught.value.code == 400
    assert caught.value.response is not None
    assert json.loads(caught.value.response.body) == {
        "message": "column 'tenure': not a number",
        "reason": "bad_input",
    }


async def test_no_gateway_is_a_503_with_a_reason(jp_fetch: Any) -> None:
    """Configured, but nothing answers there (the stand-in is not started)."""
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(
            "jupyterlab-mlplat",
            "deployments",
            "churn-staging",
            "invocations",
            method="POST",
            body="{}",
        )
    assert caught.value.code == 503
    assert caught.value.response is not None
    body = json.loads(caught.value.response.body)
    assert body["reason"] == "unavailable"
    assert "Traceback" not in caught.value.response.body.decode()


async def test_a_body_over_the_limit_is_refused_before_the_gateway(
    jp_fetch: Any, gateway: list[dict[str, Any]]
) -> None:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(
            "jupyterlab-mlplat",
            "deployments",
            "churn-staging",
            "invocations",
            method="POST",
            body=json.dumps({"inputs": "x" * (1024 * 1024 + 1)}),
        )
    assert caught.value.code == 400
    assert caught.value.response is not None
    assert json.loads(caught.value.response.body)["reason"] == "body_too_large"
    assert gateway == []
