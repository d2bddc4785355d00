"""Wire models of the Experiments tab (``/jupyterlab-mlplat/mlflow/...``): experiments, runs,
their metrics and artifacts, as the sidebar reads them. Each is copied from a core record field
by field, so renaming a core field fails here instead of silently changing the JSON."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field, StrictBool

from jupyterlab_mlplat.core.experiments.records import (
    MAX_RUN_CHARTS,
    ArtifactFile,
    Comparison,
    ExperimentRow,
    MetricHistories,
    MetricPoint,
    RunDetail,
    RunsPage,
)
from jupyterlab_mlplat.core.experiments.rules import run_ui_url
from jupyterlab_mlplat.core.experiments.service import NOTEBOOK_PATH
from jupyterlab_mlplat.core.kernel.paging import Page

from .base import FromCore, Wire


class MlflowConfig(Wire):
    """``GET mlflow/config``"""

    enabled: bool = Field(description="False when the server has no MLflow tracking URI.")
    ui_url: str | None = Field(description="MLflow's own web UI, for links; null when unknown.")
    user: str = Field(description="The user MLflow records runs under (the hub user).")


class ExperimentBody(FromCore):
    id: str
    name: str
    owner: str | None
    lifecycle_stage: str
    creation_time: int | None = Field(description="Milliseconds since the epoch.")
    last_update_time: int | None
    private: bool = Field(
        description="Hidden, with its runs and artifacts, from everybody but the owner."
    )
    can_write: bool = Field(description="Whether the person may change it (its owner).")


class ExperimentPage(Wire):
    """``GET mlflow/experiments``"""

    experiments: list[ExperimentBody]
    next_page_token: str | None

    @classmethod
    def of(cls, page: Page[ExperimentRow]) -> ExperimentPage:
        return cls(
            experiments=[ExperimentBody.model_validate(e) for e in page.items],
            next_page_token=page.next_page_token,
        )


class PrivacyBody(Wire):
    """``POST mlflow/experiments/{experiment_id}/private``"""

    # strict: JSON's true or false, as documented (lax parsing took 0, 1 and "yes")
    private: StrictBool


class ExperimentPrivacy(Wire):
    """The stored value, answered to a privacy change."""

    id: str
    private: bool


class RunRowBody(FromCore):
    """One row of the runs table; params and metrics hold only the requested columns."""

    id: str
    name: str
    experiment_id: str
    status: str
    start_time: int | None
    end_time: int | None
    duration_ms: int | None
    user: str
    source_notebook: str | None = Field(
        description="The notebook the run was logged from, relative to the server root."
    )
    git_commit: str | None
    params: dict[str, str]
    metrics: dict[str, float]
    can_write: bool


class RunColumns(Wire):
    """The params and metrics logged in the page's runs, for the column chooser."""

    params: list[str]
    metrics: list[str]


class RunsPageBody(Wire):
    """``GET mlflow/experiments/{experiment_id}/runs``"""

    runs: list[RunRowBody]
    next_page_token: str | None
    columns: RunColumns
    active: bool = Field(description="Whether a run of the page is still going.")

    @classmethod
    def of(cls, page: RunsPage) -> RunsPageBody:
        return cls(
            runs=[RunRowBody.model_validate(run) for run in page.runs],
            next_page_token=page.next_page_token,
            columns=RunColumns(params=list(page.params), metrics=list(page.metrics)),
            active=page.active,
        )


class RunDetailBody(RunRowBody):
    """A run with everything: all params and metrics, tags, and its page in MLflow's UI."""

    tags: dict[str, str]
    artifact_uri: str
    ui_url: str | None

    @classmethod
    def of(cls, run: RunDetail, ui_base: str | None) -> RunDetailBody:
        return cls(
            id=run.id,
            name=run.name,
            experiment_id=run.experiment_id,
            status=run.status,
            start_time=run.start_time,
            end_time=run.end_time,
            duration_ms=run.duration_ms,
            user=run.user,
            source_notebook=run.source_notebook,
            git_commit=run.git_commit,
            params=dict(run.params),
            metrics=dict(run.metrics),
            can_write=run.can_write,
            tags=dict(run.tags),
            artifact_uri=run.artifact_uri,
            ui_url=run_ui_url(ui_base, run.experiment_id, run.id),
        )


class RunAnswer(Wire):
    """``GET mlflow/runs/{run_id}``"""

    run: RunDetailBody

    @classmethod
    def of(cls, run: RunDetail, ui_base: str | None) -> RunAnswer:
        return cls(run=RunDetailBody.of(run, ui_base))


class MetricPointBody(FromCore):
    step: int
    value: float
    timestamp: int = Field(description="Milliseconds since the epoch.")


def _points(points: Sequence[MetricPoint]) -> list[MetricPointBody]:
    return [MetricPointBody.model_validate(p) for p in points]


class MetricHistory(Wire):
    """``GET mlflow/runs/{run_id}/metric-history?key=``"""

    key: str
    history: list[MetricPointBody]

    @classmethod
    def of(cls, key: str, points: Sequence[MetricPoint]) -> MetricHistory:
        return cls(key=key, history=_points(points))


class MetricHistoriesBody(Wire):
    """``GET mlflow/runs/{run_id}/metric-histories``"""

    histories: dict[str, list[MetricPointBody]] = Field(
        description=f"metric key → history, for the run's first {MAX_RUN_CHARTS} metrics by name."
    )
    total: int = Field(description="How many metrics the run has.")

    @classmethod
    def of(cls, result: MetricHistories) -> MetricHistoriesBody:
        return cls(
            histories={key: _points(points) for key, points in result.histories.items()},
            total=result.total,
        )


class ArtifactFileBody(FromCore):
    path: str = Field(description="Relative to the run's artifact root, e.g. `notes/a.txt`.")
    is_dir: bool
    file_size: int | None


class ArtifactListing(Wire):
    """``GET mlflow/runs/{run_id}/artifacts?path=``"""

    path: str
    files: list[ArtifactFileBody]

    @classmethod
    def of(cls, path: str, files: Sequence[ArtifactFile]) -> ArtifactListing:
        return cls(path=path, files=[ArtifactFileBody.model_validate(f) for f in files])


class NotebookBody(Wire):
    """``POST mlflow/runs/{run_id}/notebook``: a saved notebook, relative to the server root."""

    path: str = Field(json_schema_extra={"pattern": f"^{NOTEBOOK_PATH}$"})


class LoggedNotebook(Wire):
    artifact_path: str
    git_commit: str | None = Field(description="The commit of the notebook's folder, if any.")

    @classmethod
    def of(cls, logged: tuple[str, str | None]) -> LoggedNotebook:
        artifact_path, git_commit = logged
        return cls(artifact_path=artifact_path, git_commit=git_commit)


class RunComparison(Wire):
    """``GET mlflow/compare?run_id=...`` (2 to 5 runs)"""

    runs: list[RunDetailBody]
    param_keys: list[str]
    metric_keys: list[str]
    histories: dict[str, dict[str, list[MetricPointBody]]] = Field(
        description="metric key → run id → history."
    )

    @classmethod
    def of(cls, result: Comparison, ui_base: str | None) -> RunComparison:
        return cls(
            runs=[RunDetailBody.of(run, ui_base) for run in result.runs],
            param_keys=list(result.param_keys),
            metric_keys=list(result.metric_keys),
            histories={
                key: {rid: _points(points) for rid, points in by_run.items()}
                for key, by_run in result.histories.items()
            },
        )


class PrivacyEvent(Wire):
    """The MLflow gateway's report of a privacy change MLflow accepted, for the audit log."""

    actor: str = Field(min_length=1, max_length=255, description="Who made the change.")
    private: StrictBool
