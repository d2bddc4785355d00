"""Every Kubernetes object (or part of one) the workbench builds, as pure functions of typed
specs: no client, no cluster, so each can be tested as a dict and validated against the
Kubernetes schemas.

KubeSpawner builds the workspace pods themselves from its traits (``hub/kube.py``); what the
platform shows of such a pod — the admin's preview — is built here, from the same
``PodResources`` the spawners read.
"""

from __future__ import annotations

from typing import Any

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
