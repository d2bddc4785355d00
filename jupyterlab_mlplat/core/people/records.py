"""A person as the hub knows them: groups, roles, last activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jupyterlab_mlplat.core.kernel.identity import Role


@dataclass(frozen=True)
class Person:
    name: str
    #: hub groups (from the identity provider's groups claim on a cluster)
    groups: tuple[str, ...]
    #: the hub roles held, directly or through a group, sorted
    hub_roles: tuple[str, ...]
    #: whether the hub itself makes them an administrator of the hub
    hub_admin: bool
    last_activity: datetime | None
    #: the platform roles their token carried when they last used the platform (the hub's
    #: API names roles but not their scopes), None if they never did
    roles: tuple[Role, ...] | None
    roles_seen_at: datetime | None


@dataclass(frozen=True)
class HubUser:
    """A user as the hub's REST API describes them."""

    name: str
    groups: tuple[str, ...]
    roles: tuple[str, ...]
    admin: bool
    last_activity: datetime | None


@dataclass(frozen=True)
class HubGroup:
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Directory:
    """Everything the hub said, read in one go."""

    users: tuple[HubUser, ...]
    groups: tuple[HubGroup, ...]


@dataclass(frozen=True)
class People:
    people: tuple[Person, ...]
    #: where an admin changes them: the hub's own admin page
    admin_url: str
