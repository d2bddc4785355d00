"""The invocations gateway's world over real HTTP: model servers as their own processes, the
control plane's routes (the route, its change feed, the key check) and the hub's token check
as a stand-in speaking their wire shapes, and the gateway itself on a real socket.

The stand-in answers exactly what ``api/deployments.py`` (``RouteBody``, ``RouteFeed``), the
key check of ``platform/routes/apikeys.py`` and JupyterHub's ``GET /hub/api/user`` answer, and
refuses a caller without the gateway's service token, as the platform does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from jupyterlab_mlplat.gateways.invocations import Invocations, InvocationsGatewayApp, make_app

ROOT = Path(__file__).resolve().parents[2]
SERVICE_TOKEN = "gateway-service-token-0123456789"
PREFIX = "/services/deployments/"


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    with contextlib.closing(free_socket()) as sock:
        return int(sock.getsockname()[1])


@dataclass
class ControlStandin:
    """What the platform and the hub know: routes, keys and people, changed by the tests."""

    url: str = ""
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)
    sequence: int = 0
    #: secret → the check's answer, or the reason it is refused
    keys: dict[str, dict[str, Any] | str] = field(default_factory=dict)
    #: hub token → JupyterHub's user model
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: int = 0
    route_calls: int = 0

    def route(
        self, name: str, owner: str, targets: list[tuple[str, str, int, str]], *, revision: int = 1
    ) -> None:
        """Set a route: targets as ``(version, traffic, percent, url)``."""
        self.sequence += 1
        self.routes[name] = {
            "name": name,
            "owner": owner,
            "stage": "staging",
            "model_name": f"{owner}-model",
            "revision": revision,
            "targets": [
                {"version": v, "traffic": t, "percent": p, "url": u} for v, t, p, u in targets
            ],
            "sequence": self.sequence,
            "active": True,
        }

    def delete(self, name: str) -> None:
        self.sequence += 1
        self.routes[name] = {**self.routes[name], "active": False, "sequence": self.sequence}

    def key(
        self,
        secret: str,
        owner: str,
        deployments: list[str],
        *,
        key_id: int,
        rate_limit: float = 1000.0,
    ) -> None:
        self.keys[secret] = {
            "id": key_id,
            "prefix": secret[:12],
            "owner": owner,
            "scopes": {"deployments": deployments, "catalog_read": False},
            "rate_limit": rate_limit,
            "expires_at": None,
        }

    def app(self) -> web.Application:
        def refuse(status: int, reason: str) -> web.Response:
            return web.json_response({"message": reason, "reason": reason}, status=status)

        def service_only(request: web.Request) -> web.Response | None:
            if request.headers.get("Authorization") != f"token {SERVICE_TOKEN}":
                return refuse(403, "token_lacks_access")
            return None

        async def route(request: web.Request) -> web.Response:
            self.route_calls += 1
            if (refused := service_only(request)) is not None:
                return refused
            found = self.routes.get(request.match_info["name"])
            if found is None or not found["active"]:
                return refuse(404, "deployment_not_found")
            return web.json_response(found)

        async def feed(request: web.Request) -> web.Response:
            if (refused := service_only(request)) is not None:
                return refused
            since = int(request.query["since"])
            changed = sorted(
                (r for r in self.routes.values() if r["sequence"] > since),
                key=lambda r: r["sequence"],
            )
            return web.json_response(
                {"routes": changed, "sequence": max([since, *(r["sequence"] for r in changed)])}
            )

        async def check(request: web.Request) -> web.Response:
            if (refused := service_only(request)) is not None:
                return refused
            self.checks += 1
            body = await request.json()
            answer = self.keys.get(body["secret"], "key_unknown")
            if isinstance(answer, str):
                return refuse(401, answer)
            return web.json_response(answer)

        async def user(request: web.Request) -> web.Response:
            token = request.headers.get("Authorization", "").removeprefix("token ")
            if token not in self.people:
                return web.json_response({"status": 403, "message": "no"}, status=403)
            return web.json_response(self.people[token])

        app = web.Application()
        base = "/services/mlplat/api/v1"
        app.router.add_get(base + "/deployments/routes", feed)
        app.router.add_get(base + "/deployments/{name}/route", route)
        app.router.add_post(base + "/apikeys/check", check)
        app.router.add_get("/hub/api/user", user)
        return app


def person(name: str, *, admin: bool = False) -> dict[str, Any]:
    scopes = ["access:services!service=deployments", f"read:users!user={name}"]
    return {"kind": "user", "name": name, "admin": admin, "groups": [], "scopes": scopes}


#: logs two scikit-learn models on the iris columns: a fitted one, and one that always says 0
LOG_MODELS = """
import json, sys
import mlflow
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

mlflow.set_tracking_uri(sys.argv[1])
mlflow.set_experiment("gateway")
X, y = load_iris(return_X_y=True, as_frame=True)
found = {}
with mlflow.start_run():
    for name, clf in (
        ("iris", LogisticRegression(max_iter=300).fit(X, y)),
        ("constant", DummyClassifier(strategy="constant", constant=0).fit(X, y)),
    ):
        # requirements named, not inferred (MLflow would load the model again in a
        # subprocess: 4-5 s a model here; the model server never reads them)
        info = mlflow.sklearn.log_model(
            clf, name=name, signature=infer_signature(X, clf.predict(X)), input_example=X.head(2),
            pip_requirements=["scikit-learn"],
        )
        found[name] = mlflow.get_logged_model(info.model_id).artifact_location
print(json.dumps(found))
"""


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The two models' folders, logged by MLflow itself in a process of its own."""
    root = tmp_path_factory.mktemp("gateway-mlruns")
    done = subprocess.run(
        [sys.executable, "-c", LOG_MODELS, f"sqlite:///{root / 'mlflow.db'}"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {k: v.removeprefix("file://") for k, v in found.items()}


@dataclass
class ModelServer:
    url: str
    process: subprocess.Popen[bytes]
    version: str

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)


def start_model_server(command: list[str], port: int, version: str) -> ModelServer:
    """A model server process, once it says it is ready."""
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready = url + "/v2/health/ready"
        with contextlib.suppress(OSError), urllib.request.urlopen(ready, timeout=1) as answer:  # noqa: S310
            if answer.status == 200:
                return ModelServer(url, process, version)
        if process.poll() is not None:
            raise RuntimeError(f"the model server exited ({process.returncode})")
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("the model server did not get ready")


def stop(server: ModelServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def serving_command(models: dict[str, str], name: str, version: str, model: str) -> list[str]:
    return [sys.executable, "-m", "jupyterlab_mlplat.serving", "--model-uri", models[model],
            "--name", name, "--version", version]  # fmt: skip


@pytest.fixture(scope="session")
def pool(models: dict[str, str]) -> Iterator[dict[str, ModelServer]]:
    """Versions 1 and 2 (the same fitted model) and 3 (the constant one) of ``churn``, for
    the tests that do not stop them: started once, as starting one takes seconds."""
    started: dict[str, ModelServer] = {}
    try:
        for version, model in (("1", "iris"), ("2", "iris"), ("3", "constant")):
            port = free_port()
            command = [*serving_command(models, "churn", version, model), "--port", str(port)]
            started[version] = start_model_server(command, port, version)
        yield started
    finally:
        for server in started.values():
            stop(server)


@pytest.fixture
def model_servers(models: dict[str, str]) -> Iterator[Callable[..., ModelServer]]:
    """Starts the real model server (``python -m jupyterlab_mlplat.serving``, as the deployers
    run it) for ``model`` (``iris``, or ``constant``: disagrees with it) as a version of a
    deployment; ``failing=True`` starts the stand-in that fails with 500 when asked to."""
    started: list[ModelServer] = []

    def start(
        name: str, version: str, model: str = "iris", *, failing: bool = False
    ) -> ModelServer:
        port = free_port()
        if failing:
            command = [sys.executable, "-m", "tests.gateways.standin_model"]
            command += [f"--port={port}", f"--name={name}", f"--version={version}"]
        else:
            command = [*serving_command(models, name, version, model), "--port", str(port)]
        server = start_model_server(command, port, version)
        started.append(server)
        return server

    yield start
    for server in started:
        stop(server)


@pytest_asyncio.fixture
async def control() -> AsyncIterator[ControlStandin]:
    standin = ControlStandin()
    runner = web.AppRunner(standin.app(), access_log=None)
    await runner.setup()
    sock = free_socket()
    site = web.SockSite(runner, sock)
    await site.start()
    standin.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    yield standin
    await runner.cleanup()


@dataclass
class RunningGateway:
    url: str
    invocations: Invocations
    http: aiohttp.ClientSession

    async def call(
        self,
        name: str,
        body: Any,
        *,
        auth: str | None,
        protocol: str = "mlflow",
        prefix: str = "",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Mapping[str, str], Any]:
        path = (
            f"/api/v1/deployments/{name}/invocations"
            if protocol == "mlflow"
            else f"/v2/models/{name}/infer"
        )
        sent = dict(headers or {})
        if isinstance(body, bytes):
            sent.setdefault("Content-Type", "application/json")
        if auth is not None:
            sent["Authorization"] = auth
        data = body if isinstance(body, bytes) else None
        async with self.http.post(
            self.url + prefix.rstrip("/") + path,
            json=None if data is not None else body,
            data=data,
            headers=sent,
        ) as response:
            raw = await response.read()
            try:
                answer: Any = await response.json(content_type=None)
            except ValueError:
                answer = raw
            return response.status, response.headers.copy(), answer

    async def metrics(self) -> str:
        async with self.http.get(self.url + "/metrics") as response:
            return await response.text()


@pytest_asyncio.fixture
async def gateway_factory(
    control: ControlStandin, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[RunningGateway]]]:
    runners: list[web.AppRunner] = []
    sessions: list[aiohttp.ClientSession] = []

    async def start(**traits: Any) -> RunningGateway:
        config = {
            "platform_url": control.url + "/services/mlplat/",
            "platform_token": SERVICE_TOKEN,
            "hub_api_url": control.url + "/hub/api",
            "object_store_dir": str(tmp_path / "objects"),
            "route_poll_seconds": 0.2,
            # the gateway shares the test's event loop with every client of the test: on a
            # loaded machine that loop can stall past the 3 s a connection gets in production
            # (50 calls at once once timed out connecting to a healthy model server)
            "upstream_connect_timeout": 30.0,
            **traits,
        }
        gateway_app = InvocationsGatewayApp(**config)
        invocations = gateway_app.build()
        runner = web.AppRunner(make_app(invocations, PREFIX), access_log=None)
        await runner.setup()
        sock = free_socket()
        await web.SockSite(runner, sock).start()
        runners.append(runner)
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        sessions.append(http)
        return RunningGateway(f"http://127.0.0.1:{sock.getsockname()[1]}", invocations, http)

    yield start
    for http in sessions:
        await http.close()
    for runner in runners:
        await runner.cleanup()


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 30.0) -> float:
    """Seconds until ``check`` holds (fails the test after ``within`` seconds).

    The default bounds a wait for background work (shadow copies compared, samples written),
    not its speed: a clean clone's CI, four sessions on two cores, once took over 5 s to
    compare 20 shadow copies."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > within:
            pytest.fail(f"did not happen within {within} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started
