"""The sidebar's analytics: forwarded to the platform with this server's token, so the figures
are the person's own and their teams' (an admin's everybody's) whatever the request says —
the platform knows who the token is, and no parameter names a person. The query goes on as it
was written: the platform reads it and names what is wrong; a CSV is passed on as the file the
platform made."""

from __future__ import annotations

from collections.abc import Sequence

import tornado.web

from jupyterlab_mlplat.api.analytics import (
    ERRORS,
    IDLE_QUERY,
    TEAMS_QUERY,
    USAGE_QUERY,
    IdleBody,
    TeamsBody,
    UsageBody,
    answers,
)
from jupyterlab_mlplat.api.openapi import Query, operation

from .base import SidebarHandler

_ERRORS = {**ERRORS, 503: "The platform, or a source of its figures, did not answer."}


class _AnalyticsHandler(SidebarHandler):
    what = ""
    declared: Sequence[Query] = ()

    def query(self) -> dict[str, str | None]:
        """The declared parameters as sent (None: not sent)."""
        return {q.name: self.get_argument(q.name, None) for q in self.declared}

    async def csv_asked(self) -> bool:
        """Whether the person asked for CSV; if so, the platform's file is written and the
        verb is done (``format`` json, or a wrong one the platform refuses, is the JSON's)."""
        if self.get_argument("format", None) != "csv":
            return False
        found = await self.client.analytics_csv(self.what, self.query())
        self.set_header("Content-Type", "text/csv; charset=UTF-8")
        self.set_header("Content-Disposition", f'attachment; filename="{found.filename}"')
        self.write(found.content)
        await self.flush()  # sent now: APIHandler.finish would call the body JSON
        self.finish()
        return True


class AnalyticsUsageHandler(_AnalyticsHandler):
    what, declared = "usage", USAGE_QUERY

    @operation(
        "Resources requested and used per team, profile or person, and per day (yours and "
        "your teams'; an admin's every team); as CSV with format=csv.",
        {200: (answers(UsageBody), "The rows you may see, and every day's sums.")},
        query=USAGE_QUERY,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        if not await self.csv_asked():
            self.write_model(await self.client.analytics_usage(self.query()))


class AnalyticsIdleHandler(_AnalyticsHandler):
    what, declared = "idle", IDLE_QUERY

    @operation(
        "The workloads that ran idle longest (yours; an admin's everybody's); as CSV with "
        "format=csv.",
        {200: (answers(IdleBody), "The idlest workloads you may see.")},
        query=IDLE_QUERY,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        if not await self.csv_asked():
            self.write_model(await self.client.analytics_idle(self.query()))


class AnalyticsTeamsHandler(_AnalyticsHandler):
    what, declared = "teams", TEAMS_QUERY

    @operation(
        "Team figures per person or team and per day, week or month (your row and your "
        "teams' sums; an admin's everybody's); as CSV with format=csv.",
        {200: (answers(TeamsBody), "The rows you may see, and each key's totals.")},
        query=TEAMS_QUERY,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        if not await self.csv_asked():
            self.write_model(await self.client.analytics_teams(self.query()))


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("analytics/usage", AnalyticsUsageHandler),
    ("analytics/idle", AnalyticsIdleHandler),
    ("analytics/teams", AnalyticsTeamsHandler),
]
