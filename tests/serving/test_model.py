"""How a model is loaded and fed, in this process: the fast path (a float array instead of a
DataFrame) is taken only where it is proven to give the model's own answer.

The model folders are written as MLflow writes the ``sklearn`` flavour with pickle (an
``MLmodel`` file beside the pickled estimator), so each case can fit its own small model.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from jupyterlab_mlplat.serving import protocols
from jupyterlab_mlplat.serving.errors import BadInput, LoadError
from jupyterlab_mlplat.serving.model import Model, load

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [10.0, 0.0, 5.0, 1.0]})
Y = 3 * X["a"] - X["b"]


def folder(tmp_path: Path, estimator: Any, inputs: list[dict[str, Any]]) -> Path:
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(estimator))
    meta = {
        "flavors": {
            "python_function": {"loader_module": "mlflow.sklearn", "model_path": "model.pkl"},
            "sklearn": {"pickled_model": "model.pkl", "serialization_format": "pickle"},
        },
        "mlflow_version": "3.17.2",
        "signature": {"inputs": json.dumps(inputs), "outputs": None, "params": None},
    }
    (tmp_path / "MLmodel").write_text(yaml.safe_dump(meta))
    return tmp_path


def columns(*names: str) -> list[dict[str, Any]]:
    return [{"type": "double", "name": n, "required": True} for n in names]


def answer(model: Model, body: dict[str, Any]) -> Any:
    data, params = protocols.mlflow_input(model, json.dumps(body).encode(), "application/json")
    return json.loads(protocols.mlflow_output(model.predict(data, params)))["predictions"]


def test_a_model_fitted_on_the_signatures_columns_gets_arrays(tmp_path: Path) -> None:
    model = load(
        folder(tmp_path, LinearRegression().fit(X, Y), columns("a", "b")), name="m", version="1"
    )
    assert not model.wants_frame
    got = answer(model, {"dataframe_records": [{"b": 1.0, "a": 2.0}]})
    assert got == pytest.approx([5.0])


def test_a_signature_in_another_order_than_the_fit_keeps_dataframes(tmp_path: Path) -> None:
    """Position would swap a and b: the names decide, so the model gets a DataFrame."""
    model = load(
        folder(tmp_path, LinearRegression().fit(X, Y), columns("b", "a")), name="m", version="1"
    )
    assert model.wants_frame
    assert answer(model, {"instances": [[1.0, 2.0]]}) == pytest.approx([5.0])  # b=1, a=2


def test_a_model_that_selects_columns_by_name_keeps_dataframes(tmp_path: Path) -> None:
    pipeline = make_pipeline(
        ColumnTransformer([("scale", StandardScaler(), ["b", "a"])]), LinearRegression()
    ).fit(X, Y)
    model = load(folder(tmp_path, pipeline, columns("a", "b")), name="m", version="1")
    assert model.wants_frame
    assert answer(model, {"inputs": {"a": [2.0], "b": [1.0]}}) == pytest.approx([5.0])


def test_a_tensor_signature(tmp_path: Path) -> None:
    inputs = [{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 2]}}]
    fitted = LinearRegression().fit(X.to_numpy(), Y)
    model = load(folder(tmp_path, fitted, inputs), name="m", version="1")
    assert answer(model, {"instances": [[2.0, 1.0], [0.0, 0.0]]}) == pytest.approx([5.0, 0.0])
    with pytest.raises(BadInput, match=r"has shape \[1, 3\], the model takes \[-1, 2\]"):
        answer(model, {"instances": [[2.0, 1.0, 0.0]]})
    with pytest.raises(BadInput, match="holds text values, the model takes float64"):
        answer(model, {"inputs": [["a", "b"]]})
    body = {"inputs": [{"name": "t", "shape": [1, 2], "datatype": "FP64", "data": [2.0, 1.0]}]}
    data, echo = protocols.v2_input(model, json.dumps(body).encode())
    out = json.loads(protocols.v2_output(model, model.predict(data), echo))
    assert out["outputs"][0]["data"] == pytest.approx([5.0])
    assert out["outputs"][0]["datatype"] == "FP64"


def test_an_integer_column_refuses_fractions(tmp_path: Path) -> None:
    inputs = [{"type": "long", "name": "a", "required": True}, *columns("b")]
    model = load(folder(tmp_path, LinearRegression().fit(X, Y), inputs), name="m", version="1")
    assert answer(model, {"instances": [[2, 1.0]]}) == pytest.approx([5.0])
    with pytest.raises(BadInput, match=r"column 'a' takes long, row 0 has number 2\.5"):
        answer(model, {"instances": [[2.5, 1.0]]})


def test_the_mlmodel_may_not_name_a_file_outside_the_folder(tmp_path: Path) -> None:
    path = folder(tmp_path, LinearRegression().fit(X, Y), columns("a", "b"))
    meta = yaml.safe_load((path / "MLmodel").read_text())
    meta["flavors"]["sklearn"]["pickled_model"] = "../../etc/passwd"
    (path / "MLmodel").write_text(yaml.safe_dump(meta))
    with pytest.raises(LoadError, match="outside the model's folder"):
        load(path, name="m", version="1")
