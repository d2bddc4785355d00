"""The embedded workbench's spawner: local processes, one home per user, workspace profiles.

KubeSpawner has ``profile_list``; a local process spawner does not, so this one renders the same
profiles (read live from the platform) with the same template, checks the same quotas, and
applies what a local process can honour (environment, the limits as advisory
``MEM_LIMIT``/``CPU_LIMIT``). What it cannot enforce — GPUs, node selectors, images — it shows
rather than pretends.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import default

from jupyterlab_mlplat.adapters.local.machine import this_machine
from jupyterlab_mlplat.core.profiles.capacity import Headroom, headroom
from jupyterlab_mlplat.core.profiles.resources import pod_resources, profile_environment
from jupyterlab_mlplat.core.profiles.rules import Profile

from .profiles import ProfileSpawnerMixin, render_profile_form

#: what the spawn page says of a GPU profile on a machine that cannot give a process a GPU
NO_LOCAL_GPU = "The embedded workbench runs on this machine's CPU: the GPU is not given here."


def local_limits(profile: Profile) -> dict[str, Any]:
    """The limits a local process spawner takes (advisory: exported as MEM_LIMIT/CPU_LIMIT),
    from the one ``pod_resources`` answer."""
    res = pod_resources(profile)
    return {
        "mem_limit": res.mem_limit_bytes,
        "mem_guarantee": res.mem_guarantee_bytes,
        "cpu_limit": res.cpu_limit_cores,
        "cpu_guarantee": res.cpu_guarantee_cores,
    }


class EmbeddedProfileSpawner(ProfileSpawnerMixin, SimpleLocalProcessSpawner):
    @default("options_form")
    def _profiles_form(self) -> Any:
        return type(self).render_profiles_form

    async def render_profiles_form(self) -> str:
        """The spawn page: one choice per profile this user's groups may start."""
        profile_list = await self.platform_profile_list()
        return render_profile_form(profile_list, self.user_options or {})

    def options_from_form(self, formdata: dict[str, list[str]]) -> dict[str, Any]:
        return {"profile": (formdata.get("profile") or [""])[0]}

    def override_for(self, profile: Profile) -> dict[str, Any]:
        return local_limits(profile)

    async def headroom(self, profiles: Sequence[Profile]) -> dict[str, Headroom]:
        promised = [
            (other.cpu_guarantee or 0.0, other.mem_guarantee or 0)
            for user in self.user.settings["users"].values()
            for other in user.spawners.values()
            if other is not self and other.active
        ]
        machine = this_machine(promised)
        # a GPU profile runs here on the CPU, so only CPU and memory decide
        return {p.slug: headroom(p.model_copy(update={"gpu": 0}), [machine]) for p in profiles}

    async def platform_profile_list(self, _spawner: Any = None) -> list[dict[str, Any]]:
        entries = await super().platform_profile_list(_spawner)
        for entry in entries:
            if entry["mlplat"]["gpu"]:
                entry["mlplat"]["note"] = NO_LOCAL_GPU
        return entries

    async def start(self) -> Any:
        profile = self.chosen_profile(await self.allowed_profiles())
        self.enforce_quota(profile)
        self.log.info("starting %s with profile %s", self.user.name, profile.slug)
        self.environment = {**self.environment, **profile_environment(profile)}
        for name, value in local_limits(profile).items():
            setattr(self, name, value)
        if os.getuid() == 0 and "--ServerApp.allow_root=True" not in self.args:
            # every embedded user runs as the hub's own user; as root jupyter refuses otherwise
            self.args = [*self.args, "--ServerApp.allow_root=True"]
        return await super().start()
