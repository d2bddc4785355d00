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

from .language import Translate, english, language_of, translator

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
    ``override_for(profile)`` (the traits a profile sets on it). The spawn page shows a profile
    that cannot start as disabled with its reason, and the start refuses it with the same
    reason (``enforce_headroom``): the page is only a hint, a request can name any profile.
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

    #: the catalogue folder of the person's last request, None for English
    _page_language: str | None = None

    def page_translator(self) -> Translate:
        """The spawn page's language: the browser's, from the request JupyterHub is serving
        (it sets ``handler`` while it renders the page and while it starts the server). When
        a start fails, the hub renders the page again after it cleared ``handler``: the
        language of the request before is kept for that."""
        handler = getattr(self, "handler", None)
        if handler is not None:
            self._page_language = language_of(handler)
        return translator(self._page_language)

    async def platform_profile_list(self, _spawner: Any = None) -> list[dict[str, Any]]:
        """The profiles in KubeSpawner's ``profile_list`` shape, with what the page shows.

        The default is the admins' default when it can start, else the first that can: the
        page never preselects a profile it shows disabled.
        """
        profiles = await self.allowed_profiles()
        if not profiles:
            raise refusal(403, "No workspace profile is open to your groups; ask a platform admin.")
        rooms = await self.headroom(profiles)
        startable = [p for p in profiles if _startable(rooms.get(p.slug))]
        chosen = default_profile(startable).slug if startable else None
        _ = self.page_translator()
        page = page_texts(_, [rooms.get(p.slug) for p in profiles])
        return [
            {
                "slug": p.slug,
                "display_name": p.display_name,
                "description": p.description,
                "default": p.slug == chosen,
                "kubespawner_override": self.override_for(p),
                "mlplat": {**describe(p, rooms.get(p.slug), _), "page": page},
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

    def enforce_headroom(self, profile: Profile, room: Headroom | None) -> None:
        """Refuse a start the spawn page marks "cannot start now", with the page's reason and
        what to do. An unknown headroom (the cluster's nodes could not be read) refuses
        nothing: the scheduler still decides, and a person is not locked out by a hiccup."""
        if room is None or room.can_start:
            return
        raise refusal(403, cannot_start(profile, room, self.page_translator()))

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


def _startable(room: Headroom | None) -> bool:
    return room is None or room.can_start


#: what to do about a profile that cannot start, by whether waiting can help
ASK_ADMIN = "No server of this size fits here: ask a platform admin for a smaller profile."
WAIT = "Wait until other servers stop, or stop one of yours, then reload this page."
NONE_CAN_START = "None of the workspace profiles open to you can start now."


def advice(room: Headroom, _: Translate) -> str:
    return _(ASK_ADMIN) if room.lasting else _(WAIT)


def cannot_start(profile: Profile, room: Headroom, _: Translate = english) -> str:
    """What a refused start says: the page's reason and what to do, in the requester's
    language (English for an API client that names none)."""
    return _("The {profile} profile cannot start now: {reason}. {advice}").format(
        profile=profile.display_name,
        reason=_(room.why).format(**room.params),
        advice=advice(room, _),
    )


def page_texts(_: Translate, rooms: Sequence[Headroom | None]) -> dict[str, str]:
    """The page's own words (KubeSpawner renders the template with the profile list alone, so
    they travel with each profile), and what to do when nothing can start."""
    blocked = [r for r in rooms if r is not None and not r.can_start]
    nothing = bool(rooms) and len(blocked) == len(rooms)
    return {
        "image": _("Image"),
        "cpu": _("CPU"),
        "memory": _("Memory"),
        "gpu": _("GPU"),
        "none": _("none"),
        "nothing_can_start": _(NONE_CAN_START) if nothing else "",
        "what_to_do": (" ".join(dict.fromkeys(advice(r, _) for r in blocked)) if nothing else ""),
    }


def describe(profile: Profile, room: Headroom | None, _: Translate = english) -> dict[str, Any]:
    """What the spawn page shows of a profile: plain values, escaped by the template."""
    return {
        "image": profile.image,
        "cpu": _("{guarantee} to {limit}").format(
            guarantee=profile.cpu_guarantee, limit=profile.cpu_limit
        ),
        "memory": _("{guarantee} to {limit}").format(
            guarantee=profile.mem_guarantee, limit=profile.mem_limit
        ),
        "gpu": profile.gpu,
        "gpu_resource": profile.gpu_resource,
        "can_start": room.can_start if room else None,
        "headroom": _headroom_text(profile, room, _),
        "advice": advice(room, _) if room is not None and not room.can_start else "",
    }


def _headroom_text(profile: Profile, room: Headroom | None, _: Translate) -> str:
    if room is None:
        return _("capacity unknown")
    parts = (
        [_("GPU: {free} of {total} free").format(free=room.gpu_free, total=room.gpu_total)]
        if profile.gpu and room.gpus_counted
        else []
    )
    if room.can_start:
        parts.append(_("can start now"))
    else:
        reason = _(room.why).format(**room.params)
        parts.append(_("cannot start now: {reason}").format(reason=reason))
    return " · ".join(parts)
