"""The Experiments tab without MLflow: not configured, or not answering."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest
from jupyterhub.services.auth import HubOAuth
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from jupyterlab_mlplat.adapters.mlflow.rest import close_connections
from jupyterlab_mlplat.adapters.mlflow.tracking import MlflowTracker
from jupyterlab_mlplat.core.experiments.errors import MLflowUnavailable
from jupyterlab_mlplat.gateways.mlflow import MlflowGatewayApp


@pytest.fixture
def extension_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    return getattr(request, "param", {})


async def test_without_mlflow_the_tab_is_told_it_is_not_configured(jp_fetch: Any) -> None:
    config = json.loads((await jp_fetch("jupyterlab-mlplat", "mlflow", "config")).body)
    assert config["enabled"] is False
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-mlplat", "mlflow", "experiments")
    assert caught.value.code == 404
    assert caught.value.response is not None
    assert "not configured" in json.loads(caught.value.response.body)["message"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "extension_config",
    [{"mlflow_url": f"http://127.0.0.1:{_closed_port()}/services/mlflow", "mlflow_token": "t"}],
    indirect=True,
)
async def test_mlflow_down_is_503_with_a_message(jp_fetch: Any) -> None:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-mlplat", "mlflow", "experiments")
    assert caught.value.code == 503
    assert caught.value.response is not None
    body = json.loads(caught.value.response.body)
    message = body["message"]
    assert "not reachable" in message
    assert message != "t"
    assert body["reason"] == "mlflow_unavailable"


async def test_mlflow_that_does_not_answer_in_time_is_unavailable_not_a_failure() -> None:
    """Under load MLflow (or the gateway's queue before it) may not answer within the tracker's
    time: that is the same 'not reachable right now' as a closed port, never an unexpected
    error. A real socket that takes the connection and never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        tracker = MlflowTracker(f"http://127.0.0.1:{port}/services/mlflow", "t", timeout=0.5)
        try:
            with pytest.raises(MLflowUnavailable):
                await tracker.search_experiments("", max_results=5, page_token=None)
        finally:
            await close_connections()


async def test_the_gateway_answers_503_when_mlflow_is_too_busy_to_take_the_request() -> None:
    """Under load the gateway's HTTP client keeps requests past its tenth in a queue and fails
    them after its connect timeout (20 s) with tornado's HTTPTimeoutError, which is not an
    OSError nor a TimeoutError: that is MLflow being busy, a clean 503, never an unexpected
    exception. The health probe needs no hub identity; MLflow is a real socket that takes
    connections and never answers."""
    with socket.socket() as mlflow:
        mlflow.bind(("127.0.0.1", 0))
        mlflow.listen(64)
        gateway = MlflowGatewayApp(
            upstream_url=f"http://127.0.0.1:{mlflow.getsockname()[1]}",
            gateway_secret="s",
            base_url="/services/mlflow/",
        )
        app = gateway.make_tornado_app(
            hub_auth=HubOAuth(api_token="t", api_url="http://127.0.0.1:1/hub/api/")
        )
        server = app.listen(0, "127.0.0.1")
        port = next(iter(server._sockets.values())).getsockname()[1]
        client = AsyncHTTPClient(force_instance=True, max_clients=20)
        url = f"http://127.0.0.1:{port}/services/mlflow/health"
        waiting = [client.fetch(url, raise_error=False, request_timeout=60) for _ in range(11)]
        done, _ = await asyncio.wait(waiting, timeout=40, return_when=asyncio.FIRST_COMPLETED)
        mlflow.close()  # the rest, held in its backlog, are reset
        answers = await asyncio.wait_for(asyncio.gather(*waiting), 20)
        server.stop()
        client.close()
    assert done, "the queued request was not answered"
    assert [a.code for a in answers] == [503] * 11
    assert {json.loads(a.body)["error_code"] for a in answers} == {"TEMPORARILY_UNAVAILABLE"}


async def test_a_call_the_gateway_makes_itself_to_an_absent_mlflow_is_unreachable() -> None:
    """Making an experiment private, the gateway itself lists MLflow's users and changes their
    access; MLflow not answering there (tornado raises its 599s even with raise_error=False)
    escaped as a 500 with a traceback. It is now the same 503 as any request MLflow does not
    answer (``_Unreachable`` → ``_unavailable``). A real client against a closed port."""
    from types import SimpleNamespace

    from jupyterlab_mlplat.gateways import mlflow as gateway

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    handler = SimpleNamespace(
        upstream=f"http://127.0.0.1:{port}", prefix="/", secret="s", request_id="r"
    )
    with pytest.raises(gateway._Unreachable):
        await gateway.MlflowProxyHandler._upstream_json(
            handler,  # type: ignore[arg-type]
            "alice",
            "GET",
            "api/2.0/mlflow/users/list",
        )
