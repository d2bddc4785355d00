"""What the admin console asks of the audit log, and what one page of it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jupyterlab_mlplat.core.kernel.audit import AuditRecord

#: records on one page of the console
PAGE_SIZE = 50
#: the audit action of an export: who took a copy of the log, with which filters
EXPORTED = "audit.exported"


@dataclass(frozen=True)
class AuditFilter:
    """Every filter is optional; the ones given must all match (``since`` and ``until`` are
    both inclusive). Actor, action and object are matched exactly: they are names the log
    wrote, picked from lists, never patterns."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def detail(self) -> dict[str, str]:
        """The filters given, as an export's audit record keeps them."""
        found = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "from": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {key: value for key, value in found.items() if value is not None}


@dataclass(frozen=True)
class AuditPage:
    """One page of the filtered log, newest first, and how many records match in all."""

    entries: list[AuditRecord]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
