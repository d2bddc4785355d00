"""Every client mistake is a 4xx whose JSON body names the problem, never a 500 or a traceback.

Given the scikit-learn model served with a 200,000-byte body limit; when a client sends each
kind of bad request; then the status is the one the mistake deserves, the body says what is
wrong (the column, row or shape) in the protocol's error shape, and the server keeps serving.
"""

from __future__ import annotations

import json

import pytest

from tests.serving.servers import COLUMNS, ROWS, Server

SEPAL = COLUMNS[1]


def row(**changes: object) -> dict[str, object]:
    record: dict[str, object] = dict(zip(COLUMNS, ROWS[0], strict=True))
    record.update(changes)
    return record


MLFLOW_CASES = [
    # (id, raw body, content type, status, reason, words the message must hold)
    (
        "malformed-json",
        b'{"dataframe_split": ',
        "application/json",
        400,
        "malformed_json",
        "not valid JSON",
    ),
    ("not-utf8", b"\xff\xfe", "application/json", 400, "malformed_json", "not valid JSON"),
    ("a-list", b"[1, 2]", "application/json", 400, "unknown_format", "exactly one of"),
    (
        "unknown-key",
        b'{"rows": [[1, 2, 3, 4]]}',
        "application/json",
        400,
        "unknown_format",
        "'rows'",
    ),
    (
        "two-formats",
        json.dumps({"instances": ROWS, "inputs": ROWS}).encode(),
        "application/json",
        400,
        "unknown_format",
        "exactly one",
    ),
    (
        "unknown-column",
        json.dumps({"dataframe_records": [row(colour="red")]}).encode(),
        "application/json",
        400,
        "unknown_column",
        "'colour'",
    ),
    (
        "missing-column",
        json.dumps({"dataframe_split": {"columns": COLUMNS[:3], "data": [ROWS[0][:3]]}}).encode(),
        "application/json",
        400,
        "missing_column",
        COLUMNS[3],
    ),
    (
        "text-for-a-double",
        json.dumps({"dataframe_records": [row(), row(**{SEPAL: "wide"})]}).encode(),
        "application/json",
        400,
        "wrong_type",
        f"column '{SEPAL}' takes double, row 1 has text",
    ),
    (
        "null-for-a-double",
        json.dumps({"instances": [[5.1, None, 1.4, 0.2]]}).encode(),
        "application/json",
        400,
        "missing_value",
        f"column '{SEPAL}' is required, row 0",
    ),
    (
        "ragged-rows",
        json.dumps({"inputs": [ROWS[0], ROWS[1][:3]]}).encode(),
        "application/json",
        400,
        "wrong_shape",
        "row 1 has 3 values, the model takes 4 columns",
    ),
    (
        "too-wide",
        json.dumps({"instances": [[*ROWS[0], 9.9]]}).encode(),
        "application/json",
        400,
        "wrong_shape",
        "row 0 has 5 values",
    ),
    (
        "no-rows",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": []}}).encode(),
        "application/json",
        400,
        "empty_input",
        "no rows",
    ),
    (
        "split-unknown-key",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": ROWS, "dtype": "x"}}).encode(),
        "application/json",
        400,
        "unknown_format",
        "'dtype'",
    ),
    (
        "nested-value",
        json.dumps({"instances": [[[1.0], 3.5, 1.4, 0.2]]}).encode(),
        "application/json",
        400,
        "wrong_type",
        "has list",
    ),
    (
        "params-not-taken",
        json.dumps({"instances": ROWS, "params": {"k": 1}}).encode(),
        "application/json",
        400,
        "unknown_param",
        "takes no params",
    ),
    (
        "csv-text-for-a-double",
        (",".join(COLUMNS) + "\n5.1,wide,1.4,0.2\n").encode(),
        "text/csv",
        400,
        "wrong_type",
        f"CSV column '{SEPAL}' takes double, row 0",
    ),
    (
        "form-encoded",
        b"a=1",
        "application/x-www-form-urlencoded",
        415,
        "unsupported_media_type",
        "application/json",
    ),
    (
        "too-large",
        json.dumps({"instances": [ROWS[0]] * 10_000}).encode(),
        "application/json",
        413,
        "too_large",
        "larger than 200000 bytes",
    ),
]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in MLFLOW_CASES],
)
def test_mlflow_protocol_names_the_problem(
    iris: Server, body: bytes, content_type: str, status: int, reason: str, words: str
) -> None:
    answer = iris.post("/invocations", data=body, headers={"Content-Type": content_type})
    assert answer.status_code == status, answer.text
    error = answer.json()
    assert error["error_code"] == "BAD_REQUEST"
    assert error["reason"] == reason
    assert words in error["message"]
    assert "Traceback" not in answer.text


def tensor(**changes: object) -> dict[str, object]:
    item: dict[str, object] = {"name": "x", "shape": [1, 4], "datatype": "FP64", "data": ROWS[0]}
    item.update(changes)
    return {"inputs": [item]}


V2_CASES = [
    ("malformed-json", b"{", 400, "malformed_json", "not valid JSON"),
    ("no-inputs", b'{"instances": []}', 400, "unknown_format", "list of inputs"),
    ("empty-inputs", b'{"inputs": []}', 400, "empty_input", "inputs is empty"),
    ("no-name", json.dumps(tensor(name="")).encode(), 400, "unknown_format", "needs a name"),
    ("bad-shape", json.dumps(tensor(shape=[1, -4])).encode(), 400, "wrong_shape", "needs a shape"),
    (
        "size-mismatch",
        json.dumps(tensor(shape=[2, 4])).encode(),
        400,
        "wrong_shape",
        "has 4 values, its shape [2, 4] needs 8",
    ),
    (
        "unknown-datatype",
        json.dumps(tensor(datatype="FP128")).encode(),
        400,
        "wrong_type",
        "'FP128'",
    ),
    (
        "text-as-fp64",
        json.dumps(tensor(data=["a", "b", "c", "d"])).encode(),
        400,
        "wrong_type",
        "is FP64 but holds other values",
    ),
    (
        "three-columns",
        json.dumps(tensor(shape=[1, 3], data=ROWS[0][:3])).encode(),
        400,
        "wrong_shape",
        "the model takes [N, 4]",
    ),
    (
        "unknown-column-input",
        json.dumps(
            {
                "inputs": [
                    {"name": c, "shape": [1], "datatype": "FP64", "data": [1.0]}
                    for c in [*COLUMNS[:3], "colour"]
                ]
            }
        ).encode(),
        400,
        "unknown_column",
        "'colour'",
    ),
    (
        "too-large",
        json.dumps(tensor(shape=[20_000, 4], data=[ROWS[0]] * 20_000)).encode(),
        413,
        "too_large",
        "larger than",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "reason", "words"), [pytest.param(*c[1:], id=c[0]) for c in V2_CASES]
)
def test_v2_names_the_problem(
    iris: Server, body: bytes, status: int, reason: str, words: str
) -> None:
    answer = iris.post(
        "/v2/models/iris/infer", data=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == status, answer.text
    error = answer.json()
    assert error["reason"] == reason
    assert words in error["error"]
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    ("body", "params"),
    [
        (
            {"dataframe_records": [row(), row(**{SEPAL: "wide"})]},
            {"column": SEPAL, "type": "double", "row": 1, "value": '"wide"'},
        ),
        ({"instances": [[5.1, None, 1.4, 0.2]]}, {"column": SEPAL, "row": 0}),
        (
            {"dataframe_records": [row(colour="red")]},
            {"columns": "colour", "expected": ", ".join(COLUMNS)},
        ),
        (
            {"dataframe_split": {"columns": COLUMNS[:3], "data": [ROWS[0][:3]]}},
            {"columns": COLUMNS[3]},
        ),
        (
            {"inputs": [ROWS[0], ROWS[1][:3]]},
            {"row": 1, "values": 3, "width": 4, "columns": ", ".join(COLUMNS)},
        ),
    ],
    ids=["wrong-type", "missing-value", "unknown-column", "missing-column", "row-width"],
)
def test_a_refusal_names_its_values_for_a_client_to_say_in_its_language(
    iris: Server, body: dict[str, object], params: dict[str, object]
) -> None:
    # Try it says these in Russian from the values, not from the English sentence
    answer = iris.post("/invocations", body)
    assert answer.status_code == 400
    assert answer.json()["params"] == params


def test_the_server_serves_on_after_bad_requests(iris: Server) -> None:
    for _ in range(3):
        iris.post("/invocations", data=b"{", headers={"Content-Type": "application/json"})
    assert iris.post("/invocations", {"instances": ROWS}).json() == {"predictions": [0, 1, 2]}
    assert "Traceback" not in iris.log.read_text()
