"""The cluster's capacity as the scheduler sees it, read with the official Kubernetes client.

Headroom is allocatable minus what running and pending pods request, per node, so the spawn
page can say "GPU: 1 of 4 free" before anyone waits for a pod that cannot be scheduled.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from kubernetes.utils import parse_quantity

from jupyterlab_mlplat.core.profiles.capacity import Node, Taint

#: pods in these phases hold no resources any more
_FINISHED = "status.phase!=Succeeded,status.phase!=Failed"


def _requests(pod: Any) -> dict[str, Decimal]:
    """What a pod reserves: container requests; extended resources default to their limits."""
    total: dict[str, Decimal] = defaultdict(Decimal)
    for container in pod.spec.containers or []:
        resources = container.resources
        requests = dict((resources.requests if resources else None) or {})
        for name, quantity in ((resources.limits if resources else None) or {}).items():
            if "/" in name:
                requests.setdefault(name, quantity)
        for name, quantity in requests.items():
            total[name] += parse_quantity(quantity)
    return total


def _ready(node: Any) -> bool:
    conditions = (node.status.conditions if node.status else None) or []
    ready = [c for c in conditions if c.type == "Ready"]
    return not ready or ready[0].status == "True"


async def schedulable_nodes(core_v1: Any, *, request_timeout: float = 10.0) -> list[Node]:
    """Every ready, schedulable node with what is still free on it.

    ``core_v1`` is a ``kubernetes_asyncio`` ``CoreV1Api`` (KubeSpawner's own); the hub's
    service account needs ``list`` on nodes and on pods in all namespaces.
    """
    nodes = await core_v1.list_node(_request_timeout=request_timeout)
    pods = await core_v1.list_pod_for_all_namespaces(
        field_selector=_FINISHED, _request_timeout=request_timeout
    )
    used: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for pod in pods.items:
        if pod.spec and pod.spec.node_name:
            for name, amount in _requests(pod).items():
                used[pod.spec.node_name][name] += amount
    result = []
    for node in nodes.items:
        if (node.spec and node.spec.unschedulable) or not _ready(node):
            continue
        name = node.metadata.name
        allocatable = {k: parse_quantity(v) for k, v in (node.status.allocatable or {}).items()}
        extended = {
            resource: (int(amount - used[name][resource]), int(amount))
            for resource, amount in allocatable.items()
            if "/" in resource
        }
        result.append(
            Node(
                name=name,
                cpu_free=allocatable.get("cpu", Decimal(0)) - used[name]["cpu"],
                memory_free=int(allocatable.get("memory", Decimal(0)) - used[name]["memory"]),
                extended=extended,
                labels=dict(node.metadata.labels or {}),
                taints=tuple(
                    Taint(t.key, t.value or "", t.effect) for t in (node.spec.taints or [])
                )
                if node.spec
                else (),
            )
        )
    return result
