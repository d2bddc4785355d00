"""A person's registered models and versions, and the chain a version stands in.

Plain frozen dataclasses: the registry adapter builds them from MLflow, the service shapes them,
the wire models in ``api/models.py`` copy them field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: the tag the MLflow gateway stamps on every registered model and version a person creates:
#: MLflow keeps no creator of its own for either (its auth app grants MANAGE, but says to nobody
#: who got it), and "my models" are the ones the person created
TAG_CREATED_BY = "mlplat.created_by"
#: on a catalog version: the publication it was copied for, so a retried publish finds it
TAG_PUBLICATION = "mlplat.publication_id"
#: on a catalog version: the person's version it was copied from (``name/version``)
TAG_COPIED_FROM = "mlplat.copied_from"
#: on a catalog version taken out of use
TAG_DEPRECATED = "mlplat.deprecated"
#: the model card written next to a published version's artifacts
CARD_FILE = "model_card.md"

VersionStatus = Literal["PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"]
#: how many of a person's models one page of the Models tab lists, at most
MAX_MODELS_PAGE = 100
#: key metrics shown beside a version in the list
KEY_METRICS = 4


@dataclass(frozen=True)
class Flavour:
    """What a logged model is, as its MLmodel file's flavours say: the framework that made it
    and the task it does (empty when neither can be told)."""

    framework: str = ""
    task: str = ""
    flavours: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: str
    run_id: str
    source: str
    created_by: str
    created_at: int | None
    status: str
    description: str = ""
    model_id: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionModel:
    """What a version's logged model is: its flavours, signature and input example (read from
    its MLmodel file), and where its artifacts are."""

    flavour: Flavour
    artifact_uri: str = ""
    #: the signature as MLflow writes it (``{"inputs": "<json>", "outputs": "<json>"}``)
    signature: dict[str, str] = field(default_factory=dict)
    #: the input example's file within the model's artifacts, when one was saved
    input_example: str = ""


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    created_by: str
    created_at: int | None
    updated_at: int | None
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    latest: tuple[ModelVersion, ...] = ()


@dataclass(frozen=True)
class RunSnapshot:
    """The run a version was made from, as a reviewer needs it (never the run's files)."""

    run_id: str
    experiment_id: str
    name: str
    user: str
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    notebook: str = ""
    commit: str = ""
    repository: str = ""


@dataclass(frozen=True)
class LoggedModel:
    """A model a run logged (``mlflow.<flavour>.log_model``): what a version is registered from."""

    model_id: str
    name: str
    run_id: str
    artifact_uri: str
    created_at: int | None


@dataclass(frozen=True)
class VersionRow:
    """A version as the Models tab lists it: with the key metrics of its run."""

    version: ModelVersion
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelRow:
    name: str
    description: str
    created_at: int | None
    updated_at: int | None
    aliases: dict[str, str]
    versions: tuple[VersionRow, ...]


@dataclass(frozen=True)
class PublicationLink:
    """A publication of a version, as the lineage shows it (the reviews room fills it)."""

    id: str
    state: str
    catalog_name: str
    updated_at: str = ""
    #: the catalog's copy of the version, once published ("" before)
    catalog_version: str = ""


@dataclass(frozen=True)
class DeploymentLink:
    """A served version of one of the person's deployments, as the lineage shows it (the
    deployments room fills it): one a version it serves, a canary's deployment twice."""

    name: str
    model_name: str
    version: str
    stage: str
    #: the deployment's phase as a whole
    status: str
    traffic: str


@dataclass(frozen=True)
class Lineage:
    """commit → notebook → run → version → publications → deployments, one chain on one page.
    Each link is what opens the thing it names; a link the version does not have is empty."""

    commit: str
    repository: str
    notebook: str
    run: RunSnapshot | None
    version: ModelVersion
    model: VersionModel | None
    publications: tuple[PublicationLink, ...] = ()
    #: the person's deployments serving the version, or its catalog copy once published
    deployments: tuple[DeploymentLink, ...] = ()
