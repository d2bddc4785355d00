"""The two wire protocols, as pure functions from a request's body to the model's input and
from the model's answer to a response body.

MLflow scoring protocol (what ``mlflow models serve`` answers): a JSON object with exactly one
of ``dataframe_split``, ``dataframe_records``, ``instances``, ``inputs`` (and optionally
``params``), or a CSV with a header row; the answer is ``{"predictions": ...}``. Beyond MLflow,
``instances``/``inputs`` may also be positional rows for a model with columns (what KServe's
sklearn server takes), and unknown columns are refused rather than dropped.

Open Inference Protocol v2: ``{"inputs": [{"name", "shape", "datatype", "data"}]}`` → ``{"outputs":
[...]}``. A model with columns takes one input per column (shape ``[N]`` or ``[N, 1]``, as
MLServer's pandas codec sends) or one ``[N, columns]`` input.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import numpy as np
import orjson

from .errors import BadInput
from .model import Model
from .schema import (
    INTEGRAL,
    NUMERIC,
    V2_DATATYPES,
    Batch,
    Signature,
    Tensor,
    castable,
    check_names,
    instance_rows,
    matrix_batch,
    records_rows,
    rows_batch,
    split_rows,
    tensor_array,
    v2_datatype,
)

FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")


def decode_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise BadInput(f"the body is not valid JSON: {e}", "malformed_json") from None


# ------------------------------------------------------------------------ MLflow protocol


def mlflow_input(model: Model, body: bytes, content_type: str) -> tuple[Any, dict[str, Any] | None]:
    """The model's input and params for an ``/invocations`` body."""
    mime, _, parameters = content_type.partition(";")
    mime = mime.strip().lower()
    if "charset" in parameters.lower() and "utf-8" not in parameters.lower():
        raise BadInput("the body must be UTF-8", "unsupported_media_type", 415)
    if mime in ("", "application/json"):
        return _from_json(model, decode_json(body))
    if mime == "text/csv":
        return _from_csv(model, body), None
    raise BadInput(
        f"content type {mime!r} is not served: send application/json or text/csv",
        "unsupported_media_type",
        415,
    )


def _from_json(model: Model, payload: Any) -> tuple[Any, dict[str, Any] | None]:
    if not isinstance(payload, dict):
        raise BadInput(
            "the body must be a JSON object with exactly one of " + ", ".join(FORMATS),
            "unknown_format",
        )
    keys = [k for k in payload if k in FORMATS]
    others = [k for k in payload if k not in FORMATS and k != "params"]
    if others or len(keys) != 1:
        found = ", ".join(map(repr, payload)) or "no keys"
        raise BadInput(
            f"the body must hold exactly one of {', '.join(FORMATS)} (and optionally params); "
            f"found {found}",
            "unknown_format",
        )
    params = payload.get("params")
    if params is not None and not isinstance(params, dict):
        raise BadInput("params must be an object", "wrong_type")
    if params and not model.signature.params:
        raise BadInput("this model takes no params", "unknown_param")
    if params:
        unknown = sorted(set(params) - set(model.signature.params))
        if unknown:
            raise BadInput(f"unknown params {', '.join(map(repr, unknown))}", "unknown_param")
    key = keys[0]
    return _data(model.signature, key, payload[key]), params


def _data(sig: Signature, key: str, data: Any) -> Any:
    if sig.columns:
        columns = sig.columns
        if key == "dataframe_split":
            rows = split_rows(columns, data, key)
        elif key == "dataframe_records":
            rows = records_rows(columns, data, key)
        else:
            rows = instance_rows(columns, data, key)
        return rows_batch(columns, rows, key)
    if sig.tensors:
        if len(sig.tensors) == 1 and not isinstance(data, dict):
            if key == "dataframe_split" and isinstance(data, dict):
                data = data.get("data")
            return tensor_array(sig.tensors[0], data, key)
        if not isinstance(data, dict):
            raise BadInput(
                f"{key} must be an object of named tensors: "
                + ", ".join(repr(t.name) for t in sig.tensors),
                "wrong_shape",
            )
        names = [str(t.name) for t in sig.tensors]
        check_names(names, set(), data.keys(), key)
        return {
            str(t.name): tensor_array(t, data[str(t.name)], f"{key}.{t.name}") for t in sig.tensors
        }
    return _unchecked(key, data)


def _unchecked(key: str, data: Any) -> Any:
    """A model logged without a signature: the data as MLflow would give it, and the model
    says what it thinks."""
    if key in ("dataframe_split", "dataframe_records"):
        import pandas as pd

        try:
            if key == "dataframe_split":
                if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                    raise BadInput("dataframe_split must hold columns and data", "wrong_shape")
                return pd.DataFrame(data["data"], columns=data.get("columns"))
            return pd.DataFrame.from_records(data)
        except (ValueError, TypeError) as e:
            raise BadInput(f"{key} is not a table: {e}", "wrong_shape") from None
    try:
        return np.array(data) if not isinstance(data, dict) else data
    except ValueError:
        raise BadInput(f"{key} is not a rectangular array", "wrong_shape") from None


def _from_csv(model: Model, body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("the CSV body is not UTF-8", "malformed_csv") from None
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise BadInput(f"the body is not CSV: {e}", "malformed_csv") from None
    if len(table) < 2:
        raise BadInput("the CSV body needs a header row and at least one row", "empty_input")
    header, rows = table[0], [r for r in table[1:] if r]
    sig = model.signature
    if not sig.columns:
        import pandas as pd

        return pd.read_csv(io.StringIO(text))
    by_name = {c.name: c for c in sig.columns}
    check_names(list(by_name), {c.name for c in sig.columns if not c.required}, header, "CSV")
    types = [by_name[h].type for h in header]
    typed = []
    for r, row in enumerate(rows):
        if len(row) != len(header):
            raise BadInput(
                f"CSV row {r} has {len(row)} values, the header {len(header)}", "wrong_shape"
            )
        typed.append(
            [
                _csv_value(v, t, header[i], r)
                for i, (v, t) in enumerate(zip(row, types, strict=True))
            ]
        )
    return rows_batch(
        sig.columns, split_rows(sig.columns, {"columns": header, "data": typed}, "CSV"), "CSV"
    )


def _csv_value(text: str, kind: str, column: str, row: int) -> Any:
    if text == "":
        return None
    try:
        if kind in INTEGRAL:
            return int(text)
        if kind in NUMERIC:
            value = float(text)
            if math.isfinite(value):
                return value
            raise ValueError
        if kind == "boolean":
            return {"true": True, "false": False, "1": True, "0": False}[text.strip().lower()]
    except (ValueError, KeyError):
        raise BadInput(
            f"CSV column {column!r} takes {kind}, row {row} has {text[:40]!r}", "wrong_type"
        ) from None
    return text


def mlflow_output(predictions: Any) -> bytes:
    return orjson.dumps({"predictions": predictions}, default=_jsonable, option=_NUMPY)


_NUMPY = orjson.OPT_SERIALIZE_NUMPY


def _jsonable(value: Any) -> Any:
    """What orjson cannot write itself: pandas objects (records, as MLflow writes them),
    object or non-contiguous arrays, numpy scalars."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and hasattr(value, "columns"):
        return to_dict(orient="records")
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"{type(value).__name__} is not JSON")


# ----------------------------------------------------------------------------- v2 protocol


def v2_input(model: Model, body: bytes) -> tuple[Any, dict[str, Any]]:
    """The model's input for a v2 infer body, and what the response echoes (id, parameters)."""
    payload = decode_json(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("inputs"), list):
        raise BadInput("the body must be an object with a list of inputs", "unknown_format")
    if not payload["inputs"]:
        raise BadInput("inputs is empty", "empty_input")
    echo = {k: payload[k] for k in ("id",) if isinstance(payload.get(k), str)}
    tensors = [_v2_tensor(i, item) for i, item in enumerate(payload["inputs"])]
    sig = model.signature
    if sig.columns:
        return _v2_columns(sig, tensors), echo
    if sig.tensors:
        if len(sig.tensors) == 1 and len(tensors) == 1:
            return sig.tensors[0].check(tensors[0][1], f"input {tensors[0][0]!r}"), echo
        by_name = dict(tensors)
        check_names([str(t.name) for t in sig.tensors], set(), by_name.keys(), "inputs")
        return {
            str(t.name): t.check(by_name[str(t.name)], f"input {t.name!r}") for t in sig.tensors
        }, echo
    if len(tensors) == 1:
        return tensors[0][1], echo
    import pandas as pd

    return pd.DataFrame({n: a.reshape(len(a), -1)[:, 0] for n, a in tensors}), echo


def _v2_tensor(i: int, item: Any) -> tuple[str, np.ndarray[Any, Any]]:
    if not isinstance(item, dict):
        raise BadInput(f"inputs[{i}] is not an object", "unknown_format")
    name, shape, datatype, data = (item.get(k) for k in ("name", "shape", "datatype", "data"))
    what = f"input {name!r}" if isinstance(name, str) else f"inputs[{i}]"
    if not isinstance(name, str) or not name:
        raise BadInput(f"{what} needs a name", "unknown_format")
    if not isinstance(shape, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        raise BadInput(f"{what} needs a shape: a list of sizes", "wrong_shape")
    if datatype not in V2_DATATYPES:
        raise BadInput(
            f"{what} has datatype {datatype!r}; one of {', '.join(V2_DATATYPES)}", "wrong_type"
        )
    if not isinstance(data, list):
        raise BadInput(f"{what} needs data: a list of values", "wrong_shape")
    try:
        array = np.array(data)
    except ValueError:
        raise BadInput(f"{what} data is not a rectangular array", "wrong_shape") from None
    want = np.dtype(V2_DATATYPES[datatype])
    if array.size and not castable(array.dtype, want):
        raise BadInput(f"{what} is {datatype} but holds other values", "wrong_type")
    if array.size != math.prod(shape):
        raise BadInput(
            f"{what} has {array.size} values, its shape {shape} needs {math.prod(shape)}",
            "wrong_shape",
        )
    return name, array.astype(want, copy=False).reshape(shape)


def _v2_columns(sig: Signature, tensors: list[tuple[str, np.ndarray[Any, Any]]]) -> Batch:
    columns = sig.columns or ()
    names = [c.name for c in columns]
    if len(tensors) == 1 and tensors[0][0] not in names:
        name, array = tensors[0]
        if array.ndim != 2 or array.shape[1] != len(names):
            raise BadInput(
                f"input {name!r} has shape {list(array.shape)}; the model takes "
                f"[N, {len(names)}] (columns {', '.join(map(repr, names))}) "
                "or one input per column",
                "wrong_shape",
            )
        return matrix_batch(columns, array, f"input {name!r}")
    by_name = dict(tensors)
    check_names(names, {c.name for c in columns if not c.required}, by_name.keys(), "inputs")
    lengths = set()
    for name, array in tensors:
        if array.ndim == 0 or array.ndim > 2 or (array.ndim == 2 and array.shape[1] != 1):
            raise BadInput(f"input {name!r} must have shape [N] or [N, 1]", "wrong_shape")
        lengths.add(array.shape[0])
    if len(lengths) != 1:
        raise BadInput("every input must hold the same number of rows", "wrong_shape")
    count = lengths.pop()
    series = [by_name[n].reshape(-1).tolist() if n in by_name else [None] * count for n in names]
    return rows_batch(columns, [list(r) for r in zip(*series, strict=True)], "inputs")


def v2_output(model: Model, predictions: Any, echo: dict[str, Any]) -> bytes:
    outputs = []
    if hasattr(predictions, "columns") and hasattr(predictions, "to_numpy"):  # a DataFrame
        for name in predictions.columns:
            outputs.append(_v2_out(str(name), predictions[name].to_numpy()))
    elif isinstance(predictions, dict):
        outputs = [_v2_out(str(k), np.asarray(v)) for k, v in predictions.items()]
    else:
        names = [getattr(o, "name", None) for o in model.signature.outputs]
        name = names[0] if len(names) == 1 and names[0] else "output-0"
        outputs.append(_v2_out(name, np.asarray(predictions)))
    answer = {"model_name": model.name, "model_version": model.version, **echo, "outputs": outputs}
    return orjson.dumps(answer, default=_jsonable, option=_NUMPY)


def _v2_out(name: str, array: np.ndarray[Any, Any]) -> dict[str, Any]:
    datatype = v2_datatype(array.dtype)
    data = array.reshape(-1)
    return {
        "name": name,
        "datatype": datatype,
        "shape": list(array.shape),
        "data": data if datatype != "BYTES" else [str(v) for v in data.tolist()],
    }


def v2_metadata(model: Model) -> dict[str, Any]:
    sig = model.signature
    if sig.columns:
        inputs = [{"name": c.name, "datatype": c.v2_datatype, "shape": [-1]} for c in sig.columns]
    else:
        inputs = [
            {
                "name": t.name or f"input-{i}",
                "datatype": v2_datatype(np.dtype(t.dtype)),
                "shape": list(t.shape),
            }
            for i, t in enumerate(sig.tensors or ())
        ]
    outputs = []
    for i, o in enumerate(sig.outputs):
        if isinstance(o, Tensor):
            outputs.append(
                {
                    "name": o.name or f"output-{i}",
                    "datatype": v2_datatype(np.dtype(o.dtype)),
                    "shape": list(o.shape),
                }
            )
        else:
            outputs.append({"name": o.name, "datatype": o.v2_datatype, "shape": [-1]})
    return {
        "name": model.name,
        "versions": [model.version] if model.version else [],
        "platform": f"mlflow_{model.flavor}",
        "inputs": inputs,
        "outputs": outputs,
    }
