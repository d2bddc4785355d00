"""Team figures as a person asks for them: the range, the grouping and the grain read, the
sources asked for what the asker may see, and the rows summed (``teams.report``)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from jupyterlab_mlplat.core.kernel.identity import Identity

from . import rules, teams
from .records import Period
from .teams import Activity, TeamReport
from .teams_ports import MlflowActivity, TeamActivityLog


class TeamService:
    """``mlflow`` is None where the platform has no MLflow (runs and versions then count 0)."""

    def __init__(
        self,
        store: TeamActivityLog,
        mlflow: MlflowActivity | None,
    ) -> None:
        self.store = store
        self.mlflow = mlflow

    async def figures(
        self, identity: Identity, period: Period, by: str | None, grain: str | None
    ) -> TeamReport:
        """Per person or team (``by``) and day, week or month (``grain``): an admin's every
        person and team, anybody else's their own row and their teams' sums."""
        grouping, bucketing = teams.grouping(by), teams.grain(grain)
        scope = rules.scope(identity)
        since, until = teams.bounds(period)
        activity, teams_of = await asyncio.to_thread(self._from_store, identity, since, until)
        runs: list[teams.DayCount] = []
        versions: list[teams.DayCount] = []
        if self.mlflow is not None:
            people = teams.people_to_ask(grouping, scope, teams_of)
            runs, versions = await asyncio.gather(
                self.mlflow.runs_started(people, since, until),
                self.mlflow.versions_registered(since, until),
            )
        whole = Activity(
            runs=runs,
            versions=versions,
            deployments=activity.deployments,
            traffic=activity.traffic,
            publications=activity.publications,
        )
        return teams.report(whole, period, grouping, bucketing, scope, teams_of)

    def _from_store(
        self, identity: Identity, since: datetime, until: datetime
    ) -> tuple[Activity, dict[str, tuple[str, ...]]]:
        teams_of = {user.name: user.groups for user in self.store.platform_users()}
        # the asker's teams as their token carries them now, not as last recorded
        teams_of[identity.name] = identity.groups
        activity = Activity(
            deployments=self.store.actions_per_day(teams.DEPLOYMENT_CREATED, since, until),
            traffic=self.store.traffic_per_day(since, until),
            publications=teams.timelines(self.store.publication_events(since, until)),
        )
        return activity, teams_of
