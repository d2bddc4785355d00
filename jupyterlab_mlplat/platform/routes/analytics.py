"""Analytics for everybody: usage of the cluster's resources, the idlest workloads, and the
team figures, as JSON or CSV. No role is needed: the services narrow what a person sees (an
admin every person and team, anybody else their own rows and their teams' sums)."""

from __future__ import annotations

from jupyterlab_mlplat.api.analytics import (
    ERRORS,
    IDLE_QUERY,
    TEAMS_QUERY,
    USAGE_QUERY,
    IdleBody,
    TeamsBody,
    UsageBody,
    answers,
    csv_of,
    filename,
    period_of,
    wants_csv,
)
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.platform.base import PlatformHandler

_ERRORS = {**ERRORS, 503: "A source of the figures (MLflow, the database) did not answer."}


class _AnalyticsHandler(PlatformHandler):
    #: the answer's name in a CSV's file name
    what = ""

    def argument(self, name: str) -> str | None:
        return self.get_query_argument(name, None)

    def send_answer(self, body: UsageBody | IdleBody | TeamsBody, csv: bool) -> None:
        if not csv:
            self.send_model(body)
            return
        self.set_header("Content-Type", "text/csv; charset=UTF-8")
        self.set_header(
            "Content-Disposition", f'attachment; filename="{filename(self.what, body)}"'
        )
        self.finish(csv_of(body).encode())


class AnalyticsUsageHandler(_AnalyticsHandler):
    route_name = "analytics_usage"
    what = "usage"

    @operation(
        "Resources requested and used per team, profile or person over a range of days, and "
        "per day; as CSV with format=csv.",
        {200: (answers(UsageBody), "The rows the caller may see, and every day's sums.")},
        query=USAGE_QUERY,
        errors=_ERRORS,
    )
    async def get(self) -> None:
        csv = wants_csv(self.argument("format"))
        period = period_of(self.argument("from"), self.argument("to"))
        by, kind = self.argument("by"), self.argument("kind")
        by, kind = "team" if by is None else by, "all" if kind is None else kind
        found = await self.run(self.services.usage.usage, self.identity, period, by, kind)
        self.send_answer(UsageBody.of(found), csv)


class AnalyticsIdleHandler(_AnalyticsHandler):
    route_name = "analytics_idle"
    what = "idle"

    @operation(
        "The workloads that ran idle longest over a range of days (idle GPU hours first); "
        "as CSV with format=csv.",
        {200: (answers(IdleBody), "The idlest workloads the caller may see.")},
        query=IDLE_QUERY,
        errors=_ERRORS,
    )
    async def get(self) -> None:
        csv = wants_csv(self.argument("format"))
        period = period_of(self.argument("from"), self.argument("to"))
        limit = self.int_argument("limit") if self.argument("limit") is not None else 10
        kind = self.argument("kind")
        kind = "all" if kind is None else kind
        found = await self.run(
            self.services.usage.idle_workloads, self.identity, period, limit, kind
        )
        self.send_answer(IdleBody.of(period, found), csv)


class AnalyticsTeamsHandler(_AnalyticsHandler):
    route_name = "analytics_teams"
    what = "teams"

    @operation(
        "Team figures per person or team and per day, week or month: runs, registered "
        "versions, publications and their lead time, review turnaround, deployments, requests "
        "and errors; as CSV with format=csv.",
        {200: (answers(TeamsBody), "The rows the caller may see, and each key's totals.")},
        query=TEAMS_QUERY,
        errors=_ERRORS,
    )
    async def get(self) -> None:
        csv = wants_csv(self.argument("format"))
        period = period_of(self.argument("from"), self.argument("to"))
        by, grain = self.argument("by"), self.argument("grain")
        found = await self.services.teams.figures(self.identity, period, by, grain)
        self.send_answer(TeamsBody.of(found), csv)


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/analytics/usage", AnalyticsUsageHandler),
    ("api/v1/analytics/idle", AnalyticsIdleHandler),
    ("api/v1/analytics/teams", AnalyticsTeamsHandler),
]
