"""The pure rules every analytics question shares: reading a date range, bucketing days, and
whom an identity may see."""

from __future__ import annotations

from datetime import date, timedelta

from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from .errors import PeriodInvalid
from .records import Grain, Period, Scope

#: the longest range one question may cover: a year and a day (a leap year's whole year)
MAXIMUM_DAYS = 366
#: the range asked when none is given: the last 30 days, today included
DEFAULT_DAYS = 30


def period(start: str | None, end: str | None, *, today: date) -> Period:
    """The range ``from``..``to`` (ISO dates, ``YYYY-MM-DD``); a missing end is today, a missing
    start 30 days before the end (an empty one is not missing: it is not a date). A 400 naming
    the field for a date that is not one, a range that ends before it starts or is longer than
    a year."""
    last = _day("to", end) if end is not None else today
    first = _day("from", start) if start is not None else last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise PeriodInvalid(
            f"The range ends ({last}) before it starts ({first}): pick a 'to' on or after 'from'.",
            "to",
            params={"field": "to", "from": first.isoformat(), "to": last.isoformat()},
        )
    if (last - first).days + 1 > MAXIMUM_DAYS:
        raise PeriodInvalid(
            f"The range covers more than {MAXIMUM_DAYS} days: ask for a year at most.",
            "from",
            params={"field": "from", "maximum_days": MAXIMUM_DAYS},
        )
    return Period(first, last)


def _day(field: str, text: str) -> date:
    try:
        # YYYY-MM-DD only: Python also reads 2026-W49-4 (a week date) of the same length
        if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text[:4].isdigit():
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodInvalid(
            f"'{field}' must be a date written YYYY-MM-DD (for example 2026-12-01).",
            field,
            params={"field": field},
        ) from None


def bucket(day: date, grain: Grain) -> date:
    """The first day of the bucket ``day`` falls in: itself, its week's Monday, its month's 1st."""
    if grain is Grain.WEEK:
        return day - timedelta(days=day.weekday())
    if grain is Grain.MONTH:
        return day.replace(day=1)
    return day


def scope(identity: Identity) -> Scope:
    """What ``identity`` may see: an admin (or a hub service acting for the console) everybody;
    a person their own figures and the sums of the teams they are in."""
    everyone = identity.kind == "user" and identity.has(Role.ADMIN)
    return Scope(everyone=everyone, person=identity.name, teams=frozenset(identity.groups))
