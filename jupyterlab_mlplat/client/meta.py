"""Who is calling and whether the platform is healthy."""

from __future__ import annotations

from jupyterlab_mlplat.api.meta import Health, Me

from .transport import Transport


class MetaCalls(Transport):
    async def me(self) -> Me:
        return await self._get("api/v1/me", Me)

    async def health(self) -> Health:
        """The platform's own report; a failing check arrives as 503 with the same body."""
        return await self._get("api/v1/health", Health, body_on_503=True)
