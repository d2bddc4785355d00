"""The date range every analytics question is asked over, and who the asker may see.

A range is whole days in UTC, both ends included, as the sidebar's date pickers give them: the
figures are kept per day, so a range never splits one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both included (checked by ``rules.period``)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> Iterator[date]:
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)


class Grain(StrEnum):
    """How figures over time are bucketed; a week starts on Monday (ISO), a month on its 1st."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Scope:
    """Whose figures the asker may see: an admin everybody's; anybody else their own and their
    teams' (hub groups), summed per team, never a teammate's alone."""

    #: True for an admin: every person and every team
    everyone: bool
    #: the asker's own name (their per-person rows)
    person: str
    #: the teams (hub groups) whose sums the asker may see; every team when ``everyone``
    teams: frozenset[str]

    def may_see_person(self, name: str) -> bool:
        return self.everyone or name == self.person

    def may_see_team(self, team: str) -> bool:
        return self.everyone or team in self.teams
