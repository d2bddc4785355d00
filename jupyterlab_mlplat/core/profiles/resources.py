"""Profile → the resources of a server started from it, computed once.

The admin preview (``adapters/kube/manifests.py``), KubeSpawner and the embedded spawner all
read this one answer, so what the editor shows is what a pod gets (a test holds the three
together).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .rules import Profile, cpu_cores, memory_bytes, reserved_environment


@dataclass(frozen=True)
class PodResources:
    """A server's resources in both forms spawners need: Kubernetes quantities and numbers.

    GPUs are extended resources: Kubernetes wants their request equal to their limit, so they
    appear once, in ``gpus``, and go to both sides.
    """

    image: str
    cpu_guarantee: str
    cpu_limit: str
    mem_guarantee: str
    mem_limit: str
    gpus: dict[str, str] = field(default_factory=dict)
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def cpu_guarantee_cores(self) -> float:
        return float(cpu_cores(self.cpu_guarantee))

    @property
    def cpu_limit_cores(self) -> float:
        return float(cpu_cores(self.cpu_limit))

    @property
    def mem_guarantee_bytes(self) -> int:
        """Bytes: JupyterHub's byte traits know only K/M/G/T, not Kubernetes' Gi."""
        return memory_bytes(self.mem_guarantee)

    @property
    def mem_limit_bytes(self) -> int:
        return memory_bytes(self.mem_limit)


def pod_resources(profile: Profile) -> PodResources:
    """What a server of ``profile`` gets, including the variables naming the profile."""
    return PodResources(
        image=profile.image,
        cpu_guarantee=profile.cpu_guarantee,
        cpu_limit=profile.cpu_limit,
        mem_guarantee=profile.mem_guarantee,
        mem_limit=profile.mem_limit,
        gpus={profile.gpu_resource: str(profile.gpu)} if profile.gpu else {},
        node_selector=dict(profile.node_selector),
        tolerations=[t.model_dump(exclude_none=True) for t in profile.tolerations],
        environment=_own_environment(profile),
    )


def _own_environment(profile: Profile) -> dict[str, str]:
    """The profile's variables a server may get: a profile saved before the variable was
    reserved (``rules.RESERVED_ENV``) is still read, but never hands it to a server."""
    return {k: v for k, v in profile.environment.items() if not reserved_environment(k)}


def profile_environment(profile: Profile) -> dict[str, str]:
    """The variables every server gets, whatever spawns it: the profile's own and its name."""
    return {
        **_own_environment(profile),
        "MLPLAT_PROFILE": profile.slug,
        "MLPLAT_PROFILE_NAME": profile.display_name,
    }
