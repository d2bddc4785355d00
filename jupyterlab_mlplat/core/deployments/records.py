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
class DeploymentSpec:
    """What a person asked to be served; every change makes a new revision of it, and a
    rollback makes the previous revision's spec current again."""

    model_name: str
    versions: tuple[ServedVersion, ...]
    size: str
    resources: Resources

    def served(self, traffic: Traffic) -> ServedVersion | None:
        return next((v for v in self.versions if v.traffic is traffic), None)


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
