"""A deployment and what its backends run for it.

A deployment serves versions of ONE registered model (the person's own for staging, the
catalog's for production): a primary, optionally a canary that takes a percentage of the live
traffic, and optionally a shadow that gets a copy of each request whose answer is compared and
never returned. Every served version is one *workload*: a set of replicas of the model server,
which the ``Deployer`` port runs (local processes embedded, a Deployment + Service or a KServe
InferenceService on a cluster). The gateway routes by the deployment's spec to the workloads
that are ready.

Plain frozen dataclasses: the store builds them, the service decides, the wire models of
``api/deployments.py`` copy them field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Stage(StrEnum):
    #: any version the person owns
    STAGING = "staging"
    #: published versions of the catalog only
    PRODUCTION = "production"


class Traffic(StrEnum):
    """What a served version does with the live traffic."""

    PRIMARY = "primary"
    CANARY = "canary"
    SHADOW = "shadow"


class Phase(StrEnum):
    """A workload's state as its backend reports it (and a deployment's, summed up)."""

    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Resources:
    """What each replica of a workload is given (Kubernetes quantities), from a size."""

    cpu: str = "500m"
    memory: str = "512Mi"
    replicas: int = 1
    #: above ``replicas`` a HorizontalPodAutoscaler may add replicas (cluster only)
    max_replicas: int = 1


@dataclass(frozen=True)
class Size:
    """A named choice of resources that admins manage (``small``, ``large``)."""

    name: str
    title: str
    resources: Resources
    revision: int = 1


@dataclass(frozen=True)
class ServedVersion:
    version: str
    traffic: Traffic
    #: the share of live requests (primary and canary add up to 100; a shadow has 0)
    percent: int


@dataclass(frozen=True)
class ModelSource:
    """Where a replica fetches the version's files: the artifact location MLflow gives for it
    (``mlflow-artifacts:/…``, ``s3://…``, or a local folder), never a path from user text."""

    model_name: str
    version: str
    uri: str
    #: the MLflow flavour the model server loads it with (``sklearn``, ``python_function``)
    flavor: str = "python_function"


@dataclass(frozen=True)
class DeploymentSpec:
    """What a person asked to be served; every change makes a new revision of it, and a
    rollback makes the previous revision's spec current again."""

    model_name: str
    versions: tuple[ServedVersion, ...]
    size: str
    resources: Resources
    #: where each served version's files are, resolved once when the version entered the spec
    #: (so a rollback serves exactly what was served, whatever happened in MLflow since)
    sources: tuple[ModelSource, ...] = ()

    def served(self, traffic: Traffic) -> ServedVersion | None:
        return next((v for v in self.versions if v.traffic is traffic), None)

    def source(self, version: str) -> ModelSource | None:
        return next((s for s in self.sources if s.version == version), None)


@dataclass(frozen=True)
class Workload:
    """One served version of a deployment, as a backend runs it."""

    #: DNS-1123 label: ``{deployment}-v{version}`` (``rules.workload_name``)
    name: str
    deployment: str
    owner: str
    source: ModelSource
    resources: Resources
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkloadStatus:
    """What a backend says of one workload at one moment."""

    name: str
    phase: Phase
    replicas: int = 0
    ready_replicas: int = 0
    restarts: int = 0
    #: the last error a replica reported (one line a person can act on), "" when none
    last_error: str = ""
    #: where the gateway sends requests (``http://127.0.0.1:41234``, a Service's URL), when
    #: any replica is ready
    url: str | None = None
    observed_at: datetime | None = None


@dataclass(frozen=True)
class RouteTarget:
    """Where the gateway sends a share of a deployment's requests."""

    version: str
    traffic: Traffic
    #: the share of live requests (a shadow's is 0: it gets copies)
    percent: int
    url: str


@dataclass(frozen=True)
class Deployment:
    name: str
    owner: str
    stage: Stage
    spec: DeploymentSpec
    #: compare-and-set: every change names the revision it was made against
    revision: int
    created_at: datetime
    updated_at: datetime
    phase: Phase = Phase.PENDING
    workloads: tuple[WorkloadStatus, ...] = ()
    #: who made the current revision, and which change it was (a 409 names both)
    updated_by: str = ""
    last_change: str = ""
    #: set once the owner (or an admin) deleted it; its workloads are being stopped
    deleted_at: datetime | None = None
    #: raised whenever its route changes (the gateway's feed reads changes since a number)
    route_sequence: int = 0
    #: raised whenever anything its page shows changes (spec, phase, a workload's status), so
    #: a page polls cheaply with ``?since=``
    sequence: int = 0
    #: where the gateway sends its requests now (only ready workloads)
    route: tuple[RouteTarget, ...] = ()
    #: the last spec that was routed in full: while a change rolls out, the route keeps its
    #: ready workloads for the versions whose new workload is not ready yet
    served: DeploymentSpec | None = None


class Change(StrEnum):
    """What made a revision of a deployment's spec."""

    CREATE = "create"
    TRAFFIC = "traffic"
    PROMOTE = "promote"
    ROLLBACK = "rollback"
    RESIZE = "resize"
    DELETE = "delete"


@dataclass(frozen=True)
class DeploymentRevision:
    """One revision of a deployment's spec: who made it, when, and with which change. History
    is never rewritten: a rollback is a new revision carrying an older revision's spec."""

    revision: int
    spec: DeploymentSpec
    change: Change
    actor: str
    at: datetime
    #: for a rollback, the revision whose spec it brought back
    restored: int | None = None


@dataclass(frozen=True)
class Route:
    """How the gateway routes a deployment now: only ready workloads. While a change rolls
    out it keeps the previous spec's ready workloads for the versions whose new workload is not
    ready yet, so no request fails during a canary shift or a rollback."""

    name: str
    owner: str
    stage: Stage
    model_name: str
    revision: int
    targets: tuple[RouteTarget, ...]
    #: the deployment's ``route_sequence`` when this route was made
    sequence: int = 0
    #: False once the deployment was deleted: the gateway forgets it
    active: bool = True


@dataclass(frozen=True)
class VersionFound:
    """A model version as the registry shows it to whoever deploys it."""

    #: who owns the registered model (its sandbox's owner; the platform for the catalog)
    owner: str
    source: ModelSource
    #: MLflow's registration status (``READY`` once the files are in place)
    status: str = "READY"
