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
