"""Live settings through an admin's server."""

from __future__ import annotations

from urllib.parse import quote

from jupyterlab_mlplat.api.settings import SettingBody, SettingsList

from .transport import Transport

_BASE = "api/v1/settings"


class SettingsCalls(Transport):
    async def settings(self) -> SettingsList:
        return await self._get(_BASE, SettingsList)

    async def change_setting(
        self, key: str, value: int | float | None, revision: int
    ) -> SettingBody:
        body = {"value": value, "revision": revision}
        return await self._send("PUT", f"{_BASE}/{quote(key, safe='')}", body, SettingBody)
