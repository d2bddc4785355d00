"""The audit log and the unit of work every state change of a shared object goes through.

A service opens ``store.transaction(actor)``; inside it every change calls ``tx.audit(...)``,
which stamps the actor and the request id, so no service builds an audit record by hand and
no change lands without its record (the store writes both in one database transaction).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

#: the request being served, set by whichever API received it; audit records carry it so a
#: person quoting the id of an error finds the change it made (or did not make)
current_request_id: ContextVar[str | None] = ContextVar("mlplat_request_id", default=None)


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


class UnitOfWork(ABC):
    """One atomic piece of work done by ``actor``: every write in it lands, audit included, or
    none does. Stores subclass it and add the reads and writes of each feature."""

    def __init__(self, actor: str) -> None:
        self.actor = actor

    @abstractmethod
    def append_audit(self, entry: AuditEntry) -> None:
        """Write one record in this transaction."""

    def audit(self, action: str, object_type: str, object_id: str, /, **detail: Any) -> None:
        """Record that ``actor`` did ``action`` to the object, in the same transaction. The
        first three are positional only, so a detail may be called ``action`` or
        ``object_id`` too (an audit export records the filters it was given by those names)."""
        self.append_audit(
            AuditEntry(
                actor=self.actor,
                action=action,
                object_type=object_type,
                object_id=object_id,
                detail=detail,
                request_id=current_request_id.get(),
            )
        )


Tx_co = TypeVar("Tx_co", bound=UnitOfWork, covariant=True)


class Transactional(Protocol[Tx_co]):
    """A store that opens units of work of one shape; each feature's port names its shape."""

    def transaction(self, actor: str) -> AbstractContextManager[Tx_co]: ...

    def audit_entries(self, *, limit: int = 100) -> list[AuditRecord]: ...
