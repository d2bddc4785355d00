"""The cluster's deployer against the Kubernetes stand-in, over HTTP, with the official client
unchanged: the kubelet runs the REAL model server, which fetches a real scikit-learn model from
a real S3 server (moto) with keys from a Secret, and the gateway's URL answers real
``/invocations`` calls. Every object the deployer sent is checked against the Kubernetes
schemas (kubernetes-validate, strict) or KServe's CRD schema."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import boto3
import kubernetes_validate
import pytest
import requests
from kubernetes import client, config

from jupyterlab_mlplat.adapters.kube.deployer import KubeDeployer
from jupyterlab_mlplat.core.deployments.ports import Deployer
from jupyterlab_mlplat.core.deployments.records import (
    ModelSource,
    Phase,
    Resources,
    Workload,
    WorkloadStatus,
)
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, NotFound, Unavailable
from tests.s3 import running_s3_server
from tests.serving.servers import CLASSES, COLUMNS, ROWS, log_models
from tests.standins.kube.apiserver import KubeAPI
from tests.standins.kube.kserve_crd import inferenceservice_crd, inferenceservice_problems

NAMESPACE = "mlplat-models"
BUCKET = "models"
KEYS = {"AWS_ACCESS_KEY_ID": "model-reader", "AWS_SECRET_ACCESS_KEY": "model-reader-secret"}
T = TypeVar("T")


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real S3 server holding the iris model twice (versions 1 and 2) and a model whose
    pickle is broken: what the pods fetch."""
    root = tmp_path_factory.mktemp("mlruns")
    iris = Path(log_models(f"sqlite:///{root / 'mlflow.db'}", root)["iris"].removeprefix("file://"))
    broken = root / "broken"
    shutil.copytree(iris, broken)
    for name in ("model.pkl", "model.skops"):  # whichever the flavour loads
        (broken / name).write_bytes(b"not a model")
    with running_s3_server() as endpoint:
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=BUCKET)
        copies = (("alice/iris/1", iris), ("alice/iris/2", iris), ("alice/bad/1", broken))
        for prefix, folder in copies:
            for path in folder.rglob("*"):
                if path.is_file():
                    s3.upload_file(str(path), BUCKET, f"{prefix}/{path.relative_to(folder)}")
        yield endpoint


@pytest.fixture
def cluster(kube: KubeAPI) -> KubeAPI:
    """A node, the models' namespace and the Secret with the object store's keys."""
    kube.add_node("node-1", cpu="8", memory="32Gi")
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    kube.create(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "mlplat-models-s3", "namespace": NAMESPACE},
            "stringData": KEYS,
        }
    )
    return kube


@pytest.fixture
def deployer(cluster: KubeAPI, kubeconfig: Path, s3: str) -> Iterator[KubeDeployer]:
    made = KubeDeployer(
        api_client=config.new_client_from_config(str(kubeconfig)),
        namespace=NAMESPACE,
        image="registry.example/jupyterlab-mlplat:test",
        s3_secret_name="mlplat-models-s3",
        s3_endpoint_url=s3,
        # the stand-in's service proxy answers on each Service's (loopback) cluster IP
        service_url_template="http://{cluster_ip}:{port}",
    )
    yield made
    asyncio.run(made.close())


def workload(version: str = "1", *, model: str = "iris", **resources: Any) -> Workload:
    return Workload(
        name=f"{model}-v{version}",
        deployment=model,
        owner="alice",
        source=ModelSource("alice.iris", version, f"s3://{BUCKET}/alice/{model}/{version}"),
        resources=Resources(**{"cpu": "100m", "memory": "256Mi", **resources}),
        labels={"mlplat.traffic": "primary"},
    )


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def until(condition: Callable[[], T | None], timeout: float = 60, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while True:
        if result := condition():
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def observed(deployer: KubeDeployer, deployment: str) -> dict[str, WorkloadStatus]:
    return {s.name: s for s in run(deployer.observe(deployment))}


def ready(deployer: KubeDeployer, name: str, replicas: int = 1) -> WorkloadStatus | None:
    status = observed(deployer, name.rsplit("-v", 1)[0]).get(name)
    if status and status.phase is Phase.READY and status.ready_replicas >= replicas:
        return status
    return None


def predict(url: str) -> list[Any]:
    body = {"dataframe_split": {"columns": COLUMNS, "data": ROWS}}
    answer = requests.post(f"{url}/invocations", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["predictions"])


def assert_sent_valid(kube: KubeAPI) -> list[str]:
    """Every object the deployer wrote is valid for Kubernetes (or KServe's CRD); their kinds."""
    kinds = []
    for request in kube.received:
        if request.verb not in ("create", "replace") or request.kind == "CustomResourceDefinition":
            continue
        kinds.append(request.kind)
        if request.kind == "InferenceService":
            assert inferenceservice_problems(request.body) == []
        else:
            version = kubernetes_validate.latest_version()
            kubernetes_validate.validate(request.body, version, strict=True)
    assert kube.rejected == []
    return kinds


def objects(kube: KubeAPI, kind: str) -> list[str]:
    return sorted(o["metadata"]["name"] for o in kube.objects(kind, NAMESPACE))


def test_the_deployer_is_the_port(deployer: KubeDeployer) -> None:
    assert isinstance(deployer, Deployer)


def test_a_deployment_runs_scales_changes_version_and_goes(
    cluster: KubeAPI, deployer: KubeDeployer
) -> None:
    started = time.monotonic()
    run(deployer.apply("iris", [workload("1")]))
    status = until(lambda: ready(deployer, "iris-v1"), what="iris-v1 ready")
    print(f"deploy -> ready on the stand-in: {time.monotonic() - started:.1f} s")
    assert status.url and status.url.startswith("http://127.")
    assert predict(status.url) == CLASSES
    # the Open Inference Protocol too, under the deployment's name (the gateway's path)
    v2 = {"inputs": [{"name": "x", "shape": [3, 4], "datatype": "FP64", "data": ROWS}]}
    answer = requests.post(f"{status.url}/v2/models/iris/infer", json=v2, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["outputs"][0]["data"] == CLASSES
    assert (status.replicas, status.ready_replicas, status.restarts) == (1, 1, 0)
    assert objects(cluster, "deployments") == ["iris-v1"]
    assert objects(cluster, "services") == ["iris-v1"]
    assert objects(cluster, "horizontalpodautoscalers") == []

    # unchanged: nothing is written again
    writes = len(cluster.received)
    run(deployer.apply("iris", [workload("1")]))
    assert len(cluster.received) == writes

    # a larger size: two replicas, and an autoscaler up to four
    run(deployer.apply("iris", [workload("1", replicas=2, max_replicas=4)]))
    status = until(lambda: ready(deployer, "iris-v1", 2), what="two replicas")
    assert objects(cluster, "horizontalpodautoscalers") == ["iris-v1"]
    assert predict(status.url or "") == CLASSES

    # another version: the new one starts, the old one's objects are deleted
    run(deployer.apply("iris", [workload("1", replicas=2, max_replicas=4), workload("2")]))
    until(lambda: ready(deployer, "iris-v2"), what="iris-v2 ready")
    run(deployer.apply("iris", [workload("2")]))
    assert objects(cluster, "deployments") == ["iris-v2"]
    assert objects(cluster, "services") == ["iris-v2"]
    assert objects(cluster, "horizontalpodautoscalers") == []
    status = until(
        lambda: (s := observed(deployer, "iris")) and list(s) == ["iris-v2"] and s["iris-v2"],
        what="only iris-v2 observed",
    )
    assert predict(status.url or "") == CLASSES

    logs = run(deployer.logs("iris-v2", tail=50))
    assert "mlplat-serving: INFO model iris version 2 (sklearn) ready in" in logs, logs
    assert len(run(deployer.logs("iris-v2", tail=1)).splitlines()) == 1
    with pytest.raises(NotFound):
        run(deployer.logs("iris-v9"))

    run(deployer.apply("iris", []))
    assert objects(cluster, "deployments") == objects(cluster, "services") == []
    assert run(deployer.observe("iris")) == []
    assert set(assert_sent_valid(cluster)) == {"Deployment", "Service", "HorizontalPodAutoscaler"}


def install_kserve(kube: KubeAPI) -> None:
    kube.create(json.loads(json.dumps(inferenceservice_crd())))


@pytest.mark.parametrize("kserve", [False, True], ids=["deployment", "kserve"])
def test_a_model_that_cannot_load_restarts_and_says_why(
    cluster: KubeAPI, deployer: KubeDeployer, kserve: bool
) -> None:
    if kserve:
        install_kserve(cluster)
    run(deployer.apply("bad", [workload("1", model="bad")]))
    assert objects(cluster, "inferenceservices" if kserve else "deployments") == ["bad-v1"]

    def failed() -> WorkloadStatus | None:
        status = observed(deployer, "bad").get("bad-v1")
        return status if status and status.phase is Phase.FAILED else None

    status = until(failed, 90, what="the workload failed")
    assert status.restarts >= 3
    assert status.ready_replicas == 0 and status.url is None
    assert status.last_error.startswith("mlplat-serving: cannot load model"), status.last_error
    assert "\n" not in status.last_error
    assert "model-reader-secret" not in status.last_error
    run(deployer.apply("bad", []))


def test_kserve_when_its_crd_is_installed(
    cluster: KubeAPI, deployer: KubeDeployer, kubeconfig: Path
) -> None:
    with config.new_client_from_config(str(kubeconfig)) as api:
        crd = json.loads(json.dumps(inferenceservice_crd()))
        client.ApiextensionsV1Api(api).create_custom_resource_definition(crd)
    assert deployer.uses_kserve()
    run(deployer.apply("iris", [workload("1")]))
    assert objects(cluster, "inferenceservices") == ["iris-v1"]
    status = until(lambda: ready(deployer, "iris-v1"), what="the InferenceService ready")
    assert predict(status.url or "") == CLASSES
    assert (status.replicas, status.ready_replicas) == (1, 1)
    assert run(deployer.logs("iris-v1")).strip()

    run(deployer.apply("iris", [workload("2")]))
    assert objects(cluster, "inferenceservices") == ["iris-v2"]
    until(lambda: ready(deployer, "iris-v2"), what="iris-v2 ready")
    run(deployer.apply("iris", []))
    assert objects(cluster, "inferenceservices") == []
    until(lambda: objects(cluster, "deployments") == [], 10, what="KServe's objects collected")
    assert run(deployer.observe("iris")) == []
    # only InferenceServices: the predictor's Deployment and Service are KServe's to make
    assert set(assert_sent_valid(cluster)) == {"InferenceService"}


def test_a_missing_permission_is_named(cluster: KubeAPI, deployer: KubeDeployer) -> None:
    cluster.forbid("create", "deployments")
    with pytest.raises(Unavailable) as refused:
        run(deployer.apply("iris", [workload("1")]))
    assert "may not create deployments.apps in namespace mlplat-models" in refused.value.message
    assert refused.value.params["verb"] == "create"


def test_an_object_the_api_refuses_is_invalid_input(deployer: KubeDeployer) -> None:
    with pytest.raises(InvalidInput) as refused:
        run(deployer.apply("iris", [workload("1", cpu="a lot")]))
    assert "a lot" in refused.value.message


def test_files_a_pod_cannot_reach_are_invalid_input(deployer: KubeDeployer) -> None:
    local = Workload(
        "iris-v1", "iris", "alice", ModelSource("iris", "1", "/srv/models/iris/1"), Resources()
    )
    with pytest.raises(InvalidInput, match="cannot be fetched in the cluster"):
        run(deployer.apply("iris", [local]))


def test_an_api_that_does_not_answer_is_unavailable(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    with KubeAPI() as gone:
        gone.write_kubeconfig(kubeconfig)
    deployer = KubeDeployer(
        api_client=config.new_client_from_config(str(kubeconfig)),
        image="x",
        request_timeout=2,
    )
    with pytest.raises(Unavailable, match="does not answer"):
        run(deployer.observe("iris"))
    run(deployer.close())


def test_an_autoscalers_replica_count_is_kept_until_the_size_drops_it(
    cluster: KubeAPI, deployer: KubeDeployer, kubeconfig: Path
) -> None:
    apps = client.AppsV1Api(config.new_client_from_config(str(kubeconfig)))

    def replicas() -> int:
        return int(apps.read_namespaced_deployment("iris-v1", NAMESPACE).spec.replicas)

    run(deployer.apply("iris", [workload("1", replicas=1, max_replicas=4)]))
    # the autoscaler chose three
    apps.patch_namespaced_deployment_scale("iris-v1", NAMESPACE, {"spec": {"replicas": 3}})
    run(deployer.apply("iris", [workload("1", cpu="200m", replicas=1, max_replicas=4)]))
    assert replicas() == 3
    assert apps.read_namespaced_deployment("iris-v1", NAMESPACE).spec.template.spec.containers[
        0
    ].resources.requests == {"cpu": "200m", "memory": "256Mi"}
    # a size without an autoscaler: its own count again
    run(deployer.apply("iris", [workload("1", cpu="200m", replicas=1, max_replicas=1)]))
    assert replicas() == 1
    assert objects(cluster, "horizontalpodautoscalers") == []
    run(deployer.apply("iris", []))


def test_a_missing_secret_fails_the_workload_naming_it(cluster: KubeAPI, kubeconfig: Path) -> None:
    deployer = KubeDeployer(
        api_client=config.new_client_from_config(str(kubeconfig)),
        namespace=NAMESPACE,
        image="registry.example/jupyterlab-mlplat:test",
        s3_secret_name="no-such-secret",
    )
    run(deployer.apply("iris", [workload("1")]))

    def failed() -> WorkloadStatus | None:
        status = observed(deployer, "iris").get("iris-v1")
        return status if status and status.phase is Phase.FAILED else None

    status = until(failed, 20, what="the workload failed")
    assert status.last_error.startswith("CreateContainerConfigError: ")
    assert "no-such-secret" in status.last_error
    run(deployer.apply("iris", []))
    run(deployer.close())


def test_a_size_no_node_can_hold_stays_pending_and_says_why(deployer: KubeDeployer) -> None:
    run(deployer.apply("iris", [workload("1", cpu="64")]))

    def explained() -> WorkloadStatus | None:
        status = observed(deployer, "iris").get("iris-v1")
        return status if status and status.last_error else None

    status = until(explained, 20, what="the scheduler's explanation")
    assert status.phase is Phase.PENDING
    assert "Insufficient cpu" in status.last_error
    run(deployer.apply("iris", []))


def test_without_an_image_nothing_is_sent(cluster: KubeAPI, kubeconfig: Path) -> None:
    deployer = KubeDeployer(api_client=config.new_client_from_config(str(kubeconfig)))
    with pytest.raises(Unavailable, match=r"KubeDeployments\.image"):
        run(deployer.apply("iris", [workload("1")]))
    assert cluster.received == []
    run(deployer.close())
