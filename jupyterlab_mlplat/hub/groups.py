"""Which identity-provider groups mean what, read once from the environment by both hubs'
configuration (hub_config/): an organisation names its groups, the platform's roles do not
change."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _groups(variable: str, default: str) -> tuple[str, ...]:
    return tuple(g.strip() for g in os.environ.get(variable, default).split(",") if g.strip())


@dataclass(frozen=True)
class RoleGroups:
    users: tuple[str, ...]
    reviewers: tuple[str, ...]
    admins: tuple[str, ...]
    instructors: tuple[str, ...]

    @classmethod
    def from_environment(cls) -> RoleGroups:
        """MLPLAT_USER_GROUPS, MLPLAT_REVIEWER_GROUPS, MLPLAT_ADMIN_GROUPS,
        MLPLAT_INSTRUCTOR_GROUPS: comma-separated group names."""
        return cls(
            users=_groups("MLPLAT_USER_GROUPS", "data-scientists"),
            reviewers=_groups("MLPLAT_REVIEWER_GROUPS", "reviewers"),
            admins=_groups("MLPLAT_ADMIN_GROUPS", "admins"),
            instructors=_groups("MLPLAT_INSTRUCTOR_GROUPS", "instructors"),
        )

    @property
    def all(self) -> list[str]:
        """Every group that may log in: the ones a profile may be opened to."""
        return sorted({*self.users, *self.reviewers, *self.admins, *self.instructors})
