"""What the deployments feature needs from outside: the store (``DeploymentsTx``,
``DeploymentsStore``), the registry (``ModelSources``), and the backends' ``Deployer``, which
three adapters implement (``adapters/local/processes.py``, ``adapters/kube/deployer.py`` for
Deployment + Service and for KServe) and the reconciler drives."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from jupyterlab_mlplat.core.catalog.records import CatalogEntry
from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork

from .records import (
    Change,
    Deployment,
    DeploymentRevision,
    DeploymentSpec,
    Phase,
    Route,
    RouteTarget,
    Size,
    Stage,
    VersionFound,
    Workload,
    WorkloadStatus,
)


@runtime_checkable
class Deployer(Protocol):
    """Runs the model server for workloads. Every method is idempotent; none waits for a
    replica to become ready (the reconciler observes). Raises the core's typed errors:
    ``Unavailable`` when the backend does not answer, ``InvalidInput`` for a workload it cannot
    run (with a reason a person can act on)."""

    async def apply(self, deployment: str, workloads: Sequence[Workload]) -> None:
        """Make the backend run exactly ``workloads`` for ``deployment``: start the new ones,
        change the changed ones (resources, replicas), stop and remove the ones not listed
        (an empty list removes the deployment's every workload)."""

    async def observe(self, deployment: str) -> list[WorkloadStatus]:
        """The status of each workload the backend runs for ``deployment`` (none: ``[]``)."""

    async def logs(self, workload: str, *, tail: int = 200) -> str:
        """The last ``tail`` lines the workload's replicas wrote (``NotFound`` when unknown)."""

    async def close(self) -> None:
        """Release clients and connections. Embedded processes are stopped with the
        platform (they are its children); on a cluster the workloads keep running."""


class DeploymentsTx(UnitOfWork):
    """The deployments' half of the unit of work. A deployment is locked when read for a
    change (a second change waits, then finds the revision moved), and every change of its
    spec is a compare-and-set on its revision that writes the revision's row as well."""

    @abstractmethod
    def deployment_for_update(self, name: str) -> Deployment | None:
        """The live deployment of that name (not yet stopped), locked until the end."""

    @abstractmethod
    def insert_deployment(
        self, name: str, owner: str, stage: Stage, spec: DeploymentSpec, at: datetime
    ) -> None:
        """A new deployment at revision 1, with its first revision's row. Raises ``Conflict``
        when the name is live already (two creations at once)."""

    @abstractmethod
    def save_spec(
        self,
        name: str,
        *,
        expected_revision: int,
        spec: DeploymentSpec,
        change: Change,
        at: datetime,
        restored: int | None = None,
        deleted: bool = False,
    ) -> bool:
        """Compare-and-set: the new spec becomes revision ``expected_revision + 1`` (its row
        written too) only if the revision is still ``expected_revision``; False otherwise.
        ``deleted`` marks the deployment deleted (its workloads are then stopped)."""

    @abstractmethod
    def revision(self, name: str, revision: int) -> DeploymentRevision | None: ...

    @abstractmethod
    def save_route(
        self,
        name: str,
        *,
        route: Sequence[RouteTarget],
        served: DeploymentSpec | None,
        phase: Phase,
        workloads: Sequence[WorkloadStatus] | None = None,
    ) -> int:
        """Store what the gateway follows now, the spec last served in full, the phase and
        (when given) the workloads' statuses; the route's sequence number is raised when the
        route changed. Returns the sequence number now."""

    @abstractmethod
    def mark_stopped(self, name: str, at: datetime) -> None:
        """A deleted deployment's workloads are gone: its name is free again."""

    @abstractmethod
    def size_for_update(self, name: str) -> Size | None: ...

    @abstractmethod
    def insert_size(self, size: Size, at: datetime) -> None:
        """Raises ``Conflict`` when the name is taken."""

    @abstractmethod
    def update_size(self, size: Size, *, expected_revision: int, at: datetime) -> bool:
        """Compare-and-set on the size's revision (``size.revision`` is the new one)."""

    @abstractmethod
    def delete_size(self, name: str) -> None: ...

    @abstractmethod
    def size_users(self, name: str) -> int:
        """How many live deployments use the size."""


class DeploymentsStore(Transactional[DeploymentsTx], Protocol):
    """Reads outside a transaction, and the catalog's rows production checks."""

    def deployments(self, *, owner: str | None = None) -> list[Deployment]:
        """Live and stopping deployments (everyone's when ``owner`` is None), by name."""
        ...

    def deployment(self, name: str) -> Deployment | None:
        """The live (or stopping) deployment of that name, with its workloads."""
        ...

    def revisions(self, name: str) -> list[DeploymentRevision]:
        """The live deployment's revisions, newest first."""
        ...

    def routes_since(self, sequence: int, *, limit: int) -> list[Route]:
        """Every route whose sequence number is above ``sequence``, in order (stopped
        deployments too, inactive: the gateway forgets them)."""
        ...

    def sizes(self) -> list[Size]: ...

    def size_updated_by(self, name: str) -> str:
        """Who saved the size last (a conflict names them)."""
        ...

    def owner_of(self, name: str) -> str | None:
        """Who deployed under that name last, or None when nobody ever did: the API keys'
        ``DeploymentOwners`` port, so a key names only its maker's deployments."""
        ...

    def catalog_entry(self, name: str) -> CatalogEntry | None:
        """The catalog's model of that name, with its versions (published or deprecated)."""
        ...


@runtime_checkable
class ModelSources(Protocol):
    """The model registry as deployments use it: a version's files and owner, read once when
    the version enters a spec. Raises ``NotFound`` for a version the reader cannot see,
    ``Unavailable`` when MLflow does not answer."""

    async def own_version(self, user: str, model_name: str, version: str) -> VersionFound:
        """The version read as ``user`` (never more than they may read); ``owner`` is who
        created the registered model."""

    async def catalog_version(self, model_name: str, version: str) -> VersionFound:
        """A version of a catalog model, read as the platform."""
