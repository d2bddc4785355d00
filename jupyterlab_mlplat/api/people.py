"""The wire shape of the hub's people as the admin console lists them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from jupyterlab_mlplat.core.kernel.identity import Role
from jupyterlab_mlplat.core.people.records import People

from .base import FromCore, Wire


class PersonBody(FromCore):
    name: str
    groups: list[str] = Field(description="Hub groups (on a cluster, from the sign-in provider).")
    hub_roles: list[str] = Field(description="Hub roles, held directly or through a group.")
    hub_admin: bool = Field(description="Whether the hub makes them a hub administrator.")
    last_activity: datetime | None
    roles: list[Role] | None = Field(
        description="The platform roles their token carried when they last used the platform "
        "(null: never); they follow the hub roles at their next visit."
    )
    roles_seen_at: datetime | None = Field(description="When the platform last saw them.")


class PeopleBody(Wire):
    people: list[PersonBody] = Field(description="Everybody the hub knows, by name.")
    admin_url: str = Field(
        description="The hub's admin page, where people are changed (empty without a hub)."
    )

    @classmethod
    def of(cls, found: People) -> PeopleBody:
        return cls(
            people=[PersonBody.model_validate(p) for p in found.people],
            admin_url=found.admin_url,
        )
