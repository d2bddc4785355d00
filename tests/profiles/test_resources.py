"""One profile → one set of resources: the admin's preview, KubeSpawner and the embedded
spawner read the same ``pod_resources`` answer, and a pod built from it is a valid Pod."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest

from jupyterlab_mlplat.adapters.kube.manifests import pod_preview, workspace_pod
from jupyterlab_mlplat.core.profiles.resources import pod_resources
from jupyterlab_mlplat.core.profiles.rules import (
    Profile,
    cpu_cores,
    load_profiles_file,
    memory_bytes,
    validate_profile,
)
from jupyterlab_mlplat.hub.kube import kubespawner_override
from jupyterlab_mlplat.hub.spawner import local_limits

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load_profiles_file(ROOT / "hub_config/profiles.yaml")
ODD = validate_profile(
    {
        "slug": "odd-units",
        "display_name": "Odd units",
        "image": "quay.io/jupyter/scipy-notebook:2025-01-06",
        "cpu_guarantee": "250m",
        "cpu_limit": "1.5",
        "mem_guarantee": "512Mi",
        "mem_limit": "3G",
        "gpu": 2,
        "gpu_resource": "amd.com/gpu",
        "node_selector": {"pool": "gpu"},
        "tolerations": [{"key": "amd.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "environment": {"OMP_NUM_THREADS": "2"},
    }
)
PROFILES = [*SHIPPED, ODD]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.slug)
def test_preview_kubespawner_and_local_spawner_agree(profile: Profile) -> None:
    preview = pod_preview(pod_resources(profile))
    kube = kubespawner_override(profile, {"FROM_HUB": "1"})
    local = local_limits(profile)
    requests, limits = preview["resources"]["requests"], preview["resources"]["limits"]

    for numbers in (kube, local):
        assert numbers["cpu_guarantee"] == float(cpu_cores(requests["cpu"]))
        assert numbers["cpu_limit"] == float(cpu_cores(limits["cpu"]))
        assert numbers["mem_guarantee"] == memory_bytes(requests["memory"])
        assert numbers["mem_limit"] == memory_bytes(limits["memory"])
    gpus = {k: v for k, v in limits.items() if k not in ("cpu", "memory")}
    assert kube["extra_resource_limits"] == kube["extra_resource_guarantees"] == gpus
    assert gpus == ({profile.gpu_resource: str(profile.gpu)} if profile.gpu else {})
    assert kube["image"] == preview["image"]
    assert kube["node_selector"] == preview["nodeSelector"]
    assert kube["tolerations"] == preview["tolerations"]
    previewed_env = {e["name"]: e["value"] for e in preview["env"]}
    assert previewed_env.items() <= kube["environment"].items()
    assert kube["environment"]["MLPLAT_PROFILE"] == profile.slug


def test_the_odd_units_are_converted_once_and_right() -> None:
    local = local_limits(ODD)
    assert local == {
        "cpu_guarantee": 0.25,
        "cpu_limit": 1.5,
        "mem_guarantee": 512 * 2**20,
        "mem_limit": 3 * 10**9,
    }


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.slug)
def test_a_pod_of_the_profile_is_a_valid_kubernetes_pod(profile: Profile) -> None:
    pod = workspace_pod(pod_resources(profile), name="jupyter-alice", namespace="mlplat")
    kubernetes_validate.validate(pod, kubernetes_validate.latest_version(), strict=True)
    (container,) = pod["spec"]["containers"]
    assert container["resources"] == pod_preview(pod_resources(profile))["resources"]


def test_a_wrong_quantity_would_be_caught_by_the_schema_check() -> None:
    """The validation above can fail: a pod with a nonsense field is refused."""
    pod = workspace_pod(pod_resources(SHIPPED[0]), name="jupyter-alice", namespace="mlplat")
    pod["spec"]["containers"][0]["resourcez"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(pod, kubernetes_validate.latest_version(), strict=True)
