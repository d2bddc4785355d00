"""Experiments and runs as the sidebar shows them, whatever tracking server stores them.

The core decides what a row of the runs table holds, how a sort is expressed, and what the person
may change; the tracker adapter only fetches. Reads that do not depend on each other run
concurrently, and the runs table asks only for the page it shows.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TypeVar

from jupyterlab_mlplat.core.kernel.errors import Forbidden, InvalidInput
from jupyterlab_mlplat.core.kernel.identity import RECORD_EVENTS_SCOPE, Identity
from jupyterlab_mlplat.core.kernel.paging import Page

from .errors import (
    ArtifactPathOutsideRun,
    EventsFromGatewayOnly,
    ExperimentIdInvalid,
    MetricKeyMissing,
    NotANotebook,
    NotebooksUnavailable,
    NotYourExperiment,
    NotYourRun,
    PageSizeOutOfRange,
    PageTokenInvalid,
    RunIdInvalid,
    TooFewRunsToCompare,
    TooManyRunsToCompare,
)
from .ports import ExperimentsStore, Tracker, Workspace
from .records import (
    MAX_COMPARE,
    MAX_PAGE,
    MAX_RUN_CHARTS,
    MIN_COMPARE,
    TAG_GIT_COMMIT,
    TAG_GIT_REPO,
    TAG_PRIVATE,
    TAG_SOURCE_NOTEBOOK,
    ArtifactFile,
    Columns,
    Comparison,
    ExperimentRow,
    MetricHistories,
    MetricPoint,
    RunData,
    RunDetail,
    RunRow,
    RunsPage,
    Sort,
)
from .rules import may_change_experiment, may_change_run, privacy_tag, shown_tags

T = TypeVar("T")


def _duration(run: RunData) -> int | None:
    if run.start_time is None:
        return None
    if run.end_time is not None:
        return max(0, run.end_time - run.start_time)
    return None


def _row(run: RunData, me: str, columns: Columns | None) -> RunRow:
    params = (
        run.params
        if columns is None
        else {k: run.params[k] for k in columns.params if k in run.params}
    )
    metrics = (
        run.metrics
        if columns is None
        else {k: run.metrics[k] for k in columns.metrics if k in run.metrics}
    )
    return RunRow(
        id=run.id,
        name=run.name,
        experiment_id=run.experiment_id,
        status=run.status,
        start_time=run.start_time,
        end_time=run.end_time,
        duration_ms=_duration(run),
        user=run.user,
        source_notebook=run.tags.get(TAG_SOURCE_NOTEBOOK),
        # "" when the notebook was in no repository of the person's (it outvotes MLflow's guess)
        git_commit=run.tags.get(TAG_GIT_COMMIT) or None,
        params=params,
        metrics=metrics,
        can_write=may_change_run(run, me),
    )


def _detail(run: RunData, me: str) -> RunDetail:
    row = _row(run, me, None)
    return RunDetail(**vars(row), tags=shown_tags(run.tags), artifact_uri=run.artifact_uri)


#: a page token as the sidebar API documents it (anchored) and the service checks it: how many
#: rows come before the page, as the tracker counts them (see ``ports.Tracker``)
PAGE_TOKEN = r"[1-9][0-9]{0,8}"  # noqa: S105  (a pattern, not a secret)


def checked_experiment_id(value: str) -> str:
    if re.fullmatch(EXPERIMENT_ID, value) is None:
        raise ExperimentIdInvalid(
            f"{value[:100]!r} is not an experiment id",
            "experiment_id",
            params={"experiment_id": value[:100]},
        )
    return value


def _page_token(value: str | None) -> str | None:
    """A token of a later page, checked before the tracker sees it: a wrong one is the
    client's mistake, never the tracker's failure."""
    if value is not None and re.fullmatch(PAGE_TOKEN, value) is None:
        raise PageTokenInvalid(
            "page_token must be the next_page_token of the previous page",
            "page_token",
            params={"field": "page_token"},
        )
    return value


def _page_size(max_results: int) -> int:
    if not 1 <= max_results <= MAX_PAGE:
        raise PageSizeOutOfRange(
            f"max_results must be between 1 and {MAX_PAGE}",
            "max_results",
            params={"limit": MAX_PAGE},
        )
    return max_results


#: a notebook's path as the sidebar API documents it (anchored) and the service checks it
NOTEBOOK_PATH = r"[^\x00]*\.ipynb"
#: one part of an artifact path: anything without '/' but '..', and without what MLflow's own
#: check refuses as "Invalid path" (it decodes %-escapes until nothing changes, so '%2e%2e' would
#: be '..'; '#'; a backslash, a Windows separator; a first part with ':' could be a drive or a
#: file: URI). A NUL never arrives: the web framework turns control characters of a query into
#: spaces; the service refuses it anyway.
_CHAR = r"[^/#%\\]"
_PART = rf"(?:[^/.#%\\]{_CHAR}*|\.[^/.#%\\]{_CHAR}*|\.\.{_CHAR}+|\.)"
_FIRST_CHAR = r"[^/:#%\\]"
_FIRST = rf"(?:[^/.:#%\\]{_FIRST_CHAR}*|\.[^/.:#%\\]{_FIRST_CHAR}*|\.\.{_FIRST_CHAR}+|\.)"
#: an artifact folder (the root when empty) and an artifact file, relative to the run's root
ARTIFACT_FOLDER = rf"/*(?:{_FIRST}(?:/+{_PART})*)?/*"
ARTIFACT_FILE = rf"/*{_FIRST}(?:/+{_PART})*/*"


def notebook_artifact_path(notebook_path: str) -> str:
    name = PurePosixPath(notebook_path).name
    if re.fullmatch(NOTEBOOK_PATH, notebook_path) is None:
        raise NotANotebook(
            f"{notebook_path!r} is not a notebook (.ipynb)",
            "path",
            params={"path": notebook_path[:500]},
        )
    return f"notebook/{name}"


#: MLflow's ids: digits, letters, '-', '_' (the sidebar API documents it, anchored, as the
#: pattern of every run id it takes)
RUN_ID = r"[0-9a-zA-Z_-]{1,64}"
#: an experiment id as the sidebar API documents it (anchored) and the service checks it: MLflow's
#: tracking store numbers experiments (ids past its largest are answered as not found)
EXPERIMENT_ID = r"[0-9]{1,19}"
_RUN_ID = re.compile(RUN_ID)


def run_id(value: str) -> str:
    if not _RUN_ID.fullmatch(value):
        raise RunIdInvalid(f"{value!r} is not a run id", "run_id", params={"run_id": value[:100]})
    return value


class ExperimentService:
    """What the Experiments tab does, for one signed-in person."""

    def __init__(self, tracker: Tracker, *, user: str, workspace: Workspace | None = None) -> None:
        self._tracker = tracker
        self._user = user
        self._workspace = workspace
        #: per first page shown: the last row's sort value and the next page's token
        self._first_pages: dict[tuple[str, tuple[str, ...], int], tuple[float, str | None]] = {}
        #: reads of a run under way: a run page asks for the run and for its histories at once,
        #: and both need the run; they share one tracker call (nothing is kept once it answers,
        #: so no answer is ever older than the request that received it)
        self._reading: dict[str, asyncio.Future[RunData]] = {}

    async def experiments(
        self, name_contains: str = "", *, max_results: int = 50, page_token: str | None = None
    ) -> Page[ExperimentRow]:
        page = await self._tracker.search_experiments(
            name_contains.strip(),
            max_results=_page_size(max_results),
            page_token=_page_token(page_token),
        )
        return Page(
            [
                ExperimentRow(**vars(e), can_write=may_change_experiment(e, self._user))
                for e in page.items
            ],
            page.next_page_token,
        )

    async def runs(
        self,
        experiment_id: str,
        *,
        sort: Sort,
        columns: Columns,
        max_results: int = 25,
        page_token: str | None = None,
    ) -> RunsPage:
        experiment_id = checked_experiment_id(experiment_id)
        size = _page_size(max_results)
        page_token = _page_token(page_token)
        order_by = [sort.order_by()]
        if not (sort.kind == "attribute" and sort.key == "start_time"):
            order_by.append("attributes.start_time DESC")  # stable pages among equal values
        if page_token is None:
            page = await self._first_page(experiment_id, sort, order_by, size)
        else:
            page = await self._tracker.search_runs(
                experiment_id, max_results=size, page_token=page_token, order_by=order_by
            )
        params = sorted({k for run in page.items for k in run.params})
        metrics = sorted({k for run in page.items for k in run.metrics})
        return RunsPage(
            runs=[_row(run, self._user, columns) for run in page.items],
            next_page_token=page.next_page_token,
            params=params,
            metrics=metrics,
        )

    async def _first_page(
        self, experiment_id: str, sort: Sort, order_by: list[str], size: int
    ) -> Page[RunData]:
        """The first page, which the sidebar asks for again and again while runs are active.

        MLflow sorts every run of the experiment for each page, so once a first page is known
        the next request only asks for runs that sort at or before its last row. When at least a
        page of runs comes back, its top is exactly the top of the whole experiment (every run
        of the true first page sorts at or before that row); otherwise (runs deleted, values
        changed) the full query runs again.
        """
        key = (experiment_id, tuple(order_by), size)
        known = self._first_pages.get(key)
        if known is not None:
            boundary, next_token = known
            try:
                narrowed = await self._tracker.search_runs(
                    experiment_id,
                    max_results=size,
                    page_token=None,
                    order_by=order_by,
                    filter_string=sort.within(boundary),
                )
            except InvalidInput:  # a value the tracker cannot filter on: ask the long way
                narrowed = Page([], None)
            if len(narrowed.items) >= size:
                return Page(narrowed.items[:size], next_token)
        page = await self._tracker.search_runs(
            experiment_id, max_results=size, page_token=None, order_by=order_by
        )
        last = sort.value_of(page.items[-1]) if len(page.items) == size else None
        if last is None or not math.isfinite(last):
            self._first_pages.pop(key, None)
        else:
            self._first_pages[key] = (last, page.next_page_token)
        return page

    async def set_private(self, experiment_id: str, private: bool) -> bool:
        """Only the owner may (MLflow refuses anyone else); hides it from everybody else.
        Returns the value stored."""
        checked_experiment_id(experiment_id)
        try:
            await self._tracker.set_experiment_tag(experiment_id, TAG_PRIVATE, privacy_tag(private))
        except Forbidden:
            raise NotYourExperiment(
                f"Only the owner of experiment {experiment_id} may make it private or shared.",
                params={"experiment_id": experiment_id[:100]},
            ) from None
        return private

    async def run(self, run: str) -> RunDetail:
        return _detail(await self._get_run(run_id(run)), self._user)

    async def _get_run(self, run: str) -> RunData:
        """The tracker's answer for a run, shared by the reads of it that are under way."""
        pending = self._reading.get(run)
        if pending is None:
            pending = asyncio.ensure_future(self._tracker.get_run(run))
            self._reading[run] = pending
            pending.add_done_callback(lambda _: self._reading.pop(run, None))
        # one caller giving up (a closed page) does not cancel the others' read
        return await asyncio.shield(pending)

    async def metric_history(self, run: str, key: str) -> list[MetricPoint]:
        if not key:
            raise MetricKeyMissing("name the metric whose history you want", "key")
        return await self._tracker.metric_history(run_id(run), key)

    async def metric_histories(self, run: str) -> MetricHistories:
        """Everything a run page charts, in one answer: the histories of the run's first
        ``MAX_RUN_CHARTS`` metrics by name, fetched from the tracker concurrently. A page that
        asked for each history itself waited on one browser round trip per metric."""
        data = await self._get_run(run_id(run))
        keys = sorted(data.metrics)[:MAX_RUN_CHARTS]
        series = await asyncio.gather(*(self._tracker.metric_history(data.id, k) for k in keys))
        return MetricHistories(dict(zip(keys, series, strict=True)), len(data.metrics))

    async def artifacts(self, run: str, path: str = "") -> list[ArtifactFile]:
        return await self._tracker.list_artifacts(
            run_id(run), _artifact_path(path, allow_root=True)
        )

    async def artifact(self, run: str, path: str) -> tuple[bytes, str]:
        return await self._tracker.read_artifact(run_id(run), _artifact_path(path))

    async def compare(self, run_ids: Sequence[str]) -> Comparison:
        ids = list(dict.fromkeys(run_id(r) for r in run_ids))
        if len(ids) < MIN_COMPARE or len(ids) < len(run_ids):  # a run named twice is one run
            raise TooFewRunsToCompare(
                f"compare {MIN_COMPARE} to {MAX_COMPARE} different runs",
                "run_id",
                params={"minimum": MIN_COMPARE},
            )
        if len(ids) > MAX_COMPARE:
            raise TooManyRunsToCompare(
                f"compare {MIN_COMPARE} to {MAX_COMPARE} different runs",
                "run_id",
                params={"limit": MAX_COMPARE},
            )
        runs = await asyncio.gather(*(self._tracker.get_run(r) for r in ids))
        metric_keys = sorted({k for run in runs for k in run.metrics})
        param_keys = sorted({k for run in runs for k in run.params})
        # one request per metric for all runs that have it, not one per run and metric: MLflow
        # serves requests one by one per worker, and a comparison of five runs of ten metrics
        # was fifty of them (bench/sidebar_load.py)
        wanted = {key: [run.id for run in runs if key in run.metrics] for key in metric_keys}
        series = await asyncio.gather(
            *(self._tracker.metric_histories(ids, key) for key, ids in wanted.items())
        )
        histories: dict[str, dict[str, list[MetricPoint]]] = {
            key: {rid: found.get(rid, []) for rid in wanted[key]}
            for key, found in zip(wanted, series, strict=True)
        }
        return Comparison(
            runs=[_detail(run, self._user) for run in runs],
            param_keys=param_keys,
            metric_keys=metric_keys,
            histories=histories,
        )

    async def log_notebook(self, run: str, notebook_path: str) -> tuple[str, str | None]:
        """Attach a saved notebook (and the commit of its folder) to a run the person owns.

        Returns the artifact's path and the commit, if the folder is a git repository.
        """
        if self._workspace is None:
            raise NotebooksUnavailable("this server has no notebooks to log")
        artifact = notebook_artifact_path(notebook_path)
        target = await self._tracker.get_run(run_id(run))
        if not may_change_run(target, self._user):
            raise NotYourRun(
                f"run {run} belongs to {target.user}; log notebooks to your own runs",
                params={"run_id": target.id, "owner": target.user},
            )
        content, commit = await asyncio.gather(
            self._workspace.read_file(notebook_path), self._workspace.commit_of(notebook_path)
        )
        await self._tracker.upload_artifact(target, artifact, content, "application/x-ipynb+json")
        await self._tracker.set_tag(target.id, TAG_SOURCE_NOTEBOOK, notebook_path)
        if commit:
            await self._tracker.set_tag(target.id, TAG_GIT_COMMIT, commit)
        return artifact, commit

    async def link_commit(self, commit: str, repository: str | None) -> list[str]:
        """Lineage: tag the person's running runs with the commit just made (and where it is
        pushed), so a run always points to the code that made it. Returns the runs tagged."""
        tagged: list[str] = []
        experiments = await self._tracker.search_experiments("", max_results=500, page_token=None)
        # the person is matched below, not in the filter: no name is ever spliced into a query
        running = "attributes.status = 'RUNNING'"
        for experiment in experiments.items:
            page = await self._tracker.search_runs(
                experiment.id,
                max_results=50,
                page_token=None,
                order_by=[],
                filter_string=running,
            )
            for run in page.items:
                if run.user != self._user:
                    continue
                await self._tracker.set_tag(run.id, TAG_GIT_COMMIT, commit)
                if repository:
                    await self._tracker.set_tag(run.id, TAG_GIT_REPO, repository)
                tagged.append(run.id)
        return tagged


def _artifact_path(path: str, *, allow_root: bool = False) -> str:
    cleaned = path.strip("/")
    rule = ARTIFACT_FOLDER if allow_root else ARTIFACT_FILE
    if "\x00" in path or re.fullmatch(rule, path) is None:
        raise ArtifactPathOutsideRun(
            f"artifact path {path!r} must be a relative path without '..', '#', '%' or '\\' "
            "(nor ':' in its first part)",
            "path",
            params={"path": path[:500]},
        )
    return cleaned


class ExperimentEvents:
    """What people changed in MLflow that the platform keeps in its audit log.

    MLflow itself is the source of truth for an experiment's privacy; the gateway, which sees
    every change go through, reports each accepted one here with its own service token, naming
    the person who made it. The record therefore follows the change (it cannot share MLflow's
    transaction); a lost report is logged by the gateway.
    """

    def __init__(self, store: ExperimentsStore) -> None:
        self.store = store

    def privacy_changed(
        self, caller: Identity, experiment_id: str, *, actor: str, private: bool
    ) -> None:
        if not caller.may(RECORD_EVENTS_SCOPE):
            raise EventsFromGatewayOnly(
                "Only the MLflow gateway records changes made in MLflow.",
                params={"caller": caller.name},
            )
        if not _RUN_ID.fullmatch(experiment_id):  # MLflow's ids: digits, letters, '-', '_'
            raise ExperimentIdInvalid(
                f"{experiment_id[:100]!r} is not an experiment id",
                "experiment_id",
                params={"experiment_id": experiment_id[:100]},
            )
        with self.store.transaction(actor) as tx:
            tx.audit(
                "experiment.privacy_changed",
                "experiment",
                experiment_id,
                private=private,
                via=caller.name,
            )
