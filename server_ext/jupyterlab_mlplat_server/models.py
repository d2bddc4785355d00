"""The Models tab: each verb reads its query or body, calls the person's ModelService once and
writes an ``api.models`` model. MLflow's registry is called as the person, with the server's hub
token (MLFLOW_TRACKING_TOKEN), through the hub's MLflow gateway. Names travel in the query, not
the path: a registered model's name may hold any character but '/' and ':'."""

from __future__ import annotations

from typing import Any

import tornado.web

from jupyterlab_mlplat.api.models import (
    CardDraft,
    LineageBody,
    ModelsConfig,
    ModelsPage,
    ModelVersionBody,
    RegisterBody,
    RunModels,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.kernel.naming import MODEL_NAME_MAX
from jupyterlab_mlplat.core.models.ports import Deployments, Publications
from jupyterlab_mlplat.core.models.records import (
    MAX_MODELS_PAGE,
    DeploymentLink,
    PublicationLink,
)
from jupyterlab_mlplat.core.models.service import PAGE_TOKEN, RUN_ID, VERSION

from .base import SidebarHandler


class PlatformPublications(Publications):
    """The lineage's publications, asked of the platform as the person (their own only)."""

    def __init__(self, client: PlatformClient) -> None:
        self.client = client

    async def of_version(self, name: str, version: str) -> list[PublicationLink]:
        listed = await self.client.my_publications(model_name=name)
        return [
            PublicationLink(
                id=str(p.id),
                state=str(p.state),
                catalog_name=p.catalog_name or "",
                updated_at=p.updated_at.isoformat(),
                catalog_version=p.catalog_version or "",
            )
            for p in listed.publications
            if p.version == version
        ]

    async def latest_card(self, name: str) -> dict[str, Any] | None:
        listed = await self.client.my_publications(model_name=name)
        if not listed.publications:
            return None
        newest = max(listed.publications, key=lambda p: (p.updated_at, p.id))
        return (await self.client.publication(newest.id)).publication.card


class PlatformDeployments(Deployments):
    """The lineage's deployments, asked of the platform as the person (their own only)."""

    def __init__(self, client: PlatformClient) -> None:
        self.client = client

    async def mine(self) -> list[DeploymentLink]:
        listed = await self.client.deployments()
        return [
            DeploymentLink(
                name=d.name,
                model_name=d.spec.model_name,
                version=v.version,
                stage=str(d.stage),
                status=str(d.phase),
                traffic=str(v.traffic),
            )
            for d in listed.deployments
            if not d.deleted
            for v in d.spec.versions
        ]


_NAME = Query("name", "The registered model's name.", required=True)
_VERSION = Query("version", "The version's number.", required=True, pattern=f"^{VERSION}$")


class ModelsConfigHandler(SidebarHandler):
    @operation(
        "Whether models can be registered here, and the catalog's prefix.",
        {200: (ModelsConfig, "The configuration.")},
    )
    @tornado.web.authenticated
    def get(self) -> None:
        services = self.services
        self.write_model(
            ModelsConfig(
                enabled=services.models_service is not None,
                catalog_prefix=services.catalog_prefix,
                user=services.user,
            )
        )


class ModelListHandler(SidebarHandler):
    @operation(
        "The registered models the person created, most recently changed first, with their "
        "latest versions and each version's key metrics.",
        {200: (ModelsPage, "One page of the person's models.")},
        query=[
            Query(
                "max_results", "20 by default.", type="integer", minimum=1, maximum=MAX_MODELS_PAGE
            ),
            Query(
                "page_token",
                "The `next_page_token` of the previous page.",
                pattern=f"^{PAGE_TOKEN}$",
            ),
        ],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        page = await self.services.models.my_models(
            max_results=self.int_argument("max_results", 20),
            page_token=self.get_argument("page_token", None, strip=False),
        )
        self.write_model(ModelsPage.of(page))


class RegisterHandler(SidebarHandler):
    @operation(
        "Register a version of the person's own model from a run's logged model (the model is "
        "created when absent; another person's name is refused, and so is the catalog's prefix).",
        {201: (ModelVersionBody, "The new version.")},
        body=RegisterBody,
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(RegisterBody)
        version = await self.services.models.register(
            body.run_id, body.name, model_id=body.model_id, artifact_path=body.artifact_path
        )
        self.write_model(ModelVersionBody.model_validate(version), status=201)


class VersionHandler(SidebarHandler):
    @operation(
        "One version's page: its lineage (commit → notebook → run → version → publications → "
        "deployments), signature, flavour, framework and task.",
        {200: (LineageBody, "The version and its chain.")},
        query=[_NAME, _VERSION],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        lineage = await self.services.models.lineage(
            self.get_argument("name", strip=False)[: MODEL_NAME_MAX + 1],
            self.get_argument("version", strip=False),
        )
        self.write_model(LineageBody.of(lineage))


class CardDraftHandler(SidebarHandler):
    @operation(
        "A new model card for a version, filled in from MLflow: framework and task from its "
        "flavour, the run's metrics with their values. The rest is the card of the person's "
        "latest publication of the model; without one, the person as owner and the model's "
        "name as the catalog name.",
        {200: (CardDraft, "The card, and the Markdown model_card.md would hold.")},
        query=[_NAME, _VERSION],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        card = await self.services.models.card_draft(
            self.get_argument("name", strip=False)[: MODEL_NAME_MAX + 1],
            self.get_argument("version", strip=False),
        )
        self.write_model(CardDraft(card=card, markdown=card.to_markdown()))


class RunModelsHandler(SidebarHandler):
    @operation(
        "The models a run logged, newest first: what the run page offers to register.",
        {200: (RunModels, "The run's logged models.")},
        query=[Query("run_id", "The run.", required=True, pattern=f"^{RUN_ID}$")],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        models = await self.services.models.run_models(self.get_argument("run_id", strip=False))
        self.write_model(RunModels.of(models))


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("models/config", ModelsConfigHandler),
    ("models", ModelListHandler),
    ("models/versions", RegisterHandler),
    ("models/version", VersionHandler),
    ("models/card-draft", CardDraftHandler),
    ("models/run-models", RunModelsHandler),
]
