import pytest

from jupyterlab_mlplat.core.experiments.records import Columns, Sort
from jupyterlab_mlplat.core.experiments.service import notebook_artifact_path, run_id
from jupyterlab_mlplat.core.kernel.errors import InvalidInput


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
