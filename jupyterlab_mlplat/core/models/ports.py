"""What the models feature needs from outside: MLflow's model registry, as a person or as the
platform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from jupyterlab_mlplat.core.kernel.paging import Page

from .records import (
    DeploymentLink,
    LoggedModel,
    ModelVersion,
    PublicationLink,
    RegisteredModel,
    RunSnapshot,
    VersionModel,
)


@runtime_checkable
class Registry(Protocol):
    """MLflow's registry called as one person (through the gateway, or by the platform asserting
    that person). Raises the core's typed errors: ``NotFound`` for what is missing or hidden,
    ``Forbidden`` when MLflow refuses, ``Unavailable`` when it does not answer."""

    async def ensure_registered_model(self, name: str) -> RegisteredModel:
        """The registered model ``name``, created (as the caller) when it does not exist.
        ``ModelNameTaken`` when it exists and the caller may not add versions to it."""

    async def get_registered_model(self, name: str) -> RegisteredModel: ...

    async def my_models(
        self, user: str, *, max_results: int, page_token: str | None
    ) -> Page[RegisteredModel]:
        """The registered models ``user`` created (the sandbox), newest change first."""

    async def versions(self, name: str) -> list[ModelVersion]:
        """Every version of a registered model, newest first."""

    async def create_version(
        self, name: str, *, source: str, run_id: str, model_id: str = ""
    ) -> ModelVersion: ...

    async def get_version(self, name: str, version: str) -> ModelVersion: ...

    async def version_model(self, version: ModelVersion) -> VersionModel | None:
        """The version's logged model: flavours, signature, input example (None when the
        version was made from files MLflow keeps no MLmodel for)."""

    async def get_run(self, run_id: str) -> RunSnapshot: ...

    async def run_models(self, run_id: str) -> list[LoggedModel]:
        """The models a run logged, newest first."""


@runtime_checkable
class PlatformRegistry(Registry, Protocol):
    """MLflow's registry as the platform's own identity: it alone writes the catalog."""

    def as_author(self, user: str) -> Registry:
        """The same registry acting as ``user``: what a submission snapshots is read with the
        author's rights, so it never reveals more than the author could read."""

    async def copy_to_catalog(
        self, source: ModelVersion, catalog_model: str, *, publication_id: str
    ) -> ModelVersion:
        """``source`` as a version of ``catalog_model`` (created if absent), tagged with the
        publication; a version already tagged with it is returned instead of a second copy."""

    async def write_card(self, version: ModelVersion, markdown: str, *, author: str) -> str:
        """``model_card.md`` next to the version's artifacts (written as ``author``, whose
        experiment holds them); the artifact's path."""

    async def set_alias(self, name: str, alias: str, version: str) -> None: ...

    async def delete_alias(self, name: str, alias: str) -> None: ...

    async def deprecate(self, name: str, version: str) -> None: ...


@runtime_checkable
class Publications(Protocol):
    """The publications of a person's versions, as the platform's reviews room keeps them (the
    lineage's link after the version)."""

    async def of_version(self, name: str, version: str) -> list[PublicationLink]: ...

    async def latest_card(self, name: str) -> Mapping[str, Any] | None:
        """The card of the person's newest publication of a version of ``name``: a new
        version's card starts from it. None when there is none."""


@runtime_checkable
class Deployments(Protocol):
    """The person's deployments, as the platform's deployments room keeps them (the lineage's
    last link): every version each one serves."""

    async def mine(self) -> list[DeploymentLink]: ...
