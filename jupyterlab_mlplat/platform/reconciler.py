"""The reconciler: keeps every deployment's backend running what its spec says, and the
platform knowing what runs.

Every few seconds, and right after each change (the service wakes it), for each deployment:
the workloads its spec needs (``rules.workloads``: one per served version, plus the versions
the route still sends requests to), plus the ones it recently stopped needing, which drain for
``drain`` seconds so requests already sent to them finish; ``deployer.apply(...)``, then
``deployer.observe(...)``; the statuses go to the service, which stores them with the phase and
the route that follows (a new workload joins the route once ready). A deleted deployment's
workloads are removed at once, and when none is left its name is free again.

A backend that fails is logged in one line (its reason, never a request id or a traceback) and
shown as the workloads' last error; the loop goes on with the next deployment. While any
workload is starting the loop looks again every ``pending_interval`` seconds, so the route
follows a ready workload quickly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import replace

from jupyterlab_mlplat.api.errors import where_it_failed
from jupyterlab_mlplat.core.deployments import rules
from jupyterlab_mlplat.core.deployments.ports import Deployer
from jupyterlab_mlplat.core.deployments.records import (
    Deployment,
    Phase,
    Workload,
    WorkloadStatus,
)
from jupyterlab_mlplat.core.deployments.service import DeploymentService
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, PlatformError

from .periodic import PeriodicJob

log = logging.getLogger("mlplat.reconciler")

#: the longest backend error a workload's status keeps
MAX_ERROR = 500


class Reconciler:
    def __init__(
        self,
        service: DeploymentService,
        deployer: Deployer,
        *,
        interval: float = 5.0,
        pending_interval: float = 0.5,
        drain: float = 10.0,
    ) -> None:
        self.service = service
        self.deployer = deployer
        self.interval = interval
        self.pending_interval = pending_interval
        self.drain = drain
        #: the loop: the first pass at once, then one each ``interval`` (``pending_interval``
        #: while a workload starts or drains), and one right after each change
        self._job: PeriodicJob[None] = PeriodicJob(
            "reconciler", self._next_interval, run=self.reconcile_all, first_at_most=0.0, log=log
        )
        #: per deployment: the workloads last applied, by name
        self._applied: dict[str, dict[str, Workload]] = {}
        #: per deployment: workloads no longer needed, kept until the time given
        self._draining: dict[str, dict[str, tuple[Workload, float]]] = {}
        self._pending = False
        self._closing: asyncio.Task[None] | None = None
        #: per deployment: the backend's last error, logged once until it changes or heals
        self._errors: dict[str, str] = {}

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Run on the current thread's event loop (the platform's)."""
        self.service.on_change = self.wake
        self._job.start()

    def wake(self, name: str = "") -> None:
        """Reconcile now: safe to call from any thread (the service's changes run in a pool)."""
        self._job.wake()

    def stop(self) -> None:
        """Stop the loop and let the backend release what it holds (embedded model servers
        stop; a cluster's workloads keep running) once the pass in flight, if any, has ended
        or its grace has run out."""
        self.service.on_change = None
        job = self._job.stop()  # on a stopped event loop: returns once the job has ended
        loop = self._job.loop
        if loop is None or loop.is_closed():
            return
        if loop.is_running():
            self._closing = loop.create_task(self._close_after(job))
        else:
            loop.run_until_complete(self._close_deployer())

    async def aclose(self) -> None:
        """Stop, and wait until the backend has let go (tests, and a clean shutdown)."""
        self.service.on_change = None
        await self._close_after(self._job.stop())

    async def _close_after(self, job: asyncio.Task[object] | None) -> None:
        if job is not None and not job.done():
            await asyncio.wait({job})
        await self._close_deployer()

    async def _close_deployer(self) -> None:
        try:
            await self.deployer.close()
        except Exception as err:
            log.warning("closing the deployments backend failed: %s", type(err).__name__)

    def _next_interval(self) -> float:
        return self.pending_interval if self._pending else self.interval

    # ------------------------------------------------------------------ one pass
    async def reconcile_all(self) -> None:
        found = await asyncio.to_thread(self.service.to_reconcile)
        self._pending = False
        for deployment in found:
            await self.reconcile(deployment)
        known = {d.name for d in found}
        for name in list(self._applied):
            if name not in known:  # stopped since, or its rows are gone
                self._applied.pop(name, None)
                self._draining.pop(name, None)
                self._errors.pop(name, None)

    async def reconcile(self, deployment: Deployment) -> Deployment | None:
        """Bring one deployment's backend in line with its spec and record what runs."""
        name = deployment.name
        wanted = self._wanted(deployment)
        applied = False
        try:
            await self.deployer.apply(name, wanted)
            statuses = await self.deployer.observe(name)
            applied = True
        except asyncio.CancelledError:
            raise
        except Exception as err:
            statuses = self._failed(deployment, wanted, err)
        else:
            self._applied[name] = {w.name: w for w in wanted}
            if self._errors.pop(name, None) is not None:
                log.info("deployment %s: the backend answers again", name)
        if applied and deployment.deleted_at is not None and not statuses:
            await asyncio.to_thread(self.service.stopped, name)
            self._applied.pop(name, None)
            self._draining.pop(name, None)
            return None
        updated = await asyncio.to_thread(self.service.observed, name, statuses)
        if updated is None:
            return None
        if updated.route != deployment.route:
            self.wake()  # the route moved: what retires may go now
        starting = any(s.phase is Phase.PENDING for s in updated.workloads)
        if applied and (starting or updated.phase is Phase.PENDING):
            self._pending = True  # a failing backend is asked again at the usual pace
        return updated

    def _wanted(self, deployment: Deployment) -> list[Workload]:
        """The spec's workloads, plus those that just stopped being needed, until drained."""
        wanted = rules.workloads(deployment)
        names = {w.name for w in wanted}
        now = time.monotonic()
        draining = self._draining.setdefault(deployment.name, {})
        if deployment.deleted_at is not None:
            draining.clear()
            return wanted
        for workload_name, workload in self._applied.get(deployment.name, {}).items():
            if workload_name not in names and workload_name not in draining:
                draining[workload_name] = (workload, now + self.drain)
        for workload_name, (_, until) in list(draining.items()):
            if workload_name in names or until <= now:
                del draining[workload_name]
        if draining:
            self._pending = True  # look again when the drain ends
        return [*wanted, *(w for w, _ in draining.values())]

    def _failed(
        self, deployment: Deployment, wanted: Sequence[Workload], err: BaseException
    ) -> list[WorkloadStatus]:
        """What the page shows when the backend failed: the error on every workload, the
        phase kept (a backend that does not answer may still be serving)."""
        if isinstance(err, PlatformError):
            said = err.message.splitlines()[0][:MAX_ERROR] if err.message else err.reason
            if self._errors.get(deployment.name) != said:
                log.warning("deployment %s: the backend refused: %s", deployment.name, said)
        else:
            said = f"the deployments backend failed ({type(err).__name__})"
            if self._errors.get(deployment.name) != said:
                log.error(
                    "deployment %s: backend failed: %s at %s",
                    deployment.name,
                    type(err).__name__,
                    where_it_failed(err.__traceback__),
                )
        self._errors[deployment.name] = said
        known = {s.name: s for s in deployment.workloads}
        failed = isinstance(err, InvalidInput)
        found = []
        for workload in wanted:
            before = known.get(workload.name)
            if before is None:
                phase = Phase.FAILED if failed else Phase.PENDING
                found.append(WorkloadStatus(workload.name, phase, last_error=said))
            else:
                phase = Phase.FAILED if failed else before.phase
                found.append(_with_error(before, phase, said))
        return found


def _with_error(status: WorkloadStatus, phase: Phase, said: str) -> WorkloadStatus:
    return replace(status, phase=phase, last_error=said)
