"""Who is who, from the hub's two lists and the platform's own record: a hub role is held
directly or through a group; the platform roles are the ones the person's token carried when
they last used the platform (the hub's REST API names roles, never their scopes)."""

from __future__ import annotations

from collections.abc import Iterable

from jupyterlab_mlplat.core.accounts.records import UserRecord

from .records import Directory, Person


def people(found: Directory, seen: Iterable[UserRecord]) -> tuple[Person, ...]:
    """Everybody the hub knows, by name, with their hub roles and platform roles."""
    group_roles = {group.name: group.roles for group in found.groups}
    records = {user.name: user for user in seen}
    listed = []
    for user in sorted(found.users, key=lambda u: u.name):
        held = set(user.roles)
        for group in user.groups:
            held.update(group_roles.get(group, ()))
        record = records.get(user.name)
        listed.append(
            Person(
                name=user.name,
                groups=tuple(sorted(user.groups)),
                hub_roles=tuple(sorted(held)),
                hub_admin=user.admin,
                last_activity=user.last_activity,
                roles=record.roles if record else None,
                roles_seen_at=record.last_seen if record else None,
            )
        )
    return tuple(listed)
