"""What both spawners share: profiles read live from the platform, quotas, and the spawn page.

The platform owns the profiles admins edit; the hub asks for them at every spawn page and every
start, so a saved change applies to the next spawn without a restart. When the platform does not
answer, ``hub_config/profiles.yaml`` is the fallback, and the log says so.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import jinja2
from tornado import web
from traitlets import Float, Int, Unicode, default
from traitlets.config import LoggingConfigurable

from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.kernel.errors import PlatformError
from jupyterlab_mlplat.core.profiles.capacity import (
    Headroom,
    QuotaExceeded,
    RunningServer,
    check_quota,
)
from jupyterlab_mlplat.core.profiles.rules import Profile, default_profile, load_profiles_file

TEMPLATES = Path(__file__).with_name("templates")


class ProfileSource(LoggingConfigurable):
    """The platform's profiles, or the fallback file when the platform is down."""

    platform_url = Unicode(
        help="URL of the platform service, e.g. http://127.0.0.1:8101/services/mlplat/."
    ).tag(config=True)
    token = Unicode(
        help="Hub API token of the spawner's service (scope custom:mlplat:read-profiles). "
        "Defaults to $MLPLAT_SPAWNER_TOKEN."
    ).tag(config=True)
    fallback_file = Unicode(
        help="Profiles used when the platform does not answer, e.g. hub_config/profiles.yaml."
    ).tag(config=True)
    timeout = Float(
        10.0,
        help="Seconds to wait for the platform before falling back (a spawn storm on a "
        "small machine can slow it down).",
    ).tag(config=True)

    #: the last answer of the platform, per URL, kept by the hub process. During an outage it
    #: beats the shipped file: the file opens every profile to everyone and knows no quotas,
    #: while the last answer still carries what admins restricted.
    _last_good: ClassVar[dict[str, tuple[list[Profile], datetime]]] = {}

    @default("token")
    def _token_default(self) -> str:
        return os.environ.get("MLPLAT_SPAWNER_TOKEN", "")

    async def load(self) -> list[Profile]:
        if not (self.platform_url and self.token):
            self.log.warning(
                "no platform configured for workspace profiles; using %s", self.fallback_file
            )
            return load_profiles_file(self.fallback_file)
        # one attempt: a person is waiting for the spawn page
        client = PlatformClient(self.platform_url, self.token, timeout=self.timeout, attempts=1)
        try:
            listing = await client.profiles()
        except PlatformError as err:
            cached = self._last_good.get(self.platform_url)
            if cached is not None:
                profiles, read_at = cached
                self.log.warning(
                    "platform did not give the workspace profiles (%s); using the profiles it "
                    "gave at %s",
                    err.message,
                    read_at.isoformat(timespec="seconds"),
                )
                return profiles
            self.log.warning(
                "platform did not give the workspace profiles (%s); using the fallback "
                "profiles from %s",
                err.message,
                self.fallback_file,
            )
            return load_profiles_file(self.fallback_file)
        profiles = [record.profile for record in listing.profiles]
        self._last_good[self.platform_url] = (profiles, datetime.now(UTC))
        return profiles


def _applied_at_start(_spawner: Any, _options: dict[str, Any]) -> None:
    return None


def refusal(status: int, message: str) -> web.HTTPError:
    """An error the hub shows as our message alone (not "HTTP 403: error (...)")."""
    error = web.HTTPError(status, message)
    error.jupyterhub_message = message  # type: ignore[attr-defined]  # read by the hub's pages
    return error


def user_groups(spawner: Any) -> list[str]:
    return [g.name for g in getattr(spawner.user, "groups", [])]


def running_servers(spawner: Any) -> list[RunningServer]:
    """Every other server that runs or is starting, from the hub's own memory.

    The hub keeps every user with an active server loaded, so this sees servers started before
    a hub restart too (their GPU count comes back through the spawner state).
    """
    servers: list[RunningServer] = []
    for user in spawner.user.settings["users"].values():
        groups = tuple(g.name for g in user.groups)
        for other in user.spawners.values():
            if other is spawner or not other.active:
                continue
            servers.append(RunningServer(user.name, groups, int(getattr(other, "mlplat_gpus", 0))))
    return servers


class ProfileSpawnerMixin(LoggingConfigurable):
    """Mixed into both spawners: which profiles a person may start, and whether they may now.

    The spawner class provides ``headroom(profiles)`` (the cluster's or this machine's) and
    ``override_for(profile)`` (the traits a profile sets on it).
    """

    mlplat_gpus = Int(0, help="GPUs of the running profile; quotas count it.")

    @default("apply_user_options")
    def _profile_is_applied_at_start(self) -> Any:
        """The ``profile`` option is applied when the server starts (with the live profiles),
        not by JupyterHub's generic hook; saying so keeps its "unhandled" warning out of logs."""
        return _applied_at_start

    async def allowed_profiles(self) -> list[Profile]:
        source = ProfileSource(parent=self)
        groups = user_groups(self)
        return [p for p in await source.load() if p.allows(groups)]

    async def headroom(self, profiles: Sequence[Profile]) -> dict[str, Headroom]:
        raise NotImplementedError

    def override_for(self, profile: Profile) -> dict[str, Any]:
        raise NotImplementedError

    async def platform_profile_list(self, _spawner: Any = None) -> list[dict[str, Any]]:
        """The profiles in KubeSpawner's ``profile_list`` shape, with what the page shows."""
        profiles = await self.allowed_profiles()
        if not profiles:
            raise refusal(403, "No workspace profile is open to your groups; ask a platform admin.")
        rooms = await self.headroom(profiles)
        chosen = default_profile(profiles).slug
        return [
            {
                "slug": p.slug,
                "display_name": p.display_name,
                "description": p.description,
                "default": p.slug == chosen,
                "kubespawner_override": self.override_for(p),
                "mlplat": describe(p, rooms.get(p.slug)),
            }
            for p in profiles
        ]

    def chosen_profile(self, profiles: Sequence[Profile]) -> Profile:
        if not profiles:
            raise refusal(403, "No workspace profile is open to your groups; ask a platform admin.")
        options = getattr(self, "user_options", None) or {}
        slug = options.get("profile") or default_profile(profiles).slug
        for profile in profiles:
            if profile.slug == slug:
                return profile
        raise refusal(400, f"The workspace profile {slug!r} does not exist or is not open to you.")

    def enforce_quota(self, profile: Profile) -> None:
        """Refuse a start over a quota with the hub's own error page and the limit named."""
        user = self.user  # type: ignore[attr-defined]
        try:
            check_quota(profile, user.name, user_groups(self), running_servers(self))
        except QuotaExceeded as err:
            raise refusal(403, err.message) from None
        self.mlplat_gpus = profile.gpu

    # the GPU count must survive a hub restart for quotas to count running servers
    def get_state(self) -> dict[str, Any]:
        state: dict[str, Any] = super().get_state()  # type: ignore[misc]
        if self.mlplat_gpus:
            state["mlplat_gpus"] = self.mlplat_gpus
        return state

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)  # type: ignore[misc]
        self.mlplat_gpus = int(state.get("mlplat_gpus", 0))

    def clear_state(self) -> None:
        super().clear_state()  # type: ignore[misc]
        self.mlplat_gpus = 0


def render_profile_form(
    profile_list: list[dict[str, Any]],
    user_options: dict[str, Any],
    *,
    trust_note: str | None = None,
) -> str:
    """The spawn page of the embedded spawner: the very template KubeSpawner renders, with a
    line on top when the workbench is single-trust."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    return environment.get_template("form.html").render(
        profile_list=profile_list, user_options=user_options, trust_note=trust_note
    )


def describe(profile: Profile, room: Headroom | None) -> dict[str, Any]:
    """What the spawn page shows of a profile: plain values, escaped by the template."""
    return {
        "image": profile.image,
        "cpu": f"{profile.cpu_guarantee} to {profile.cpu_limit}",
        "memory": f"{profile.mem_guarantee} to {profile.mem_limit}",
        "gpu": profile.gpu,
        "gpu_resource": profile.gpu_resource,
        "can_start": room.can_start if room else None,
        "headroom": _headroom_text(profile, room),
    }


def _headroom_text(profile: Profile, room: Headroom | None) -> str:
    if room is None:
        return "capacity unknown"
    parts = [room.gpu_text] if profile.gpu else []
    parts.append("can start now" if room.can_start else f"cannot start now: {room.reason}")
    return " · ".join(parts)
