"""Wire models of the Models tab (``/jupyterlab-mlplat/models/...``): a person's registered
models and versions, a version's lineage, registering a version from a run, and a card filled
in from what MLflow knows. Each is copied from a core record field by field."""

from __future__ import annotations

from pydantic import Field

from jupyterlab_mlplat.core.deployments.records import Phase, Stage, Traffic
from jupyterlab_mlplat.core.kernel.naming import MODEL_NAME_MAX, MODEL_NAME_PATTERN
from jupyterlab_mlplat.core.kernel.paging import Page
from jupyterlab_mlplat.core.models.card import ModelCard
from jupyterlab_mlplat.core.models.records import (
    Lineage,
    LoggedModel,
    ModelRow,
    VersionModel,
)
from jupyterlab_mlplat.core.models.service import MAX_ARTIFACT_PATH, MODEL_ID, RUN_ID

from .base import FromCore, Wire


class RegisterBody(Wire):
    """``POST models/versions``: a version of the person's model ``name`` from a run."""

    run_id: str = Field(json_schema_extra={"pattern": f"^{RUN_ID}$"})
    name: str = Field(
        description="The person's registered model (created when absent); MLflow's rules: no "
        "'/' or ':', not under the catalog's prefix.",
        min_length=1,
        max_length=MODEL_NAME_MAX,
        json_schema_extra={"pattern": MODEL_NAME_PATTERN},
    )
    model_id: str = Field(
        default="",
        description="The run's logged model (m-…); empty: the run's only logged model.",
        json_schema_extra={"pattern": f"^(?:{MODEL_ID})?$"},
    )
    artifact_path: str = Field(
        default="",
        description="A model logged the MLflow 2 way, as a folder of the run's artifacts.",
        max_length=MAX_ARTIFACT_PATH,
    )


class ModelVersionBody(FromCore):
    name: str
    version: str
    run_id: str
    source: str
    created_by: str
    created_at: int | None = Field(description="Milliseconds since the epoch.")
    status: str
    description: str
    model_id: str
    tags: dict[str, str]
    aliases: list[str]


class VersionRowBody(Wire):
    version: ModelVersionBody
    metrics: dict[str, float] = Field(description="The key metrics of the version's run.")


class ModelRowBody(Wire):
    name: str
    description: str
    created_at: int | None
    updated_at: int | None
    aliases: dict[str, str] = Field(description="Alias → version.")
    versions: list[VersionRowBody] = Field(description="The latest versions, newest first.")

    @classmethod
    def of(cls, row: ModelRow) -> ModelRowBody:
        return cls(
            name=row.name,
            description=row.description,
            created_at=row.created_at,
            updated_at=row.updated_at,
            aliases=dict(row.aliases),
            versions=[
                VersionRowBody(
                    version=ModelVersionBody.model_validate(v.version), metrics=dict(v.metrics)
                )
                for v in row.versions
            ],
        )


class ModelsPage(Wire):
    """``GET models``: the registered models the person created."""

    models: list[ModelRowBody]
    next_page_token: str | None

    @classmethod
    def of(cls, page: Page[ModelRow]) -> ModelsPage:
        return cls(
            models=[ModelRowBody.of(r) for r in page.items], next_page_token=page.next_page_token
        )


class RunSnapshotBody(FromCore):
    run_id: str
    experiment_id: str
    name: str
    user: str
    params: dict[str, str]
    metrics: dict[str, float]
    notebook: str = Field(description="The notebook the run came from, relative to the root.")
    commit: str
    repository: str


class VersionModelBody(Wire):
    framework: str
    task: str
    flavours: list[str]
    signature: dict[str, str] = Field(description="MLflow's signature: inputs, outputs (JSON).")
    input_example: str = Field(
        description="The logged input example as MLflow saved it (JSON text, cut at 16,000 "
        "characters); empty when none was saved."
    )

    @classmethod
    def of(cls, model: VersionModel) -> VersionModelBody:
        return cls(
            framework=model.flavour.framework,
            task=model.flavour.task,
            flavours=list(model.flavour.flavours),
            signature=dict(model.signature),
            input_example=model.input_example,
        )


class PublicationLinkBody(FromCore):
    id: str
    state: str
    catalog_name: str
    updated_at: str
    catalog_version: str = Field(description="The catalog's copy, once published; else empty.")


class LineageDeploymentBody(FromCore):
    name: str
    model_name: str = Field(description="The registered model it serves a version of.")
    version: str
    stage: Stage
    status: Phase = Field(description="The deployment's phase as a whole.")
    traffic: Traffic = Field(description="What this version does with the live traffic.")


class LineageBody(Wire):
    """``GET models/{name}/versions/{version}``: commit → notebook → run → version →
    publications → deployments."""

    commit: str
    repository: str
    notebook: str
    run: RunSnapshotBody | None = Field(description="Null when the run is gone or hidden.")
    version: ModelVersionBody
    model: VersionModelBody | None
    publications: list[PublicationLinkBody]
    deployments: list[LineageDeploymentBody] = Field(
        description="The person's deployments serving the version or its catalog copy: one a "
        "version each serves."
    )

    @classmethod
    def of(cls, lineage: Lineage) -> LineageBody:
        return cls(
            commit=lineage.commit,
            repository=lineage.repository,
            notebook=lineage.notebook,
            run=RunSnapshotBody.model_validate(lineage.run) if lineage.run else None,
            version=ModelVersionBody.model_validate(lineage.version),
            model=VersionModelBody.of(lineage.model) if lineage.model else None,
            publications=[PublicationLinkBody.model_validate(p) for p in lineage.publications],
            deployments=[LineageDeploymentBody.model_validate(d) for d in lineage.deployments],
        )


class LoggedModelBody(FromCore):
    model_id: str
    name: str
    run_id: str
    artifact_uri: str
    created_at: int | None


class RunModels(Wire):
    """``GET models/runs/{run_id}``: what a run logged, to pick one to register."""

    models: list[LoggedModelBody]

    @classmethod
    def of(cls, models: list[LoggedModel]) -> RunModels:
        return cls(models=[LoggedModelBody.model_validate(m) for m in models])


class CardDraft(Wire):
    """``GET models/{name}/versions/{version}/card``: a card filled in from MLflow."""

    card: ModelCard
    markdown: str = Field(description="The card as model_card.md would hold it.")


class ModelsConfig(Wire):
    """``GET models/config``"""

    enabled: bool = Field(description="False when the server has no MLflow tracking URI.")
    catalog_prefix: str = Field(description="Names under it belong to the catalog.")
    user: str
