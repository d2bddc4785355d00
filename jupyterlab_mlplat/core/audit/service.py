"""The audit log as admins read it: pages of the filtered log and its CSV export.

Only admins read it (it names what everybody did). Its own room rather than the kernel's
``audit.py``: the kernel holds what every feature needs to *write* the log (the unit of work);
reading, filtering and exporting it is one feature with its own rules, used by the console
alone, so it lives where its route, client and tests are named alike.
"""

from __future__ import annotations

from collections.abc import Iterator

from jupyterlab_mlplat.core.kernel.errors import RoleRequired
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from . import rules
from .ports import AuditLog
from .records import EXPORTED, PAGE_SIZE, AuditFilter, AuditPage

#: records the export reads at a time
EXPORT_BATCH = 500


def _admin(identity: Identity) -> None:
    if identity.kind != "user" or not identity.has(Role.ADMIN):
        raise RoleRequired("Only platform admins may read the audit log.", params={"role": "admin"})


class AuditService:
    def __init__(self, store: AuditLog, *, page_size: int = PAGE_SIZE) -> None:
        self.store = store
        self.page_size = page_size

    def page(self, identity: Identity, filters: AuditFilter, page: int = 1) -> AuditPage:
        """One page (from 1) of the filtered log, newest first, with the total."""
        _admin(identity)
        page = max(1, page)
        entries, total = self.store.audit_page(
            filters, offset=(page - 1) * self.page_size, limit=self.page_size
        )
        return AuditPage(entries, total, page, self.page_size)

    def actions(self, identity: Identity) -> list[str]:
        """The actions the console's filter offers: every one the log holds."""
        _admin(identity)
        return self.store.audit_actions()

    def export(self, identity: Identity, filters: AuditFilter) -> Iterator[str]:
        """The filtered log as CSV text, chunk by chunk. The export is itself recorded (who
        took a copy, with which filters) before the first chunk, so it is in the log even if
        the download is cut; it is in the copy when it matches the filters."""
        _admin(identity)
        with self.store.transaction(identity.name) as tx:
            tx.audit(EXPORTED, "audit", "log", **filters.detail())
        return rules.csv_chunks(self.store.audit_batches(filters, size=EXPORT_BATCH))
