"""The embedded source over real processes: a busy-loop Python process measured with psutil
uses more than half a core, an idle one next to nothing, each as the workspace or the model
server it stands for, with what its profile or size requested; the sampler then counts the
idle one idle."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_mlplat.adapters.local.usage import LocalUsage, ProcessMeter
from jupyterlab_mlplat.core.analytics.ports import RunningServer
from jupyterlab_mlplat.core.analytics.usage import WorkloadKind
from jupyterlab_mlplat.core.deployments.records import ModelSource, Resources, Workload
from jupyterlab_mlplat.core.profiles.rules import Profile
from tests.deployments.test_local_processes import (  # the deployer's fixtures, reused
    account,
    deployer,
    models,
    place,
    reachable,
    ready,
    wait_for,
)
from tests.deployments.test_local_processes import workload as model_workload

#: imported for pytest to find them here
_FIXTURES = (account, deployer, models, place, reachable)


BUSY = "while True: pass"
#: a child of its own under the idle root: the whole tree is measured
IDLE = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); time.sleep(600)"  # noqa: E501
GPU = Profile.model_validate(
    {
        "slug": "gpu-1",
        "display_name": "One GPU",
        "image": "quay.io/jupyter/pytorch-notebook:cuda12-2026-11-16",
        "cpu_guarantee": "2",
        "cpu_limit": "4",
        "mem_guarantee": "1Gi",
        "mem_limit": "2Gi",
        "gpu": 1,
    }
)


@pytest.fixture
def processes() -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    started = {
        "busy": subprocess.Popen([sys.executable, "-c", BUSY]),
        "idle": subprocess.Popen([sys.executable, "-c", IDLE]),
        "model": subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]),
    }
    try:
        yield started
    finally:
        for process in started.values():
            process.kill()
            process.wait()


@dataclass
class Servers:
    """``HubServers`` as the hub would answer (the hub's own answer is ``adapters/hub.py``'s)."""

    running: list[RunningServer] = field(default_factory=list)

    async def servers(self) -> list[RunningServer]:
        return self.running


@dataclass
class Replicas:
    """``LocalReplicas``: the deployer's running model servers."""

    running_now: list[tuple[Workload, list[int]]] = field(default_factory=list)

    def running(self) -> list[tuple[Workload, list[int]]]:
        return self.running_now


@pytest.mark.asyncio
async def test_busy_and_idle_processes_measured_with_psutil(
    processes: dict[str, subprocess.Popen[bytes]],
) -> None:
    hours_ago = datetime(2026, 12, 1, tzinfo=UTC)
    servers = Servers(
        [
            RunningServer("alice", "", "gpu-1", hours_ago, processes["busy"].pid),
            RunningServer("bob", "gpu", "gpu-1", hours_ago, processes["idle"].pid),
            RunningServer("carol", "", "gpu-1", None, None),  # no process known: left out
        ]
    )
    source = ModelSource("churn-model", "1", "file:///nowhere")
    workload = Workload(
        "churn-api-v1", "churn-api", "alice", source, Resources(cpu="500m", memory="512Mi")
    )
    replicas = Replicas([(workload, [processes["model"].pid])])
    usage = LocalUsage(servers, lambda: [GPU], replicas, sizes=lambda name: "small")

    await usage.observe()  # the first pass counts from each process's start
    # the kernel's own account of the busy loop over an interval enclosing the source's: on a
    # loaded machine a busy loop gets a share of a core, not a core
    before, started = _cpu_seconds(processes["busy"].pid), time.monotonic()
    await asyncio.sleep(2.0)
    seen = {(o.kind, o.owner): o for o in await usage.observe()}
    kernel = (_cpu_seconds(processes["busy"].pid) - before) / (time.monotonic() - started)

    assert set(seen) == {
        (WorkloadKind.WORKSPACE, "alice"),
        (WorkloadKind.WORKSPACE, "bob"),
        (WorkloadKind.DEPLOYMENT, "alice"),
    }
    busy, idle = seen[WorkloadKind.WORKSPACE, "alice"], seen[WorkloadKind.WORKSPACE, "bob"]
    assert busy.cpu_used is not None and idle.cpu_used is not None
    assert busy.cpu_used == pytest.approx(kernel, rel=0.25, abs=0.03)  # the busy loop's share
    assert kernel > 0.05 and busy.cpu_used > 10 * idle.cpu_used
    assert idle.cpu_used < 0.05
    assert (busy.cpu_requested, busy.memory_requested, busy.gpus) == (2.0, 2**30, 1)
    assert idle.name == "gpu" and idle.profile == "gpu-1"
    assert idle.memory_used is not None and idle.memory_used > 2 * 2**20  # two interpreters
    model = seen[WorkloadKind.DEPLOYMENT, "alice"]
    assert (model.name, model.profile, model.cpu_requested, model.memory_requested) == (
        "churn-api",
        "small",
        0.5,
        512 * 2**20,
    )
    assert model.cpu_used is not None and model.cpu_used < 0.05


@pytest.mark.asyncio
async def test_a_process_that_ended_is_left_out(
    processes: dict[str, subprocess.Popen[bytes]],
) -> None:
    meter = ProcessMeter()
    pid = processes["idle"].pid
    assert meter.measure(pid) is not None
    processes["idle"].kill()
    processes["idle"].wait()
    assert meter.measure(pid) is None
    meter.sweep()
    meter.sweep()
    assert meter._seen == {}


# ---- the local deployer's model servers, real: its replicas' process trees measured


@pytest.mark.asyncio(loop_scope="function")
async def test_the_local_deployers_model_servers_are_measured(
    deployer: Any, models: dict[str, Any]
) -> None:
    await deployer.apply("iris", [model_workload(models["logistic"], replicas=2, memory="1Gi")])
    await wait_for(deployer, "iris-v1", ready(2))
    usage = LocalUsage(None, list, deployer, sizes=lambda name: "small")
    await usage.observe()
    await asyncio.sleep(1.0)
    (seen,) = await usage.observe()
    assert (seen.kind, seen.name, seen.owner, seen.profile) == (
        WorkloadKind.DEPLOYMENT,
        "iris",
        "alice",
        "small",
    )
    # two replicas of 500m and 1Gi each were asked for
    assert (seen.cpu_requested, seen.memory_requested) == (1.0, 2 * 2**30)
    # two model servers with scikit-learn loaded: tens of MB each, resident
    assert seen.memory_used is not None and seen.memory_used > 2 * 50 * 2**20
    assert seen.cpu_used is not None and seen.cpu_used >= 0.0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process as the kernel counts them (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
