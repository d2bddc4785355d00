"""deploy/models: the model servers' namespace and the platform's Role there are valid for
Kubernetes, and the Role is exactly enough: the deployer runs its whole cycle, in both of its
modes, against a cluster that allows nothing else."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes import config

from jupyterlab_mlplat.adapters.kube.deployer import KubeDeployer
from jupyterlab_mlplat.core.deployments.records import ModelSource, Resources, Workload
from jupyterlab_mlplat.core.kernel.errors import Unavailable
from tests.standins.kube.apiserver import KubeAPI, wait_until
from tests.standins.kube.kserve_crd import inferenceservice_crd

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "deploy" / "models"


def documents() -> list[dict[str, Any]]:
    found = []
    kustomization = yaml.safe_load((MODELS / "kustomization.yaml").read_text())
    for name in kustomization["resources"]:
        found.extend(yaml.safe_load_all((MODELS / name).read_text()))
    return found


def document(kind: str) -> dict[str, Any]:
    return next(d for d in documents() if d["kind"] == kind)


def test_the_manifests_are_valid_and_all_listed() -> None:
    kustomization = yaml.safe_load((MODELS / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    assert listed == {p.name for p in MODELS.glob("*.yaml")} - {"kustomization.yaml"}
    assert "namespace" not in kustomization  # the binding names an account in mlplat
    for manifest in documents():
        kubernetes_validate.validate(manifest, kubernetes_validate.latest_version(), strict=True)
    binding = document("RoleBinding")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "mlplat-platform", "namespace": "mlplat"}
    ]
    platform = (ROOT / "deploy" / "kustomize" / "platform.yaml").read_text()
    assert "serviceAccountName: mlplat-platform" in platform
    assert "--KubeDeployments.namespace=mlplat-models" in platform


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


@pytest.mark.parametrize("kserve", [False, True], ids=["deployment", "kserve"])
def test_the_role_is_all_the_deployer_needs(kube: KubeAPI, kubeconfig: Path, kserve: bool) -> None:
    kube.add_node("node-1")
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "mlplat-models"}})
    if kserve:
        kube.create(copy.deepcopy(inferenceservice_crd()))
    kube.restrict(document("Role")["rules"])
    deployer = KubeDeployer(
        api_client=config.new_client_from_config(str(kubeconfig)),
        namespace="mlplat-models",
        image="registry.example/jupyterlab-mlplat:test",
    )
    # a model the pod cannot fetch: the cycle is what matters here, not the answer
    source = ModelSource("alice.iris", "1", "s3://models/alice/iris/1")
    wanted = [
        Workload("iris-v1", "iris", "alice", source, Resources(replicas=1, max_replicas=2)),
    ]
    try:
        run(deployer.apply("iris", wanted))
        run(deployer.apply("iris", wanted))  # unchanged: read, compared, left
        changed = [Workload("iris-v1", "iris", "alice", source, Resources(replicas=2))]
        run(deployer.apply("iris", changed))  # changed: replaced, the autoscaler deleted
        wait_until(lambda: kube.objects("pods", "mlplat-models"), 10, what="a pod of the workload")
        assert [s.name for s in run(deployer.observe("iris"))] == ["iris-v1"]
        run(deployer.logs("iris-v1"))
        run(deployer.apply("iris", []))
        assert run(deployer.observe("iris")) == []
        assert deployer.uses_kserve() is kserve
        # and the rules are what stopped anything else
        with pytest.raises(Unavailable, match="may not list pods"):
            deployer.options.namespace = "default"
            kube.restrict([])
            run(deployer.observe("iris"))
    finally:
        run(deployer.close())


def test_the_platform_builds_it_from_its_configuration() -> None:
    """As ``PlatformApp.make_deployer`` does: ``parent`` and ``files``, settings from the
    command line the platform's manifest passes."""
    from traitlets.config import Application

    app = Application()
    platform = yaml.safe_load_all((ROOT / "deploy" / "kustomize" / "platform.yaml").read_text())
    container = next(d for d in platform if d["kind"] == "Deployment")["spec"]["template"]["spec"][
        "containers"
    ][0]
    app.parse_command_line([a for a in container["command"] if a.startswith("--KubeDeployments.")])
    deployer = KubeDeployer(parent=app, files=None)
    settings = deployer.settings()
    assert settings.namespace == "mlplat-models"
    assert settings.s3_secret_name == "mlplat-models-s3"
    assert settings.artifacts_destination == "s3://mlflow/"
    assert settings.service_account == "mlplat-model"
