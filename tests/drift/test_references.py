"""A version's reference read from the real MLflow 3.17.2 of the embedded workbench, as the
deployment's owner: the input example logged with the model, or a dataset sample the run
logged (``mlflow.log_table``), preferred; none is a report that says so. Then the job with
that reference over real samples."""

from __future__ import annotations

import asyncio
import uuid
import warnings
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import mlflow
import pandas as pd
import pytest

with warnings.catch_warnings():  # mlflow.pyfunc warns about its own type hints on import
    warnings.simplefilter("ignore")
    import mlflow.pyfunc

from jupyterlab_mlplat.adapters.drift import MlflowDriftReferences, ScipyDriftStatistics
from jupyterlab_mlplat.adapters.local.objects import LocalObjectStore
from jupyterlab_mlplat.adapters.mlflow.registry import PlatformMlflowRegistry
from jupyterlab_mlplat.adapters.mlflow.rest import close_connections
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.deployments.drift import DriftSettings, ReportStatus
from jupyterlab_mlplat.core.deployments.drift_service import DriftService
from tests.drift.conftest import World, normal_rows
from tests.publishing import NAMED_REQUIREMENTS
from tests.workbench import Hub

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore::UserWarning",
        "ignore::FutureWarning",
        # MLflow's own example handling, not ours
        "ignore::pandas.errors.Pandas4Warning",
    )
]


class Scorer(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
    def predict(self, context: object, model_input: pd.DataFrame) -> list[float]:
        return [0.0] * len(model_input)


EXAMPLE = pd.DataFrame(normal_rows(20, 0.0, seed=1))
SAMPLE = pd.DataFrame(normal_rows(300, 0.0, seed=2))


@pytest.fixture(scope="module")
def versions(embedded_hub: Hub) -> dict[str, str]:
    """Two registered models of alice's, registered through the gateway as her: one whose run
    logged a dataset sample besides the model's input example, one with neither."""
    token = embedded_hub.token(
        embedded_hub.login("alice"), "alice", ["access:services!service=mlflow"]
    )
    names = {kind: f"drift-{kind}-{uuid.uuid4().hex[:6]}" for kind in ("example", "sample", "bare")}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_TRACKING_TOKEN", token)
        mlflow.set_tracking_uri(f"{embedded_hub.url}/services/mlflow")
        mlflow.set_experiment(f"alice/{names['example']}")
        for kind, name in names.items():
            with mlflow.start_run():
                if kind == "sample":
                    mlflow.log_table(SAMPLE, "drift_reference.json")
                info = mlflow.pyfunc.log_model(
                    name="model",
                    python_model=Scorer(),
                    input_example=None if kind == "bare" else EXAMPLE,
                    pip_requirements=NAMED_REQUIREMENTS,
                )
            mlflow.register_model(f"models:/{info.model_id}", name)
        mlflow.set_tracking_uri("")
    return names


T = TypeVar("T")


def _run(call: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, closing the MLflow connections the call opened in its own loop (left
    open, they are reported unclosed when the tests end)."""

    async def closing() -> T:
        try:
            return await call
        finally:
            await close_connections()

    return asyncio.run(closing())


def _registry(hub: Hub) -> PlatformMlflowRegistry:
    port = urlparse(hub.url).port
    assert port is not None
    secret = (hub.data_dir / "secrets" / "mlflow-gateway-secret").read_text().strip()
    return PlatformMlflowRegistry(f"http://127.0.0.1:{port + 102}/services/mlflow", secret)


def test_the_input_example_the_dataset_sample_or_none(
    embedded_hub: Hub, versions: dict[str, str]
) -> None:
    references = MlflowDriftReferences(_registry(embedded_hub))

    example = _run(references.reference("alice", versions["example"], "1"))
    assert example is not None and example.source == "input_example"
    assert len(example.rows) == 20
    assert example.rows[0]["x"] == pytest.approx(EXAMPLE["x"][0])
    assert example.rows[0]["plan"] == EXAMPLE["plan"][0]

    sample = _run(references.reference("alice", versions["sample"], "1"))
    assert sample is not None and sample.source == "dataset" and len(sample.rows) == 300

    assert _run(references.reference("alice", versions["bare"], "1")) is None
    assert _run(references.reference("alice", versions["bare"], "9")) is None


def test_the_job_with_mlflows_reference(
    embedded_hub: Hub, versions: dict[str, str], tmp_path: Path
) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    objects = LocalObjectStore(tmp_path / "objects")
    service = DriftService(
        store,
        objects,
        store,
        MlflowDriftReferences(_registry(embedded_hub)),
        ScipyDriftStatistics(),
        DriftSettings(min_rows=30),
    )
    world = World(store, objects, None, service)  # type: ignore[arg-type]
    world.deploy("drifting", model=versions["sample"])
    _run(world.sample("drifting", "1", normal_rows(200, 2.0, seed=3, pro=0.95)))
    world.deploy("blind", model=versions["bare"])
    _run(world.sample("blind", "1", normal_rows(50, 0.0, seed=4)))
    try:
        summary = _run(service.run_once())
        assert (summary.reports, summary.notified, summary.failed) == (2, 1, 0)
        drifting = store.last_drift_report("drifting", "1")
        assert drifting is not None and drifting.drifted and drifting.reference == "dataset"
        assert {f.feature for f in drifting.features if f.drifted} == {"x", "plan"}
        blind = store.last_drift_report("blind", "1")
        assert blind is not None and blind.status is ReportStatus.NO_REFERENCE
    finally:
        store.close()
