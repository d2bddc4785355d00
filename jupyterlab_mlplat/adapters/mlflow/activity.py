"""MLflow's side of the team figures (``core.analytics.teams_ports.MlflowActivity``): runs
started and model versions registered per person and day, read page by page over the
platform's registry.

Runs are counted as each person: MLflow's auth hides a private experiment from everybody but
its owner, the platform's own identity included, so a count made as the platform would miss
exactly the work people keep to themselves. Versions are read as the platform: registered
models are readable by everyone, and a version is its registered model's owner's work (only
the owner may add versions to it).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from jupyterlab_mlplat.core.analytics.teams import DayCount
from jupyterlab_mlplat.core.kernel.naming import PLATFORM_IDENTITY
from jupyterlab_mlplat.core.models.records import TAG_CREATED_BY

from .registry import PlatformMlflowRegistry

#: rows one search asks for (MLflow's own most for runs is 50,000; its default 1,000)
PAGE = 1000
#: experiments named in one run search (the ids travel in a JSON body)
EXPERIMENTS_PER_SEARCH = 200
#: people whose runs are counted at once (each a few searches on MLflow's single worker)
CONCURRENT_PEOPLE = 4


def _millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _day(millis: Any) -> date | None:
    try:
        return datetime.fromtimestamp(int(millis) / 1000, UTC).date()
    except (TypeError, ValueError, OverflowError):
        return None


def _quoted(text: str) -> str | None:
    """``text`` in MLflow's filter language (no escapes: quoted with the quote it lacks)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return None


class MlflowTeamActivity:
    def __init__(self, registry: PlatformMlflowRegistry) -> None:
        self.registry = registry

    async def runs_started(
        self, people: Sequence[str], since: datetime, until: datetime
    ) -> list[DayCount]:
        gate = asyncio.Semaphore(CONCURRENT_PEOPLE)

        async def one(person: str) -> list[DayCount]:
            async with gate:
                return await self._runs_of(person, since, until)

        found = await asyncio.gather(*(one(person) for person in people))
        return [count for counts in found for count in counts]

    async def _runs_of(self, person: str, since: datetime, until: datetime) -> list[DayCount]:
        name = _quoted(person)
        if name is None:  # no hub name holds both quotes; MLflow could not be asked about it
            return []
        as_person = self.registry.as_author(person)
        experiments = await self._experiment_ids(as_person)
        where = (
            f"attributes.user_id = {name} and attributes.start_time >= {_millis(since)} "
            f"and attributes.start_time < {_millis(until)}"
        )
        days: Counter[date] = Counter()
        for start in range(0, len(experiments), EXPERIMENTS_PER_SEARCH):
            payload: dict[str, Any] = {
                "experiment_ids": experiments[start : start + EXPERIMENTS_PER_SEARCH],
                "filter": where,
                "max_results": PAGE,
                "run_view_type": "ACTIVE_ONLY",
            }
            while True:
                answer = await as_person._json("POST", "runs/search", payload=payload)
                for run in answer.get("runs", []):
                    day = _day(run.get("info", {}).get("start_time"))
                    if day is not None:
                        days[day] += 1
                token = answer.get("next_page_token")
                if not token:
                    break
                payload["page_token"] = token
        return [DayCount(person, day, n) for day, n in sorted(days.items())]

    @staticmethod
    async def _experiment_ids(as_person: PlatformMlflowRegistry) -> list[str]:
        ids: list[str] = []
        query: dict[str, Any] = {"max_results": PAGE, "view_type": "ACTIVE_ONLY"}
        while True:
            answer = await as_person._json("GET", "experiments/search", query=query)
            ids.extend(str(e["experiment_id"]) for e in answer.get("experiments", []))
            token = answer.get("next_page_token")
            if not token:
                return ids
            query["page_token"] = token

    async def versions_registered(self, since: datetime, until: datetime) -> list[DayCount]:
        owners = await self._model_owners()
        counts: Counter[tuple[str, date]] = Counter()
        first, last = _millis(since), _millis(until)
        query: dict[str, Any] = {"max_results": PAGE, "order_by": "creation_timestamp DESC"}
        while True:
            answer = await self.registry._json("GET", "model-versions/search", query=query)
            older = False
            for version in answer.get("model_versions", []):
                created = int(version.get("creation_timestamp") or 0)
                if created < first:
                    older = True  # newest first: every later one is older still
                    continue
                if created >= last:
                    continue
                owner = owners.get(str(version.get("name", ""))) or version.get("user_id") or ""
                day = _day(created)
                if owner and owner != PLATFORM_IDENTITY and day is not None:
                    counts[(owner, day)] += 1
            token = answer.get("next_page_token")
            if older or not token:
                break
            query["page_token"] = token
        return [DayCount(owner, day, n) for (owner, day), n in sorted(counts.items())]

    async def _model_owners(self) -> dict[str, str]:
        owners: dict[str, str] = {}
        query: dict[str, Any] = {"max_results": PAGE}
        while True:
            answer = await self.registry._json("GET", "registered-models/search", query=query)
            for model in answer.get("registered_models", []):
                tags = {t.get("key"): t.get("value", "") for t in model.get("tags", []) or []}
                owners[str(model.get("name", ""))] = str(tags.get(TAG_CREATED_BY, ""))
            token = answer.get("next_page_token")
            if not token:
                return owners
            query["page_token"] = token
