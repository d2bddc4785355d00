"""The sidebar's audit log: forwarded to the platform as the admin, which decides who may read
it. The filters are checked here first (the same rules), so a wrong one is a 400 naming the
field without a round trip; the export is passed on as the platform streams it."""

from __future__ import annotations

import tornado.web

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

from .base import RoleFirst, SidebarHandler

_ERRORS = {400: "A filter is not valid, or from is after until (`params.field` names it)."}


class _Filtered(RoleFirst):
    def filters(self) -> dict[str, str | None]:
        """The filters as sent, once they passed the log's rules."""
        argument = raw_arguments(self.request.query_arguments)
        sent = {query.name: argument(query.name) for query in FILTERS}
        filters_of(sent.get)
        return sent


class AuditHandler(_Filtered):
    @operation(
        "A page of the audit log, newest first, with the total (admins).",
        {200: (AuditPageBody, "The page.")},
        query=[*FILTERS, PAGE],
        errors=_ERRORS,
        role="admin",
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        page = self.int_argument("page", 1)
        self.write_model(await self.client.audit_page({**self.filters(), "page": page}))


class AuditActionsHandler(RoleFirst):
    @operation(
        "Every action the audit log holds (admins).",
        {200: (AuditActions, "The actions.")},
        role="admin",
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.client.audit_actions())


class AuditExportHandler(_Filtered):
    @operation(
        "The filtered audit log as CSV (admins); the export itself is audited.",
        {200: (CSV, "The records, streamed.")},
        query=list(FILTERS),
        errors=_ERRORS,
        role="admin",
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        filters = self.filters()
        started = False

        def write(chunk: bytes) -> None:
            nonlocal started
            if not started:
                started = True
                self.set_header("Content-Type", "text/csv; charset=UTF-8")
                self.set_header("Content-Disposition", 'attachment; filename="audit.csv"')
            self.write(chunk)
            self.flush()

        await self.client.export_audit(filters, write)
        if not started:  # never: the platform sends the header row first
            self.set_header("Content-Type", "text/csv; charset=UTF-8")
        self.finish()


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("audit", AuditHandler),
    ("audit/actions", AuditActionsHandler),
    ("audit/export", AuditExportHandler),
]
