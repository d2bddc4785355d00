"""Publishing against the real MLflow 3.17.2 behind the embedded workbench: a version alice
registered is snapshotted as alice, approved by rita, copied into ``catalog.<name>`` by the
platform's own identity with ``model_card.md`` and the champion alias; when MLflow is down at
approval the publication stays approved with the error, and a retry publishes it once."""

from __future__ import annotations

import asyncio
import socket
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import mlflow
import pytest
from mlflow import MlflowClient

with warnings.catch_warnings():  # mlflow.pyfunc warns about its own type hints on import
    warnings.simplefilter("ignore")
    import mlflow.pyfunc

from jupyterlab_mlplat.adapters.mlflow.publishing import CatalogPublisher
from jupyterlab_mlplat.adapters.mlflow.registry import PlatformMlflowRegistry
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.api.reviews import ModelCardRules
from jupyterlab_mlplat.core.models.records import TAG_DEPRECATED, TAG_PUBLICATION
from jupyterlab_mlplat.core.reviews.errors import PublishFailed
from jupyterlab_mlplat.core.reviews.records import Action, State
from jupyterlab_mlplat.core.reviews.service import ReviewService
from tests.publishing import NAMED_REQUIREMENTS
from tests.reviews.conftest import ADAM, ALICE, RITA
from tests.workbench import Hub

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")]


class Doubler(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
    def predict(self, context: object, model_input: list[float]) -> list[float]:
        return [2 * x for x in model_input]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def alice_version(embedded_hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A registered model of alice's with one version, registered through the gateway as her."""
    token = embedded_hub.token(
        embedded_hub.login("alice"), "alice", ["access:services!service=mlflow"]
    )
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    mlflow.set_tracking_uri(f"{embedded_hub.url}/services/mlflow")
    name = f"churn-{uuid.uuid4().hex[:6]}"
    mlflow.set_experiment(f"alice/{name}")
    with mlflow.start_run():
        mlflow.log_metric("auc", 0.91)
        info = mlflow.pyfunc.log_model(
            name="model", python_model=Doubler(), pip_requirements=NAMED_REQUIREMENTS
        )
    mlflow.register_model(f"models:/{info.model_id}", name)
    yield name
    mlflow.set_tracking_uri(None)


def _registry(hub: Hub, *, down: bool = False) -> PlatformMlflowRegistry:
    hub_port = urlparse(hub.url).port
    assert hub_port is not None
    # MLflow itself, as the platform calls it (not through the gateway); a closed port: MLflow down
    port = _closed_port() if down else hub_port + 102
    secret = (hub.data_dir / "secrets" / "mlflow-gateway-secret").read_text().strip()
    return PlatformMlflowRegistry(f"http://127.0.0.1:{port}/services/mlflow", secret)


def test_a_failed_publish_stays_approved_and_the_retry_publishes_once(
    embedded_hub: Hub, alice_version: str, tmp_path: Path
) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    cards = ModelCardRules()
    up = ReviewService(store, CatalogPublisher(_registry(embedded_hub)), cards)
    down = ReviewService(store, CatalogPublisher(_registry(embedded_hub, down=True)), cards)
    catalog_name = alice_version.replace("churn-", "churn")
    card = {"catalog_name": catalog_name, "description": "Predicts churn; удержание клиентов."}
    try:
        draft = asyncio.run(up.create(ALICE, alice_version, "1", card))
        sent = asyncio.run(up.submit(ALICE, draft.id, draft.revision))
        assert sent.snapshot is not None
        assert sent.snapshot.facts.owner == "alice"
        assert sent.snapshot.facts.metrics == {"auc": pytest.approx(0.91)}

        approved = asyncio.run(down.decide(RITA, draft.id, sent.revision, Action.APPROVE, "ok"))
        assert approved.state is State.APPROVED and approved.publish_error
        with pytest.raises(PublishFailed):
            asyncio.run(down.publish(ADAM, draft.id, approved.revision))

        again = store.publication(draft.id)
        assert again is not None
        done = asyncio.run(up.publish(ADAM, draft.id, again.revision))
        assert done.state is State.PUBLISHED and done.publish_error is None
        gone = asyncio.run(up.deprecate(RITA, draft.id, done.revision, "superseded"))
        assert gone.state is State.DEPRECATED
    finally:
        store.close()

    client = MlflowClient(tracking_uri=f"{embedded_hub.url}/services/mlflow")
    champion = client.get_model_version_by_alias(f"catalog.{catalog_name}", "champion")
    assert champion.version == done.catalog_version
    assert champion.tags[TAG_PUBLICATION] == str(draft.id)
    copies = client.search_model_versions(f"name='catalog.{catalog_name}'")
    assert [c.version for c in copies] == [done.catalog_version]  # one copy, however retried
    assert copies[0].tags[TAG_DEPRECATED] == "true"
