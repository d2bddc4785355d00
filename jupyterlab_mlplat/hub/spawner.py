"""The embedded workbench's spawner: local processes, one home per user, workspace profiles.

KubeSpawner has ``profile_list``; a local process spawner does not, so this one renders the same
profiles on the spawn page and applies what a local process can honour (environment, the limits
as advisory ``MEM_LIMIT``/``CPU_LIMIT``). What it cannot enforce it shows rather than pretends.
"""

from __future__ import annotations

import html
import os
from typing import Any

import yaml
from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode, default

from jupyterlab_mlplat.core.errors import InvalidInput
from jupyterlab_mlplat.core.profiles import (
    Profile,
    cpu_cores,
    default_profile,
    memory_bytes,
    parse_profiles,
)


def local_limits(profile: Profile) -> dict[str, Any]:
    """The limits a local process spawner takes (advisory: exported as MEM_LIMIT/CPU_LIMIT).

    JupyterHub's byte traits know only K/M/G/T suffixes, so quantities are passed as numbers.
    """
    return {
        "mem_limit": memory_bytes(profile.mem_limit),
        "mem_guarantee": memory_bytes(profile.mem_guarantee),
        "cpu_limit": float(cpu_cores(profile.cpu_limit)),
        "cpu_guarantee": float(cpu_cores(profile.cpu_guarantee)),
    }


def load_profiles_file(path: str | os.PathLike[str]) -> list[Profile]:
    with open(path, encoding="utf-8") as fh:
        return parse_profiles(yaml.safe_load(fh) or {})


class EmbeddedProfileSpawner(SimpleLocalProcessSpawner):
    profiles_file = Unicode(
        help="YAML file with the workspace profiles, e.g. hub_config/profiles.yaml."
    ).tag(config=True)

    def _profiles(self) -> list[Profile]:
        groups = [g.name for g in getattr(self.user, "groups", [])]
        return [p for p in load_profiles_file(self.profiles_file) if p.allows(groups)]

    @default("options_form")
    def _profiles_form(self) -> Any:
        return type(self).render_profiles_form

    async def render_profiles_form(self) -> str:
        """The spawn page: one radio button per profile this user's groups may start."""
        profiles = self._profiles()
        chosen = default_profile(profiles).slug if profiles else ""
        rows = []
        for profile in profiles:
            checked = " checked" if profile.slug == chosen else ""
            gpu_note = (
                '<div class="text-warning">GPU requested; the embedded workbench runs on this '
                "machine's CPU</div>"
                if profile.gpu
                else ""
            )
            rows.append(
                f'<label class="mlplat-profile list-group-item">'
                f'<input type="radio" name="profile" value="{html.escape(profile.slug)}"{checked}> '
                f"<strong>{html.escape(profile.display_name)}</strong> "
                f"<span class='text-muted'>({html.escape(profile.summary)})</span>"
                f"<div>{html.escape(profile.description)}</div>"
                f"<div class='text-muted'>image: {html.escape(profile.image)}</div>"
                f"{gpu_note}</label>"
            )
        return '<div class="list-group mlplat-profiles">' + "".join(rows) + "</div>"

    def options_from_form(self, formdata: dict[str, list[str]]) -> dict[str, Any]:
        return {"profile": (formdata.get("profile") or [""])[0]}

    def chosen_profile(self) -> Profile:
        profiles = self._profiles()
        if not profiles:
            raise InvalidInput("no workspace profile is open to your groups; ask an admin")
        slug = (self.user_options or {}).get("profile") or default_profile(profiles).slug
        for profile in profiles:
            if profile.slug == slug:
                return profile
        raise InvalidInput(f"workspace profile {slug!r} does not exist or is not open to you")

    async def start(self) -> Any:
        profile = self.chosen_profile()
        self.log.info("starting %s with profile %s", self.user.name, profile.slug)
        self.environment = {
            **self.environment,
            **profile.environment,
            "MLPLAT_PROFILE": profile.slug,
            "MLPLAT_PROFILE_NAME": profile.display_name,
        }
        for name, value in local_limits(profile).items():
            setattr(self, name, value)
        if os.getuid() == 0 and "--ServerApp.allow_root=True" not in self.args:
            # every embedded user runs as the hub's own user; as root jupyter refuses otherwise
            self.args = [*self.args, "--ServerApp.allow_root=True"]
        return await super().start()
