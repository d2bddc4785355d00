"""What the deployments feature needs from outside. The store's port (``DeploymentsTx``) is
declared with the service; the backends' port is here, because three adapters implement it
(``adapters/local/processes.py``, ``adapters/kube/deployer.py`` for Deployment + Service and
for KServe) and the reconciler drives it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .records import Workload, WorkloadStatus


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
