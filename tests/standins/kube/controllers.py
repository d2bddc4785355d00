"""The controllers of the emulated cluster: what turns a Deployment or a KServe
InferenceService into running pods, and what makes a Service answer.

Like the kubelet they run on the API server's event loop and see the store's events directly.

* :class:`DeploymentController` (apps/v1): keeps ``spec.replicas`` pods of the current pod
  template (named ``{deployment}-{template hash}-{random}``, labelled ``pod-template-hash``,
  owned by the Deployment so that deleting it deletes them), rolls a changed template out
  with ``maxUnavailable: 0`` (old pods go once the new ones are ready), and writes the status
  clients read: ``replicas``, ``updatedReplicas``, ``readyReplicas``, ``availableReplicas``,
  ``unavailableReplicas``, ``observedGeneration`` and the ``Available``/``Progressing``
  conditions. No ReplicaSets (pods are owned by the Deployment directly), no
  ``minReadySeconds``, no ``progressDeadlineSeconds``.
* :class:`InferenceServiceController` (serving.kserve.io/v1beta1, once its CRD is created):
  KServe's raw deployment mode: a Deployment and a Service ``{name}-predictor`` from the
  predictor's pod fields, and the status KServe writes (``PredictorReady``, ``IngressReady``,
  ``Ready`` conditions, ``url``, ``address.url``). ``status.address.url`` is where the
  :class:`ServiceProxy` answers (a loopback address), not a cluster DNS name.
* :class:`ServiceProxy` (kube-proxy): every Service with a selector gets a loopback cluster IP
  of its own (127.0.0.N, locked machine-wide like the pods') and listens on its ports there,
  forwarding each connection to a ready pod the selector matches, round-robin. Nothing
  listens on a Service created before the proxy started.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any

from tests.standins.kube.apiserver import ApiError, Event, Obj, labels_match, now

if TYPE_CHECKING:
    from tests.standins.kube.apiserver import KubeAPI
    from tests.standins.kube.kubelet import Kubelet

log = logging.getLogger(__name__)


def _owned_by(obj: Obj, owner: Obj) -> bool:
    return any(
        o.get("uid") == owner["metadata"]["uid"]
        for o in obj["metadata"].get("ownerReferences") or []
    )


def _owner_reference(owner: Obj) -> Obj:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _pod_ready(pod: Obj) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def _condition(type_: str, ok: bool, reason: str = "", message: str = "") -> Obj:
    condition: Obj = {
        "type": type_,
        "status": "True" if ok else "False",
        "lastTransitionTime": now(),
    }
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


def _keep_transition_times(old: list[Obj], new: list[Obj]) -> list[Obj]:
    """A condition whose status did not change keeps when it last changed (so an unchanged
    status is a no-op write, and watchers see no event)."""
    before = {c["type"]: c for c in old}
    for condition in new:
        previous = before.get(condition["type"])
        if previous and previous["status"] == condition["status"]:
            condition["lastTransitionTime"] = previous["lastTransitionTime"]
            if "lastUpdateTime" in previous:
                condition["lastUpdateTime"] = previous["lastUpdateTime"]
    return new


class _Controller:
    """Reconciles one kind's objects on the API's loop, at most once per burst of events."""

    #: the plural of the objects it owns and reconciles
    plural = ""

    def __init__(self, api: KubeAPI) -> None:
        self.api, self.store = api, api.store
        self._queued: set[tuple[str, str]] = set()
        self._stopping = False

    def attach(self) -> None:
        self.store.listeners.append(self._on_event)
        for obj in self.store.select(self.plural) if self.plural in self.store.kinds else []:
            self._queue(obj["metadata"]["namespace"], obj["metadata"]["name"])

    def detach(self) -> None:
        self._stopping = True
        with contextlib.suppress(ValueError):
            self.store.listeners.remove(self._on_event)

    def _on_event(self, event: Event) -> None:
        if self._stopping:
            return
        for key in self.keys(event):
            self._queue(*key)

    def keys(self, event: Event) -> list[tuple[str, str]]:
        """The objects an event may concern: its own, or its owner's."""
        meta = event.object["metadata"]
        if event.plural == self.plural:
            return [(meta.get("namespace", ""), meta["name"])]
        return [
            (meta.get("namespace", ""), owner["name"])
            for owner in meta.get("ownerReferences") or []
            if owner.get("controller") and self._owns(owner)
        ]

    def _owns(self, owner: Obj) -> bool:
        info = self.store.kinds.get(self.plural)
        return info is not None and owner.get("kind") == info.kind

    def _queue(self, namespace: str, name: str) -> None:
        if (namespace, name) not in self._queued:
            self._queued.add((namespace, name))
            asyncio.get_running_loop().call_soon(self._run, namespace, name)

    def _run(self, namespace: str, name: str) -> None:
        self._queued.discard((namespace, name))
        if self._stopping or self.plural not in self.store.kinds:
            return
        try:
            obj = self.store.get(self.plural, namespace, name)
        except ApiError:
            return
        if "deletionTimestamp" in obj["metadata"]:
            return
        try:
            self.reconcile(obj)
        except ApiError as error:  # e.g. the namespace is going away
            log.info("emulated %s controller: %s", self.plural, error.message)

    def reconcile(self, obj: Obj) -> None:
        raise NotImplementedError

    def _write_status(self, obj: Obj, status: Obj) -> None:
        meta = obj["metadata"]

        def change(current: Obj) -> None:
            old = (current.get("status") or {}).get("conditions") or []
            status["conditions"] = _keep_transition_times(old, status.get("conditions") or [])
            current["status"] = status

        self.store.update(self.plural, meta["namespace"], meta["name"], change)


class DeploymentController(_Controller):
    plural = "deployments"

    def reconcile(self, deployment: Obj) -> None:
        store, meta, spec = self.store, deployment["metadata"], deployment["spec"]
        namespace, name = meta["namespace"], meta["name"]
        template = spec["template"]
        digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]
        pods = [
            p
            for p in store.select("pods", namespace)
            if _owned_by(p, deployment) and "deletionTimestamp" not in p["metadata"]
        ]
        current = [p for p in pods if p["metadata"]["labels"].get("pod-template-hash") == digest]
        old = [p for p in pods if p not in current]
        wanted = int(spec.get("replicas", 1))
        for _ in range(wanted - len(current)):
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    **copy.deepcopy(template.get("metadata") or {}),
                    "name": f"{name}-{digest}-{secrets.token_hex(3)[:5]}",
                    "namespace": namespace,
                    "labels": {
                        **(template.get("metadata") or {}).get("labels", {}),
                        "pod-template-hash": digest,
                    },
                    "ownerReferences": [_owner_reference(deployment)],
                },
                "spec": copy.deepcopy(template["spec"]),
            }
            current.append(store.create("pods", namespace, pod))
        if len(current) > wanted:
            surplus = sorted(current, key=_pod_ready)[: len(current) - wanted]
            for pod in surplus:
                store.delete("pods", namespace, pod["metadata"]["name"])
            current = [p for p in current if p not in surplus]
        ready_current = [p for p in current if _pod_ready(p)]
        if old and len(ready_current) >= wanted:  # maxUnavailable 0: the new ones serve first
            for pod in old:
                store.delete("pods", namespace, pod["metadata"]["name"])
            old = []
        everyone = current + old
        ready = sum(_pod_ready(p) for p in everyone)
        status: Obj = {
            "observedGeneration": meta.get("generation", 1),
            "replicas": len(everyone),
            "updatedReplicas": len(current),
            "readyReplicas": ready,
            "availableReplicas": ready,
        }
        if len(everyone) > ready:
            status["unavailableReplicas"] = len(everyone) - ready
        complete = len(ready_current) >= wanted and not old
        status["conditions"] = [
            _condition(
                "Available",
                ready >= wanted,
                "MinimumReplicasAvailable" if ready >= wanted else "MinimumReplicasUnavailable",
                "Deployment has minimum availability."
                if ready >= wanted
                else "Deployment does not have minimum availability.",
            ),
            _condition(
                "Progressing",
                True,
                "NewReplicaSetAvailable" if complete else "ReplicaSetUpdated",
                f'ReplicaSet "{name}-{digest}" '
                + ("has successfully progressed." if complete else "is progressing."),
            ),
        ]
        for condition in status["conditions"]:
            condition["lastUpdateTime"] = condition["lastTransitionTime"]
        self._write_status(deployment, status)


class InferenceServiceController(_Controller):
    """KServe's controller in raw deployment mode, for InferenceServices whose predictor is a
    custom container (the only kind the workbench creates)."""

    plural = "inferenceservices"

    def keys(self, event: Event) -> list[tuple[str, str]]:
        keys = super().keys(event)
        # the predictor Deployment's status changes with its pods: follow it
        if event.plural == "deployments":
            labels = event.object["metadata"].get("labels") or {}
            if isvc := labels.get("serving.kserve.io/inferenceservice"):
                keys.append((event.object["metadata"]["namespace"], isvc))
        return keys

    def reconcile(self, isvc: Obj) -> None:
        store, meta = self.store, isvc["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        predictor = copy.deepcopy(isvc["spec"]["predictor"])
        component = f"{name}-predictor"
        labels = {
            **(meta.get("labels") or {}),
            **predictor.pop("labels", {}),
            "app": f"isvc.{component}",
            "component": "predictor",
            "serving.kserve.io/inferenceservice": name,
        }
        replicas = int(predictor.pop("minReplicas", 1) or 1)
        for field in (
            "maxReplicas",
            "scaleMetric",
            "scaleMetricType",
            "scaleTarget",
            "annotations",
        ):
            predictor.pop(field, None)
        selector = {"app": f"isvc.{component}"}
        port = next(
            (p["containerPort"] for c in predictor["containers"] for p in c.get("ports") or []),
            8080,
        )
        deployment = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": component,
                "namespace": namespace,
                "labels": labels,
                "ownerReferences": [_owner_reference(isvc)],
            },
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": selector},
                "template": {"metadata": {"labels": labels}, "spec": predictor},
            },
        }
        service = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": component,
                "namespace": namespace,
                "labels": labels,
                "ownerReferences": [_owner_reference(isvc)],
            },
            "spec": {
                "selector": selector,
                "ports": [{"name": "http", "port": 80, "targetPort": port}],
            },
        }
        existing = self._get("deployments", namespace, component)
        if existing is None:
            existing = store.create("deployments", namespace, deployment)
        elif existing["spec"] != {**existing["spec"], **deployment["spec"]}:
            merged = {**existing, "spec": {**existing["spec"], **deployment["spec"]}}
            existing = store.write("deployments", namespace, component, merged)
        svc = self._get("services", namespace, component) or store.create(
            "services", namespace, service
        )
        status = existing.get("status") or {}
        ready = int(status.get("availableReplicas") or 0) >= replicas
        ip = svc["spec"].get("clusterIP", "")
        address = f"http://{ip}" if ip and ip != "None" else ""
        reason = "" if ready else "PredictorNotReady"
        message = (
            "" if ready else f"Deployment {component} has {status.get('readyReplicas', 0)} ready"
        )
        conditions = [
            _condition("IngressReady", True),
            _condition("PredictorReady", ready, reason, message),
            _condition("Ready", ready, reason, message),
        ]
        self._write_status(
            isvc,
            {
                "observedGeneration": meta.get("generation", 1),
                "deploymentMode": "RawDeployment",
                "url": f"http://{name}-{namespace}.example.com",
                "address": {"url": address},
                "components": {"predictor": {"url": address, "latestCreatedRevision": component}},
                "conditions": conditions,
            },
        )

    def _get(self, plural: str, namespace: str, name: str) -> Obj | None:
        try:
            return copy.deepcopy(self.store.get(plural, namespace, name))
        except ApiError:
            return None


class ServiceProxy:
    """kube-proxy for the emulated cluster: a Service's cluster IP is a loopback address that
    forwards to its ready endpoints."""

    def __init__(self, api: KubeAPI, kubelet: Kubelet) -> None:
        self.api, self.store, self.kubelet = api, api.store, kubelet
        self._servers: dict[str, list[asyncio.Server]] = {}
        self._round_robin = itertools.count()
        self._stopping = False

    def attach(self) -> None:
        self.api.allocate_cluster_ip = self._allocate
        self.store.listeners.append(self._on_event)

    async def detach(self) -> None:
        self._stopping = True
        self.api.allocate_cluster_ip = None
        with contextlib.suppress(ValueError):
            self.store.listeners.remove(self._on_event)
        for uid in list(self._servers):
            await self._close(uid)

    def _allocate(self, service: Obj) -> str | None:
        """Called inside the Service's create: only an address, listening comes after."""
        spec = service.get("spec") or {}
        if not spec.get("selector"):
            return None
        uid = service["metadata"]["uid"]
        ports = [int(p["port"]) for p in spec.get("ports") or []]
        try:
            return self.kubelet.allocate_address(uid, ports[0] if ports else 80)
        except OSError:
            return None

    def _on_event(self, event: Event) -> None:
        if self._stopping or event.plural != "services":
            return
        uid = event.object["metadata"]["uid"]
        if event.type == "ADDED" and event.object["spec"].get("clusterIP", "").startswith("127."):
            self.kubelet.spawn(self._listen(event.object))
        elif event.type == "DELETED":
            self.kubelet.spawn(self._close(uid))

    async def _listen(self, service: Obj) -> None:
        uid, ip = service["metadata"]["uid"], service["spec"]["clusterIP"]
        namespace, name = service["metadata"]["namespace"], service["metadata"]["name"]
        servers = self._servers.setdefault(uid, [])
        for port in service["spec"].get("ports") or []:

            async def forward(
                reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter,
                port: Obj = port,
            ) -> None:
                await self._forward(namespace, name, port, reader, writer)

            servers.append(await asyncio.start_server(forward, ip, int(port["port"])))

    async def _close(self, uid: str) -> None:
        for server in self._servers.pop(uid, []):
            server.close()
            with contextlib.suppress(Exception):
                await server.wait_closed()
        self.kubelet.release_address(uid)

    def _endpoint(self, namespace: str, name: str, port: Obj) -> tuple[str, int] | None:
        try:
            service = self.store.get("services", namespace, name)
        except ApiError:
            return None
        selector = [(k, "=", {v}) for k, v in service["spec"]["selector"].items()]
        ready = [
            p
            for p in self.store.select("pods", namespace)
            if labels_match(selector, p["metadata"].get("labels") or {})
            and _pod_ready(p)
            and "deletionTimestamp" not in p["metadata"]
            and p["status"].get("podIP")
        ]
        if not ready:
            return None
        pod = ready[next(self._round_robin) % len(ready)]
        target = port.get("targetPort", port["port"])
        if isinstance(target, str) and not target.isdigit():
            named = {
                p.get("name"): p["containerPort"]
                for c in pod["spec"]["containers"]
                for p in c.get("ports") or []
            }
            target = named.get(target)
            if target is None:
                return None
        return pod["status"]["podIP"], int(target)

    async def _forward(
        self,
        namespace: str,
        name: str,
        port: Obj,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        endpoint = self._endpoint(namespace, name, port)
        try:
            if endpoint is None:
                raise ConnectionRefusedError  # no ready endpoint: closed at once
            upstream_reader, upstream_writer = await asyncio.open_connection(*endpoint)
        except OSError:
            writer.close()
            return

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                with contextlib.suppress(Exception):
                    sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


def start(api: KubeAPI, kubelet: Kubelet) -> list[Any]:
    """Attach the controllers and the proxy to a running API (on its loop); returns them for
    :func:`stop`."""
    parts: list[Any] = [
        DeploymentController(api),
        InferenceServiceController(api),
        ServiceProxy(api, kubelet),
    ]
    for part in parts:
        part.attach()
    return parts


async def stop(parts: list[Any]) -> None:
    for part in parts:
        result = part.detach()
        if asyncio.iscoroutine(result):
            await result
