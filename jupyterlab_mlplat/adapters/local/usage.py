"""Usage of the embedded workbench's workloads, measured on its own processes with psutil.

A workspace is the local process the hub's spawner started (its pid from the spawner's state,
read through the hub's API), a deployment the replicas the local deployer supervises. Each is
measured as its whole process tree: CPU is the tree's CPU seconds since the previous pass over
the wall time between them (a process first seen counts from its own start), memory the sum of
the tree's resident sets. What was requested is what the spawner or the deployer was asked for:
the profile's guarantees, the size's resources times its replicas.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import psutil

from jupyterlab_mlplat.core.analytics.ports import HubServers, RunningServer
from jupyterlab_mlplat.core.analytics.usage import Observation, WorkloadKind
from jupyterlab_mlplat.core.deployments.records import Workload
from jupyterlab_mlplat.core.deployments.rules import cpu_cores, memory_bytes
from jupyterlab_mlplat.core.profiles.resources import pod_resources
from jupyterlab_mlplat.core.profiles.rules import Profile


@dataclass(frozen=True)
class Measured:
    #: cores used on average since the previous measure of the same processes
    cpu: float
    #: resident bytes now
    memory: int
    #: processes of the tree alive now
    processes: int


class ProcessMeter:
    """CPU and memory of process trees between calls. Processes are known by pid and start
    time, so a pid the kernel reused is a new process, not the old one's continuation."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        #: (pid, start time) -> (CPU seconds, when) at the previous measure
        self._seen: dict[tuple[int, float], tuple[float, float]] = {}
        #: the processes measured since the last ``sweep``
        self._touched: set[tuple[int, float]] = set()

    def measure(self, root: int) -> Measured | None:
        """The tree under ``root`` (``root`` included); None when ``root`` is gone."""
        try:
            top = psutil.Process(root)
            tree = [top, *top.children(recursive=True)]
        except psutil.Error:
            return None
        now = self._clock()
        cores = 0.0
        memory = 0
        alive = 0
        for process in tree:
            try:
                with process.oneshot():
                    started = process.create_time()
                    times = process.cpu_times()
                    rss = process.memory_info().rss
            except psutil.Error:
                continue  # ended while being read
            alive += 1
            memory += rss
            spent = times.user + times.system
            key = (process.pid, started)
            before, then = self._seen.get(key, (0.0, started))
            self._seen[key] = (spent, now)
            self._touched.add(key)
            if now > then:
                cores += max(0.0, spent - before) / (now - then)
        return Measured(cpu=cores, memory=memory, processes=alive)

    def sweep(self) -> None:
        """Forget the processes not measured since the last sweep (ended servers)."""
        self._seen = {k: v for k, v in self._seen.items() if k in self._touched}
        self._touched = set()


class LocalReplicas(Protocol):
    def running(self) -> list[tuple[Workload, list[int]]]:
        """Every workload with the pids of its running replicas (``LocalProcessDeployer``)."""
        ...


class LocalUsage:
    """``core.analytics.ports.UsageSource`` of the embedded workbench."""

    def __init__(
        self,
        hub: HubServers | None,
        profiles: Callable[[], Sequence[Profile]],
        replicas: LocalReplicas | None = None,
        sizes: Callable[[str], str] | None = None,
        *,
        meter: ProcessMeter | None = None,
    ) -> None:
        self.hub = hub
        self.profiles = profiles
        self.replicas = replicas
        #: a deployment's size name from its name ("" when unknown)
        self.sizes = sizes or (lambda _name: "")
        self.meter = meter or ProcessMeter()

    async def observe(self) -> list[Observation]:
        servers = await self.hub.servers() if self.hub is not None else []
        running = self.replicas.running() if self.replicas is not None else []
        known = {p.slug: p for p in await asyncio.to_thread(self.profiles)} if servers else {}
        return await asyncio.to_thread(self._measure, servers, running, known)

    def _measure(
        self,
        servers: Sequence[RunningServer],
        running: Sequence[tuple[Workload, list[int]]],
        profiles: dict[str, Profile],
    ) -> list[Observation]:
        found: list[Observation] = []
        for server in servers:
            if server.pid is None:
                continue  # a server the hub knows no process of (not started here)
            measured = self.meter.measure(server.pid)
            if measured is None:
                continue
            profile = profiles.get(server.profile)
            cpu, memory, gpus = _requested(profile)
            found.append(
                Observation(
                    kind=WorkloadKind.WORKSPACE,
                    name=server.name,
                    owner=server.owner,
                    profile=server.profile,
                    cpu_requested=cpu,
                    memory_requested=memory,
                    gpus=gpus,
                    cpu_used=measured.cpu,
                    memory_used=measured.memory,
                    last_activity=server.last_activity,
                )
            )
        per_deployment: dict[str, list[tuple[Workload, Measured]]] = {}
        for workload, pids in running:
            for pid in pids:
                measured = self.meter.measure(pid)
                if measured is not None:
                    per_deployment.setdefault(workload.deployment, []).append((workload, measured))
        for deployment, replicas in per_deployment.items():
            first = replicas[0][0]
            found.append(
                Observation(
                    kind=WorkloadKind.DEPLOYMENT,
                    name=deployment,
                    owner=first.owner,
                    profile=self.sizes(deployment),
                    # what each replica was given, for every replica running
                    cpu_requested=sum(float(cpu_cores(w.resources.cpu)) for w, _ in replicas),
                    memory_requested=sum(memory_bytes(w.resources.memory) for w, _ in replicas),
                    gpus=0,
                    cpu_used=sum(m.cpu for _, m in replicas),
                    memory_used=sum(m.memory for _, m in replicas),
                )
            )
        self.meter.sweep()
        return found


def _requested(profile: Profile | None) -> tuple[float, int, int]:
    """The profile's guarantees (what the spawner was asked for); a profile deleted since the
    server started is unknown: nothing requested."""
    if profile is None:
        return 0.0, 0, 0
    resources = pod_resources(profile)
    return resources.cpu_guarantee_cores, resources.mem_guarantee_bytes, profile.gpu
