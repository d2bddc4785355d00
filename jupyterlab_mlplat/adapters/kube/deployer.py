"""Deployments on Kubernetes: each workload a Deployment + Service (+ HorizontalPodAutoscaler),
or a KServe InferenceService when KServe's CRD is installed.

The objects come from the pure builders of ``manifests.py``; this module only talks to the API
(the official ``kubernetes`` client, its blocking calls run in threads) and reads the status
back. Every object it makes carries ``app.kubernetes.io/managed-by=jupyterlab-mlplat`` and
``mlplat/deployment=<name>``: ``apply`` removes what carries them and is no longer wanted, so
a platform that restarts, or a crash between two calls, leaves nothing behind.

What the platform's service account needs in the namespace (``deploy/kustomize/
deployments-rbac.yaml``): get, list, create, update, delete on deployments (apps), services,
horizontalpodautoscalers (autoscaling) and inferenceservices (serving.kserve.io); get and
list on pods and get on pods/log. A missing permission is reported as ``Unavailable`` naming
it, a refused object as ``InvalidInput`` with the API's own words.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from kubernetes import client, config
from kubernetes.client.rest import ApiException
from traitlets import Bool, CaselessStrEnum, Dict, Float, Int, List, Unicode
from traitlets.config import LoggingConfigurable
from urllib3.exceptions import HTTPError as Urllib3Error

from jupyterlab_mlplat.core.deployments.records import Phase, Workload, WorkloadStatus
from jupyterlab_mlplat.core.kernel.errors import Conflict, InvalidInput, NotFound, Unavailable

from . import manifests
from .manifests import KubeSettings

KSERVE_GROUP, KSERVE_VERSION = "serving.kserve.io", "v1beta1"
ISVC_PLURAL = "inferenceservices"
#: the hash of what the platform built, kept on each object: an unchanged workload is not
#: written again on every pass of the reconciler
SPEC_HASH = "mlplat/spec-hash"
#: container states that are only a replica starting, not a problem to show
_STARTING = {"ContainerCreating", "PodInitializing"}
#: the longest last error kept (one line a person reads)
MAX_ERROR = 500

T = TypeVar("T")


class KubeDeployments(LoggingConfigurable):
    """Settings of the cluster's deployer (``c.KubeDeployments.…``). A class of their own:
    the ``Deployer`` port's ``observe`` would shadow traitlets' ``HasTraits.observe``."""

    namespace = Unicode(
        "mlplat-models",
        help="Namespace the model servers run in, e.g. mlplat-models (its own, so a model's "
        "pod shares nothing with the platform's).",
    ).tag(config=True)
    image = Unicode(
        "",
        help="Image of the model server: one with jupyterlab-mlplat installed, e.g. "
        "registry.example/jupyterlab-mlplat:1.4.0.",
    ).tag(config=True)
    image_pull_policy = CaselessStrEnum(
        ["Always", "IfNotPresent", "Never"],
        "IfNotPresent",
        help="imagePullPolicy of the model server's container, e.g. IfNotPresent.",
    ).tag(config=True)
    container_port = Int(8080, help="Port the model server listens on in its pod, e.g. 8080.").tag(
        config=True
    )
    service_port = Int(80, help="Port each workload's Service offers, e.g. 80.").tag(config=True)
    service_account = Unicode(
        "",
        help="Service account of the model servers' pods, e.g. mlplat-model (its token is never "
        "mounted); empty: the namespace's default.",
    ).tag(config=True)
    s3_secret_name = Unicode(
        "",
        help="Secret in the namespace with the object store's keys the pods fetch model files "
        "with (keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), e.g. mlplat-models-s3.",
    ).tag(config=True)
    s3_endpoint_url = Unicode(
        "",
        help="MLFLOW_S3_ENDPOINT_URL in the pods, e.g. http://minio.mlplat.svc:9000 (empty "
        "for AWS S3).",
    ).tag(config=True)
    artifacts_destination = Unicode(
        "",
        help="MLflow server's --artifacts-destination, so mlflow-artifacts:/ locations are read "
        "from the store directly, e.g. s3://mlflow/.",
    ).tag(config=True)
    run_as_user = Int(
        1000,
        allow_none=True,
        help="User id the model servers run as (not root), e.g. 1000; None: the image's own "
        "(which must then be a numeric non-root USER).",
    ).tag(config=True)
    labels = Dict(
        value_trait=Unicode(),
        help="Labels added to every object, e.g. {'team': 'data'}.",
    ).tag(config=True)
    node_selector = Dict(
        value_trait=Unicode(),
        help="nodeSelector of the model servers' pods, e.g. {'pool': 'models'}.",
    ).tag(config=True)
    tolerations = List(
        Dict(),
        help="Tolerations of the model servers' pods, e.g. "
        "[{'key': 'models', 'operator': 'Exists', 'effect': 'NoSchedule'}].",
    ).tag(config=True)
    kserve = CaselessStrEnum(
        ["auto", "always", "never"],
        "auto",
        help="Whether workloads are KServe InferenceServices: auto (when the cluster serves "
        "inferenceservices.serving.kserve.io/v1beta1, checked every kserve_check_seconds), "
        "always, or never (Deployment + Service + HPA).",
    ).tag(config=True)
    kserve_check_seconds = Float(
        300.0, help="How long the answer to 'is KServe installed' is kept, e.g. 300."
    ).tag(config=True)
    service_url_template = Unicode(
        "http://{service}.{namespace}.svc:{port}",
        help="Where the gateway reaches a workload's Service; fields {service}, {namespace}, "
        "{port} and {cluster_ip}, e.g. http://{service}.{namespace}.svc.cluster.local:{port}.",
    ).tag(config=True)
    failed_after_restarts = Int(
        3,
        help="Restarts of a workload with no ready replica after which it is failed (not "
        "pending), e.g. 3.",
    ).tag(config=True)
    kubeconfig = Unicode(
        "",
        help="A kubeconfig file to use, e.g. /etc/mlplat/kubeconfig; empty: the pod's own "
        "service account (in the cluster), else the default kubeconfig.",
    ).tag(config=True)
    request_timeout = Float(10.0, help="Timeout of each API call, in seconds, e.g. 10.").tag(
        config=True
    )
    delete_propagation = Unicode(
        "Background",
        help="propagationPolicy of deletions, e.g. Foreground to wait for the pods.",
    ).tag(config=True)
    verify_ssl = Bool(True, help="Verify the API server's certificate.").tag(config=True)


class KubeDeployer:
    """The ``Deployer`` of a cluster, selected with ``c.PlatformApp.deployer_class =
    "jupyterlab_mlplat.adapters.kube.deployer.KubeDeployer"`` and configured through
    ``KubeDeployments``' traits. Built by the platform as ``KubeDeployer(parent=app,
    files=…)``; ``files`` (what the local backend downloads with) is not used: pods fetch
    their own files from the object store. ``api_client`` is for tests and tools that hold
    one already."""

    def __init__(
        self,
        *,
        parent: Any = None,
        files: Any = None,
        api_client: client.ApiClient | None = None,
        **settings: Any,
    ) -> None:
        self.options = KubeDeployments(parent=parent, **settings)
        self.log = self.options.log
        self._api = api_client
        self._kserve_known: tuple[float, bool] | None = None

    # -- the port --

    async def apply(self, deployment: str, workloads: Sequence[Workload]) -> None:
        await asyncio.to_thread(self._apply, deployment, list(workloads))

    async def observe(self, deployment: str) -> list[WorkloadStatus]:
        return await asyncio.to_thread(self._observe, deployment)

    async def logs(self, workload: str, *, tail: int = 200) -> str:
        return await asyncio.to_thread(self._logs, workload, tail)

    async def close(self) -> None:
        if self._api is not None:
            await asyncio.to_thread(self._api.close)
            self._api = None

    # -- configuration --

    def settings(self) -> KubeSettings:
        if not self.options.image:
            raise Unavailable(
                "the cluster's deployments have no model server image: set "
                "KubeDeployments.image (an image with jupyterlab-mlplat installed)"
            )
        return KubeSettings(
            namespace=self.options.namespace,
            image=self.options.image,
            image_pull_policy=self.options.image_pull_policy,
            container_port=self.options.container_port,
            service_port=self.options.service_port,
            service_account=self.options.service_account,
            s3_secret_name=self.options.s3_secret_name,
            s3_endpoint_url=self.options.s3_endpoint_url,
            artifacts_destination=self.options.artifacts_destination,
            labels=dict(self.options.labels),
            node_selector=dict(self.options.node_selector),
            tolerations=tuple(dict(t) for t in self.options.tolerations),
            run_as_user=self.options.run_as_user,
        )

    @property
    def api(self) -> client.ApiClient:
        if self._api is None:
            if self.options.kubeconfig:
                self._api = config.new_client_from_config(self.options.kubeconfig)
            else:
                configuration = client.Configuration()
                try:
                    config.load_incluster_config(client_configuration=configuration)
                except config.ConfigException:
                    try:
                        config.load_kube_config(client_configuration=configuration)
                    except (config.ConfigException, OSError) as err:
                        raise Unavailable(
                            "no Kubernetes configuration: the platform runs outside a cluster "
                            "and has no kubeconfig (set KubeDeployments.kubeconfig)"
                        ) from err
                configuration.verify_ssl = self.options.verify_ssl
                self._api = client.ApiClient(configuration)
        return self._api

    def _call(
        self, verb: str, resource: str, call: Callable[..., T], *args: Any, **kwargs: Any
    ) -> T:
        """One API call, its failures as the core's errors (a 404 as ``NotFound``)."""
        with _translated(verb, resource, self.options.namespace):
            return call(*args, _request_timeout=self.options.request_timeout, **kwargs)

    def _read(self, resource: str, call: Callable[..., T], *args: Any) -> T | None:
        try:
            return self._call("get", resource, call, *args)
        except NotFound:
            return None

    # -- KServe or not --

    def uses_kserve(self) -> bool:
        """Whether the cluster serves InferenceServices (asked through discovery, which every
        authenticated account may read)."""
        if self.options.kserve != "auto":
            return bool(self.options.kserve == "always")
        now = time.monotonic()
        if self._kserve_known and now - self._kserve_known[0] < self.options.kserve_check_seconds:
            return self._kserve_known[1]
        custom = client.CustomObjectsApi(self.api)
        try:
            found = self._call(
                "get", "API discovery", custom.get_api_resources, KSERVE_GROUP, KSERVE_VERSION
            )
            served = any(r.name == ISVC_PLURAL for r in (found.resources if found else []))
        except NotFound:
            served = False
        self._kserve_known = (now, served)
        return served

    # -- apply --

    def _apply(self, deployment: str, workloads: list[Workload]) -> None:
        settings = self.settings()
        kserve = self.uses_kserve()
        wanted: dict[str, list[dict[str, Any]]] = {}
        for workload in workloads:
            try:
                if kserve:
                    objects = [manifests.inference_service(workload, settings)]
                else:
                    objects = [
                        manifests.model_deployment(workload, settings),
                        manifests.model_service(workload, settings),
                    ]
                    if hpa := manifests.model_hpa(workload, settings):
                        objects.append(hpa)
            except ValueError as err:
                raise InvalidInput(str(err), "source", params={"workload": workload.name}) from err
            wanted[workload.name] = objects
        ours = self._ours(deployment, kserve=kserve)
        # an autoscaler that stays owns the replica count (one going away gives it back)
        autoscaled = {
            name
            for kind, name in ours
            if kind == "HorizontalPodAutoscaler"
            and any(o["kind"] == kind for o in wanted.get(name, []))
        }
        for objects in wanted.values():
            for obj in objects:
                key = (obj["kind"], obj["metadata"]["name"])
                self._put(_with_hash(obj), ours.get(key), autoscaled)
        keep = {(obj["kind"], name) for name, objects in wanted.items() for obj in objects}
        for kind, name in ours:
            if (kind, name) not in keep:
                self._delete(kind, name)

    def _put(self, obj: dict[str, Any], current: Any, autoscaled: set[str]) -> None:
        """Create the object, or replace it when what the platform built changed; read and
        tried once more when someone else (an autoscaler, a controller) wrote it since it was
        listed."""
        try:
            self._put_once(obj, current, autoscaled)
        except Conflict:
            api = _Kind(obj["kind"], self.api, self.options.namespace)
            current = self._read(api.resource, api.read, obj["metadata"]["name"])
            self._put_once(obj, current, autoscaled)

    def _put_once(self, obj: dict[str, Any], current: Any, autoscaled: set[str]) -> None:
        kind, name = obj["kind"], obj["metadata"]["name"]
        api = _Kind(kind, self.api, self.options.namespace)
        if current is None:
            self._call("create", api.resource, api.create, obj)
            return
        meta = current["metadata"] if isinstance(current, dict) else current.metadata
        annotations = (
            meta.get("annotations") if isinstance(meta, dict) else meta.annotations
        ) or {}
        scaled_by_others = (
            kind == "Deployment"
            and name not in autoscaled
            and current.spec.replicas != obj["spec"]["replicas"]
        )
        if annotations.get(SPEC_HASH) == obj["metadata"]["annotations"][SPEC_HASH] and not (
            scaled_by_others  # by an autoscaler gone now, or by hand: the size decides
        ):
            return
        body = json.loads(json.dumps(obj))
        body["metadata"]["resourceVersion"] = (
            meta["resourceVersion"] if isinstance(meta, dict) else meta.resource_version
        )
        if kind == "Service":  # the allocated address is kept, as the API requires
            body["spec"]["clusterIP"] = current.spec.cluster_ip
            body["spec"]["clusterIPs"] = current.spec.cluster_i_ps
        if kind == "Deployment" and name in autoscaled:
            # an autoscaler owns the replica count now: keep what it chose
            body["spec"]["replicas"] = max(current.spec.replicas or 0, body["spec"]["replicas"])
        self._call("update", api.resource, api.replace, name, body)

    def _ours(self, deployment: str, *, kserve: bool) -> dict[tuple[str, str], Any]:
        """Every object the platform made for the deployment, by kind and name (not those a
        controller made: KServe's predictor Deployment carries the same labels and belongs to
        KServe). One list per kind: an unchanged workload then costs no further request."""
        selector = manifests.deployment_selector(deployment)
        found: dict[tuple[str, str], Any] = {}
        kinds = ["Deployment", "Service", "HorizontalPodAutoscaler"]
        if kserve:
            kinds.append("InferenceService")
        for kind in kinds:
            api = _Kind(kind, self.api, self.options.namespace)
            for item in self._call("list", api.resource, api.select, selector):
                meta = item["metadata"] if isinstance(item, dict) else item.metadata
                owners = (
                    meta.get("ownerReferences") if isinstance(meta, dict) else meta.owner_references
                )
                name = meta["name"] if isinstance(meta, dict) else meta.name
                if not owners:
                    found[(kind, name)] = item
        return found

    def _delete(self, kind: str, name: str) -> None:
        api = _Kind(kind, self.api, self.options.namespace)
        body = client.V1DeleteOptions(propagation_policy=self.options.delete_propagation)
        with contextlib.suppress(NotFound):
            self._call("delete", api.resource, api.delete, name, body)

    # -- observe --

    def _observe(self, deployment: str) -> list[WorkloadStatus]:
        selector = manifests.deployment_selector(deployment)
        apps, core = client.AppsV1Api(self.api), client.CoreV1Api(self.api)
        ns = self.options.namespace
        pods = self._call("list", "pods", core.list_namespaced_pod, ns, label_selector=selector)
        by_workload: dict[str, list[Any]] = {}
        for pod in pods.items:
            instance = (pod.metadata.labels or {}).get("app.kubernetes.io/instance", "")
            by_workload.setdefault(instance, []).append(pod)
        found: dict[str, WorkloadStatus] = {}
        deployments = self._call(
            "list", "deployments", apps.list_namespaced_deployment, ns, label_selector=selector
        )
        services = {
            s.metadata.name: s
            for s in self._call(
                "list", "services", core.list_namespaced_service, ns, label_selector=selector
            ).items
        }
        for item in deployments.items:
            if item.metadata.owner_references:  # KServe's predictor: read from its isvc
                continue
            name = item.metadata.name
            desired = item.spec.replicas if item.spec.replicas is not None else 1
            ready = (item.status.ready_replicas if item.status else 0) or 0
            url = None
            service = services.get(name)
            if ready and service is not None:
                url = self.options.service_url_template.format(
                    service=name,
                    namespace=ns,
                    port=self.options.service_port,
                    cluster_ip=service.spec.cluster_ip,
                )
            found[name] = self._status(name, desired, ready, by_workload.get(name, []), url)
        if self.uses_kserve():
            custom = client.CustomObjectsApi(self.api)
            isvcs = self._call(
                "list",
                ISVC_PLURAL,
                custom.list_namespaced_custom_object,
                KSERVE_GROUP,
                KSERVE_VERSION,
                ns,
                ISVC_PLURAL,
                label_selector=selector,
            )
            for isvc in isvcs.get("items", []):
                found[isvc["metadata"]["name"]] = self._isvc_status(isvc, by_workload)
        return [found[name] for name in sorted(found)]

    def _isvc_status(self, isvc: dict[str, Any], pods: dict[str, list[Any]]) -> WorkloadStatus:
        name = isvc["metadata"]["name"]
        status = isvc.get("status") or {}
        conditions = {c.get("type"): c for c in status.get("conditions") or []}
        is_ready = (conditions.get("Ready") or {}).get("status") == "True"
        mine = pods.get(name, [])
        ready = sum(_pod_ready(p) for p in mine)
        url = ((status.get("address") or {}).get("url") or status.get("url")) if is_ready else None
        desired = int(isvc["spec"]["predictor"].get("minReplicas") or 1)
        result = self._status(name, desired, ready if is_ready else 0, mine, url or None)
        if not is_ready and not result.last_error:
            ready_condition = conditions.get("Ready") or {}
            if ready_condition.get("status") == "False" and ready_condition.get("reason") not in (
                None,
                "PredictorNotReady",
            ):
                message = ready_condition.get("message") or ready_condition.get("reason")
                return dataclasses.replace(result, last_error=_one_line(message))
        return result

    def _status(
        self, name: str, desired: int, ready: int, pods: list[Any], url: str | None
    ) -> WorkloadStatus:
        restarts = 0
        errors: list[tuple[str, str]] = []  # (when, what)
        for pod in pods:
            for scheduled in pod.status.conditions or [] if pod.status else []:
                if scheduled.type == "PodScheduled" and scheduled.status == "False":
                    when = str(scheduled.last_transition_time or "")
                    errors.append((when, scheduled.message or scheduled.reason or "unschedulable"))
            for container in (pod.status.container_statuses or []) if pod.status else []:
                restarts += container.restart_count or 0
                errors.extend(_container_errors(container))
        last_error = _one_line(max(errors)[1]) if errors else ""
        if ready:
            phase = Phase.READY
        elif restarts >= self.options.failed_after_restarts or any(
            _hopeless(c)
            for p in pods
            for c in ((p.status.container_statuses or []) if p.status else [])
        ):
            phase = Phase.FAILED
        else:
            phase = Phase.PENDING
        return WorkloadStatus(
            name=name,
            phase=phase,
            replicas=desired,
            ready_replicas=ready,
            restarts=restarts,
            last_error=last_error,
            url=url if ready else None,
            observed_at=datetime.now(UTC),
        )

    # -- logs --

    def _logs(self, workload: str, tail: int) -> str:
        core = client.CoreV1Api(self.api)
        selector = f"app.kubernetes.io/instance={workload}"
        pods = self._call(
            "list",
            "pods",
            core.list_namespaced_pod,
            self.options.namespace,
            label_selector=selector,
        ).items
        if not pods and not self._exists(workload):
            raise NotFound(
                f"no workload {workload} runs in {self.options.namespace}",
                params={"workload": workload},
            )
        parts = []
        for pod in sorted(pods, key=lambda p: p.metadata.name):
            try:
                # the raw answer: the client's own decoding of a log turns it into the
                # repr of its bytes ("b'...\\n'")
                answer = self._call(
                    "get",
                    "pods/log",
                    core.read_namespaced_pod_log,
                    pod.metadata.name,
                    self.options.namespace,
                    container=manifests.CONTAINER,
                    tail_lines=tail,
                    _preload_content=False,
                )
                text = answer.data.decode("utf-8", errors="replace")
            except (NotFound, InvalidInput):  # not started yet: nothing to show of it
                continue
            header = f"==> {pod.metadata.name} <==\n" if len(pods) > 1 else ""
            parts.append(header + text)
        return "\n".join(parts)

    def _exists(self, workload: str) -> bool:
        apps = client.AppsV1Api(self.api)
        if self._read(
            "deployments", apps.read_namespaced_deployment, workload, self.options.namespace
        ):
            return True
        if not self.uses_kserve():
            return False
        custom = client.CustomObjectsApi(self.api)
        found = self._read(
            ISVC_PLURAL,
            custom.get_namespaced_custom_object,
            KSERVE_GROUP,
            KSERVE_VERSION,
            self.options.namespace,
            ISVC_PLURAL,
            workload,
        )
        return found is not None


class _Kind:
    """The client's calls for one kind, named alike (the typed APIs and the custom objects)."""

    _TYPED = {
        "Deployment": (client.AppsV1Api, "deployment", "deployments.apps"),
        "Service": (client.CoreV1Api, "service", "services"),
        "HorizontalPodAutoscaler": (
            client.AutoscalingV2Api,
            "horizontal_pod_autoscaler",
            "horizontalpodautoscalers.autoscaling",
        ),
    }

    def __init__(self, kind: str, api: client.ApiClient, namespace: str) -> None:
        self.namespace = namespace
        self.custom = kind == "InferenceService"
        if self.custom:
            self._api: Any = client.CustomObjectsApi(api)
            self.resource = f"{ISVC_PLURAL}.{KSERVE_GROUP}"
        else:
            typed, self._suffix, self.resource = self._TYPED[kind]
            self._api = typed(api)

    def _op(self, op: str) -> Callable[..., Any]:
        if self.custom:
            call: Callable[..., Any] = getattr(self._api, f"{op}_namespaced_custom_object")
            return functools.partial(
                call, KSERVE_GROUP, KSERVE_VERSION, self.namespace, ISVC_PLURAL
            )
        return cast(Callable[..., Any], getattr(self._api, f"{op}_namespaced_{self._suffix}"))

    def read(self, name: str, **kw: Any) -> Any:
        if self.custom:
            return self._op("get")(name, **kw)
        return self._op("read")(name, self.namespace, **kw)

    def create(self, body: dict[str, Any], **kw: Any) -> Any:
        if self.custom:
            return self._op("create")(body, **kw)
        return self._op("create")(self.namespace, body, **kw)

    def replace(self, name: str, body: dict[str, Any], **kw: Any) -> Any:
        if self.custom:
            return self._op("replace")(name, body, **kw)
        return self._op("replace")(name, self.namespace, body, **kw)

    def delete(self, name: str, body: Any, **kw: Any) -> Any:
        if self.custom:
            return self._op("delete")(name, body=body, **kw)
        return self._op("delete")(name, self.namespace, body=body, **kw)

    def select(self, selector: str, **kw: Any) -> list[Any]:
        if self.custom:
            found = self._op("list")(label_selector=selector, **kw)
            return list(found.get("items", []))
        return list(self._op("list")(self.namespace, label_selector=selector, **kw).items)


def _with_hash(obj: dict[str, Any]) -> dict[str, Any]:
    digest = hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]
    meta = obj["metadata"]
    annotations = {**meta.get("annotations", {}), SPEC_HASH: digest}
    return {**obj, "metadata": {**meta, "annotations": annotations}}


@contextlib.contextmanager
def _translated(verb: str, resource: str, namespace: str) -> Iterator[None]:
    """The API's refusals as the core's typed errors, worded for whoever runs the platform."""
    try:
        yield
    except ApiException as err:
        message = _api_message(err)
        if err.status == 404:
            raise NotFound(message, params={"resource": resource}) from None
        if err.status == 409:
            raise Conflict(message, params={"resource": resource}) from None
        if err.status in (401, 403):
            raise Unavailable(
                f"the platform's service account may not {verb} {resource} in namespace "
                f"{namespace}: grant it (deploy/kustomize/deployments-rbac.yaml). The API "
                f"said: {message}",
                params={"verb": verb, "resource": resource, "namespace": namespace},
            ) from None
        if err.status in (400, 422):
            raise InvalidInput(
                f"Kubernetes refused the {resource}: {message}", params={"resource": resource}
            ) from None
        raise Unavailable(
            f"the Kubernetes API answered {err.status} to {verb} {resource}: {message}",
            params={"status": err.status or 0},
        ) from None
    except (Urllib3Error, OSError) as err:
        raise Unavailable(
            f"the Kubernetes API does not answer ({type(err).__name__})",
            params={"verb": verb, "resource": resource},
        ) from None


def _api_message(err: ApiException) -> str:
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        body = json.loads(err.body)
        if isinstance(body, dict) and body.get("message"):
            return _one_line(str(body["message"]))
    return _one_line(err.reason or f"status {err.status}")


def _one_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:MAX_ERROR] if lines else ""


def _pod_ready(pod: Any) -> bool:
    conditions = (pod.status.conditions or []) if pod.status else []
    return any(c.type == "Ready" and c.status == "True" for c in conditions)


def _container_errors(container: Any) -> list[tuple[str, str]]:
    """What a container says went wrong: its last exit (the message is the model server's
    last words with FallbackToLogsOnError) and a waiting reason that is not just starting."""
    found = []
    last = container.last_state.terminated if container.last_state else None
    state = container.state
    for terminated in (last, state.terminated if state else None):
        if terminated is not None and terminated.exit_code:
            said = _one_line(terminated.message) or (
                f"exited with code {terminated.exit_code} ({terminated.reason or 'Error'})"
            )
            found.append((str(terminated.finished_at or ""), said))
    waiting = state.waiting if state else None
    if waiting is not None and waiting.reason not in _STARTING | {"CrashLoopBackOff"}:
        found.append(("~", f"{waiting.reason}: {waiting.message or ''}".rstrip(": ")))
    return found


def _hopeless(container: Any) -> bool:
    """A container that will not start without a change of its spec."""
    waiting = container.state.waiting if container.state else None
    return waiting is not None and waiting.reason in (
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
    )
