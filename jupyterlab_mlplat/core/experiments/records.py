"""What an experiment, a run and a page of runs are, as the sidebar shows them.

Plain frozen dataclasses: the tracker adapter builds them, the service shapes them, the wire
models in ``api/experiments.py`` copy them field by field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .errors import BadColumn, BadSort

RunStatus = Literal["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]

#: tags the workbench writes (and reads) on runs
TAG_SOURCE_NOTEBOOK = "mlplat.source_notebook"
TAG_GIT_COMMIT = "mlflow.source.git.commit"
TAG_GIT_REPO = "mlflow.source.git.repoURL"
TAG_GIT_BRANCH = "mlflow.source.git.branch"
TAG_USER = "mlflow.user"
TAG_OWNER = "mlplat.owner"
#: "true" on an experiment only its owner may read
TAG_PRIVATE = "mlplat.private"
#: the user server's root folder, exported to kernels so runs can name their notebook within it
ROOT_ENV = "MLPLAT_SERVER_ROOT"

SORTABLE_ATTRIBUTES = {
    "start_time": "attributes.start_time",
    "run_name": "attributes.run_name",
    "status": "attributes.status",
    "user": "attributes.user_id",
}
#: how the runs of a page are sorted, in one text: an attribute by name, or ``metric:<name>`` /
#: ``param:<name>`` (any name without '`'); the sidebar API documents it as the pattern of `sort`
SORT_SPEC = "(?:" + "|".join(SORTABLE_ATTRIBUTES) + "|(?:metric|param):[^`]+)"
MAX_PAGE = 200
MIN_COMPARE = 2
MAX_COMPARE = 5
#: a run page charts this many metrics at most (the first by name); more would keep the tracker
#: busy for one page view, and the run's page in MLflow shows them all
MAX_RUN_CHARTS = 12


@dataclass(frozen=True)
class Experiment:
    id: str
    name: str
    owner: str | None
    lifecycle_stage: str
    creation_time: int | None
    last_update_time: int | None
    private: bool = False


@dataclass(frozen=True)
class ExperimentRow(Experiment):
    """An experiment as the person sees it in the list: may they change it?"""

    can_write: bool = False


@dataclass(frozen=True)
class RunData:
    """A run as the tracking server holds it."""

    id: str
    name: str
    experiment_id: str
    status: str
    start_time: int | None
    end_time: int | None
    user: str
    artifact_uri: str
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MetricPoint:
    step: int
    value: float
    timestamp: int


@dataclass(frozen=True)
class ArtifactFile:
    path: str
    is_dir: bool
    file_size: int | None


@dataclass(frozen=True)
class Sort:
    kind: Literal["attribute", "metric", "param"] = "attribute"
    key: str = "start_time"
    direction: Literal["asc", "desc"] = "desc"

    @classmethod
    def parse(cls, kind: str, key: str, direction: str) -> Sort:
        if kind not in ("attribute", "metric", "param"):
            raise BadSort(
                "sort_kind must be attribute, metric or param",
                "sort_kind",
                params={"field": "sort_kind", "value": kind[:200]},
            )
        if direction not in ("asc", "desc"):
            raise BadSort(
                "sort_dir must be asc or desc",
                "sort_dir",
                params={"field": "sort_dir", "value": direction[:200]},
            )
        sort = cls(kind, key, direction)  # type: ignore[arg-type]
        sort.order_by()  # validates the key now, not when MLflow is asked
        return sort

    @classmethod
    def of_spec(cls, spec: str, direction: str) -> Sort:
        """``start_time``, ``metric:rmse`` or ``param:alpha`` (``SORT_SPEC``), and a direction."""
        if re.fullmatch(SORT_SPEC, spec) is None:
            raise BadSort(
                f"runs can be sorted by {sorted(SORTABLE_ATTRIBUTES)}, metric:<name> or "
                f"param:<name>; not by {spec[:200]!r}",
                "sort",
                params={"field": "sort", "value": spec[:200]},
            )
        kind, sep, key = spec.partition(":")
        return cls.parse(kind, key, direction) if sep else cls.parse("attribute", spec, direction)

    def order_by(self) -> str:
        """MLflow's order_by clause; keys are quoted, so any character is safe."""
        if self.kind == "attribute":
            if self.key not in SORTABLE_ATTRIBUTES:
                raise BadSort(
                    f"runs can be sorted by {sorted(SORTABLE_ATTRIBUTES)}, a metric or a param; "
                    f"not by {self.key!r}",
                    "sort_key",
                    params={"field": "sort_key", "value": self.key[:200]},
                )
            column = SORTABLE_ATTRIBUTES[self.key]
        else:
            if not self.key or "`" in self.key:
                raise BadSort(
                    "a metric or param name must be non-empty, without '`'",
                    "sort_key",
                    params={"field": "sort_key", "value": self.key[:200]},
                )
            column = f"{'metrics' if self.kind == 'metric' else 'params'}.`{self.key}`"
        return f"{column} {self.direction.upper()}"

    def value_of(self, run: RunData) -> float | None:
        """The run's value under this sort, when it can bound a query (numbers only)."""
        if self.kind == "attribute" and self.key == "start_time":
            return run.start_time
        if self.kind == "metric":
            return run.metrics.get(self.key)
        return None

    def within(self, boundary: float) -> str:
        """A filter keeping every run that sorts at or before ``boundary``."""
        column = "attributes.start_time" if self.kind == "attribute" else f"metrics.`{self.key}`"
        return f"{column} {'>=' if self.direction == 'desc' else '<='} {boundary!r}"


@dataclass(frozen=True)
class Columns:
    params: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()

    @classmethod
    def parse(cls, specs: Sequence[str]) -> Columns:
        """``metric:<key>`` / ``param:<key>``, as the sidebar's column chooser sends them."""
        params: list[str] = []
        metrics: list[str] = []
        for spec in specs:
            kind, sep, key = spec.partition(":")
            if not sep or not key or kind not in ("metric", "param"):
                raise BadColumn(
                    f"column {spec!r} must be metric:<name> or param:<name>",
                    "column",
                    params={"column": spec[:200]},
                )
            (metrics if kind == "metric" else params).append(key)
        return cls(tuple(dict.fromkeys(params)), tuple(dict.fromkeys(metrics)))


@dataclass(frozen=True)
class RunRow:
    id: str
    name: str
    experiment_id: str
    status: str
    start_time: int | None
    end_time: int | None
    duration_ms: int | None
    user: str
    source_notebook: str | None
    git_commit: str | None
    params: dict[str, str]
    metrics: dict[str, float]
    can_write: bool


@dataclass(frozen=True)
class RunDetail(RunRow):
    tags: dict[str, str] = field(default_factory=dict)
    artifact_uri: str = ""


@dataclass(frozen=True)
class RunsPage:
    runs: list[RunRow]
    next_page_token: str | None
    params: list[str]
    metrics: list[str]

    @property
    def active(self) -> bool:
        return any(run.status in ("RUNNING", "SCHEDULED") for run in self.runs)


@dataclass(frozen=True)
class Comparison:
    runs: list[RunDetail]
    param_keys: list[str]
    metric_keys: list[str]
    histories: dict[str, dict[str, list[MetricPoint]]]


@dataclass(frozen=True)
class MetricHistories:
    """The histories a run page charts: the run's first metrics by name, and how many it has."""

    histories: dict[str, list[MetricPoint]]
    total: int
