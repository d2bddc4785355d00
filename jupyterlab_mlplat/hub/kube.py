"""KubeSpawner with the platform's live profiles, cluster headroom and quotas.

``profile_list`` is an async callable: every spawn page and every start asks the platform, so an
admin's edit applies to the next spawn with no hub restart. The spawn page is our template (the
same one the embedded spawner renders), showing each profile's resources and whether it can be
scheduled now.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubespawner import KubeSpawner
from traitlets import default

from jupyterlab_mlplat.adapters.kube.cluster import schedulable_nodes
from jupyterlab_mlplat.core.profiles.capacity import Headroom, headroom
from jupyterlab_mlplat.core.profiles.resources import pod_resources, profile_environment
from jupyterlab_mlplat.core.profiles.rules import Profile

from .profiles import TEMPLATES, ProfileSpawnerMixin


def kubespawner_override(profile: Profile, environment: dict[str, Any]) -> dict[str, Any]:
    """The KubeSpawner traits a profile sets, from the one ``pod_resources`` answer."""
    res = pod_resources(profile)
    return {
        "image": res.image,
        "cpu_guarantee": res.cpu_guarantee_cores,
        "cpu_limit": res.cpu_limit_cores,
        "mem_guarantee": res.mem_guarantee_bytes,
        "mem_limit": res.mem_limit_bytes,
        "extra_resource_guarantees": dict(res.gpus),
        "extra_resource_limits": dict(res.gpus),
        "node_selector": res.node_selector,
        "tolerations": res.tolerations,
        "environment": {**environment, **profile_environment(profile)},
    }


class PlatformKubeSpawner(ProfileSpawnerMixin, KubeSpawner):
    @default("profile_list")
    def _platform_profiles(self) -> Any:
        return self.platform_profile_list

    # One pod per person keeps people apart on a cluster; these keep the person inside their
    # pod: never root (the docker-stacks images' jovyan, uid 1000, group users), no setuid
    # escalation, no Linux capabilities, the runtime's default seccomp profile.
    @default("uid")
    def _unprivileged_uid(self) -> int:
        return 1000

    @default("gid")
    def _users_gid(self) -> int:
        return 100

    @default("fs_gid")
    def _home_gid(self) -> int:
        return 100

    @default("container_security_context")
    def _locked_down(self) -> dict[str, Any]:
        return {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        }

    @default("additional_profile_form_template_paths")
    def _our_template(self) -> list[str]:
        return [str(TEMPLATES)]

    def override_for(self, profile: Profile) -> dict[str, Any]:
        return kubespawner_override(profile, dict(self.environment))

    async def headroom(self, profiles: Sequence[Profile]) -> dict[str, Headroom]:
        try:
            nodes = await schedulable_nodes(self.api, request_timeout=self.k8s_api_request_timeout)
        except Exception as err:  # the page still works without figures
            self.log.warning("cannot read the cluster's nodes for headroom: %s", type(err).__name__)
            return {}
        return {p.slug: headroom(p, nodes) for p in profiles}

    async def load_user_options(self) -> None:
        """KubeSpawner applies the chosen profile; we refuse it first if it breaks a quota or
        the page marks it "cannot start now" (no node has room, from the same node figures).
        Unlike the embedded machine, the scheduler is the last word here: a pod admitted on a
        stale figure waits as Pending instead of overfilling a node."""
        profiles = await self.allowed_profiles()
        profile = self.chosen_profile(profiles)
        self.enforce_quota(profile)
        self.enforce_headroom(profile, (await self.headroom([profile])).get(profile.slug))
        await super().load_user_options()
