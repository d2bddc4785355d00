"""The hub's people for the admin console: read-only. Groups and roles are the hub's (on a
cluster the groups come from the identity provider at each login), so the console links to
the hub's admin page instead of editing a copy that would disagree."""

from __future__ import annotations

import asyncio

from jupyterlab_mlplat.core.kernel.errors import RoleRequired
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from . import rules
from .ports import HubDirectory, SeenPeople
from .records import Directory, HubUser, People


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
        seen = await asyncio.to_thread(self.seen.platform_users)
        if self.hub is None:
            # standalone: no hub to ask, so the people are the ones the platform has seen
            # (the one person it serves), and there is no hub admin page to link to
            users = tuple(HubUser(u.name, (), (), False, u.last_seen) for u in seen)
            return People(rules.people(Directory(users, ()), seen), admin_url="")
        found = await self.hub.directory()
        return People(rules.people(found, seen), self.admin_url)
