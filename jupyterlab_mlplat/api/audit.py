"""The wire shapes of the audit log as the admin console reads it: a page of the filtered log,
the actions to filter by, and the filters both APIs take as query parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from jupyterlab_mlplat.core.audit.records import AuditFilter, AuditPage
from jupyterlab_mlplat.core.audit.rules import LIMITS, audit_filter

from .base import FromCore, Wire
from .openapi import Query

_AT = "An ISO 8601 date or RFC 3339 date-time, e.g. 2026-12-01T00:00:00Z (a date: midnight UTC)."
#: what a text filter may hold: readable text (no control or bidi characters), as the log wrote
_READABLE = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]"


def _text(name: str, description: str) -> Query:
    return Query(name, description, pattern=f"{_READABLE}{{1,{LIMITS[name]}}}$")


#: the filters of the page and of the export, declared once for both routes of both APIs
FILTERS = (
    _text("actor", "Only what this person (or service) did."),
    _text("action", "Only this action, e.g. publication.approved."),
    _text("object_type", "Only changes of this kind of object, e.g. deployment."),
    _text("object_id", "Only changes of this object (with object_type), e.g. churn-api."),
    Query("from", f"Only records at or after this time. {_AT}", format="date-time"),
    Query(
        "until", f"Only records at or before this time, not before from. {_AT}", format="date-time"
    ),
)
PAGE = Query("page", "The page, from 1 (50 records a page).", type="integer", minimum=1)
#: what the export answers: RFC 4180 CSV, formula-like cells prefixed with '
CSV = ("text/csv", {"type": "string"})


def raw_arguments(arguments: Mapping[str, list[bytes]]) -> Callable[[str], str | None]:
    """A query argument as it was sent (the last one of a name), not as tornado's getters give
    it: they turn control characters into spaces, so a filter the document refuses (a control
    character in a name) would be taken as another one instead of refused."""

    def argument(name: str) -> str | None:
        values = arguments.get(name)
        return values[-1].decode("utf-8", "replace") if values else None

    return argument


def filters_of(argument: Callable[[str], str | None]) -> AuditFilter:
    """The filters of a request, read with its query-argument getter (None: not given)."""
    return audit_filter(
        actor=argument("actor"),
        action=argument("action"),
        object_type=argument("object_type"),
        object_id=argument("object_id"),
        since=argument("from"),
        until=argument("until"),
    )


class AuditEntryBody(FromCore):
    id: int
    at: datetime
    actor: str = Field(description="Who made the change (a person, or a service).")
    action: str = Field(description="What was done, e.g. deployment.created.")
    object_type: str
    object_id: str
    request_id: str | None = Field(description="The request that made it, for the logs.")
    detail: dict[str, Any] = Field(description="What the change carried (old/new values …).")


class AuditPageBody(Wire):
    entries: list[AuditEntryBody] = Field(description="Newest first.")
    total: int = Field(description="How many records match the filters in all.")
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, found: AuditPage) -> AuditPageBody:
        return cls(
            entries=[AuditEntryBody.model_validate(e) for e in found.entries],
            total=found.total,
            page=found.page,
            page_size=found.page_size,
            pages=found.pages,
        )


class AuditActions(Wire):
    actions: list[str] = Field(description="Every action the log holds, sorted.")
