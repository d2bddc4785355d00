"""Both protocols, every input format, against the real server serving a real model.

Given a scikit-learn model logged by MLflow with a signature, served by our model server;
when a client sends each format ``mlflow models serve`` takes (and v2), then it gets the
model's own answers; the pyfunc model shows the DataFrame path, optional columns and params.
"""

from __future__ import annotations

import http.client
import re
import time
from urllib.parse import urlparse

import pytest

from tests.serving.servers import CLASSES, COLUMNS, ROWS, Server

SPLIT = {"dataframe_split": {"columns": COLUMNS, "data": ROWS}}


def predictions(answer: object) -> object:
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    assert answer.headers["content-type"] == "application/json"  # type: ignore[attr-defined]
    return answer.json()["predictions"]  # type: ignore[attr-defined]


def test_probes_and_version(iris: Server) -> None:
    assert iris.get("/ping").status_code == 200
    assert iris.get("/health").status_code == 200
    assert iris.get("/v2/health/live").json() == {"live": True}
    assert iris.get("/v2/health/ready").json() == {"ready": True}
    assert iris.get("/v2/models/iris/ready").status_code == 200
    assert iris.get("/v2/models/iris/versions/3/ready").status_code == 200
    version = iris.get("/version").json()
    assert version["name"] == "iris"
    assert version["version"] == "3"
    assert version["flavor"] == "sklearn"
    assert re.fullmatch(r"\d+\.\d+\.\d+", version["mlflow_version"])


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(SPLIT, id="dataframe_split"),
        pytest.param(
            {"dataframe_split": {"columns": COLUMNS[::-1], "data": [r[::-1] for r in ROWS]}},
            id="dataframe_split-other-order",
        ),
        pytest.param(
            {"dataframe_split": {"columns": COLUMNS, "data": ROWS, "index": [7, 8, 9]}},
            id="dataframe_split-index",
        ),
        pytest.param(
            {"dataframe_records": [dict(zip(COLUMNS, r, strict=True)) for r in ROWS]},
            id="dataframe_records",
        ),
        pytest.param(
            {"instances": [dict(zip(COLUMNS, r, strict=True)) for r in ROWS]},
            id="instances-records",
        ),
        pytest.param({"instances": ROWS}, id="instances-rows"),
        pytest.param(
            {"inputs": {c: [r[i] for r in ROWS] for i, c in enumerate(COLUMNS)}},
            id="inputs-columns",
        ),
        pytest.param({"inputs": ROWS}, id="inputs-rows"),
    ],
)
def test_mlflow_formats_give_the_models_answer(iris: Server, body: dict[str, object]) -> None:
    assert predictions(iris.post("/invocations", body)) == CLASSES


def test_integers_are_taken_for_doubles(iris: Server) -> None:
    body = {"inputs": [[5, 3, 1, 0], [6.2, 2.9, 4.3, 1.3]]}
    assert predictions(iris.post("/invocations", body)) == [0, 1]


def test_csv(iris: Server) -> None:
    text = ",".join(f'"{c}"' for c in COLUMNS) + "\n"
    text += "\n".join(",".join(map(str, r)) for r in ROWS) + "\n"
    answer = iris.post("/invocations", data=text, headers={"Content-Type": "text/csv"})
    assert predictions(answer) == CLASSES


def test_a_hundred_rows(iris: Server) -> None:
    rows = [ROWS[i % 3] for i in range(100)]
    got = predictions(
        iris.post("/invocations", {"dataframe_split": {"columns": COLUMNS, "data": rows}})
    )
    assert got == [CLASSES[i % 3] for i in range(100)]


def test_v2_metadata_comes_from_the_signature(iris: Server) -> None:
    meta = iris.get("/v2/models/iris").json()
    assert meta["name"] == "iris"
    assert meta["versions"] == ["3"]
    assert meta["platform"] == "mlflow_sklearn"
    assert meta["inputs"] == [{"name": c, "datatype": "FP64", "shape": [-1]} for c in COLUMNS]
    assert meta["outputs"] == [{"name": "output-0", "datatype": "INT64", "shape": [-1]}]


def test_v2_infer_one_matrix(iris: Server) -> None:
    flat = [v for r in ROWS for v in r]
    body = {
        "id": "req-1",
        "inputs": [{"name": "x", "shape": [3, 4], "datatype": "FP64", "data": flat}],
    }
    answer = iris.post("/v2/models/iris/infer", body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "model_name": "iris",
        "model_version": "3",
        "id": "req-1",
        "outputs": [{"name": "output-0", "datatype": "INT64", "shape": [3], "data": CLASSES}],
    }


def test_v2_infer_nested_data_and_a_version_path(iris: Server) -> None:
    body = {"inputs": [{"name": "x", "shape": [3, 4], "datatype": "FP64", "data": ROWS}]}
    answer = iris.post("/v2/models/iris/versions/3/infer", body)
    assert answer.json()["outputs"][0]["data"] == CLASSES


def test_v2_infer_one_input_per_column(iris: Server) -> None:
    inputs = [
        {"name": c, "shape": [3, 1], "datatype": "FP64", "data": [r[i] for r in ROWS]}
        for i, c in enumerate(COLUMNS)
    ]
    answer = iris.post("/v2/models/iris/infer", {"inputs": inputs[::-1]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outputs"][0]["data"] == CLASSES


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/models/roses"),
        ("GET", "/v2/models/roses/ready"),
        ("POST", "/v2/models/roses/infer"),
        ("POST", "/v2/models/iris/versions/9/infer"),
    ],
)
def test_v2_unknown_model_is_404(iris: Server, method: str, path: str) -> None:
    body = {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64", "data": ROWS[0]}]}
    answer = iris.post(path, body) if method == "POST" else iris.get(path)
    assert answer.status_code == 404
    assert answer.json()["reason"] in ("unknown_model", "unknown_version")
    assert "is not served here" in answer.json()["error"]


def test_unknown_paths_and_methods(iris: Server) -> None:
    assert iris.get("/nothing").status_code == 404
    assert iris.get("/invocations").status_code == 405
    assert iris.post("/v2/models/iris", {}).status_code == 405


def test_pyfunc_model_with_mixed_and_optional_columns(scaler: Server) -> None:
    body = {"dataframe_records": [{"x": 1.5, "tag": "a"}, {"x": 2}]}
    assert predictions(scaler.post("/invocations", body)) == [
        {"y": 3.0, "tag": "a"},
        {"y": 4.0, "tag": "-"},
    ]


def test_pyfunc_model_takes_its_params(scaler: Server) -> None:
    body = {"inputs": {"x": [1.0, 2.0]}, "params": {"scale": 10.0}}
    assert [p["y"] for p in predictions(scaler.post("/invocations", body))] == [10.0, 20.0]  # type: ignore[attr-defined]


def test_pyfunc_model_over_v2_answers_one_output_per_column(scaler: Server) -> None:
    inputs = [{"name": "x", "shape": [2], "datatype": "FP64", "data": [1.0, 3.0]}]
    answer = scaler.post("/v2/models/scaler/infer", {"inputs": inputs})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outputs"] == [
        {"name": "y", "datatype": "FP64", "shape": [2], "data": [2.0, 6.0]},
        {"name": "tag", "datatype": "BYTES", "shape": [2], "data": ["-", "-"]},
    ]


def test_a_model_that_raises_is_a_422_with_its_first_line(scaler: Server) -> None:
    answer = scaler.post("/invocations", {"dataframe_records": [{"x": -1.0}]})
    assert answer.status_code == 422
    body = answer.json()
    assert body["reason"] == "model_error"
    assert "x must not be negative" in body["message"]
    assert "second line" not in answer.text
    assert "Traceback" not in answer.text
    log = scaler.log.read_text()
    assert "x must not be negative" in log
    assert "Traceback" not in log


def _sample(text: str, name: str, default: float | None = None, **labels: str) -> float:
    """One sample's value from a Prometheus text page."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{want}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    if default is not None:
        return default
    raise AssertionError(f"no {name}{{{want}}} in\n{text}")


def test_metrics_count_requests_by_protocol_and_status(iris: Server) -> None:
    before = iris.get("/metrics").text
    ok_before = _sample(before, "mlplat_serving_requests_total", 0, protocol="mlflow", status="200")
    for _ in range(3):
        iris.post("/invocations", SPLIT)
    iris.post("/invocations", data=b"{", headers={"Content-Type": "application/json"})
    body = {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64", "data": ROWS[0]}]}
    iris.post("/v2/models/iris/infer", body)
    page = iris.get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    text = page.text
    labels = {"protocol": "mlflow", "status": "200"}
    assert _sample(text, "mlplat_serving_requests_total", **labels) == ok_before + 3
    assert _sample(text, "mlplat_serving_requests_total", protocol="mlflow", status="400") >= 1
    assert _sample(text, "mlplat_serving_requests_total", protocol="v2", status="200") >= 1
    count = _sample(text, "mlplat_serving_request_duration_seconds_count", protocol="mlflow")
    assert count >= ok_before + 4
    fast = _sample(
        text, "mlplat_serving_request_duration_seconds_bucket", le="10.0", protocol="mlflow"
    )
    assert fast == count  # every request answered in under 10 s
    assert _sample(text, "mlplat_serving_in_flight_requests") == 0
    assert 0 < _sample(text, "mlplat_serving_model_load_seconds") < 60
    assert _sample(text, "mlplat_serving_model_ready") == 1


def test_an_idle_connection_is_kept_longer_than_the_gateway_keeps_it(iris: Server) -> None:
    """The gateway closes a model server connection after 60 s idle; the server must not close
    it first (uvicorn's default is 5 s), or a request can go out on a connection the server
    is closing and fail though the server is up. Shown past uvicorn's default, on one socket."""
    from jupyterlab_mlplat.gateways.invocations import IDLE_CONNECTION_S
    from jupyterlab_mlplat.serving.__main__ import KEEP_ALIVE_S

    assert IDLE_CONNECTION_S < KEEP_ALIVE_S
    connection = http.client.HTTPConnection(urlparse(iris.url).netloc, timeout=30)
    try:
        connection.request("GET", "/v2/health/live")
        assert connection.getresponse().read() == b'{"live":true}'
        sock = connection.sock
        time.sleep(6)  # idle past uvicorn's default keep-alive
        connection.request("GET", "/v2/health/live")  # raises if the server closed it
        assert connection.getresponse().status == 200
        assert connection.sock is sock  # the same connection, not a new one
    finally:
        connection.close()
