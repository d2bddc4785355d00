"""The hub's people through an admin's server (the platform reads the hub)."""

from __future__ import annotations

from jupyterlab_mlplat.api.people import PeopleBody

from .transport import Transport


class PeopleCalls(Transport):
    async def people(self) -> PeopleBody:
        return await self._get("api/v1/people", PeopleBody)
