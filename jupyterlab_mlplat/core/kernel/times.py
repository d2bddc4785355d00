"""Instants people and pages send as text (``?since=``, ``?from=``): one reading for all."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_LEAP_SECOND = re.compile(r"(T\d\d:\d\d:)60")


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date or time, or any RFC 3339 date-time (lower-case ``t``/``z``, a leap
    second read as :59), in UTC; UTC when it names no zone, and a time whose zone carries it
    past the calendar's ends reads as that end. ``ValueError`` for anything else: the caller
    says which field it was."""
    at = datetime.fromisoformat(_LEAP_SECOND.sub(r"\g<1>59", text.strip().upper()))
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    try:
        return at.astimezone(UTC)
    except OverflowError:
        return (datetime.min if at.year == 1 else datetime.max).replace(tzinfo=UTC)
