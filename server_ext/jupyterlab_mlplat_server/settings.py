"""The sidebar's live settings: forwarded to the platform as the admin."""

from __future__ import annotations

import tornado.web

from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.api.settings import KEY_PATH, SettingBody, SettingChange, SettingsList

from .base import RoleFirst, SidebarHandler


class SettingsHandler(RoleFirst):
    @operation(
        "Every live setting, and the hub's policy shown read-only (admins).",
        {200: (SettingsList, "The settings.")},
        role="admin",
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.client.settings())


class SettingHandler(RoleFirst):
    @operation(
        "Change a setting (null: back to its default) at the revision shown (admins).",
        {200: (SettingBody, "The setting as it is now.")},
        body=SettingChange,
        path=KEY_PATH,
        errors={
            400: "The value is out of the setting's bounds (`params.field` names it).",
            404: "No such setting.",
            409: "Somebody changed it since; reload.",
        },
        role="admin",
    )
    @tornado.web.authenticated
    async def put(self, key: str) -> None:
        body = self.parse(SettingChange)
        self.write_model(await self.client.change_setting(key, body.value, body.revision))


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("settings", SettingsHandler),
    ("settings/(?P<key>[^/]+)", SettingHandler),
]
