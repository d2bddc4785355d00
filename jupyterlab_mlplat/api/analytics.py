"""The wire shapes of analytics, shared by the platform API and the sidebar: usage (resources
requested and used), the idlest workloads, and the team figures, each as JSON or as CSV.

The CSV of a question holds the same rows as its JSON ``rows`` (not the days or the totals),
RFC 4180 with CRLF ends, a cell a spreadsheet would run as a formula prefixed with ``'`` (the
audit export's rule: a team or workspace name is text people chose).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ConfigDict, Field

from jupyterlab_mlplat.core.analytics import rules
from jupyterlab_mlplat.core.analytics.errors import GroupingInvalid
from jupyterlab_mlplat.core.analytics.records import Period
from jupyterlab_mlplat.core.analytics.teams import TeamFigures, TeamReport
from jupyterlab_mlplat.core.analytics.usage import IdleWorkload, UsageFigures, UsageReport
from jupyterlab_mlplat.core.audit.rules import neutralised

from .base import Wire
from .openapi import OrAlso, Query

_DATE = "A day, YYYY-MM-DD (UTC)."
RANGE = (
    Query(
        "from",
        f"The first day of the range (30 days before to if not given). {_DATE}",
        format="date",
    ),
    Query(
        "to", f"The last day of the range, included (today if not given). {_DATE}", format="date"
    ),
)
FORMAT = Query(
    "format", "json (the default) or csv: the same rows as CSV, to download.", enum=("json", "csv")
)
USAGE_QUERY = (
    *RANGE,
    Query(
        "by", "Rows per team (the default), profile or person.", enum=("team", "profile", "person")
    ),
    Query(
        "kind",
        "Which workloads: all (the default), workspaces or deployments.",
        enum=("all", "workspace", "deployment"),
    ),
    FORMAT,
)
IDLE_QUERY = (
    *RANGE,
    Query(
        "kind",
        "Which workloads: all (the default), workspaces or deployments.",
        enum=("all", "workspace", "deployment"),
    ),
    Query(
        "limit",
        "How many workloads, the idlest first (10 if not given).",
        type="integer",
        minimum=1,
        maximum=100,
    ),
    FORMAT,
)
TEAMS_QUERY = (
    *RANGE,
    Query("by", "Rows per person (the default) or team.", enum=("person", "team")),
    Query(
        "grain",
        "Periods of a day (the default), a week (from Monday) or a month.",
        enum=("day", "week", "month"),
    ),
    FORMAT,
)
ERRORS = {
    400: "A date is not one, the range ends before it starts or is longer than a year "
    "(period_invalid), or a grouping is not one of those listed (grouping_invalid); "
    "`params.field` names the parameter."
}
CSV = {"type": "string", "description": "RFC 4180 CSV of the rows, with a header."}


class _Answer(Wire):
    """Answers with a ``from``, a Python keyword: written and read by that name."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_serialization_defaults_required=True,
        serialize_by_alias=True,
        validate_by_name=True,
    )


# ---- usage


class _UsageFigures(Wire):
    server_hours: float = Field(description="Hours workloads ran.")
    cpu_requested_core_hours: float
    cpu_used_core_hours: float
    cpu_efficiency: float | None = Field(description="Used / requested CPU; null: none requested.")
    memory_requested_gib_hours: float
    memory_used_gib_hours: float
    memory_efficiency: float | None = Field(
        description="Used / requested memory; null: none requested."
    )
    gpu_hours: float = Field(description="GPUs held x hours.")
    idle_hours: float = Field(description="Hours a workload ran idle.")
    idle_gpu_hours: float = Field(description="GPUs held x hours while idle.")


def _usage(figures: UsageFigures) -> dict[str, Any]:
    return {
        "server_hours": figures.server_hours,
        "cpu_requested_core_hours": figures.cpu_requested_core_hours,
        "cpu_used_core_hours": figures.cpu_used_core_hours,
        "cpu_efficiency": figures.cpu_efficiency,
        "memory_requested_gib_hours": figures.memory_requested_gib_hours,
        "memory_used_gib_hours": figures.memory_used_gib_hours,
        "memory_efficiency": figures.memory_efficiency,
        "gpu_hours": figures.gpu_hours,
        "idle_hours": figures.idle_hours,
        "idle_gpu_hours": figures.idle_gpu_hours,
    }


USAGE_FIGURES = tuple(_UsageFigures.model_fields)


class UsageRowBody(_UsageFigures):
    key: str = Field(description="The team, profile (or deployment size) or person.")


class UsageDayBody(_UsageFigures):
    day: date


class UsageBody(_Answer):
    from_: date = Field(alias="from")
    to: date
    by: str
    kind: str
    rows: list[UsageRowBody]
    days: list[UsageDayBody] = Field(description="Every day of the range, zeros included.")

    @classmethod
    def of(cls, found: UsageReport) -> UsageBody:
        return cls.model_validate(
            {
                "from": found.period.start,
                "to": found.period.end,
                "by": str(found.by),
                "kind": str(found.kind),
                "rows": [UsageRowBody(key=r.key, **_usage(r.figures)) for r in found.rows],
                "days": [UsageDayBody(day=d.day, **_usage(d.figures)) for d in found.days],
            }
        )


class IdleRowBody(_UsageFigures):
    kind: str = Field(description="workspace or deployment.")
    name: str
    owner: str
    profile: str = Field(description="The workspace's profile, or the deployment's size.")


class IdleBody(_Answer):
    from_: date = Field(alias="from")
    to: date
    rows: list[IdleRowBody] = Field(description="The idlest first (idle GPU hours, then idle).")

    @classmethod
    def of(cls, period: Period, found: Sequence[IdleWorkload]) -> IdleBody:
        return cls.model_validate(
            {
                "from": period.start,
                "to": period.end,
                "rows": [
                    IdleRowBody(
                        kind=str(w.kind),
                        name=w.name,
                        owner=w.owner,
                        profile=w.profile,
                        **_usage(w.figures),
                    )
                    for w in found
                ],
            }
        )


# ---- team figures


class TeamTotalBody(Wire):
    key: str = Field(description="The person or team.")
    runs: int = Field(description="MLflow runs started.")
    versions_registered: int = Field(description="Model versions registered.")
    publications: int = Field(description="Publications published.")
    lead_time_hours: float | None = Field(
        description="Median hours from first submission to publication; null: none published."
    )
    review_turnaround_hours: float | None = Field(
        description="Median hours from a submission to the first decision; null: none decided."
    )
    deployments: int = Field(description="Deployments created.")
    requests: int = Field(description="Requests the person's (team's) deployments served.")
    errors: int = Field(description="Of those, answered with an error (4xx, 5xx, 429).")
    error_rate: float | None = Field(description="errors / requests; null: no requests.")


class TeamRowBody(TeamTotalBody):
    period: date = Field(description="The first day of the period (a Monday for a week).")


def _team(figures: TeamFigures) -> dict[str, Any]:
    return {
        "runs": figures.runs,
        "versions_registered": figures.versions_registered,
        "publications": figures.publications,
        "lead_time_hours": figures.lead_time_hours,
        "review_turnaround_hours": figures.review_turnaround_hours,
        "deployments": figures.deployments,
        "requests": figures.requests,
        "errors": figures.errors,
        "error_rate": figures.error_rate,
    }


class TeamsBody(_Answer):
    from_: date = Field(alias="from")
    to: date
    by: str
    grain: str
    rows: list[TeamRowBody] = Field(description="Per key and period; empty periods left out.")
    totals: list[TeamTotalBody] = Field(description="Per key over the whole range.")

    @classmethod
    def of(cls, found: TeamReport) -> TeamsBody:
        return cls.model_validate(
            {
                "from": found.period.start,
                "to": found.period.end,
                "by": str(found.by),
                "grain": str(found.grain),
                "rows": [
                    TeamRowBody(key=r.key, period=r.period, **_team(r.figures)) for r in found.rows
                ],
                "totals": [TeamTotalBody(key=t.key, **_team(t.figures)) for t in found.totals],
            }
        )


# ---- CSV

#: each answer's CSV columns: its rows' fields, in the order the JSON writes them
USAGE_COLUMNS = ("key", *USAGE_FIGURES)
IDLE_COLUMNS = ("kind", "name", "owner", "profile", *USAGE_FIGURES)
TEAMS_COLUMNS = ("key", "period", *(n for n in TeamTotalBody.model_fields if n != "key"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # a number: never negative here, and a spreadsheet reads it as one


def csv_text(columns: Sequence[str], rows: Sequence[Wire]) -> str:
    """The rows as CSV under a header of ``columns`` (empty cells for nulls)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_cell(getattr(row, column)) for column in columns)
    return buffer.getvalue()


def csv_of(body: UsageBody | IdleBody | TeamsBody) -> str:
    if isinstance(body, UsageBody):
        return csv_text(USAGE_COLUMNS, body.rows)
    if isinstance(body, IdleBody):
        return csv_text(IDLE_COLUMNS, body.rows)
    return csv_text(TEAMS_COLUMNS, body.rows)


def wants_csv(value: str | None) -> bool:
    """``?format=``: json (or none) or csv; anything else is a 400 naming it."""
    if value in (None, "json", "csv"):
        return value == "csv"
    raise GroupingInvalid(
        "'format' must be one of json, csv.",
        "format",
        params={"field": "format", "allowed": "json, csv"},
    )


def period_of(start: str | None, end: str | None) -> Period:
    """The range asked (``from``, ``to``): the last 30 days, today (UTC) included, by default."""
    return rules.period(start, end, today=datetime.now(UTC).date())


def filename(what: str, body: UsageBody | IdleBody | TeamsBody) -> str:
    return f"analytics-{what}-{body.from_.isoformat()}-{body.to.isoformat()}.csv"


def answers(model: type[Wire]) -> OrAlso:
    """What a route answers: the model, or its rows as CSV with ``?format=csv``."""
    return OrAlso(model, "text/csv", CSV)
