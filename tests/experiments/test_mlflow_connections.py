"""The person's server keeps its connection to MLflow open between calls.

Every sidebar request of the Experiments tab is one or more MLflow calls; opening a connection
for each (a name lookup in a thread, connect, a new stream in the server, an accept in the
hub's proxy and the gateway) was most of the person's server's CPU per request
(bench/sidebar_load.py, bench/README.md). A real HTTP/1.1 server counts the connections.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jupyterlab_mlplat.adapters.mlflow.rest import close_connections
from jupyterlab_mlplat.adapters.mlflow.tracking import MlflowTracker


class _MLflow(BaseHTTPRequestHandler):
    """MLflow's answer to an experiment search, over keep-alive HTTP/1.1."""

    protocol_version = "HTTP/1.1"
    connections: list[int]
    close_after: bool = False

    def setup(self) -> None:
        super().setup()
        self.connections.append(1)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"experiments": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if self.close_after:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def mlflow_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[int]]]:
    connections: list[int] = []
    handler = type(
        "Handler",
        (_MLflow,),
        {"connections": connections, "close_after": getattr(request, "param", False)},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", connections
    finally:
        server.shutdown()
        server.server_close()


async def test_calls_to_mlflow_share_one_kept_open_connection(
    mlflow_server: tuple[str, list[int]],
) -> None:
    url, connections = mlflow_server
    tracker = MlflowTracker(url, "t")
    try:
        for _ in range(5):
            await tracker.search_experiments("", max_results=5, page_token=None)
    finally:
        await close_connections()
    assert len(connections) == 1


@pytest.mark.parametrize("mlflow_server", [True], indirect=True)
async def test_a_connection_mlflow_closes_is_not_used_again(
    mlflow_server: tuple[str, list[int]],
) -> None:
    """A server that says ``Connection: close`` gets a new connection for the next call, and
    the calls still succeed."""
    url, connections = mlflow_server
    tracker = MlflowTracker(url, "t")
    try:
        for _ in range(3):
            await tracker.search_experiments("", max_results=5, page_token=None)
    finally:
        await close_connections()
    assert len(connections) == 3
