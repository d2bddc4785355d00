"""No person may be the platform's MLflow identity: a hub account named ``mlplat-platform``
(however it came to exist) is refused by the gateway before MLflow sees anything.

The hub's API is a stand-in here that vouches for any token as that account; the gateway and
its HubOAuth client are the real ones, and MLflow a real socket that must never be called."""

from __future__ import annotations

import json
import socket

import pytest
import tornado.web
from jupyterhub.services.auth import HubOAuth
from tornado.httpclient import AsyncHTTPClient

from jupyterlab_mlplat.gateways.mlflow import MlflowGatewayApp


class _User(tornado.web.RequestHandler):
    def get(self) -> None:
        self.finish(
            {
                "kind": "user",
                "name": self.application.settings["user"],
                "admin": False,
                "groups": [],
                "scopes": ["access:services!service=mlflow"],
            }
        )


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["mlplat-platform", "MLPLAT-Platform"])
async def test_the_gateway_refuses_a_hub_account_named_as_the_platform(name: str) -> None:
    hub = tornado.web.Application([(r"/hub/api/user", _User)], user=name)
    hub_server = hub.listen(0, "127.0.0.1")
    hub_port = next(iter(hub_server._sockets.values())).getsockname()[1]
    with socket.socket() as mlflow:
        mlflow.bind(("127.0.0.1", 0))
        mlflow.listen(8)
        gateway = MlflowGatewayApp(
            upstream_url=f"http://127.0.0.1:{mlflow.getsockname()[1]}",
            gateway_secret="s",
            base_url="/services/mlflow/",
        )
        # the handlers ask HubOAuth for its one instance (``HubAuthenticated.hub_auth``)
        HubOAuth.clear_instance()
        hub_auth = HubOAuth.instance(
            api_token="t",
            api_url=f"http://127.0.0.1:{hub_port}/hub/api/",
            access_scopes={"access:services!service=mlflow"},
        )
        app = gateway.make_tornado_app(hub_auth=hub_auth)
        server = app.listen(0, "127.0.0.1")
        port = next(iter(server._sockets.values())).getsockname()[1]
        client = AsyncHTTPClient(force_instance=True)
        answer = await client.fetch(
            f"http://127.0.0.1:{port}/services/mlflow/api/2.0/mlflow/registered-models/"
            "search?max_results=1",
            headers={"Authorization": "Bearer anything"},
            raise_error=False,
            request_timeout=20,
        )
        server.stop()
        client.close()
        HubOAuth.clear_instance()
    hub_server.stop()
    assert answer.code == 403, answer.body
    assert json.loads(answer.body)["reason"] == "platform_identity_reserved"
