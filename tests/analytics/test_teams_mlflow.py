"""Runs and registered versions from the real MLflow 3.17.2 behind the embedded workbench:
alice logs two runs in an experiment she made private and registers a version, rita logs one
run in a shared experiment, each through the MLflow gateway as themselves. The figures count
them per person (alice's private runs included: they are counted as alice, since MLflow hides
them from the platform's own identity), through the hub's platform service with each person's
token; an MLflow that does not answer is a 503 with its reason, never a 500."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import mlflow
import pytest

with warnings.catch_warnings():  # mlflow.pyfunc warns about its own type hints on import
    warnings.simplefilter("ignore")
    import mlflow.pyfunc

from jupyterlab_mlplat.adapters.mlflow.activity import MlflowTeamActivity
from jupyterlab_mlplat.adapters.mlflow.registry import PlatformMlflowRegistry
from jupyterlab_mlplat.core.experiments.errors import MLflowUnavailable
from tests.publishing import NAMED_REQUIREMENTS
from tests.workbench import Hub

from .teams_platform import ALICE, Platform, seed

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")]

TODAY = datetime.now(UTC).date()
SINCE = datetime.combine(TODAY, time(), tzinfo=UTC)
UNTIL = SINCE + timedelta(days=1)
PLATFORM_SCOPES = ["access:services!service=mlplat", "read:users:groups!user"]


class Doubler(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
    def predict(self, context: object, model_input: list[float]) -> list[float]:
        return [2 * x for x in model_input]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _direct(hub: Hub, *, port: int | None = None) -> tuple[str, str]:
    """MLflow's own URL as the platform calls it (not through the gateway), and the secret."""
    hub_port = urlparse(hub.url).port
    assert hub_port is not None
    secret = (hub.data_dir / "secrets" / "mlflow-gateway-secret").read_text().strip()
    return f"http://127.0.0.1:{port or hub_port + 102}/services/mlflow", secret


def _activity(hub: Hub) -> MlflowTeamActivity:
    url, secret = _direct(hub)
    return MlflowTeamActivity(PlatformMlflowRegistry(url, secret))


def _counts(found: list[Any]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for count in found:
        totals[count.person] = totals.get(count.person, 0) + count.count
    return totals


@pytest.fixture
def as_person(embedded_hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Log to MLflow through the gateway as ``user`` (their own hub token)."""

    def use(user: str) -> str:
        token = embedded_hub.token(
            embedded_hub.login(user), user, ["access:services!service=mlflow"]
        )
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
        mlflow.set_tracking_uri(f"{embedded_hub.url}/services/mlflow")
        return token

    yield use
    mlflow.set_tracking_uri(None)


def test_runs_and_versions_per_person_private_ones_included(
    embedded_hub: Hub, as_person: Any
) -> None:
    activity = _activity(embedded_hub)
    runs_before = _counts(asyncio.run(activity.runs_started(["alice", "rita"], SINCE, UNTIL)))
    versions_before = _counts(asyncio.run(activity.versions_registered(SINCE, UNTIL)))

    as_person("alice")
    private = mlflow.create_experiment(f"alice/analytics-private-{uuid.uuid4().hex[:6]}")
    mlflow.set_experiment(experiment_id=private)
    mlflow.set_experiment_tag("mlplat.private", "true")
    for _ in range(2):
        with mlflow.start_run():
            mlflow.log_metric("auc", 0.9)
    name = f"analytics-{uuid.uuid4().hex[:6]}"
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(
            name="model", python_model=Doubler(), pip_requirements=NAMED_REQUIREMENTS
        )
    mlflow.register_model(f"models:/{info.model_id}", name)
    as_person("rita")
    mlflow.set_experiment(f"rita/analytics-{uuid.uuid4().hex[:6]}")
    with mlflow.start_run():
        mlflow.log_metric("auc", 0.8)

    runs = _counts(asyncio.run(activity.runs_started(["alice", "rita"], SINCE, UNTIL)))
    assert runs.get("alice", 0) - runs_before.get("alice", 0) == 3
    assert runs.get("rita", 0) - runs_before.get("rita", 0) == 1
    versions = _counts(asyncio.run(activity.versions_registered(SINCE, UNTIL)))
    assert versions.get("alice", 0) - versions_before.get("alice", 0) == 1
    assert "mlplat-platform" not in versions
    # the platform's own identity does not see alice's private runs: counted as the platform,
    # her work would be missing
    hidden = asyncio.run(activity.runs_started(["mlplat-platform"], SINCE, UNTIL))
    assert _counts(hidden) == {}
    # a range that ends where today begins holds none of it
    before_today = asyncio.run(activity.runs_started(["alice"], SINCE - timedelta(days=1), SINCE))
    assert all(c.day < TODAY for c in before_today)


def test_the_hubs_platform_counts_them_as_each_person_may_see(
    embedded_hub: Hub, as_person: Any
) -> None:
    roles = {"alice": [], "rita": ["custom:mlplat:review"], "adam": ["custom:mlplat:admin"]}
    tokens = {
        user: embedded_hub.token(embedded_hub.login(user), user, PLATFORM_SCOPES + held)
        for user, held in roles.items()
    }
    for token in tokens.values():  # the platform learns who people are (and their teams)
        assert embedded_hub.platform("api/v1/me", token).status_code == 200
    as_person("alice")
    mlflow.set_experiment(f"alice/analytics-{uuid.uuid4().hex[:6]}")
    with mlflow.start_run():
        mlflow.log_metric("auc", 0.7)

    query = f"api/v1/analytics/teams?by=person&grain=day&from={TODAY}&to={TODAY}"
    mine = embedded_hub.platform(query, tokens["alice"])
    assert mine.status_code == 200, mine.text
    found = mine.json()
    assert [t["key"] for t in found["totals"]] == ["alice"]
    assert found["totals"][0]["runs"] >= 1
    everyone = embedded_hub.platform(query, tokens["adam"]).json()
    keys = {t["key"] for t in everyone["totals"]}
    assert "alice" in keys and keys <= {"alice", "rita", "adam", "ivan"}
    team = embedded_hub.platform(query.replace("by=person", "by=team"), tokens["alice"]).json()
    assert [t["key"] for t in team["totals"]] == ["data-scientists"]
    csv = embedded_hub.platform(query + "&format=csv", tokens["alice"])
    assert csv.status_code == 200 and csv.text.startswith("key,period,runs,")


def test_mlflow_down_is_unavailable_never_a_500(embedded_hub: Hub, tmp_path: Path) -> None:
    url, secret = _direct(embedded_hub, port=_closed_port())
    with pytest.raises(MLflowUnavailable):
        asyncio.run(
            MlflowTeamActivity(PlatformMlflowRegistry(url, secret)).runs_started(
                ["alice"], SINCE, UNTIL
            )
        )

    async def ask() -> tuple[int, dict[str, Any]]:
        secret_file = tmp_path / "mlflow-secret"
        secret_file.write_text(secret)
        running = Platform(
            tmp_path, f"sqlite:///{tmp_path / 'p.sqlite'}", mlflow=(url, secret_file)
        )
        seed(running)
        try:
            response = await running.fetch("api/v1/analytics/teams", token=ALICE)
            return response.code, json.loads(response.body)
        finally:
            running.stop()

    status, body = asyncio.run(ask())
    assert status == 503 and body["reason"] == "mlflow_unavailable"
    assert secret not in json.dumps(body) and "Traceback" not in json.dumps(body)
