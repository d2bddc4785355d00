"""The team figures' pure rules: a publication's timeline from its audit records, medians over
a team's publications (never a median of medians), buckets of a week and a month, and whose
rows an asker sees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jupyterlab_mlplat.core.analytics import rules, teams
from jupyterlab_mlplat.core.analytics.errors import GroupingInvalid
from jupyterlab_mlplat.core.analytics.records import Grain, Period
from jupyterlab_mlplat.core.analytics.teams import (
    Activity,
    DayCount,
    PublicationEvent,
    TeamGrouping,
    TrafficDay,
)
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
ALICE = Identity("alice", ("team-a",))
BOB = Identity("bob", ("team-a",))
ADAM = Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN))
TEAMS_OF = {"alice": ("team-a",), "bob": ("team-a", "team-b"), "carol": ("team-b",)}
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def _event(publication: str, actor: str, action: str, hours: float) -> PublicationEvent:
    return PublicationEvent(publication, actor, action, T0 + timedelta(hours=hours))


def test_a_timeline_runs_from_the_first_submission_and_the_answered_one() -> None:
    events = [
        _event("1", "rita", "publication.published", 30),
        _event("1", "alice", "publication.created", 0),
        _event("1", "alice", "publication.submitted", 1),
        _event("1", "rita", "publication.changes_requested", 3),
        _event("1", "alice", "publication.resubmitted", 10),
        _event("1", "rita", "publication.approved", 29),
        # withdrawn and submitted again: the wait is counted from the later submission
        _event("2", "bob", "publication.created", 0),
        _event("2", "bob", "publication.submitted", 1),
        _event("2", "bob", "publication.submitted", 20),
        _event("2", "rita", "publication.rejected", 22),
    ]
    found = {t.publication: t for t in teams.timelines(events)}
    assert found["1"].author == "alice"
    assert found["1"].lead_time_hours == 29.0
    assert found["1"].turnaround_hours == 2.0
    assert found["2"].author == "bob"
    assert found["2"].lead_time_hours is None
    assert found["2"].turnaround_hours == 2.0


def test_team_medians_pool_the_members_publications_and_no_requests_is_no_error_rate() -> None:
    events = []
    # alice: lead times 1 h and 3 h; bob: 10 h — team-a's median is 3 h, not mean of medians
    for number, (author, lead) in enumerate((("alice", 1), ("alice", 3), ("bob", 10))):
        pid = str(number)
        events += [
            _event(pid, author, "publication.created", 0),
            _event(pid, author, "publication.submitted", 0),
            _event(pid, "rita", "publication.approved", lead / 2),
            _event(pid, "rita", "publication.published", lead),
        ]
    activity = Activity(
        runs=[DayCount("alice", date(2026, 11, 2), 2), DayCount("bob", date(2026, 11, 3), 1)],
        traffic=[TrafficDay("bob", date(2026, 11, 2), 400, 4)],
        publications=teams.timelines(events),
    )
    by_team = teams.report(
        activity, NOVEMBER, TeamGrouping.TEAM, Grain.MONTH, rules.scope(ADAM), TEAMS_OF
    )
    totals = {t.key: t.figures for t in by_team.totals}
    assert totals["team-a"].publications == 3
    assert totals["team-a"].lead_time_hours == 3.0
    assert totals["team-a"].review_turnaround_hours == 1.5
    assert totals["team-a"].runs == 3
    assert totals["team-a"].error_rate == 0.01
    # bob is in two teams: counted in both
    assert totals["team-b"].runs == 1 and totals["team-b"].publications == 1
    by_person = teams.report(
        activity, NOVEMBER, TeamGrouping.PERSON, Grain.DAY, rules.scope(ADAM), TEAMS_OF
    )
    alice = {t.key: t.figures for t in by_person.totals}["alice"]
    assert alice.lead_time_hours == 2.0 and alice.requests == 0 and alice.error_rate is None


def test_weeks_start_on_monday_and_months_on_the_first() -> None:
    days = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 8), date(2026, 12, 1)]
    activity = Activity(runs=[DayCount("alice", day, 1) for day in days])
    period = Period(date(2026, 10, 30), date(2026, 12, 3))
    scope = rules.scope(ALICE)
    weekly = teams.report(activity, period, TeamGrouping.PERSON, Grain.WEEK, scope, TEAMS_OF)
    assert [(r.period, r.figures.runs) for r in weekly.rows] == [
        (date(2026, 10, 26), 1),
        (date(2026, 11, 2), 2),
        (date(2026, 11, 30), 1),
    ]
    monthly = teams.report(activity, period, TeamGrouping.PERSON, Grain.MONTH, scope, TEAMS_OF)
    assert [(r.period, r.figures.runs) for r in monthly.rows] == [
        (date(2026, 11, 1), 3),
        (date(2026, 12, 1), 1),
    ]
    assert [t.figures.runs for t in monthly.totals] == [4]


def test_days_outside_the_range_are_left_out() -> None:
    activity = Activity(runs=[DayCount("alice", date(2026, 10, 31), 5)])
    found = teams.report(
        activity, NOVEMBER, TeamGrouping.PERSON, Grain.DAY, rules.scope(ALICE), TEAMS_OF
    )
    assert found.rows == () and found.totals == ()


def test_a_person_sees_their_row_and_their_teams_sums_never_a_teammates_row() -> None:
    activity = Activity(
        runs=[DayCount("alice", date(2026, 11, 2), 1), DayCount("bob", date(2026, 11, 2), 2)],
        deployments=[DayCount("carol", date(2026, 11, 2), 1)],
    )
    alice = rules.scope(ALICE)
    people = teams.report(activity, NOVEMBER, TeamGrouping.PERSON, Grain.DAY, alice, TEAMS_OF)
    assert [t.key for t in people.totals] == ["alice"]
    team = teams.report(activity, NOVEMBER, TeamGrouping.TEAM, Grain.DAY, alice, TEAMS_OF)
    assert [(t.key, t.figures.runs) for t in team.totals] == [("team-a", 3)]
    adam = teams.report(
        activity, NOVEMBER, TeamGrouping.PERSON, Grain.DAY, rules.scope(ADAM), TEAMS_OF
    )
    assert [t.key for t in adam.totals] == ["alice", "bob", "carol"]


def test_whose_runs_are_asked_for() -> None:
    assert teams.people_to_ask(TeamGrouping.PERSON, rules.scope(ALICE), TEAMS_OF) == ["alice"]
    assert teams.people_to_ask(TeamGrouping.TEAM, rules.scope(ALICE), TEAMS_OF) == [
        "alice",
        "bob",
    ]
    assert teams.people_to_ask(TeamGrouping.TEAM, rules.scope(ADAM), TEAMS_OF) == [
        "adam",
        "alice",
        "bob",
        "carol",
    ]


@pytest.mark.parametrize(
    ("read", "field", "value"),
    [(teams.grouping, "by", "profile"), (teams.grain, "grain", "year"), (teams.grain, "grain", "")],
)
def test_a_grouping_it_does_not_have_is_refused_naming_the_field(
    read: object, field: str, value: str
) -> None:
    with pytest.raises(GroupingInvalid) as refused:
        read(value)  # type: ignore[operator]
    assert refused.value.field == field
    assert refused.value.params["field"] == field
    assert "," in str(refused.value.params["allowed"])


def test_defaults_are_person_and_day() -> None:
    assert teams.grouping(None) is TeamGrouping.PERSON
    assert teams.grain(None) is Grain.DAY


def test_a_publication_without_its_submission_in_the_log_still_counts_once() -> None:
    events = [
        _event("9", "alice", "publication.created", 0),
        _event("9", "rita", "publication.published", 5),
    ]
    found = teams.report(
        Activity(publications=teams.timelines(events)),
        NOVEMBER,
        TeamGrouping.PERSON,
        Grain.DAY,
        rules.scope(ALICE),
        TEAMS_OF,
    )
    (total,) = found.totals
    assert (total.figures.publications, total.figures.lead_time_hours) == (1, None)
