"""Records the platform keeps. Plain dataclasses: adapters translate them to rows and JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .identity import Role


@dataclass(frozen=True)
class UserRecord:
    """A person the platform has seen, kept so analytics and audit can name people who left."""

    name: str
    roles: tuple[Role, ...]
    groups: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One state change of a shared object, written in the transaction that made the change."""

    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None


@dataclass(frozen=True)
class AuditRecord(AuditEntry):
    id: int = 0
    at: datetime | None = None
