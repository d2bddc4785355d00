"""Who holds which role, from the hub's three lists: a role is held directly or through a
group, and the platform's roles are the ones its scopes confer."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.identity import roles_from_scopes

from .records import Directory, Person


def people(found: Directory) -> tuple[Person, ...]:
    """Everybody, by name, each with their hub roles and the platform roles these confer."""
    group_roles = {group.name: group.roles for group in found.groups}
    role_scopes = {role.name: role.scopes for role in found.roles}
    listed = []
    for user in sorted(found.users, key=lambda u: u.name):
        held = set(user.roles)
        for group in user.groups:
            held.update(group_roles.get(group, ()))
        scopes = {scope for role in held for scope in role_scopes.get(role, ())}
        listed.append(
            Person(
                name=user.name,
                groups=tuple(sorted(user.groups)),
                hub_roles=tuple(sorted(held)),
                roles=roles_from_scopes(scopes),
                hub_admin=user.admin,
                last_activity=user.last_activity,
            )
        )
    return tuple(listed)
