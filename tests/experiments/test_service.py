import asyncio
from typing import cast

import pytest

from jupyterlab_mlplat.core.experiments import rules
from jupyterlab_mlplat.core.experiments.records import (
    Columns,
    Sort,
)
from jupyterlab_mlplat.core.experiments.service import notebook_artifact_path, run_id
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, PlatformError


def test_sorts_become_mlflow_order_by_with_quoted_keys() -> None:
    assert Sort.parse("attribute", "start_time", "desc").order_by() == "attributes.start_time DESC"
    assert Sort.parse("metric", "val/loss: top 5", "asc").order_by() == (
        "metrics.`val/loss: top 5` ASC"
    )
    assert Sort.parse("param", "alpha", "desc").order_by() == "params.`alpha` DESC"


@pytest.mark.parametrize(
    ("kind", "key", "direction", "field"),
    [
        ("magic", "x", "asc", "sort_kind"),
        ("metric", "x", "sideways", "sort_dir"),
        ("attribute", "password", "asc", "sort_key"),
        ("metric", "", "asc", "sort_key"),
        ("metric", "a` DESC, `b", "asc", "sort_key"),
    ],
)
def test_bad_sorts_are_refused_before_mlflow_is_asked(
    kind: str, key: str, direction: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        Sort.parse(kind, key, direction)
    assert caught.value.field == field


def test_columns_are_parsed_and_deduplicated() -> None:
    columns = Columns.parse(["metric:rmse", "param:alpha", "metric:rmse", "metric:a:b"])
    assert columns == Columns(params=("alpha",), metrics=("rmse", "a:b"))
    with pytest.raises(InvalidInput):
        Columns.parse(["rmse"])


def test_names_that_reach_mlflow_are_checked() -> None:
    assert notebook_artifact_path("churn/train.ipynb") == "notebook/train.ipynb"
    with pytest.raises(InvalidInput):
        notebook_artifact_path("churn/train.py")
    with pytest.raises(InvalidInput):
        run_id("../../etc/passwd")


# --- reason codes ---------------------------------------------------------------------------


def test_a_bad_sort_names_its_field_and_value_for_the_translation() -> None:
    from jupyterlab_mlplat.core.experiments.errors import BadColumn, BadSort

    with pytest.raises(BadSort) as caught:
        Sort.parse("attribute", "password", "asc")
    assert caught.value.reason == "run_sort_invalid"
    assert caught.value.params == {"field": "sort_key", "value": "password"}
    with pytest.raises(BadColumn) as column:
        Columns.parse(["rmse"])
    assert column.value.params == {"column": "rmse"}


def test_every_experiments_reason_is_declared_once_with_plain_params() -> None:
    from jupyterlab_mlplat.api.errors import all_reasons
    from jupyterlab_mlplat.core.experiments import errors

    declared = [
        kind.reason
        for kind in vars(errors).values()
        if isinstance(kind, type)
        and issubclass(kind, PlatformError)
        and kind.__module__ == errors.__name__
    ]
    assert len(declared) == len(set(declared))
    assert set(declared) <= set(all_reasons())


@pytest.mark.parametrize(
    ("content_type", "download", "sent", "attachment"),
    [
        ("text/plain; charset=utf-8", False, "text/plain", None),
        ("text/html", False, "application/octet-stream", "report.html"),
        ("image/svg+xml", False, "application/octet-stream", "report.html"),
        ("image/png", True, "image/png", "report.html"),
    ],
)
def test_an_artifact_is_previewed_only_when_its_type_cannot_run(
    content_type: str, download: bool, sent: str, attachment: str | None
) -> None:
    delivery = rules.artifact_delivery('a/report".html', content_type, download=download)
    assert (delivery.content_type, delivery.attachment) == (sent, attachment)


def test_the_run_page_link_needs_the_mlflow_ui() -> None:
    assert (
        rules.run_ui_url("/services/mlflow/", "1", "r") == "/services/mlflow/#/experiments/1/runs/r"
    )
    assert rules.run_ui_url(None, "1", "r") is None


def test_git_tags_that_name_no_repository_are_not_listed() -> None:
    tags = {
        "mlflow.source.git.commit": "",
        "mlflow.source.git.branch": "",
        "mlflow.source.git.repoURL": "",
        "team": "",
        "mlflow.user": "alice",
    }
    assert rules.shown_tags(tags) == {"team": "", "mlflow.user": "alice"}
    assert rules.shown_tags({"mlflow.source.git.commit": "abc"}) == {
        "mlflow.source.git.commit": "abc"
    }


# --- a run page's two reads share one tracker call -------------------------------------------


class _HeldTracker:
    """The core's tracker port, answering ``get_run`` only when the test lets it: the two reads
    of a run page are then under way together however loaded the machine is (the browser-level
    test in test_sidebar_api.py depends on the scheduler for that)."""

    def __init__(self) -> None:
        from jupyterlab_mlplat.core.experiments.records import RunData

        self.run = RunData(
            id="a" * 32, name="r", experiment_id="1", status="FINISHED", start_time=1,
            end_time=2, user="alice", artifact_uri="s3://b/1", metrics={"loss": 0.5, "acc": 0.9},
        )  # fmt: skip
        self.release = asyncio.Event()
        self.runs_asked = 0
        self.histories_asked: list[str] = []

    async def get_run(self, run_id: str) -> object:
        self.runs_asked += 1
        await self.release.wait()
        return self.run

    async def metric_history(self, run_id: str, key: str) -> list[object]:
        from jupyterlab_mlplat.core.experiments.records import MetricPoint

        self.histories_asked.append(key)
        return [MetricPoint(step=0, value=1.0, timestamp=1)]


@pytest.mark.asyncio
async def test_reads_of_a_run_under_way_together_share_one_tracker_call_and_none_is_kept() -> None:
    from typing import Any

    from jupyterlab_mlplat.core.experiments.service import ExperimentService

    tracker = _HeldTracker()
    service = ExperimentService(cast(Any, tracker), user="alice")
    page = asyncio.gather(service.run("a" * 32), service.metric_histories("a" * 32))
    for _ in range(5):  # let both reach the tracker
        await asyncio.sleep(0)
    tracker.release.set()
    detail, histories = await page
    assert tracker.runs_asked == 1
    assert detail.id == "a" * 32
    assert sorted(histories.histories) == ["acc", "loss"]
    # the answer is not kept: a later read (a Refresh) asks the tracker again
    await service.run("a" * 32)
    assert tracker.runs_asked == 2


@pytest.mark.asyncio
async def test_a_closed_page_does_not_cancel_the_read_another_request_shares() -> None:
    from typing import Any

    from jupyterlab_mlplat.core.experiments.service import ExperimentService

    tracker = _HeldTracker()
    service = ExperimentService(cast(Any, tracker), user="alice")
    first = asyncio.ensure_future(service.run("a" * 32))
    second = asyncio.ensure_future(service.metric_histories("a" * 32))
    for _ in range(5):
        await asyncio.sleep(0)
    first.cancel()
    tracker.release.set()
    histories = await second
    assert sorted(histories.histories) == ["acc", "loss"]
    assert tracker.runs_asked == 1
