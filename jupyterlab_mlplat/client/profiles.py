"""Workspace profiles: admins edit, everyone reads those open to them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jupyterlab_mlplat.api.profiles import PodPreview, ProfileList, ProfileRecord

from .transport import Transport


class ProfileCalls(Transport):
    async def profiles(self) -> ProfileList:
        return await self._get("api/v1/profiles", ProfileList)

    async def create_profile(self, profile: dict[str, Any]) -> ProfileRecord:
        return await self._send("POST", "api/v1/profiles", profile, ProfileRecord)

    async def replace_profile(
        self, slug: str, profile: dict[str, Any], revision: int
    ) -> ProfileRecord:
        body = {"profile": profile, "revision": revision}
        path = f"api/v1/profiles/{quote(slug, safe='')}"
        return await self._send("PUT", path, body, ProfileRecord)

    async def delete_profile(self, slug: str, revision: int) -> None:
        path = f"api/v1/profiles/{quote(slug, safe='')}?revision={int(revision)}"
        await self._send_raw("DELETE", path, None)

    async def preview_profile(self, profile: dict[str, Any]) -> PodPreview:
        return await self._send("POST", "api/v1/profile-preview", profile, PodPreview)
