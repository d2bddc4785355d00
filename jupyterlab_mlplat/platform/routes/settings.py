"""Live settings for admins: the list with the hub's policy, and a change of one (audited)."""

from __future__ import annotations

from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.api.settings import KEY_PATH, SettingBody, SettingChange, SettingsList
from jupyterlab_mlplat.core.kernel.identity import Role
from jupyterlab_mlplat.platform.base import PlatformHandler

ADMIN = str(Role.ADMIN)


class SettingsHandler(PlatformHandler):
    route_name = "settings"

    @operation(
        "Every live setting with its bounds, default and value in force, and the hub's "
        "policy (read-only here).",
        {200: (SettingsList, "The settings.")},
        role=ADMIN,
    )
    async def get(self) -> None:
        settings = self.services.settings
        found = await self.run(settings.settings, self.identity)
        self.send_model(SettingsList.of(found, settings.hub))


class SettingHandler(PlatformHandler):
    route_name = "setting"

    @operation(
        "Change a setting (null: back to its default) if it is still at the revision named; "
        "the features read it at their next use. Audited with the old and new value.",
        {200: (SettingBody, "The setting as it is now.")},
        body=SettingChange,
        role=ADMIN,
        path=KEY_PATH,
        errors={
            400: "The value is out of the setting's bounds (`params.field` names it).",
            404: "No such setting.",
            409: "Somebody changed it since; reload.",
        },
    )
    async def put(self, key: str) -> None:
        body = self.parse(SettingChange)
        changed = await self.run(
            self.services.settings.change, self.identity, key, body.value, body.revision
        )
        self.send_model(SettingBody.of(changed))


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/settings", SettingsHandler),
    ("api/v1/settings/(?P<key>[^/]+)", SettingHandler),
]
