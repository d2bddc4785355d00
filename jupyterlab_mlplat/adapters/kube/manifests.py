"""Every Kubernetes object (or part of one) the workbench builds, as pure functions of typed
specs: no client, no cluster, so each can be tested as a dict and validated against the
Kubernetes schemas.

KubeSpawner builds the workspace pods themselves from its traits (``hub/kube.py``); what the
platform shows of such a pod — the admin's preview — is built here, from the same
``PodResources`` the spawners read. The deployments' model servers are built here whole: a
Deployment, its Service and HorizontalPodAutoscaler, or a KServe InferenceService, each a
function of a ``Workload`` and the operator's ``KubeSettings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jupyterlab_mlplat.core.deployments.records import ModelSource, Workload
from jupyterlab_mlplat.core.kernel.naming import label_value
from jupyterlab_mlplat.core.kernel.telemetry import NO_TELEMETRY
from jupyterlab_mlplat.core.profiles.resources import PodResources


def resource_requirements(res: PodResources) -> dict[str, Any]:
    """A container's ``resources``: GPUs (extended resources) requested and limited alike."""
    return {
        "requests": {"cpu": res.cpu_guarantee, "memory": res.mem_guarantee, **res.gpus},
        "limits": {"cpu": res.cpu_limit, "memory": res.mem_limit, **res.gpus},
    }


def pod_preview(res: PodResources) -> dict[str, Any]:
    """The parts of a workspace pod a profile decides, in Kubernetes' own words."""
    return {
        "image": res.image,
        "resources": resource_requirements(res),
        "nodeSelector": dict(res.node_selector),
        "tolerations": [dict(t) for t in res.tolerations],
        "env": [{"name": k, "value": v} for k, v in sorted(res.environment.items())],
    }


def workspace_pod(res: PodResources, *, name: str, namespace: str) -> dict[str, Any]:
    """The preview as a whole Pod, the shape the preview promises a pod of this profile has."""
    preview = pod_preview(res)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "containers": [
                {
                    "name": "notebook",
                    "image": preview["image"],
                    "resources": preview["resources"],
                    "env": preview["env"],
                }
            ],
            "nodeSelector": preview["nodeSelector"],
            "tolerations": preview["tolerations"],
        },
    }


# --- deployments: the model server's workloads ----------------------------------------------

#: the labels every object of a workload carries (values are the builders' to fill)
APP_NAME = "mlplat-model-server"
MANAGED_BY = "jupyterlab-mlplat"
DEPLOYMENT_LABEL = "mlplat/deployment"
#: the model server's container (KServe also looks for this name in a custom predictor)
CONTAINER = "kserve-container"
#: where the model server keeps the files it fetched (an emptyDir: the root file system is
#: read-only, and a restarted container fetches nothing twice)
CACHE_DIR = "/var/cache/mlplat-model"
KSERVE_API_VERSION = "serving.kserve.io/v1beta1"


@dataclass(frozen=True)
class KubeSettings:
    """What a cluster's operator decides about every workload (``KubeDeployer``'s traits)."""

    namespace: str
    #: an image with the project installed, so ``python -m jupyterlab_mlplat.serving`` runs
    image: str
    image_pull_policy: str = "IfNotPresent"
    #: the port the model server listens on in its pod, and the one its Service offers
    container_port: int = 8080
    service_port: int = 80
    #: "" leaves the namespace's default; the model's pod never mounts its token either way
    service_account: str = ""
    #: a Secret holding the object store's keys (``AWS_ACCESS_KEY_ID``,
    #: ``AWS_SECRET_ACCESS_KEY``), read by the model server to fetch the version's files
    s3_secret_name: str = ""
    s3_access_key_field: str = "AWS_ACCESS_KEY_ID"
    s3_secret_key_field: str = "AWS_SECRET_ACCESS_KEY"  # noqa: S105 (a key's name)
    #: ``MLFLOW_S3_ENDPOINT_URL`` in the pod (MinIO's in-cluster URL), "" for AWS itself
    s3_endpoint_url: str = ""
    #: where MLflow's ``--artifacts-destination`` keeps what it calls ``mlflow-artifacts:/``
    #: (``s3://mlflow/``): a version's files are read there directly, not through MLflow
    artifacts_destination: str = ""
    #: added to every object's labels (a team, a cost centre)
    labels: Mapping[str, str] = field(default_factory=dict)
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Mapping[str, Any], ...] = ()
    #: the interpreter in the image that runs the model server
    python: str = "python"
    #: the (non-root) user the model server runs as, None for the image's own
    run_as_user: int | None = 1000


def model_uri(source: ModelSource, settings: KubeSettings) -> str:
    """Where the pod fetches the version's files: an ``s3://`` location, as MLflow stores it
    or translated from ``mlflow-artifacts:/``. A platform-local folder means nothing in a pod:
    ValueError, which the deployer reports as input it cannot run."""
    uri = source.uri
    if uri.startswith("s3://"):
        return uri
    if uri.startswith("mlflow-artifacts:") and settings.artifacts_destination:
        path = uri.removeprefix("mlflow-artifacts:").lstrip("/")
        return f"{settings.artifacts_destination.rstrip('/')}/{path}"
    raise ValueError(
        f"the files of {source.model_name} version {source.version} ({uri}) cannot be fetched "
        "in the cluster: expected s3:// or mlflow-artifacts:/ with an artifacts destination set"
    )


def workload_labels(workload: Workload, settings: KubeSettings) -> dict[str, str]:
    """The labels of the workload's pods: fixed for its life, so that nothing but a change of
    what runs (a new template) replaces its pods."""
    return {
        **settings.labels,
        "app.kubernetes.io/name": APP_NAME,
        "app.kubernetes.io/instance": workload.name,
        "app.kubernetes.io/component": "model-server",
        "app.kubernetes.io/managed-by": MANAGED_BY,
        DEPLOYMENT_LABEL: workload.deployment,
        "mlplat/owner": label_value(workload.owner),
        "mlplat/model": label_value(workload.source.model_name),
        "mlplat/version": label_value(workload.source.version),
    }


def object_labels(workload: Workload, settings: KubeSettings) -> dict[str, str]:
    """The labels of the objects themselves: the pods' plus the workload's own (its role in
    the deployment, which a promotion changes without touching the pods)."""
    return {**workload.labels, **workload_labels(workload, settings)}


def workload_selector(workload: Workload) -> dict[str, str]:
    """What the Deployment and the Service select: fixed for the workload's life (a
    Deployment's selector cannot change)."""
    return {"app.kubernetes.io/instance": workload.name, DEPLOYMENT_LABEL: workload.deployment}


def deployment_selector(deployment: str) -> str:
    """The label selector of every object the platform made for a deployment."""
    return f"app.kubernetes.io/managed-by={MANAGED_BY},{DEPLOYMENT_LABEL}={deployment}"


def _metadata(workload: Workload, settings: KubeSettings, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": settings.namespace,
        "labels": object_labels(workload, settings),
    }


def _probe(path: str, *, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "failureThreshold": failures,
        "timeoutSeconds": 2,
    }


def model_container(workload: Workload, settings: KubeSettings) -> dict[str, Any]:
    """The model server's container: the command line the local backend runs too, the files
    fetched from the object store with keys from a Secret (never a key in plain env), probes
    on the Open Inference Protocol's health routes, and the one-line load error of a crash as
    the container's termination message."""
    res = workload.resources
    env: list[dict[str, Any]] = [
        # the pod's own address: the server listens there (as kube-proxy and probes reach it)
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        *({"name": k, "value": v} for k, v in sorted(NO_TELEMETRY.items())),
    ]
    if settings.s3_endpoint_url:
        env.append({"name": "MLFLOW_S3_ENDPOINT_URL", "value": settings.s3_endpoint_url})
    if settings.s3_secret_name:
        for variable, key in (
            ("AWS_ACCESS_KEY_ID", settings.s3_access_key_field),
            ("AWS_SECRET_ACCESS_KEY", settings.s3_secret_key_field),
        ):
            ref = {"name": settings.s3_secret_name, "key": key}
            env.append({"name": variable, "valueFrom": {"secretKeyRef": ref}})
    return {
        "name": CONTAINER,
        "image": settings.image,
        "imagePullPolicy": settings.image_pull_policy,
        "command": [settings.python, "-m", "jupyterlab_mlplat.serving"],
        "args": [
            "--model-uri",
            model_uri(workload.source, settings),
            "--name",
            workload.deployment,
            "--version",
            workload.source.version,
            "--host",
            "$(POD_IP)",
            "--port",
            str(settings.container_port),
            "--cache-dir",
            CACHE_DIR,
        ],
        "ports": [{"name": "http", "containerPort": settings.container_port, "protocol": "TCP"}],
        "env": env,
        "resources": {
            "requests": {"cpu": res.cpu, "memory": res.memory},
            "limits": {"memory": res.memory},
        },
        # liveness waits for the start-up probe: loading a large model is not a hang
        "startupProbe": _probe("/v2/health/live", period=2, failures=90),
        "livenessProbe": _probe("/v2/health/live", period=10, failures=3),
        "readinessProbe": _probe("/v2/health/ready", period=2, failures=2),
        "terminationMessagePolicy": "FallbackToLogsOnError",
        # what the restricted Pod Security Standard asks, and a read-only root file system
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            **({"runAsUser": settings.run_as_user} if settings.run_as_user is not None else {}),
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [
            {"name": "model-cache", "mountPath": CACHE_DIR},
            {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 (the pod's own emptyDir)
        ],
    }


def _pod_spec(workload: Workload, settings: KubeSettings) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [model_container(workload, settings)],
        # models are code: nothing in the pod may talk to the Kubernetes API as the platform
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "volumes": [{"name": "model-cache", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}],
    }
    if settings.service_account:
        spec["serviceAccountName"] = settings.service_account
    if settings.node_selector:
        spec["nodeSelector"] = dict(settings.node_selector)
    if settings.tolerations:
        spec["tolerations"] = [dict(t) for t in settings.tolerations]
    return spec


def model_deployment(workload: Workload, settings: KubeSettings) -> dict[str, Any]:
    """An apps/v1 Deployment of the workload's replicas. A rolling update starts a new replica
    before an old one stops, so a change of resources never leaves the workload unready."""
    labels = workload_labels(workload, settings)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(workload, settings, workload.name),
        "spec": {
            "replicas": workload.resources.replicas,
            "revisionHistoryLimit": 2,
            "selector": {"matchLabels": workload_selector(workload)},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {"labels": labels},
                "spec": _pod_spec(workload, settings),
            },
        },
    }


def model_service(workload: Workload, settings: KubeSettings) -> dict[str, Any]:
    """A ClusterIP Service in front of the workload's ready replicas (the gateway's target)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(workload, settings, workload.name),
        "spec": {
            "type": "ClusterIP",
            "selector": workload_selector(workload),
            "ports": [
                {
                    "name": "http",
                    "port": settings.service_port,
                    "targetPort": "http",
                    "protocol": "TCP",
                }
            ],
        },
    }


def model_hpa(
    workload: Workload, settings: KubeSettings, *, cpu_utilization: int = 70
) -> dict[str, Any] | None:
    """An autoscaling/v2 HorizontalPodAutoscaler between ``replicas`` and ``max_replicas`` on
    the CPU the replicas use against what they request; None when the size allows no more."""
    res = workload.resources
    if res.max_replicas <= res.replicas:
        return None
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(workload, settings, workload.name),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": workload.name,
            },
            "minReplicas": res.replicas,
            "maxReplicas": res.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": cpu_utilization},
                    },
                }
            ],
        },
    }


def inference_service(workload: Workload, settings: KubeSettings) -> dict[str, Any]:
    """A KServe InferenceService whose predictor is our model server's container (KServe's
    own runtimes are not used: the same server answers on every backend). Raw deployment mode
    (a Deployment and a Service, no Knative): a model server is always on, like ours elsewhere;
    KServe's own autoscaler then scales between min and max replicas on CPU."""
    res = workload.resources
    pod = _pod_spec(workload, settings)
    predictor: dict[str, Any] = {
        "minReplicas": res.replicas,
        "maxReplicas": max(res.replicas, res.max_replicas),
        "labels": workload_labels(workload, settings),
        **pod,
    }
    if res.max_replicas > res.replicas:
        predictor.update(scaleMetric="cpu", scaleTarget=70)
    return {
        "apiVersion": KSERVE_API_VERSION,
        "kind": "InferenceService",
        "metadata": {
            **_metadata(workload, settings, workload.name),
            "annotations": {
                "serving.kserve.io/deploymentMode": "RawDeployment",
                "serving.kserve.io/autoscalerClass": "hpa",
            },
        },
        "spec": {"predictor": predictor},
    }
