"""The audit log for admins: a page of the filtered log, the actions it holds, and the CSV
export of the filtered log, streamed as it is read (and itself audited)."""

from __future__ import annotations

from jupyterlab_mlplat.api.audit import (
    CSV,
    FILTERS,
    PAGE,
    AuditActions,
    AuditPageBody,
    filters_of,
    raw_arguments,
)
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.core.kernel.identity import Role
from jupyterlab_mlplat.platform.base import PlatformHandler

ADMIN = str(Role.ADMIN)
_ERRORS = {400: "A filter is not valid, or from is after until (`params.field` names it)."}


class AuditHandler(PlatformHandler):
    route_name = "audit"

    @operation(
        "A page of the audit log, newest first, with the total of the records that match.",
        {200: (AuditPageBody, "The page.")},
        query=[*FILTERS, PAGE],
        role=ADMIN,
        errors=_ERRORS,
    )
    async def get(self) -> None:
        filters = filters_of(raw_arguments(self.request.query_arguments))
        page = self.int_argument("page") if self.get_query_argument("page", "") else 1
        found = await self.run(self.services.audit.page, self.identity, filters, page)
        self.send_model(AuditPageBody.of(found))


class AuditActionsHandler(PlatformHandler):
    route_name = "audit_actions"

    @operation(
        "Every action the audit log holds, for the console's filter.",
        {200: (AuditActions, "The actions, sorted.")},
        role=ADMIN,
    )
    async def get(self) -> None:
        actions = await self.run(self.services.audit.actions, self.identity)
        self.send_model(AuditActions(actions=actions))


class AuditExportHandler(PlatformHandler):
    route_name = "audit_export"

    @operation(
        "The filtered audit log as CSV (RFC 4180; a cell that would start a spreadsheet "
        "formula is prefixed with '), newest first; the export itself is audited.",
        {200: (CSV, "The records, streamed.")},
        query=list(FILTERS),
        role=ADMIN,
        errors=_ERRORS,
    )
    async def get(self) -> None:
        filters = filters_of(raw_arguments(self.request.query_arguments))
        chunks = await self.run(self.services.audit.export, self.identity, filters)
        self.set_header("Content-Type", "text/csv; charset=UTF-8")
        self.set_header("Content-Disposition", 'attachment; filename="audit.csv"')
        while (chunk := await self.run(next, chunks, None)) is not None:
            self.write(chunk.encode())
            await self.flush()
        self.finish()


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/audit", AuditHandler),
    ("api/v1/audit/actions", AuditActionsHandler),
    ("api/v1/audit/export", AuditExportHandler),
]
