"""The people the platform has seen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jupyterlab_mlplat.core.kernel.identity import Role


@dataclass(frozen=True)
class UserRecord:
    """A person the platform has seen, kept so analytics and audit can name people who left."""

    name: str
    roles: tuple[Role, ...]
    groups: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
