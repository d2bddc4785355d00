"""The sidebar's people view: forwarded to the platform as the admin (it reads the hub)."""

from __future__ import annotations

import tornado.web

from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.api.people import PeopleBody

from .base import RoleFirst, SidebarHandler


class PeopleHandler(RoleFirst):
    @operation(
        "Everybody the hub knows, with groups, roles and last activity (admins; read-only).",
        {200: (PeopleBody, "The people.")},
        errors={503: "No hub (standalone), or the hub refused or did not answer."},
        role="admin",
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.client.people())


ROUTES: list[tuple[str, type[SidebarHandler]]] = [("people", PeopleHandler)]
