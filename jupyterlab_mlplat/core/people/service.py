"""The hub's people for the admin console: read-only. Groups and roles are the hub's (on a
cluster the groups come from the identity provider at each login), so the console links to
the hub's admin page instead of editing a copy that would disagree."""

from __future__ import annotations

import asyncio

from jupyterlab_mlplat.core.kernel.errors import RoleRequired
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from . import rules
from .errors import NoHub
from .ports import HubDirectory, SeenPeople
from .records import People


class PeopleService:
    def __init__(
        self, hub: HubDirectory | None, seen: SeenPeople, *, admin_url: str = "/hub/admin"
    ) -> None:
        self.hub = hub
        self.seen = seen
        self.admin_url = admin_url

    async def people(self, identity: Identity) -> People:
        if identity.kind != "user" or not identity.has(Role.ADMIN):
            raise RoleRequired("Only platform admins may list people.", params={"role": "admin"})
        if self.hub is None:
            raise NoHub("This workbench runs without JupyterHub: there is nobody else to list.")
        found = await self.hub.directory()
        seen = await asyncio.to_thread(self.seen.platform_users)
        return People(rules.people(found, seen), self.admin_url)
