"""The hub's people for admins, read from the hub with the platform's own token."""

from __future__ import annotations

from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.api.people import PeopleBody
from jupyterlab_mlplat.core.kernel.identity import Role
from jupyterlab_mlplat.platform.base import PlatformHandler


class PeopleHandler(PlatformHandler):
    route_name = "people"

    @operation(
        "Everybody the hub knows, with their groups, roles and last activity (read-only: "
        "they are changed in the hub, at `admin_url`).",
        {200: (PeopleBody, "The people.")},
        role=str(Role.ADMIN),
        errors={503: "No hub (standalone), or the hub refused or did not answer."},
    )
    async def get(self) -> None:
        self.send_model(PeopleBody.of(await self.services.people.people(self.identity)))


ROUTES: list[tuple[str, type[PlatformHandler]]] = [("api/v1/people", PeopleHandler)]
