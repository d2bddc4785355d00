"""The Experiments tab without MLflow: not configured, or not answering."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_mlplat.adapters.mlflow.tracking import MlflowTracker
from jupyterlab_mlplat.core.experiments.errors import MLflowUnavailable


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
        with pytest.raises(MLflowUnavailable):
            await tracker.search_experiments("", max_results=5, page_token=None)
