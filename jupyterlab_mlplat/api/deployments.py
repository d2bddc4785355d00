"""Wire models of deployments and their sizes, shared by the platform API and the sidebar API:
creating a deployment, changing its traffic (canary, shadow), promoting, rolling back,
resizing, deleting, its page with each workload's status, its history and logs, the sizes
admins manage, and the routes the invocations gateway follows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from jupyterlab_mlplat.core.deployments.records import (
    Change,
    Deployment,
    DeploymentRevision,
    Phase,
    Resources,
    Route,
    Size,
    Stage,
    Traffic,
)
from jupyterlab_mlplat.core.deployments.rules import (
    CANARY_MAX,
    CANARY_MIN,
    CPU_PATTERN,
    MAX_REPLICAS,
    MAX_TITLE,
    MEMORY_PATTERN,
    NAME_PATTERN,
    NEW_SIZE_NAME_PATTERN,
    SIZE_NAME_PATTERN,
    TITLE_PATTERN,
)
from jupyterlab_mlplat.core.kernel.naming import (
    DEPLOYMENT_NAME_MAX,
    MODEL_NAME_MAX,
    MODEL_NAME_PATTERN,
    MODEL_VERSION_PATTERN,
)

from .base import JSON_INTEGER, FromCore, WholeNumber, Wire

NAME_PATH = {"name": NAME_PATTERN}
SIZE_PATH = {"size": SIZE_NAME_PATTERN}
#: the most lines of a workload's log one answer carries
MAX_LOG_LINES = 2000
#: the most routes one answer of the feed carries (the gateway asks again from the last one)
MAX_ROUTES = 500

Revision = Annotated[
    int,
    Field(ge=1, description="The revision the page showed: a stale one is refused (409)."),
    JSON_INTEGER,
]
Version = Annotated[
    str,
    Field(
        description="A model version number.", json_schema_extra={"pattern": MODEL_VERSION_PATTERN}
    ),
]
SizeName = Annotated[
    str, Field(min_length=1, max_length=63, json_schema_extra={"pattern": SIZE_NAME_PATTERN})
]


# ---------------------------------------------------------------- requests
class DeploymentCreate(Wire):
    name: str = Field(
        min_length=1,
        max_length=DEPLOYMENT_NAME_MAX,
        description="Unique on the platform; names the URL and the workloads (DNS-1123).",
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    stage: Literal["staging", "production"] = Field(
        description="staging: any version of a model the caller owns; production: a published "
        "version of a catalog model."
    )
    model_name: str = Field(
        min_length=1,
        max_length=MODEL_NAME_MAX,
        description="The registered model: the caller's own for staging; for production the "
        "catalog's name (`churn`) or its MLflow name (`catalog.churn`).",
        json_schema_extra={"pattern": MODEL_NAME_PATTERN},
    )
    version: Version
    size: SizeName = Field(default="small", description="One of the deployment sizes.")


class CanaryBody(Wire):
    version: Version
    percent: WholeNumber = Field(
        ge=CANARY_MIN, le=CANARY_MAX, description="Its share of live requests."
    )


class ShadowBody(Wire):
    version: Version


class TrafficUpdate(Wire):
    """The canary and the shadow the deployment should have: a missing one is cleared."""

    revision: Revision
    canary: CanaryBody | None = None
    shadow: ShadowBody | None = None


class RevisionBody(Wire):
    revision: Revision


class SizeChange(Wire):
    revision: Revision
    size: SizeName


class SizeFields(Wire):
    title: str = Field(
        default="", max_length=MAX_TITLE, json_schema_extra={"pattern": TITLE_PATTERN}
    )
    cpu: str = Field(
        description="CPU per replica, a Kubernetes quantity (`500m`, `2`).",
        json_schema_extra={"maxLength": 10, "pattern": CPU_PATTERN},
    )
    memory: str = Field(
        description="Memory per replica, a Kubernetes quantity (`512Mi`, `4Gi`).",
        json_schema_extra={"maxLength": 16, "pattern": MEMORY_PATTERN},
    )
    replicas: WholeNumber = Field(default=1, ge=1, le=MAX_REPLICAS)
    max_replicas: WholeNumber = Field(
        default=1,
        ge=1,
        le=MAX_REPLICAS,
        description="Up to how many replicas an autoscaler may add (clusters only); below "
        "`replicas` it is `replicas` (no autoscaling).",
    )

    def resources(self) -> Resources:
        return Resources(self.cpu, self.memory, self.replicas, self.max_replicas)


class SizeCreate(SizeFields):
    name: str = Field(
        min_length=1, max_length=63, json_schema_extra={"pattern": NEW_SIZE_NAME_PATTERN}
    )


class SizeUpdate(SizeFields):
    revision: Revision


# ---------------------------------------------------------------- answers
class ResourcesBody(FromCore):
    cpu: str
    memory: str
    replicas: int
    max_replicas: int


class SizeBody(Wire):
    name: str
    title: str
    resources: ResourcesBody
    revision: int

    @classmethod
    def of(cls, size: Size) -> SizeBody:
        return cls(
            name=size.name,
            title=size.title,
            resources=ResourcesBody.model_validate(size.resources),
            revision=size.revision,
        )


class SizeList(Wire):
    sizes: list[SizeBody]

    @classmethod
    def of(cls, sizes: Sequence[Size]) -> SizeList:
        return cls(sizes=[SizeBody.of(s) for s in sizes])


class ServedVersionBody(FromCore):
    version: str
    traffic: Traffic
    percent: int = Field(description="Share of live requests; a shadow's is 0 (it gets copies).")


class ModelSourceBody(FromCore):
    model_name: str
    version: str
    uri: str = Field(description="Where MLflow keeps the version's files.")
    flavor: str


class SpecBody(FromCore):
    model_name: str
    versions: list[ServedVersionBody]
    size: str
    resources: ResourcesBody
    sources: list[ModelSourceBody]


class WorkloadBody(FromCore):
    name: str
    phase: Phase
    replicas: int
    ready_replicas: int
    restarts: int
    last_error: str = Field(description="The last error a replica reported; empty when none.")
    observed_at: datetime | None


class RouteShare(FromCore):
    version: str
    traffic: Traffic
    percent: int


class DeploymentBody(Wire):
    name: str
    owner: str
    stage: Stage
    model_name: str
    revision: int = Field(description="Send it back with a change: a stale one is refused.")
    spec: SpecBody
    phase: Phase
    workloads: list[WorkloadBody]
    route: list[RouteShare] = Field(
        description="Where requests go now: only ready workloads; while a change rolls out, "
        "the previous spec's ready versions."
    )
    created_at: datetime
    updated_at: datetime
    updated_by: str
    last_change: str
    deleted: bool = Field(description="Deleted: its workloads are being stopped.")
    sequence: int = Field(description="Send it as `since` to hear only of later changes.")

    @classmethod
    def of(cls, found: Deployment) -> DeploymentBody:
        return cls(
            name=found.name,
            owner=found.owner,
            stage=found.stage,
            model_name=found.spec.model_name,
            revision=found.revision,
            spec=SpecBody.model_validate(found.spec),
            phase=found.phase,
            workloads=[WorkloadBody.model_validate(w) for w in found.workloads],
            route=[RouteShare.model_validate(t) for t in found.route],
            created_at=found.created_at,
            updated_at=found.updated_at,
            updated_by=found.updated_by,
            last_change=found.last_change,
            deleted=found.deleted_at is not None,
            sequence=found.sequence,
        )


class DeploymentList(Wire):
    deployments: list[DeploymentBody]

    @classmethod
    def of(cls, found: Sequence[Deployment]) -> DeploymentList:
        return cls(deployments=[DeploymentBody.of(d) for d in found])


class RevisionEntry(FromCore):
    revision: int
    change: Change
    actor: str
    at: datetime
    spec: SpecBody
    restored: int | None = Field(description="For a rollback: the revision it brought back.")


class RevisionList(Wire):
    revisions: list[RevisionEntry] = Field(description="Newest first.")

    @classmethod
    def of(cls, found: Sequence[DeploymentRevision]) -> RevisionList:
        return cls(revisions=[RevisionEntry.model_validate(r) for r in found])


class LogsBody(Wire):
    workload: str
    version: str
    text: str = Field(description="The last lines its replicas wrote.")


class RouteTargetBody(FromCore):
    version: str
    traffic: Traffic
    percent: int
    url: str = Field(description="The ready workload's address (the gateway's only).")


class RouteBody(FromCore):
    name: str
    owner: str
    stage: Stage
    model_name: str
    revision: int
    targets: list[RouteTargetBody]
    sequence: int
    active: bool = Field(description="False once deleted: forget the route.")

    @classmethod
    def of(cls, route: Route) -> RouteBody:
        return cls.model_validate(route)


class RouteFeed(Wire):
    routes: list[RouteBody] = Field(description="Routes changed since `since`, in order.")
    sequence: int = Field(description="Send it as the next `since`.")

    @classmethod
    def of(cls, found: Sequence[Route], since: int) -> RouteFeed:
        return cls(
            routes=[RouteBody.of(r) for r in found],
            sequence=max((r.sequence for r in found), default=since),
        )
