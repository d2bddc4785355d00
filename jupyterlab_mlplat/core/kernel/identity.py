"""Who is calling and what they may do.

Roles are not stored by the platform: they are derived on every request from the scopes
JupyterHub grants (hub groups → hub roles → custom scopes), so an admin changes a person's role in
one place, the hub, and the platform follows without a sync job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    DATA_SCIENTIST = "data_scientist"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    INSTRUCTOR = "instructor"


#: the JupyterHub custom scope that confers each role beyond the baseline data scientist
SCOPE_FOR_ROLE: dict[Role, str] = {
    Role.REVIEWER: "custom:mlplat:review",
    Role.ADMIN: "custom:mlplat:admin",
    Role.INSTRUCTOR: "custom:mlplat:instruct",
}

#: held by the hub's spawner service, which reads every profile to build the spawn page
READ_PROFILES_SCOPE = "custom:mlplat:read-profiles"
#: held by the MLflow gateway, which records what people changed in MLflow (privacy)
RECORD_EVENTS_SCOPE = "custom:mlplat:record-events"
#: held by the deployments' gateway, which asks the platform whether an API key may call
CHECK_KEYS_SCOPE = "custom:mlplat:check-keys"
#: held by the deployments' gateway, which reads where each deployment's requests go
ROUTE_DEPLOYMENTS_SCOPE = "custom:mlplat:route-deployments"
#: held by the deployments' gateway, which reports each deployment's traffic minute by minute
REPORT_TRAFFIC_SCOPE = "custom:mlplat:report-traffic"
SERVICE_GRANTS = frozenset(
    {
        READ_PROFILES_SCOPE,
        RECORD_EVENTS_SCOPE,
        CHECK_KEYS_SCOPE,
        ROUTE_DEPLOYMENTS_SCOPE,
        REPORT_TRAFFIC_SCOPE,
    }
)

#: display order, so every client lists roles the same way
ROLE_ORDER: tuple[Role, ...] = (Role.DATA_SCIENTIST, Role.REVIEWER, Role.ADMIN, Role.INSTRUCTOR)


def roles_from_scopes(scopes: Iterable[str]) -> tuple[Role, ...]:
    """Every signed-in user is a data scientist; other roles come only from their custom scope.

    A scope may arrive filtered (``custom:mlplat:review!group=x``); a filtered grant is not the
    role, because the role means "anywhere on this platform".
    """
    held = set(scopes)
    return tuple(
        role for role in ROLE_ORDER if role is Role.DATA_SCIENTIST or SCOPE_FOR_ROLE[role] in held
    )


@dataclass(frozen=True)
class Identity:
    """The caller as the platform trusts it for one request."""

    name: str
    groups: tuple[str, ...] = ()
    roles: tuple[Role, ...] = (Role.DATA_SCIENTIST,)
    #: "hub" when JupyterHub vouched for the caller, "standalone" for the single local user
    mode: str = "hub"
    kind: str = "user"
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    #: for a hub service, the platform scopes its token holds (a service holds no person's roles)
    grants: frozenset[str] = frozenset()

    def has(self, role: Role) -> bool:
        return role in self.roles

    def may(self, grant: str) -> bool:
        """Whether a hub service was given ``grant`` (a custom scope)."""
        return self.kind == "service" and grant in self.grants

    @classmethod
    def everything(cls, name: str) -> Identity:
        """The single user of standalone mode holds every role: there is nobody else to ask."""
        return cls(name=name, groups=(), roles=ROLE_ORDER, mode="standalone")
