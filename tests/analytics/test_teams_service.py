"""Team figures from what the real services wrote, on SQLite and PostgreSQL: alice publishes
two versions (rita approves one at once, asks for changes on the other), alice and bob
deploy today, the gateway reports their deployments' traffic of yesterday. The log is
append-only and stamps the clock's time, so the publications are made by the services in a
scratch store and their records written into the figures' store on the days the story has
them happen (as the unit of work writes them, only at another time). Runs and versions come
through the MLflow port (MLflow itself is ``test_teams_mlflow.py``'s)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.schema import audit
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.api.reviews import ModelCardRules
from jupyterlab_mlplat.core.accounts.records import UserRecord
from jupyterlab_mlplat.core.analytics import rules
from jupyterlab_mlplat.core.analytics.errors import GroupingInvalid
from jupyterlab_mlplat.core.analytics.records import Grain, Period
from jupyterlab_mlplat.core.analytics.teams import DayCount, TeamFigures, TeamReport
from jupyterlab_mlplat.core.analytics.teams_service import TeamService
from jupyterlab_mlplat.core.deployments.records import Stage
from jupyterlab_mlplat.core.deployments.service import DeploymentService
from jupyterlab_mlplat.core.deployments.traffic import TrafficSettings
from jupyterlab_mlplat.core.deployments.traffic_service import TrafficService
from jupyterlab_mlplat.core.experiments.errors import MLflowUnavailable
from jupyterlab_mlplat.core.kernel.identity import REPORT_TRAFFIC_SCOPE, Identity, Role
from jupyterlab_mlplat.core.reviews.records import Action, CodeDiff
from jupyterlab_mlplat.core.reviews.service import ReviewService
from tests.deployments.conftest import MemorySources
from tests.reviews.conftest import CARD, MemoryRegistry
from tests.traffic.conftest import minute

ALICE = Identity("alice", ("team-a",))
BOB = Identity("bob", ("team-a",))
CAROL = Identity("carol", ("team-b",))
RITA = Identity("rita", ("reviewers",), roles=(Role.DATA_SCIENTIST, Role.REVIEWER))
ADAM = Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN))
GATEWAY = Identity(
    "deployments", roles=(), kind="service", grants=frozenset({REPORT_TRAFFIC_SCOPE})
)
TODAY = datetime.now(UTC).date()
#: the last 30 days, as a question without a range asks
RECENT = rules.period(None, None, today=TODAY)
#: the story's first day: 20 days ago
BASE = datetime.combine(TODAY - timedelta(days=20), time(), tzinfo=UTC)


def at(day: int, hour: int) -> datetime:
    """``hour`` o'clock of the story's day ``day`` (0: 20 days ago)."""
    return BASE + timedelta(days=day, hours=hour)


def day(number: int) -> date:
    return (BASE + timedelta(days=number)).date()


@dataclass
class Runs:
    """The MLflow port answering what the test says MLflow holds (or that it is down)."""

    runs: list[DayCount] = field(default_factory=list)
    versions: list[DayCount] = field(default_factory=list)
    down: bool = False
    asked: list[list[str]] = field(default_factory=list)

    async def runs_started(
        self, people: Sequence[str], since: datetime, until: datetime
    ) -> list[DayCount]:
        self.asked.append(list(people))
        if self.down:
            raise MLflowUnavailable("MLflow is not reachable right now.")
        return [r for r in self.runs if r.person in people]

    async def versions_registered(self, since: datetime, until: datetime) -> list[DayCount]:
        return list(self.versions)


@dataclass
class World:
    store: SqlStore
    mlflow: Runs
    teams: TeamService

    def figures(self, who: Identity, by: str, grain: str, period: Period = RECENT) -> TeamReport:
        return asyncio.run(self.teams.figures(who, period, by, grain))

    def audit_count(self) -> int:
        with self.store.engine.connect() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(audit)).scalar_one()
            )


def _story(store: SqlStore, scratch: SqlStore) -> None:
    reviews = ReviewService(scratch, MemoryRegistry(), ModelCardRules(), approvals_required=1)
    diff = CodeDiff("a" * 40, "b" * 40, "--- a/train.ipynb\n+++ b/train.ipynb\n")

    def run(coro: Any) -> Any:
        return asyncio.run(coro)

    # publication 1: submitted day 0 09:00, approved and published day 1 14:00 (29 h, 29 h)
    first = run(reviews.create(ALICE, "churn-model", "1", CARD))
    first = run(reviews.submit(ALICE, first.id, first.revision, diff))
    run(reviews.decide(RITA, first.id, first.revision, Action.APPROVE, "good"))
    # publication 2: submitted day 2 10:00, changes asked 12:00 (2 h), resubmitted day 3 10:00,
    # approved and published 11:00 (lead time 25 h)
    second = run(reviews.create(ALICE, "churn-model", "2", CARD))
    second = run(reviews.submit(ALICE, second.id, second.revision, diff))
    second = run(
        reviews.decide(RITA, second.id, second.revision, Action.REQUEST_CHANGES, "add a metric")
    )
    second = run(reviews.submit(ALICE, second.id, second.revision, diff))
    run(reviews.decide(RITA, second.id, second.revision, Action.APPROVE, "good"))
    when = {
        (str(first.id), "publication.created"): at(0, 8),
        (str(first.id), "publication.submitted"): at(0, 9),
        (str(first.id), "publication.approved"): at(1, 14),
        (str(first.id), "publication.published"): at(1, 14),
        (str(second.id), "publication.created"): at(2, 9),
        (str(second.id), "publication.submitted"): at(2, 10),
        (str(second.id), "publication.changes_requested"): at(2, 12),
        (str(second.id), "publication.resubmitted"): at(3, 10),
        (str(second.id), "publication.approved"): at(3, 11),
        (str(second.id), "publication.published"): at(3, 11),
    }
    written = [e for e in scratch.audit_entries(limit=1000) if e.object_type == "publication"]
    assert {(e.object_id, e.action) for e in written} >= set(when)
    with store.engine.begin() as connection:
        for entry in written:
            connection.execute(
                sa.insert(audit).values(
                    at=when.get((entry.object_id, entry.action), at(3, 12)),
                    actor=entry.actor,
                    action=entry.action,
                    object_type=entry.object_type,
                    object_id=entry.object_id,
                    detail=entry.detail,
                    request_id=entry.request_id,
                )
            )

    deployments = DeploymentService(store, MemorySources())
    run(deployments.create(ALICE, "churn-api", Stage.STAGING, "churn-model", "1", "small"))
    run(deployments.create(BOB, "bob-api", Stage.STAGING, "bob-model", "1", "small"))
    traffic = TrafficService(store, store, TrafficSettings(retention_days=30))
    yesterday = datetime.combine(TODAY - timedelta(days=1), time(13), tzinfo=UTC)
    traffic.record(
        GATEWAY,
        "gw-1",
        [
            minute(yesterday, 600, deployment="churn-api", client_errors=4),
            minute(yesterday + timedelta(hours=1), 400, deployment="churn-api", server_errors=6),
            minute(yesterday, 200, deployment="bob-api", rate_limited=2),
        ],
    )


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    store = SqlStore.from_url(database_url)
    scratch = SqlStore.from_url(f"sqlite:///{tmp_path / 'scratch.sqlite'}")
    seen = datetime(2026, 10, 1, tzinfo=UTC)
    with store.transaction("test") as tx:
        for person in (ALICE, BOB, CAROL, RITA, ADAM):
            tx.save_user(UserRecord(person.name, person.roles, person.groups, seen, seen))
    _story(store, scratch)
    scratch.close()
    mlflow = Runs(
        runs=[
            DayCount("alice", day(0), 3),
            DayCount("bob", day(1), 2),
            DayCount("carol", day(1), 7),
        ],
        versions=[DayCount("alice", day(0), 2)],
    )
    try:
        yield World(store, mlflow, TeamService(store, mlflow))
    finally:
        store.close()


def _totals(report: TeamReport) -> dict[str, TeamFigures]:
    return {t.key: t.figures for t in report.totals}


def test_an_admin_sees_every_persons_figures_from_every_source(world: World) -> None:
    before = world.audit_count()
    found = _totals(world.figures(ADAM, "person", "month"))
    assert world.audit_count() == before  # a read: nothing recorded
    assert found["alice"] == TeamFigures(
        runs=3,
        versions_registered=2,
        publications=2,
        lead_time_hours=27.0,  # the median of 29 and 25
        review_turnaround_hours=15.5,  # the median of 29 and 2
        deployments=1,
        requests=1000,
        errors=10,
    )
    assert found["alice"].error_rate == 0.01
    assert found["bob"] == TeamFigures(runs=2, deployments=1, requests=200, errors=2)
    assert found["carol"] == TeamFigures(runs=7)
    # rita decided, but the figures of a publication are its author's
    assert "rita" not in found
    assert set(world.mlflow.asked[-1]) == {"adam", "alice", "bob", "carol", "rita"}


def test_days_and_weeks_bucket_each_figure_where_it_happened(world: World) -> None:
    daily = {(r.key, r.period): r.figures for r in world.figures(ADAM, "person", "day").rows}
    assert daily[("alice", day(1))].publications == 1
    assert daily[("alice", day(1))].lead_time_hours == 29.0
    assert daily[("alice", day(1))].review_turnaround_hours == 29.0
    assert daily[("alice", day(2))].review_turnaround_hours == 2.0
    assert daily[("alice", day(2))].publications == 0
    assert daily[("alice", day(3))].lead_time_hours == 25.0
    yesterday, today = TODAY - timedelta(days=1), TODAY
    assert (daily[("alice", yesterday)].requests, daily[("alice", yesterday)].errors) == (1000, 10)
    assert daily[("bob", today)].deployments == 1
    weekly = {(r.key, r.period): r.figures for r in world.figures(ADAM, "person", "week").rows}
    weeks = {rules.bucket(day(n), Grain.WEEK) for n in (1, 3)}
    assert sum(weekly[("alice", w)].publications for w in weeks) == 2
    assert weekly[("bob", rules.bucket(yesterday, Grain.WEEK))].requests == 200
    assert all(r.period.weekday() == 0 for r in world.figures(ADAM, "team", "week").rows)
    monthly = world.figures(ADAM, "person", "month").rows
    assert all(r.period.day == 1 for r in monthly)
    assert sum(r.figures.runs for r in monthly if r.key == "bob") == 2


def test_a_lead_time_that_started_before_the_range_still_counts(world: World) -> None:
    later = Period(day(1), TODAY)
    alice = _totals(world.figures(ADAM, "person", "month", later))["alice"]
    assert (alice.publications, alice.lead_time_hours) == (2, 27.0)
    # the first decision on publication 1 (day 1) is in; nothing of day 0 is
    assert alice.review_turnaround_hours == 15.5
    assert (alice.runs, alice.versions_registered, alice.requests) == (0, 0, 1000)


def test_alice_sees_her_row_and_her_teams_sum_never_bobs_row(world: World) -> None:
    people = world.figures(ALICE, "person", "month")
    assert [t.key for t in people.totals] == ["alice"]
    assert {r.key for r in people.rows} == {"alice"}
    assert world.mlflow.asked[-1] == ["alice"]
    team = _totals(world.figures(ALICE, "team", "month"))
    assert list(team) == ["team-a"]
    assert team["team-a"].runs == 5 and team["team-a"].requests == 1200
    assert team["team-a"].errors == 12 and team["team-a"].deployments == 2
    assert team["team-a"].lead_time_hours == 27.0
    assert set(world.mlflow.asked[-1]) == {"alice", "bob"}
    # carol is in team-b alone: her team's sum is hers, and nobody else's team is shown
    assert _totals(world.figures(CAROL, "team", "month")) == {"team-b": TeamFigures(runs=7)}
    everyone = _totals(world.figures(ADAM, "team", "month"))
    assert set(everyone) == {"team-a", "team-b"}  # rita's and adam's teams did nothing


def test_a_bad_grouping_is_refused_and_mlflow_down_is_unavailable(world: World) -> None:
    before = world.audit_count()
    with pytest.raises(GroupingInvalid) as refused:
        world.figures(ALICE, "profile", "month")
    assert refused.value.params["field"] == "by"
    with pytest.raises(GroupingInvalid) as refused:
        world.figures(ALICE, "person", "year")
    assert refused.value.params["field"] == "grain"
    world.mlflow.down = True
    with pytest.raises(MLflowUnavailable):
        world.figures(ALICE, "person", "month")
    assert world.audit_count() == before


def test_without_mlflow_runs_and_versions_are_zero(world: World) -> None:
    alone = TeamService(world.store, None)
    alice = _totals(asyncio.run(alone.figures(ALICE, RECENT, "person", "month")))["alice"]
    assert (alice.runs, alice.versions_registered, alice.publications) == (0, 0, 2)


def test_nothing_before_the_story(world: World) -> None:
    before = Period(day(-40), day(-1))
    assert world.figures(ADAM, "person", "day", before).rows == ()
