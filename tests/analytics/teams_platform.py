"""A platform on a real socket for the analytics API's tests (SQLite or PostgreSQL), the
people the hub would vouch for (alice and bob in team-a, adam an admin), and a month of what
they did: a publication, two deployments and their traffic, usage minutes."""

from __future__ import annotations

import csv
import io
import json
import socket
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
import tornado.httpserver
import tornado.netutil
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from jupyterlab_mlplat.adapters.sql.schema import audit
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.accounts.records import UserRecord
from jupyterlab_mlplat.core.analytics.usage import Sample, WorkloadKind
from jupyterlab_mlplat.core.deployments.records import Stage
from jupyterlab_mlplat.core.kernel.errors import NoToken, TokenRefused
from jupyterlab_mlplat.core.kernel.identity import Identity, Role
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import PlatformAuthenticator
from tests.traffic.conftest import minute, spec

ALICE, BOB, ADAM = "alice-token", "bob-token", "adam-token"
IDENTITIES = {
    ALICE: Identity("alice", ("team-a",)),
    BOB: Identity("bob", ("team-a",)),
    ADAM: Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN)),
}
TODAY = datetime.now(UTC).date()
GIB = 2**30


def at(days_ago: int, hour: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(hour), tzinfo=UTC)


class People(PlatformAuthenticator):
    async def authenticate(self, token: str | None) -> Identity:
        if not token:
            raise NoToken("no token")
        if token not in IDENTITIES:
            raise TokenRefused("the hub does not know this token")
        return IDENTITIES[token]


class Platform:
    """A platform on a real socket; without ``mlflow`` (its URL and secret file) runs and
    versions count 0."""

    def __init__(
        self,
        data_dir: Path,
        db_url: str,
        port: int = 0,
        *,
        mlflow: tuple[str, Path] | None = None,
    ) -> None:
        sockets = tornado.netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET)
        self.app = PlatformApp(
            data_dir=str(data_dir),
            db_url=db_url,
            base_url="/services/mlplat/",
            authenticator_class=People,
            server_idle_timeout=3600,
            mlflow_url=mlflow[0] if mlflow else "",
            mlflow_secret_file=str(mlflow[1]) if mlflow else "",
        )
        self.app.services = self.app.build_services()
        self.store = cast(SqlStore, self.app.services.store)
        self.server = tornado.httpserver.HTTPServer(self.app.make_tornado_app(), xheaders=True)
        self.server.add_sockets(sockets)
        self.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/services/mlplat/"

    async def fetch(self, path: str, *, token: str = ADAM) -> HTTPResponse:
        return await AsyncHTTPClient().fetch(
            self.url + path, headers={"Authorization": f"token {token}"}, raise_error=False
        )

    async def call(self, path: str, expect: int = 200, *, token: str = ADAM) -> Any:
        response = await self.fetch(path, token=token)
        text = (response.body or b"").decode()
        assert response.code == expect, f"{path}: {response.code} {text}"
        assert "Traceback" not in text
        return json.loads(text)

    def record(self, at: datetime, actor: str, action: str, object_id: str) -> None:
        """A record as the unit of work writes it, at the time the test needs (the services
        writing these are ``test_teams_service.py``'s)."""
        with self.store.engine.begin() as connection:
            connection.execute(
                sa.insert(audit).values(
                    at=at,
                    actor=actor,
                    action=action,
                    object_type="deployment" if action.startswith("deployment") else "publication",
                    object_id=object_id,
                    detail={},
                    request_id=None,
                )
            )

    def rows_written(self) -> tuple[int, ...]:
        with self.store.engine.connect() as connection:
            return tuple(
                int(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                for t in (audit, sa.table("usage_daily"), sa.table("deployment_traffic"))
            )

    def stop(self) -> None:
        self.server.stop()
        self.app.close()


def seed(platform: Platform) -> None:
    """alice and bob (team-a): alice published one version (submitted 10 days ago at 09:00,
    published the next day at 15:00: 30 h) and deployed churn-api, which served 1,000
    requests yesterday (10 errors); bob deployed bob-api (200 requests, 2 errors). Usage:
    alice's GPU workspace idle two hours, bob's CPU workspace busy one hour."""
    store = platform.store
    with store.transaction("test") as tx:
        for who in IDENTITIES.values():
            tx.save_user(UserRecord(who.name, who.roles, who.groups, at(40, 0), at(40, 0)))
        tx.insert_deployment("churn-api", "alice", Stage.STAGING, spec(), at(12, 0))
        tx.insert_deployment("bob-api", "bob", Stage.STAGING, spec(), at(12, 0))
    platform.record(at(10, 8), "alice", "publication.created", "1")
    platform.record(at(10, 9), "alice", "publication.submitted", "1")
    platform.record(at(9, 11), "rita", "publication.approved", "1")
    platform.record(at(9, 15), "rita", "publication.published", "1")
    platform.record(at(12, 10), "alice", "deployment.created", "churn-api")
    platform.record(at(12, 10), "bob", "deployment.created", "bob-api")
    yesterday = at(1, 13)
    with store.transaction("deployments") as tx:
        tx.put_traffic(
            "gw-1",
            [
                minute(yesterday, 1000, deployment="churn-api", server_errors=10),
                minute(yesterday, 200, deployment="bob-api", client_errors=2),
            ],
        )
    samples = []
    for n in range(120):
        samples.append(
            Sample(
                minute=at(2, 10) + timedelta(minutes=n),
                kind=WorkloadKind.WORKSPACE,
                name="gpu-lab",
                owner="alice",
                profile="gpu",
                minutes=1.0,
                cpu_requested=4.0,
                cpu_used=0.01,
                memory_requested=16 * GIB,
                memory_used=GIB,
                gpus=1,
                active=False,
                idle=True,
            )
        )
    for n in range(60):
        samples.append(
            Sample(
                minute=at(2, 10) + timedelta(minutes=n),
                kind=WorkloadKind.WORKSPACE,
                name="",
                owner="bob",
                profile="cpu",
                minutes=1.0,
                cpu_requested=2.0,
                cpu_used=1.5,
                memory_requested=4 * GIB,
                memory_used=2 * GIB,
                gpus=0,
                active=True,
                idle=False,
            )
        )
    with store.transaction("mlplat-platform") as tx:
        tx.add_usage_samples(samples)


def csv_rows(response: HTTPResponse) -> list[dict[str, str]]:
    """A CSV answer's rows (its lines end in CRLF, as RFC 4180 has them)."""
    text = response.body.decode()
    assert text.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(text)))


def as_cells(row: dict[str, Any]) -> dict[str, str]:
    """A JSON row as its CSV cells read back (null: an empty cell)."""
    return {k: "" if v is None else str(v) for k, v in row.items()}
