"""This machine as the embedded workbench weighs it: the CPUs and memory the operating system
lets the workbench use, what the kernel could hand out now, and what the running servers were
promised. It has no GPUs a local process could be given.

What "this machine has" is read the way the machine limits the workbench, not the way it is
sold: a process pinned to two of eight cores (``taskset``, a container's cpuset) has two, and a
container's control group (cgroup v2 ``cpu.max``/``memory.max``) caps both; ``os.cpu_count()``
and the physical memory alone would promise what a container never gets.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import psutil

from jupyterlab_mlplat.core.profiles.capacity import Machine

_CGROUP_ROOT = Path("/sys/fs/cgroup")


def _own_cgroup() -> Path | None:
    """This process's cgroup v2 folder, or None on a machine without the unified hierarchy."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("0::"):
            folder = _CGROUP_ROOT / line[3:].lstrip("/")
            return folder if (folder / "cgroup.controllers").exists() else None
    return None


def _read(folder: Path | None, name: str) -> str | None:
    if folder is None:
        return None
    try:
        return (folder / name).read_text().strip()
    except OSError:
        return None


def usable_cpus(cgroup: Path | None = None) -> Decimal:
    """The CPUs this process may run on, capped by its cgroup's CPU quota."""
    cpus = Decimal(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0)
    cpus = cpus or Decimal(os.cpu_count() or 1)
    quota = (_read(cgroup, "cpu.max") or "max").split()
    if quota and quota[0] != "max":
        period = Decimal(quota[1]) if len(quota) > 1 else Decimal(100_000)
        cpus = min(cpus, Decimal(quota[0]) / period)
    return cpus


def usable_memory(cgroup: Path | None = None) -> tuple[int, int]:
    """(all the memory the workbench may use, what of it the kernel could hand out now)."""
    memory = psutil.virtual_memory()
    total, available = int(memory.total), int(memory.available)
    limit = _read(cgroup, "memory.max")
    if limit and limit != "max":
        current = int(_read(cgroup, "memory.current") or 0)
        total = min(total, int(limit))
        available = min(available, max(int(limit) - current, 0))
    return total, available


def this_machine(
    promised: Iterable[tuple[float, int]],
    *,
    cpu_ratio: float = 16.0,
    memory_ratio: float = 1.5,
) -> Machine:
    """``promised``: (CPU cores, memory bytes) guaranteed to each running or starting server."""
    cgroup = _own_cgroup()
    total, available = usable_memory(cgroup)
    cpu_promised, memory_promised = Decimal(0), 0
    for cores, n_bytes in promised:
        cpu_promised += Decimal(str(cores))
        memory_promised += n_bytes
    return Machine(
        cpus=usable_cpus(cgroup),
        memory=total,
        memory_available=available,
        cpu_promised=cpu_promised,
        memory_promised=memory_promised,
        cpu_ratio=Decimal(str(cpu_ratio)),
        memory_ratio=Decimal(str(memory_ratio)),
    )
