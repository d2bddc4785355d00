"""Team figures: how people and teams work, read from what the platform already keeps.

Nothing here is sampled or stored of its own: runs and registered versions come from MLflow
(the record of experiments and of the registry), publications, reviews and deployments from
the audit log (every state change is recorded there, with who did it and when), requests and
errors from the deployments' traffic minutes. This module turns those raw events into figures
per person or team and per day, week or month, and is pure, so every figure is tested alone.

Whose figures a thing is:
- a run is its MLflow ``user_id``'s; a registered version its registered model's owner's;
- a publication, its lead time and its review turnaround are its author's (the actor who
  created it), counted on the day it was published or first decided;
- a deployment is the person who created it; its requests and errors are its owner's;
- a team's figures are the sums of its members' (a person's hub groups as the platform last saw
  them); the median of a team is the median over the members' publications, never a median of
  medians.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar

from .errors import GroupingInvalid
from .records import Grain, Period, Scope
from .rules import bucket

#: the audit actions the figures read (written by ``core/reviews`` and ``core/deployments``)
PUBLICATION_CREATED = "publication.created"
SUBMISSIONS = ("publication.submitted", "publication.resubmitted")
DECISIONS = ("publication.approved", "publication.changes_requested", "publication.rejected")
PUBLISHED = "publication.published"
DEPLOYMENT_CREATED = "deployment.created"
#: every publication action the timelines are built from
PUBLICATION_ACTIONS = (PUBLICATION_CREATED, *SUBMISSIONS, *DECISIONS, PUBLISHED)

E = TypeVar("E", bound=StrEnum)


class TeamGrouping(StrEnum):
    PERSON = "person"
    TEAM = "team"


@dataclass(frozen=True)
class TeamFigures:
    """What one person or team did in one period (or the whole range)."""

    runs: int = 0
    versions_registered: int = 0
    #: publications published in the period
    publications: int = 0
    #: median hours from first submission to publication, of those published in the period
    lead_time_hours: float | None = None
    #: median hours from a submission to the first review decision on it, of the decisions
    #: made in the period
    review_turnaround_hours: float | None = None
    deployments: int = 0
    requests: int = 0
    errors: int = 0

    @property
    def error_rate(self) -> float | None:
        """Errors per request; None when no request was served (no rate to speak of)."""
        return self.errors / self.requests if self.requests else None


@dataclass(frozen=True)
class TeamRow:
    key: str
    #: the first day of the bucket (the day, its week's Monday, its month's 1st)
    period: date
    figures: TeamFigures


@dataclass(frozen=True)
class TeamTotal:
    key: str
    figures: TeamFigures


@dataclass(frozen=True)
class TeamReport:
    period: Period
    by: TeamGrouping
    grain: Grain
    #: by key, then period; only the periods in which something happened
    rows: tuple[TeamRow, ...]
    #: one per key of ``rows``, over the whole range
    totals: tuple[TeamTotal, ...]


# ---- the raw events the ports answer with


@dataclass(frozen=True)
class DayCount:
    """``count`` things of one kind done by ``person`` on ``day`` (UTC)."""

    person: str
    day: date
    count: int


@dataclass(frozen=True)
class TrafficDay:
    """Requests a person's deployments served on ``day`` (UTC), and how many failed."""

    owner: str
    day: date
    requests: int
    errors: int


@dataclass(frozen=True)
class PublicationEvent:
    """One audit record of a publication: who did ``action`` to publication ``publication``."""

    publication: str
    actor: str
    action: str
    at: datetime


@dataclass(frozen=True)
class Timeline:
    """One publication's path, as its audit records tell it."""

    publication: str
    author: str
    first_submitted: datetime | None
    #: the first decision after a submission, and when that submission was made
    decided: datetime | None
    decided_submission: datetime | None
    published: datetime | None

    @property
    def lead_time_hours(self) -> float | None:
        if self.published is None or self.first_submitted is None:
            return None
        return _hours(self.published - self.first_submitted)

    @property
    def turnaround_hours(self) -> float | None:
        if self.decided is None or self.decided_submission is None:
            return None
        return _hours(self.decided - self.decided_submission)


def _hours(span: timedelta) -> float:
    return span.total_seconds() / 3600


# ---- pure rules


def grouping(by: str | None) -> TeamGrouping:
    """``by`` of a question (person when not given); another value is a 400 naming it."""
    return _choice("by", by, TeamGrouping, TeamGrouping.PERSON)


def grain(value: str | None) -> Grain:
    """``grain`` of a question (day when not given); another value is a 400 naming it."""
    return _choice("grain", value, Grain, Grain.DAY)


def _choice(field: str, value: str | None, kind: type[E], default: E) -> E:
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(choice) for choice in kind)
        raise GroupingInvalid(
            f"'{field}' must be one of {allowed}.",
            field,
            params={"field": field, "allowed": allowed},
        ) from None


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The range as instants: from the first day's midnight (UTC) to the midnight after the
    last day, the end excluded."""
    start = datetime.combine(period.start, time(), tzinfo=UTC)
    return start, datetime.combine(period.end + timedelta(days=1), time(), tzinfo=UTC)


def timelines(events: Iterable[PublicationEvent]) -> list[Timeline]:
    """Each publication's timeline from its audit records, in any order. The author is who
    created it (who submitted it, if its creation is not in the log); the lead time runs from
    its first submission, the turnaround from the submission a first decision answered (a
    withdrawn and later resubmitted draft waits from the later submission)."""
    by_publication: dict[str, list[PublicationEvent]] = {}
    for event in events:
        by_publication.setdefault(event.publication, []).append(event)
    found = []
    for publication, records in by_publication.items():
        records.sort(key=lambda e: e.at)
        author = next((e.actor for e in records if e.action == PUBLICATION_CREATED), "")
        submitted: datetime | None = None
        first_submitted: datetime | None = None
        decided = decided_submission = published = None
        for event in records:
            if event.action in SUBMISSIONS:
                author = author or event.actor
                submitted = event.at
                first_submitted = first_submitted or event.at
            elif event.action in DECISIONS and decided is None and submitted is not None:
                decided, decided_submission = event.at, submitted
            elif event.action == PUBLISHED and published is None:
                published = event.at
        if author:
            found.append(
                Timeline(
                    publication, author, first_submitted, decided, decided_submission, published
                )
            )
    return found


@dataclass
class _Tally:
    """What a key did in one bucket, the medians' samples kept until the figures are made."""

    runs: int = 0
    versions: int = 0
    deployments: int = 0
    requests: int = 0
    errors: int = 0
    publications: int = 0
    lead_times: list[float] = field(default_factory=list)
    turnarounds: list[float] = field(default_factory=list)

    def add(self, other: _Tally) -> None:
        self.runs += other.runs
        self.versions += other.versions
        self.deployments += other.deployments
        self.requests += other.requests
        self.errors += other.errors
        self.publications += other.publications
        self.lead_times.extend(other.lead_times)
        self.turnarounds.extend(other.turnarounds)

    def figures(self) -> TeamFigures:
        return TeamFigures(
            runs=self.runs,
            versions_registered=self.versions,
            publications=self.publications,
            lead_time_hours=_median(self.lead_times),
            review_turnaround_hours=_median(self.turnarounds),
            deployments=self.deployments,
            requests=self.requests,
            errors=self.errors,
        )


def _median(samples: Sequence[float]) -> float | None:
    return round(statistics.median(samples), 2) if samples else None


@dataclass(frozen=True)
class Activity:
    """Everything the sources answered for one range, before anyone's scope is applied."""

    runs: Sequence[DayCount] = ()
    versions: Sequence[DayCount] = ()
    deployments: Sequence[DayCount] = ()
    traffic: Sequence[TrafficDay] = ()
    publications: Sequence[Timeline] = ()


def _per_person_day(activity: Activity, period: Period) -> dict[tuple[str, date], _Tally]:
    tallies: dict[tuple[str, date], _Tally] = {}

    def tally(person: str, day: date) -> _Tally | None:
        if not person or not period.start <= day <= period.end:
            return None
        return tallies.setdefault((person, day), _Tally())

    for count in activity.runs:
        if (found := tally(count.person, count.day)) is not None:
            found.runs += count.count
    for count in activity.versions:
        if (found := tally(count.person, count.day)) is not None:
            found.versions += count.count
    for count in activity.deployments:
        if (found := tally(count.person, count.day)) is not None:
            found.deployments += count.count
    for day in activity.traffic:
        if (found := tally(day.owner, day.day)) is not None:
            found.requests += day.requests
            found.errors += day.errors
    for timeline in activity.publications:
        lead, turnaround = timeline.lead_time_hours, timeline.turnaround_hours
        if timeline.published is not None:
            found = tally(timeline.author, _utc_day(timeline.published))
            if found is not None:
                found.publications += 1
                if lead is not None:  # never None: a publication is published after review
                    found.lead_times.append(lead)
        if timeline.decided is not None and turnaround is not None:
            found = tally(timeline.author, _utc_day(timeline.decided))
            if found is not None:
                found.turnarounds.append(turnaround)
    return tallies


def _utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def keys_of(
    person: str, by: TeamGrouping, scope: Scope, teams_of: Mapping[str, Sequence[str]]
) -> list[str]:
    """The rows a person's figures count in, as the asker may see them: their own row (an
    admin's every person, anyone else only themselves), or every team of theirs the asker may
    see (a person in two teams counts in both)."""
    if by is TeamGrouping.PERSON:
        return [person] if scope.may_see_person(person) else []
    return [team for team in teams_of.get(person, ()) if scope.may_see_team(team)]


def report(
    activity: Activity,
    period: Period,
    by: TeamGrouping,
    grain: Grain,
    scope: Scope,
    teams_of: Mapping[str, Sequence[str]],
) -> TeamReport:
    """The figures per key and bucket the asker may see, and per key over the whole range."""
    rows: dict[tuple[str, date], _Tally] = {}
    totals: dict[str, _Tally] = {}
    for (person, day), tally in _per_person_day(activity, period).items():
        for key in keys_of(person, by, scope, teams_of):
            rows.setdefault((key, bucket(day, grain)), _Tally()).add(tally)
            totals.setdefault(key, _Tally()).add(tally)
    return TeamReport(
        period=period,
        by=by,
        grain=grain,
        rows=tuple(
            TeamRow(key, start, rows[(key, start)].figures()) for key, start in sorted(rows)
        ),
        totals=tuple(TeamTotal(key, totals[key].figures()) for key in sorted(totals)),
    )


def people_to_ask(
    by: TeamGrouping, scope: Scope, teams_of: Mapping[str, Sequence[str]]
) -> list[str]:
    """Whose runs must be counted for the asker's rows: everybody the platform has seen for an
    admin; otherwise themselves, and for team rows every member of their teams."""
    if scope.everyone:
        return sorted(set(teams_of) | {scope.person})
    if by is TeamGrouping.PERSON:
        return [scope.person]
    members = {person for person, teams in teams_of.items() if any(t in scope.teams for t in teams)}
    return sorted(members | {scope.person})
