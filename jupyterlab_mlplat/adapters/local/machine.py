"""This machine as the only "node" of the embedded workbench: its cores and memory, minus what
the running servers were promised. It has no GPUs a local process could be given."""

from __future__ import annotations

import os
from collections.abc import Iterable
from decimal import Decimal

from jupyterlab_mlplat.core.profiles.capacity import Node


def total_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def this_machine(promised: Iterable[tuple[float, int]]) -> Node:
    """``promised``: (CPU cores, memory bytes) guaranteed to each running server."""
    cpu = Decimal(os.cpu_count() or 1)
    memory = total_memory()
    for cores, n_bytes in promised:
        cpu -= Decimal(str(cores))
        memory -= n_bytes
    return Node(name=os.uname().nodename, cpu_free=cpu, memory_free=memory)
