"""``GET /api/v1/deployments/{name}/drift`` on a real platform over HTTP: the owner and admins
read a deployment's reports, anyone else is told it does not exist, a bad ``since`` is a 400.

People are told apart by a token table (an implementation of the platform's authenticator
port, configured the way a deployment configures the hub's); the job's reports are made by the
real job over real samples."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import tornado.netutil
from tornado.httpclient import AsyncHTTPClient

from jupyterlab_mlplat.core.kernel.errors import TokenRefused
from jupyterlab_mlplat.core.kernel.identity import Identity, Role
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import PlatformAuthenticator
from tests.drift.conftest import World, normal_rows

pytestmark = pytest.mark.asyncio

PEOPLE = {
    "alice-token": Identity("alice"),
    "bob-token": Identity("bob"),
    "adam-token": Identity("adam", roles=(Role.DATA_SCIENTIST, Role.ADMIN)),
}


class TokenTable(PlatformAuthenticator):
    async def authenticate(self, token: str | None) -> Identity:
        if token not in PEOPLE:
            raise TokenRefused("This token is not valid for this platform.")
        return PEOPLE[token]


@pytest_asyncio.fixture
async def platform(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[PlatformApp, str]]:
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    app = PlatformApp(
        data_dir=str(tmp_path),
        db_url=database_url,
        base_url="/",
        authenticator_class=TokenTable,
        # deployments recorded, never run: no reconciler (these tests are about drift)
        deployer_class=None,
    )
    app.drift_interval_minutes = 0
    app.services = app.build_services()
    server = app.listen(sockets)
    yield app, f"http://127.0.0.1:{sockets[0].getsockname()[1]}/api/v1/"
    server.stop()
    app.close()


async def _get(url: str, token: str) -> tuple[int, Any]:
    answer = await AsyncHTTPClient().fetch(
        url, headers={"Authorization": f"token {token}"}, raise_error=False
    )
    return answer.code, json.loads(answer.body)


async def test_the_owner_and_admins_read_the_reports_others_get_404(
    platform: tuple[PlatformApp, str],
) -> None:
    app, url = platform
    assert app.services is not None
    service = app.services.drift
    world = World(app.services.store, service.objects, None, service)  # type: ignore[arg-type]
    world.deploy("churn-api")
    await world.sample("churn-api", "1", normal_rows(40, 2.0, seed=1))
    await service.run_once()  # without MLflow: a report that says there is no reference

    status, body = await _get(url + "deployments/churn-api/drift", "alice-token")
    assert status == 200, body
    assert body["deployment"] == "churn-api" and body["model_name"] == "churn-model"
    assert body["thresholds"] == {"p_value": 0.05, "share": 0.5, "min_rows": 30}
    [report] = body["reports"]
    assert report["status"] == "no_reference" and report["rows"] == 40
    assert report["version"] == "1" and report["features"] == []

    status, admin_body = await _get(url + "deployments/churn-api/drift", "adam-token")
    assert status == 200 and admin_body == body

    for path in ("deployments/churn-api/drift", "deployments/nothing-here/drift"):
        status, refused = await _get(url + path, "bob-token")
        assert status == 404 and refused["reason"] == "deployment_not_found"

    status, later = await _get(
        url + "deployments/churn-api/drift?since=2999-01-01T00:00:00Z", "alice-token"
    )
    assert status == 200 and later["reports"] == []

    status, bad = await _get(url + "deployments/churn-api/drift?since=yesterday", "alice-token")
    assert status == 400 and bad["reason"] == "drift_since_invalid"
    assert "Traceback" not in json.dumps(bad)


@pytest.mark.parametrize("name", ["nul%00byte", "x" * 300, "UPPER", "a%2Fb", "..", "%E2%80%AE"])
async def test_a_name_no_deployment_can_have_is_not_found(
    platform: tuple[PlatformApp, str], name: str
) -> None:
    _, url = platform
    status, body = await _get(url + f"deployments/{name}/drift", "alice-token")
    assert status == 404 and body["reason"] in ("deployment_not_found", "unknown_route")
