"""Usage of a cluster's workloads: what their pods request (the pod specs) and use (the
metrics server's ``metrics.k8s.io/v1beta1`` PodMetrics), read with the official client.

Workspaces are KubeSpawner's pods (``component=singleuser-server``; its annotations carry the
user's and the server's names unescaped), deployments the model servers our deployer labels
(``adapters/kube/manifests.py``). The hub adds what a pod does not say: a workspace's profile
and its last activity. A deployment's owner and size come from the platform's own record of it
(a label's value is escaped; the record is the truth).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.utils import parse_quantity
from urllib3.exceptions import HTTPError as Urllib3Error

from jupyterlab_mlplat.core.analytics.ports import HubServers, RunningServer
from jupyterlab_mlplat.core.analytics.usage import Observation, WorkloadKind
from jupyterlab_mlplat.core.kernel.errors import PlatformError, Unavailable

from .manifests import APP_NAME, DEPLOYMENT_LABEL, MANAGED_BY

log = logging.getLogger("mlplat.usage")

METRICS = ("metrics.k8s.io", "v1beta1")
#: KubeSpawner's pods of single-user servers
WORKSPACE_SELECTOR = "component=singleuser-server"
#: our deployer's model-server pods
DEPLOYMENT_SELECTOR = f"app.kubernetes.io/managed-by={MANAGED_BY},app.kubernetes.io/name={APP_NAME}"
USER_ANNOTATION = "hub.jupyter.org/username"
SERVER_ANNOTATION = "hub.jupyter.org/servername"
#: the extended resources counted as GPUs
GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")

#: a deployment's (owner, size) from its name; None for one the platform does not know
DeploymentOwner = Callable[[str], "tuple[str, str] | None"]


def _quantity(value: Any) -> Decimal:
    try:
        return Decimal(parse_quantity(value)) if value not in (None, "") else Decimal(0)
    except ValueError:
        return Decimal(0)


def requested(pod: dict[str, Any]) -> tuple[float, int, int]:
    """Cores, bytes and GPUs the pod's containers request (a GPU given only as a limit counts:
    Kubernetes makes an extended resource's request its limit)."""
    cpu, memory, gpus = Decimal(0), Decimal(0), Decimal(0)
    for container in (pod.get("spec") or {}).get("containers") or []:
        resources = container.get("resources") or {}
        requests = resources.get("requests") or {}
        limits = resources.get("limits") or {}
        cpu += _quantity(requests.get("cpu"))
        memory += _quantity(requests.get("memory"))
        for name in GPU_RESOURCES:
            gpus += max(_quantity(requests.get(name)), _quantity(limits.get(name)))
    return float(cpu), int(memory), int(gpus)


def used(metrics: dict[str, Any]) -> tuple[float, int]:
    """Cores and bytes a PodMetrics reports over its window, summed over its containers."""
    cpu, memory = Decimal(0), Decimal(0)
    for container in metrics.get("containers") or []:
        usage = container.get("usage") or {}
        cpu += _quantity(usage.get("cpu"))
        memory += _quantity(usage.get("memory"))
    return float(cpu), int(memory)


class KubeUsage:
    """``core.analytics.ports.UsageSource`` of a cluster. Reads pods and PodMetrics in the
    workspaces' namespace (KubeSpawner's) and the deployments' (the deployer's)."""

    def __init__(
        self,
        api: client.ApiClient | Callable[[], client.ApiClient],
        *,
        workspaces_namespace: str,
        deployments_namespace: str,
        hub: HubServers | None = None,
        deployments: DeploymentOwner | None = None,
        request_timeout: float = 10.0,
    ) -> None:
        self._api = api
        self.workspaces_namespace = workspaces_namespace
        self.deployments_namespace = deployments_namespace
        self.hub = hub
        self.deployments = deployments or (lambda _name: None)
        self.request_timeout = request_timeout

    @property
    def api(self) -> client.ApiClient:
        return self._api if isinstance(self._api, client.ApiClient) else self._api()

    async def observe(self) -> list[Observation]:
        servers: list[RunningServer] = []
        if self.hub is not None:
            try:
                servers = await self.hub.servers()
            except PlatformError as err:  # the pods still say who uses what
                log.warning("usage: the hub's servers not read (%s): no profiles", err.reason)
        return await asyncio.to_thread(self._observe, servers)

    def _observe(self, servers: Sequence[RunningServer]) -> list[Observation]:
        found = self._workspaces({(s.owner, s.name): s for s in servers})
        return found + self._deployments()

    def _running(
        self, namespace: str, selector: str
    ) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        """The running pods of the selector, each with its PodMetrics (None when the metrics
        server has not scraped it yet)."""
        core, custom = client.CoreV1Api(self.api), client.CustomObjectsApi(self.api)
        with _translated("pods", namespace):
            pods = core.list_namespaced_pod(
                namespace, label_selector=selector, _request_timeout=self.request_timeout
            )
        with _translated("pod metrics", namespace):
            metrics = custom.list_namespaced_custom_object(
                *METRICS,
                namespace,
                "pods",
                label_selector=selector,
                _request_timeout=self.request_timeout,
            )
        by_name = {m["metadata"]["name"]: m for m in metrics.get("items") or []}
        serialised = self.api.sanitize_for_serialization
        return [
            (pod, by_name.get(pod["metadata"]["name"]))
            for pod in (serialised(p) for p in pods.items)
            if (pod.get("status") or {}).get("phase") == "Running"
        ]

    def _workspaces(self, servers: dict[tuple[str, str], RunningServer]) -> list[Observation]:
        found = []
        for pod, metrics in self._running(self.workspaces_namespace, WORKSPACE_SELECTOR):
            notes = pod["metadata"].get("annotations") or {}
            owner = notes.get(USER_ANNOTATION)
            if not owner:
                continue  # not a server KubeSpawner started
            name = notes.get(SERVER_ANNOTATION, "")
            server = servers.get((owner, name))
            cpu, memory, gpus = requested(pod)
            used_cpu, used_memory = used(metrics) if metrics else (None, None)
            found.append(
                Observation(
                    kind=WorkloadKind.WORKSPACE,
                    name=name,
                    owner=owner,
                    profile=server.profile if server else "",
                    cpu_requested=cpu,
                    memory_requested=memory,
                    gpus=gpus,
                    cpu_used=used_cpu,
                    memory_used=used_memory,
                    last_activity=server.last_activity if server else None,
                )
            )
        return found

    def _deployments(self) -> list[Observation]:
        pods: dict[str, list[tuple[dict[str, Any], dict[str, Any] | None]]] = {}
        for pod, metrics in self._running(self.deployments_namespace, DEPLOYMENT_SELECTOR):
            name = (pod["metadata"].get("labels") or {}).get(DEPLOYMENT_LABEL)
            if name:
                pods.setdefault(name, []).append((pod, metrics))
        found = []
        for name, replicas in pods.items():
            known = self.deployments(name)
            if known is None:
                continue  # a pod of a deployment the platform no longer has
            owner, size = known
            asked = [requested(pod) for pod, _ in replicas]
            measured = [used(m) for _, m in replicas if m is not None]
            found.append(
                Observation(
                    kind=WorkloadKind.DEPLOYMENT,
                    name=name,
                    owner=owner,
                    profile=size,
                    cpu_requested=sum(a[0] for a in asked),
                    memory_requested=sum(a[1] for a in asked),
                    gpus=sum(a[2] for a in asked),
                    cpu_used=sum(m[0] for m in measured) if measured else None,
                    memory_used=sum(m[1] for m in measured) if measured else None,
                )
            )
        return found


@contextlib.contextmanager
def _translated(what: str, namespace: str) -> Iterator[None]:
    """The client's failures as ``Unavailable`` (the pass counts the source as failed)."""
    try:
        yield
    except ApiException as err:
        hint = " (is the metrics server installed?)" if what == "pod metrics" else ""
        raise Unavailable(
            f"Kubernetes answered {err.status} reading {what} in {namespace}{hint}.",
            params={"status": int(err.status or 0)},
        ) from None
    except (Urllib3Error, OSError, TimeoutError) as err:
        problem = type(err).__name__
        raise Unavailable(f"Kubernetes did not answer reading {what} ({problem}).") from None
