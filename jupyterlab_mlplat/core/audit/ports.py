"""What reading the audit log needs of the store: filtered pages with a total, the export's
batches, and the actions the log holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from jupyterlab_mlplat.core.kernel.audit import AuditRecord, Transactional, UnitOfWork

from .records import AuditFilter


class AuditLog(Transactional[UnitOfWork], Protocol):
    def audit_page(
        self, filters: AuditFilter, *, offset: int, limit: int
    ) -> tuple[list[AuditRecord], int]:
        """Matching records newest first (by id: the order they were written), from
        ``offset``, at most ``limit``; and how many match in all."""

    def audit_batches(self, filters: AuditFilter, *, size: int) -> Iterator[list[AuditRecord]]:
        """Every matching record newest first, ``size`` at a time, each batch read after the
        one before it was used (keyset on the id: records written meanwhile are not in it)."""

    def audit_actions(self) -> list[str]:
        """Every action the log holds, sorted."""
