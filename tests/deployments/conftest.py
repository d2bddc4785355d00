"""A deployment's world for the core service's own tests: the platform's store on SQLite and
on PostgreSQL, a registry answering as MLflow would for a few versions, a catalog with one
published and one deprecated version, and a backend double implementing the ``Deployer`` port
(its readiness is set by the test). The HTTP tests against the real MLflow, the real local
backend and the real model server are ``test_api.py``."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import tornado.netutil

from jupyterlab_mlplat.adapters.mlflow.rest import close_connections
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.catalog.records import (
    CatalogVersion,
    EntryCard,
    Lineage,
    VersionState,
)
from jupyterlab_mlplat.core.deployments.records import (
    ModelSource,
    Phase,
    VersionFound,
    Workload,
    WorkloadStatus,
)
from jupyterlab_mlplat.core.deployments.service import DeploymentService
from jupyterlab_mlplat.core.kernel.errors import NotFound, NoToken, TokenRefused, Unavailable
from jupyterlab_mlplat.core.kernel.identity import (
    READ_PROFILES_SCOPE,
    ROUTE_DEPLOYMENTS_SCOPE,
    Identity,
    Role,
)
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import PlatformAuthenticator

ALICE = Identity("alice", ("data-scientists",))
BOB = Identity("bob", ("data-scientists",))
ADAM = Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN))
GATEWAY = Identity(
    "invocations", roles=(), kind="service", grants=frozenset({ROUTE_DEPLOYMENTS_SCOPE})
)


@dataclass
class MemorySources:
    """What MLflow answers: alice's ``churn-model`` 1..3, bob's ``bob-model`` 1, and the
    catalog's ``catalog.churn`` 1..3 (which of them are published is the catalog's rows)."""

    down: bool = False
    asked: list[tuple[str, str, str]] = field(default_factory=list)

    async def own_version(self, user: str, model_name: str, version: str) -> VersionFound:
        self.asked.append((user, model_name, version))
        if self.down:
            raise Unavailable("MLflow did not answer")
        owners = {"churn-model": "alice", "bob-model": "bob", "catalog.churn": "mlplat-platform"}
        if model_name not in owners or version not in ("1", "2", "3"):
            raise NotFound(f"no version {version} of {model_name}")
        return _found(owners[model_name], model_name, version)

    async def catalog_version(self, model_name: str, version: str) -> VersionFound:
        self.asked.append(("mlplat-platform", model_name, version))
        if model_name != "catalog.churn" or version not in ("1", "2", "3"):
            raise NotFound(f"no version {version} of {model_name}")
        return _found("mlplat-platform", model_name, version)


def _found(owner: str, model_name: str, version: str) -> VersionFound:
    uri = f"mlflow-artifacts:/1/models/m-{model_name}-{version}/artifacts"
    return VersionFound(owner, ModelSource(model_name, version, uri, "sklearn"))


@dataclass
class FakeBackend:
    """The ``Deployer`` port as a test double: it 'runs' what it is given, and reports a
    workload ready only once the test says so (``make_ready``)."""

    ready: set[str] = field(default_factory=set)
    failing: str | None = None
    running: dict[str, dict[str, Workload]] = field(default_factory=dict)
    applied: list[tuple[str, list[str]]] = field(default_factory=list)
    closed: bool = False

    def make_ready(self, *names: str) -> None:
        self.ready.update(names)

    async def apply(self, deployment: str, workloads: Sequence[Workload]) -> None:
        if self.failing:
            raise Unavailable(self.failing)
        self.applied.append((deployment, sorted(w.name for w in workloads)))
        self.running[deployment] = {w.name: w for w in workloads}

    async def observe(self, deployment: str) -> list[WorkloadStatus]:
        now = datetime.now(UTC)
        return [
            WorkloadStatus(
                name=name,
                phase=Phase.READY if name in self.ready else Phase.PENDING,
                replicas=w.resources.replicas,
                ready_replicas=w.resources.replicas if name in self.ready else 0,
                url=f"http://127.0.0.1:9/{name}" if name in self.ready else None,
                observed_at=now,
            )
            for name, w in self.running.get(deployment, {}).items()
        ]

    async def logs(self, workload: str, *, tail: int = 200) -> str:
        for running in self.running.values():
            if workload in running:
                return f"{workload} started"
        raise NotFound(f"no workload {workload}")

    async def close(self) -> None:
        self.closed = True


@dataclass
class World:
    store: SqlStore
    sources: MemorySources
    backend: FakeBackend
    service: DeploymentService

    def run(self, coro: object) -> object:
        return asyncio.run(coro)  # type: ignore[arg-type]


def publish_churn(store: SqlStore) -> None:
    """The catalog's ``churn``: version 1 published, version 2 deprecated, 3 never."""
    at = datetime(2026, 12, 3, tzinfo=UTC)
    with store.transaction("mlplat-platform") as tx:
        tx.upsert_catalog_entry(
            EntryCard("churn", "catalog.churn", "", "", (), "", "", "", ""), at=at
        )
        for number, state in ((1, VersionState.PUBLISHED), (2, VersionState.PUBLISHED)):
            tx.add_catalog_version(
                "churn",
                CatalogVersion(
                    version=number,
                    publication_id=number,
                    published_at=at,
                    published_by="rita",
                    lineage=Lineage("churn-model", number),
                    state=state,
                ),
            )
        tx.set_catalog_version_state("churn", 2, VersionState.DEPRECATED, at=at)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    store = SqlStore.from_url(database_url)
    sources, backend = MemorySources(), FakeBackend()
    service = DeploymentService(store, sources, backend)
    service.seed_sizes()
    publish_churn(store)
    yield World(store, sources, backend, service)
    store.close()


# ---------------------------------------------------------------- a real platform, for HTTP
RITA = Identity("rita", ("reviewers",), roles=(Role.DATA_SCIENTIST, Role.REVIEWER))
#: the embedded workbench's other person with models of their own (it has no bob)
IVAN = Identity("ivan", ("instructors",), roles=(Role.DATA_SCIENTIST, Role.INSTRUCTOR))
#: a hub service holding another grant than the route's (the hub's spawner reads profiles)
SPAWNER = Identity(
    "mlplat-spawner", roles=(), kind="service", grants=frozenset({READ_PROFILES_SCOPE})
)
#: who each test token belongs to, as JupyterHub would answer for it
PEOPLE: dict[str, Identity] = {
    f"token-{who.name}": who for who in (ALICE, IVAN, ADAM, RITA, GATEWAY, SPAWNER)
}


class TokenTable(PlatformAuthenticator):
    """Identities as the hub vouches for them, without a hub: each test token is one person
    (or hub service) of ``PEOPLE``. Only how a caller is identified is swapped (the
    platform's ``authenticator_class`` trait); every route, rule and store is the real one."""

    async def authenticate(self, token: str | None) -> Identity:
        if not token:
            raise NoToken("no token")
        found = PEOPLE.get(token)
        if found is None:
            raise TokenRefused("unknown token")
        return found


@dataclass
class PlatformThread:
    """The real platform application (routes, store, reviews, deployments, reconciler and
    its backend) serving on a real socket from a thread with its own event loop, so tests
    call it with plain HTTP while the reconciler runs."""

    app: PlatformApp
    url: str
    thread: threading.Thread
    stop: Callable[[], None]

    def call(self, method: str, path: str, who: str, body: Any = None, expect: int = 200) -> Any:
        answer = requests.request(
            method,
            f"{self.url}{path}",
            json=body,
            headers={"Authorization": f"token token-{who}"},
            timeout=60,
        )
        assert answer.status_code == expect, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None


#: how long a platform may take to stop: its model servers' grace period (5 s) and a kill
#: with room for a loaded machine; a stop takes ~2 s here
STOP_SECONDS = 15.0


def start_platform_thread(app: PlatformApp) -> PlatformThread:
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
    port = sockets[0].getsockname()[1]
    ready, failed = threading.Event(), []
    loop = asyncio.new_event_loop()
    stopping = asyncio.Event()

    async def serve() -> None:
        server = app.listen(sockets)
        ready.set()
        await stopping.wait()
        server.stop()
        if app.reconciler is not None:
            await app.reconciler.aclose()
            app.reconciler = None
        app.close()
        await close_connections()  # this loop's to MLflow, reported unclosed at the end if left

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(serve())
        except BaseException as err:  # surfaced by the fixture, not lost in the thread
            failed.append(err)
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="platform", daemon=True)
    thread.start()
    assert ready.wait(60), "the platform did not start"
    assert not failed, failed

    def stop() -> None:
        """Stop the platform and fail unless it stopped within ``STOP_SECONDS``: a stop that
        hangs (a model server nobody ends, a task nobody waits for) is a defect of the
        platform, not a pause for the test run to sit out."""
        loop.call_soon_threadsafe(stopping.set)
        thread.join(STOP_SECONDS)
        assert not thread.is_alive(), f"the platform did not stop within {STOP_SECONDS:g} s"

    return PlatformThread(app, f"http://127.0.0.1:{port}/services/mlplat/api/v1/", thread, stop)


#: one row of the iris features, as the MLflow scoring protocol takes it
ROW: dict[str, Any] = {
    "dataframe_split": {
        "columns": [
            "sepal length (cm)",
            "sepal width (cm)",
            "petal length (cm)",
            "petal width (cm)",
        ],
        "data": [[5.1, 3.5, 1.4, 0.2]],
    }
}
