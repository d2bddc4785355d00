"""What the team figures need of the outside: the audit log and the traffic minutes (the
metadata store), MLflow (runs and registered versions), and the people the platform saw."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from jupyterlab_mlplat.core.accounts.records import UserRecord

from .teams import DayCount, PublicationEvent, TrafficDay


class TeamActivityLog(Protocol):
    """The metadata store's side: every read is of ``since`` (included) to ``until`` (not)."""

    def publication_events(self, since: datetime, until: datetime) -> list[PublicationEvent]:
        """Every publication record (creation, submissions, decisions, publication) of the
        publications decided on or published in the range, whenever each record was written:
        a lead time ending in the range may have started long before it."""

    def actions_per_day(self, action: str, since: datetime, until: datetime) -> list[DayCount]:
        """How many ``action`` records each actor wrote each day (UTC) of the range."""

    def traffic_per_day(self, since: datetime, until: datetime) -> list[TrafficDay]:
        """Requests and errors (4xx, 5xx and 429 alike) of every deployment, summed per owner
        and day (UTC)."""

    def platform_users(self) -> list[UserRecord]:
        """Everybody the platform has served, with the hub groups their token last carried."""


class MlflowActivity(Protocol):
    """MLflow's side; ``Unavailable`` when MLflow does not answer."""

    async def runs_started(
        self, people: Sequence[str], since: datetime, until: datetime
    ) -> list[DayCount]:
        """The runs each of ``people`` started per day (UTC) of the range, counted as that
        person (their private experiments included)."""

    async def versions_registered(self, since: datetime, until: datetime) -> list[DayCount]:
        """The model versions registered per day (UTC) of the range, per the registered
        model's owner (the catalog's copies, made by the platform, are not anyone's work)."""
