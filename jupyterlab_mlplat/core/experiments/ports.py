"""What the experiments service needs: the tracker (MLflow) and the person's files."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork
from jupyterlab_mlplat.core.kernel.paging import Page

from .records import ArtifactFile, Experiment, MetricPoint, RunData


@runtime_checkable
class Tracker(Protocol):
    """The experiment tracker (MLflow), called with one person's identity.

    Every method raises the core's typed errors: ``NotFound`` for a missing experiment, run or
    artifact, ``Forbidden`` when the tracker refuses, ``Unavailable`` when it does not answer.

    A page token, taken and handed out, is how many rows come before the page, in decimal
    digits (``service.PAGE_TOKEN``): the sidebar API can then say which tokens it takes, and a
    made-up one is refused before any tracker sees it.
    """

    async def search_experiments(
        self, name_contains: str, *, max_results: int, page_token: str | None
    ) -> Page[Experiment]: ...

    async def search_runs(
        self,
        experiment_id: str,
        *,
        max_results: int,
        page_token: str | None,
        order_by: list[str],
        filter_string: str | None = None,
    ) -> Page[RunData]: ...

    async def get_run(self, run_id: str) -> RunData: ...

    async def metric_history(self, run_id: str, key: str) -> list[MetricPoint]: ...

    async def metric_histories(self, run_ids: list[str], key: str) -> dict[str, list[MetricPoint]]:
        """One metric's history for each of several runs, in as few calls as the tracker
        allows (a comparison charts every metric of every run)."""

    async def list_artifacts(self, run_id: str, path: str) -> list[ArtifactFile]: ...

    async def read_artifact(self, run_id: str, path: str) -> tuple[bytes, str]:
        """The bytes and their content type."""

    async def upload_artifact(
        self, run: RunData, path: str, data: bytes, content_type: str
    ) -> None: ...

    async def set_tag(self, run_id: str, key: str, value: str) -> None: ...

    async def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None: ...


@runtime_checkable
class Workspace(Protocol):
    """The person's files as their Jupyter server sees them."""

    async def read_file(self, path: str) -> bytes:
        """Raise ``NotFound`` for a missing file, ``InvalidInput`` for one that cannot be read."""

    async def commit_of(self, path: str) -> str | None:
        """The git commit checked out where ``path`` lives, if that is a repository."""


#: the platform's store, as the record of what people changed in MLflow needs it
ExperimentsStore = Transactional[UnitOfWork]
