"""Models through the real gateway and MLflow 3.17.2: a person's sandbox, the catalog the
platform alone writes, and every wall between them tried from the other side.

Driven with MLflow's own client, unchanged, the way code in a person's notebook calls it, and
with our adapters (the sidebar's, as the person; the platform's, straight to MLflow)."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import mlflow
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

with warnings.catch_warnings():  # mlflow.pyfunc warns about its own type hints on import
    warnings.simplefilter("ignore")
    import mlflow.pyfunc

from jupyterlab_mlplat.adapters.mlflow.publishing import CatalogPublisher
from jupyterlab_mlplat.adapters.mlflow.registry import MlflowRegistry, PlatformMlflowRegistry
from jupyterlab_mlplat.core.experiments.errors import MLflowForbidden
from jupyterlab_mlplat.core.kernel.errors import Unavailable
from jupyterlab_mlplat.core.models.errors import CatalogReadOnly, ModelNameTaken
from jupyterlab_mlplat.core.models.records import (
    CARD_FILE,
    TAG_CREATED_BY,
    DeploymentLink,
    PublicationLink,
)
from jupyterlab_mlplat.core.models.service import ModelService
from tests.publishing import NAMED_REQUIREMENTS
from tests.workbench import Hub

SCOPES = ["access:services!service=mlflow"]
#: logging and loading a model, MLflow warns about pip, type hints and its own deprecations
pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning"),
    pytest.mark.asyncio,
]


class Doubler(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
    def predict(self, context: object, model_input: list[float]) -> list[float]:
        return [2 * x for x in model_input]


@pytest.fixture
def hub(mlflow_hub: Hub) -> Hub:
    return mlflow_hub


@pytest.fixture
def tokens(hub: Hub) -> dict[str, str]:
    return {user: hub.token(hub.login(user), user, SCOPES) for user in ("alice", "rita")}


@pytest.fixture
def as_user(hub: Hub, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    def switch(user: str) -> MlflowClient:
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", tokens[user])
        mlflow.set_tracking_uri(f"{hub.url}/services/mlflow")
        return MlflowClient(tracking_uri=f"{hub.url}/services/mlflow")

    monkeypatch.setenv("USER", "mallory")
    yield switch
    mlflow.set_tracking_uri(None)


def _platform(hub: Hub) -> PlatformMlflowRegistry:
    port = urlparse(hub.url).port
    assert port is not None
    secret = (hub.data_dir / "secrets" / "mlflow-gateway-secret").read_text().strip()
    return PlatformMlflowRegistry(f"http://127.0.0.1:{port + 102}/services/mlflow", secret)


def _logged_model(suffix: str) -> tuple[str, str]:
    mlflow.set_experiment(f"alice/models-{suffix}")
    with mlflow.start_run() as run:
        mlflow.log_metric("auc", 0.91)
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=Doubler(),
            input_example=[1.5, 2.5],
            pip_requirements=NAMED_REQUIREMENTS,
        )
    return run.info.run_id, info.model_id


class Publications:
    """The platform's answer for the version's publications (the reviews room's, elsewhere)."""

    def __init__(self, links: list[PublicationLink]) -> None:
        self.links = links
        self.card: dict[str, Any] | None = None

    async def of_version(self, name: str, version: str) -> list[PublicationLink]:
        return self.links

    async def latest_card(self, name: str) -> dict[str, Any] | None:
        return self.card


class Deployments:
    """The platform's answer for the person's deployments, or its failure."""

    links: list[DeploymentLink] | Exception = []

    async def mine(self) -> list[DeploymentLink]:
        if isinstance(self.links, Exception):
            raise self.links
        return self.links


def _refused(call: object) -> MlflowException:
    with pytest.raises(MlflowException) as caught:
        call()  # type: ignore[operator]
    assert caught.value.get_http_status_code() == 403
    return caught.value


async def test_a_notebooks_register_model_lands_in_the_persons_sandbox(
    hub: Hub, as_user: object, tokens: dict[str, str]
) -> None:
    suffix = uuid.uuid4().hex[:6]
    alice = as_user("alice")  # type: ignore[operator]
    run_id, model_id = _logged_model(suffix)
    name = f"churn-{suffix}"
    version = mlflow.register_model(f"models:/{model_id}", name)
    assert version.version == "1"
    stored = alice.get_model_version(name, "1")
    assert stored.tags[TAG_CREATED_BY] == "alice"
    assert stored.run_id == run_id

    # nobody else adds versions to it: MLflow's own permissions
    rita = as_user("rita")  # type: ignore[operator]
    _refused(lambda: rita.create_model_version(name, f"models:/{model_id}", run_id=run_id))

    # ... nor does the sidebar let rita register under alice's name
    registry = MlflowRegistry(f"{hub.url}/services/mlflow", tokens["rita"])
    with pytest.raises(ModelNameTaken):
        await ModelService(registry, user="rita").register(run_id, name, model_id=model_id)


async def test_the_catalog_is_written_by_the_platform_alone(
    hub: Hub, as_user: object, tokens: dict[str, str], tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:6]
    alice = as_user("alice")  # type: ignore[operator]
    run_id, model_id = _logged_model(suffix)
    service = ModelService(
        MlflowRegistry(f"{hub.url}/services/mlflow", tokens["alice"]), user="alice"
    )
    mine = await service.register(run_id, f"sandbox-{suffix}", model_id=model_id)
    catalog = f"catalog.churn-{suffix}"

    # a person cannot make, or claim, a catalog name: the gateway refuses every spelling
    for spelled in (catalog, catalog.upper(), f" {catalog}"):
        refused = _refused(lambda n=spelled: alice.create_registered_model(n))
        assert "catalog" in refused.message
    with pytest.raises(CatalogReadOnly):
        await service.register(run_id, catalog, model_id=model_id)
    raw = requests.delete(  # noqa: ASYNC210  (a test's one raw call, spelled by hand)
        f"{hub.url}/services/mlflow/api/2.0/mlflow/registered-models/delete",
        params={"name": catalog},
        headers={"Authorization": f"Bearer {tokens['alice']}"},
        timeout=30,
    )
    assert raw.status_code == 403 and raw.json()["reason"] == "catalog_read_only"

    # the platform copies the version in, once however often it is asked, and moves the alias
    platform = _platform(hub)
    first = await platform.copy_to_catalog(mine, catalog, publication_id="7")
    again = await platform.copy_to_catalog(mine, catalog, publication_id="7")
    assert first.version == again.version == "1"
    await platform.set_alias(catalog, "champion", first.version)
    written = await platform.write_card(mine, "# churn\n", author="alice")
    assert written.endswith(CARD_FILE)

    # alice reads it, loads the champion, and cannot move the alias (the gateway) ...
    assert alice.get_model_version_by_alias(catalog, "champion").version == "1"
    loaded = mlflow.pyfunc.load_model(f"models:/{catalog}@champion")
    assert list(loaded.predict([1.0, 2.0])) == [2.0, 4.0]
    _refused(lambda: alice.set_registered_model_alias(catalog, "champion", "1"))
    _refused(lambda: alice.delete_registered_model_alias(catalog, "champion"))
    # ... nor could she without the gateway: MLflow's permissions give her READ only
    with pytest.raises(MLflowForbidden):
        await platform.as_author("alice").set_alias(catalog, "champion", "1")

    # the card lies next to the version's artifacts
    path = mlflow.artifacts.download_artifacts(
        f"models:/{mine.name}/{mine.version}/{CARD_FILE}", dst_path=str(tmp_path)
    )
    assert Path(path).read_text() == "# churn\n"  # noqa: ASYNC240


async def test_my_models_and_a_versions_lineage(
    hub: Hub, as_user: object, tokens: dict[str, str]
) -> None:
    suffix = uuid.uuid4().hex[:6]
    as_user("alice")  # type: ignore[operator]
    run_id, model_id = _logged_model(suffix)
    published = PublicationLink("7", "published", "lineage-pub", catalog_version="2")
    publications = Publications([published])
    deployments = Deployments()
    service = ModelService(
        MlflowRegistry(f"{hub.url}/services/mlflow", tokens["alice"]),
        user="alice",
        publications=publications,
        deployments=deployments,
    )
    assert [m.model_id for m in await service.run_models(run_id)] == [model_id]
    version = await service.register(run_id, f"lineage-{suffix}")  # the run's only model
    # her deployments: of this version on staging, of its catalog copy on production, and of
    # what is not this version
    deployments.links = [
        DeploymentLink("try", version.name, "1", "staging", "ready", "primary"),
        DeploymentLink("prod", "catalog.lineage-pub", "2", "production", "ready", "canary"),
        DeploymentLink("prod", "catalog.lineage-pub", "1", "production", "ready", "primary"),
        DeploymentLink("other", version.name, "2", "staging", "ready", "primary"),
        DeploymentLink("elsewhere", "lineage-pub", "1", "staging", "ready", "primary"),
    ]
    page = await service.my_models(max_results=100, page_token=None)
    row = next(m for m in page.items if m.name == f"lineage-{suffix}")
    assert row.versions[0].metrics == {"auc": 0.91}
    lineage = await service.lineage(version.name, version.version)
    assert lineage.run is not None and lineage.run.run_id == run_id
    assert lineage.model is not None and "python_function" in lineage.model.flavour.flavours
    assert lineage.publications == (published,)
    assert [(d.name, d.model_name, d.version) for d in lineage.deployments] == [
        ("try", version.name, "1"),
        ("prod", "catalog.lineage-pub", "2"),
    ]
    # the platform not answering: the chain without its deployments, not a failure
    deployments.links = Unavailable("the platform is restarting")
    assert (await service.lineage(version.name, version.version)).deployments == ()
    draft = await service.card_draft(version.name, version.version)
    assert [m.key for m in draft.metrics] == ["auc"] and draft.owners == ["alice"]
    assert draft.catalog_name == f"lineage-{suffix}"  # the model's name, as a suggestion

    # a later version's card starts from the last one's: what the author wrote is kept, the
    # metrics are this run's (with the notes the author gave them), the flavour's facts are
    # MLflow's
    publications.card = {
        "catalog_name": "churn",
        "description": "Who leaves, **monthly**.",
        "limitations": "Not for B2B.",
        "owners": ["alice", "bob"],
        "task": "regression",
        "metrics": [{"key": "auc", "value": 0.5, "note": "on May"}, {"key": "gone", "value": 1}],
    }
    draft = await service.card_draft(version.name, version.version)
    assert (draft.catalog_name, draft.description, draft.limitations) == (
        "churn",
        "Who leaves, **monthly**.",
        "Not for B2B.",
    )
    assert draft.owners == ["alice", "bob"]
    assert [(m.key, m.value, m.note) for m in draft.metrics] == [("auc", 0.91, "on May")]
    assert draft.task == (lineage.model.flavour.task or "regression")


async def test_publishing_reads_as_the_author_and_writes_as_the_platform(
    hub: Hub, as_user: object, tokens: dict[str, str], tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:6]
    alice = as_user("alice")  # type: ignore[operator]
    run_id, _ = _logged_model(suffix)
    registry = MlflowRegistry(f"{hub.url}/services/mlflow", tokens["alice"])
    mine = await ModelService(registry, user="alice").register(run_id, f"pub-{suffix}")
    publisher = CatalogPublisher(_platform(hub))

    facts = await publisher.version_facts("alice", mine.name, mine.version)
    assert (facts.owner, facts.run_id, facts.metrics) == ("alice", run_id, {"auc": 0.91})
    assert facts.flavors and "python_function" in facts.flavors
    # reviewers read the example itself beside the signature, not the name of its file
    assert facts.input_example is not None and "2.5" in facts.input_example, facts.input_example

    catalog = f"catalog.pub-{suffix}"
    for _ in range(2):  # a retried publish makes no second copy
        copy = await publisher.publish_copy(
            facts,
            author="alice",
            catalog_model=catalog,
            publication_id=42,
            card_markdown="---\nlicense: mit\n---\n# pub\n",
            alias="champion",
        )
    assert (copy.catalog_model, copy.catalog_version, copy.alias) == (catalog, "1", "champion")
    assert [v.version for v in alice.search_model_versions(f"name = '{catalog}'")] == ["1"]
    stored = alice.get_model_version(catalog, "1")
    assert stored.tags[TAG_CREATED_BY] == "mlplat-platform"
    card = mlflow.artifacts.download_artifacts(
        f"models:/{catalog}@champion/{CARD_FILE}", dst_path=str(tmp_path)
    )
    assert "license: mit" in Path(card).read_text()  # noqa: ASYNC240

    # taken out of use: tagged deprecated, the alias removed; a person can do neither
    platform = _platform(hub)
    await platform.deprecate(catalog, "1")
    await platform.delete_alias(catalog, "champion")
    assert alice.get_model_version(catalog, "1").tags["mlplat.deprecated"] == "true"
    assert alice.get_registered_model(catalog).aliases == {}
    _refused(lambda: alice.set_model_version_tag(catalog, "1", "mlplat.deprecated", "false"))
