"""A model's signature, and the checks every request passes before the model sees it.

MLflow writes the signature into the ``MLmodel`` file as JSON strings: a list of columns
(``{"type": "double", "name": "x", "required": true}``) or of tensors (``{"type": "tensor",
"tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}``). Requests are checked against it here
so a client's mistake is a 400 that names the column, row or shape, never the model's own
exception from deep inside scikit-learn.

Speed matters on this path (a 1-row request costs well under a millisecond in all): a batch of
numeric columns is checked by numpy on the whole array at once and only a failing batch is
walked value by value to name the culprit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import BadInput, LoadError

#: MLflow column types → the numpy dtype a column of them becomes
COLUMN_DTYPES: dict[str, str] = {
    "boolean": "bool",
    "integer": "int32",
    "long": "int64",
    "float": "float32",
    "double": "float64",
    "string": "object",
    "binary": "object",
    "datetime": "datetime64[ns]",
}
NUMERIC = frozenset({"integer", "long", "float", "double"})
INTEGRAL = frozenset({"integer", "long"})

#: Open Inference Protocol v2 datatypes ↔ numpy
V2_DATATYPES: dict[str, str] = {
    "BOOL": "bool",
    "UINT8": "uint8",
    "UINT16": "uint16",
    "UINT32": "uint32",
    "UINT64": "uint64",
    "INT8": "int8",
    "INT16": "int16",
    "INT32": "int32",
    "INT64": "int64",
    "FP16": "float16",
    "FP32": "float32",
    "FP64": "float64",
    "BYTES": "object",
}
_COLUMN_V2 = {
    "boolean": "BOOL",
    "integer": "INT32",
    "long": "INT64",
    "float": "FP32",
    "double": "FP64",
    "string": "BYTES",
    "binary": "BYTES",
    "datetime": "BYTES",
}


#: numpy dtype → v2 datatype, looked up per response (building the name costs more)
_V2_OF_DTYPE = {np.dtype(v): k for k, v in V2_DATATYPES.items() if k != "BYTES"}


def v2_datatype(dtype: np.dtype[Any]) -> str:
    """The v2 datatype of a numpy dtype (strings and objects travel as BYTES)."""
    found = _V2_OF_DTYPE.get(dtype)
    if found is None and dtype.byteorder not in "=|":
        found = _V2_OF_DTYPE.get(dtype.newbyteorder("="))
    return found or "BYTES"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = True

    def accepts(self, value: object) -> bool:
        """Whether one JSON value fits the column (``None`` is checked by the caller)."""
        kind = self.type
        if kind in NUMERIC:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            return kind not in INTEGRAL or isinstance(value, int) or float(value).is_integer()
        if kind == "boolean":
            return isinstance(value, bool)
        if kind in ("string", "binary", "datetime"):
            return isinstance(value, str)
        return True  # arrays, objects, maps: the model checks their insides

    @property
    def v2_datatype(self) -> str:
        return _COLUMN_V2.get(self.type, "BYTES")


@dataclass(frozen=True)
class Tensor:
    name: str | None
    dtype: str
    shape: tuple[int, ...]

    def check(self, array: np.ndarray[Any, Any], what: str) -> np.ndarray[Any, Any]:
        """``array`` cast to the tensor's dtype, once its shape and kind fit."""
        if array.ndim != len(self.shape) or any(
            want not in (-1, got) for want, got in zip(self.shape, array.shape, strict=True)
        ):
            raise BadInput(
                f"{what} has shape {list(array.shape)}, the model takes {list(self.shape)}",
                "wrong_shape",
            )
        want = np.dtype(self.dtype)
        if not castable(array.dtype, want):
            raise BadInput(
                f"{what} holds {_kind_name(array.dtype)} values, the model takes {want.name}",
                "wrong_type",
            )
        return array.astype(want, copy=False)


def castable(got: np.dtype[Any], want: np.dtype[Any]) -> bool:
    """Whether values that JSON decoded into ``got`` may be given to a ``want`` input: numbers
    to numbers (an integral tensor takes only integers), booleans to booleans, and text to text;
    never text parsed into numbers behind the client's back."""
    if want.kind in "iu":
        return got.kind in "iu"
    if want.kind == "f":
        return got.kind in "iuf"
    if want.kind == "b":
        return got.kind == "b"
    if want.kind in "OUS":
        return got.kind in "OUS"
    return True


def _kind_name(dtype: np.dtype[Any]) -> str:
    return {"U": "text", "S": "text", "O": "mixed or null", "b": "boolean", "f": "decimal"}.get(
        dtype.kind, "integer" if dtype.kind in "iu" else dtype.name
    )


@dataclass(frozen=True)
class Signature:
    """What a model takes and gives: columns or tensors (or neither, when it was logged
    without a signature), the outputs as MLflow wrote them, and whether it takes params."""

    columns: tuple[Column, ...] | None = None
    tensors: tuple[Tensor, ...] | None = None
    outputs: tuple[Column | Tensor, ...] = ()
    params: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns or ())

    @property
    def numeric(self) -> bool:
        """All columns numeric and required: the batch can be one float array."""
        return bool(self.columns) and all(
            c.type in NUMERIC and c.required for c in self.columns or ()
        )


def parse_signature(raw: dict[str, Any] | None) -> Signature:
    """The signature of an ``MLmodel`` file's ``signature`` section."""
    if not raw or not raw.get("inputs"):
        return Signature()
    try:
        inputs = _specs(raw["inputs"])
        outputs = _specs(raw.get("outputs"))
        params = tuple(p["name"] for p in _json_list(raw.get("params")))
    except (KeyError, TypeError, ValueError) as e:
        raise LoadError(f"the model's signature cannot be read: {e}") from None
    if all(isinstance(s, Tensor) for s in inputs):
        return Signature(tensors=tuple(inputs), outputs=outputs, params=params)  # type: ignore[arg-type]
    columns = tuple(s for s in inputs if isinstance(s, Column))
    if len(columns) != len(inputs):
        raise LoadError("the model's signature mixes columns and tensors")
    if len({c.name for c in columns}) != len(columns):
        raise LoadError("the model's signature names a column twice")
    return Signature(columns=columns, outputs=outputs, params=params)


def _json_list(text: object) -> list[dict[str, Any]]:
    if not text:
        return []
    value = json.loads(text) if isinstance(text, str) else text
    if not isinstance(value, list):
        raise ValueError("not a list")
    return value


def _specs(text: object) -> tuple[Column | Tensor, ...]:
    specs: list[Column | Tensor] = []
    for i, item in enumerate(_json_list(text)):
        if item.get("type") == "tensor":
            spec = item["tensor-spec"]
            specs.append(
                Tensor(item.get("name"), np.dtype(spec["dtype"]).name, tuple(spec["shape"]))
            )
        else:
            specs.append(
                Column(str(item.get("name", i)), str(item["type"]), item.get("required", True))
            )
    return tuple(specs)


# ------------------------------------------------------------------- checks of a batch


@dataclass
class Batch:
    """A checked batch, ready for a model: a 2-D float array when every column is numeric,
    else one array per column (the caller makes a DataFrame of them when the model needs one)."""

    rows: int
    matrix: np.ndarray[Any, Any] | None = None
    columns: dict[str, np.ndarray[Any, Any]] | None = None


def rows_batch(columns: Sequence[Column], rows: object, what: str = "data") -> Batch:
    """Check ``rows`` (a list of lists, in the signature's column order) against ``columns``."""
    if not isinstance(rows, list):
        raise BadInput(f"{what} must be a list of rows", "wrong_shape")
    if not rows:
        raise BadInput(f"{what} holds no rows", "empty_input")
    width = len(columns)
    if all(c.type in NUMERIC and c.required for c in columns):
        try:
            matrix = np.array(rows)
        except ValueError:
            matrix = None  # ragged: the walk below names the row
        if matrix is not None and matrix.ndim == 2 and matrix.shape[1] == width:
            if matrix.dtype.kind in "iu":
                return Batch(len(rows), matrix=matrix.astype(np.float64))
            if matrix.dtype.kind == "f":
                integral = [i for i, c in enumerate(columns) if c.type in INTEGRAL]
                if not integral or np.all(np.mod(matrix[:, integral], 1) == 0):
                    return Batch(len(rows), matrix=matrix)
    return Batch(len(rows), columns=_walk(columns, rows, what))


def matrix_batch(columns: Sequence[Column], array: np.ndarray[Any, Any], what: str) -> Batch:
    """A 2-D array already decoded (a v2 tensor) checked against ``columns`` without going
    back through Python lists when every column is numeric."""
    if (
        array.ndim == 2
        and array.shape[1] == len(columns)
        and array.dtype.kind in "iuf"
        and all(c.type in NUMERIC and c.required for c in columns)
    ):
        integral = [i for i, c in enumerate(columns) if c.type in INTEGRAL]
        if array.dtype.kind in "iu" or not integral or np.all(np.mod(array[:, integral], 1) == 0):
            return Batch(len(array), matrix=array.astype(np.float64, copy=False))
    return rows_batch(columns, array.tolist(), what)


def _walk(columns: Sequence[Column], rows: list[Any], what: str) -> dict[str, np.ndarray[Any, Any]]:
    """Value by value: slower, and names the first row and column that do not fit."""
    width = len(columns)
    values: list[list[Any]] = [[] for _ in columns]
    for r, row in enumerate(rows):
        if not isinstance(row, list):
            raise BadInput(f"{what} row {r} is not a list of values", "wrong_shape")
        if len(row) != width:
            raise BadInput(
                f"{what} row {r} has {len(row)} values, the model takes {width} columns: "
                + ", ".join(c.name for c in columns),
                "wrong_shape",
                params={
                    "row": r,
                    "values": len(row),
                    "width": width,
                    "columns": ", ".join(c.name for c in columns),
                },
            )
        for c, (column, value) in enumerate(zip(columns, row, strict=True)):
            if value is None:
                if column.required:
                    raise BadInput(
                        f"column {column.name!r} is required, row {r} has null",
                        "missing_value",
                        params={"column": column.name, "row": r},
                    )
            elif not column.accepts(value):
                raise BadInput(
                    f"column {column.name!r} takes {column.type}, row {r} has "
                    f"{_json_type(value)} {_short(value)}",
                    "wrong_type",
                    params={
                        "column": column.name,
                        "type": str(column.type),
                        "row": r,
                        "value": _short(value),
                    },
                )
            values[c].append(value)
    return {
        column.name: _column_array(column, vals)
        for column, vals in zip(columns, values, strict=True)
    }


def _column_array(column: Column, values: list[Any]) -> np.ndarray[Any, Any]:
    dtype = COLUMN_DTYPES.get(column.type, "object")
    if None in values:
        # an optional column with gaps: numbers become NaN, the rest stays as objects
        dtype = "float64" if column.type in NUMERIC else "object"
        values = [np.nan if v is None and dtype == "float64" else v for v in values]
    if dtype == "datetime64[ns]":
        try:
            return np.array(values, dtype=dtype)
        except ValueError:
            raise BadInput(f"column {column.name!r} takes ISO date-times", "wrong_type") from None
    array = np.empty(len(values), dtype=dtype) if dtype == "object" else None
    if array is not None:
        array[:] = values
        return array
    return np.array(values, dtype=dtype)


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _short(value: object) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def records_rows(columns: Sequence[Column], records: object, what: str) -> list[list[Any]]:
    """``[{"col": value}, ...]`` → rows in the signature's order; unknown or missing columns
    are named."""
    if not isinstance(records, list):
        raise BadInput(f"{what} must be a list of records", "wrong_shape")
    names = [c.name for c in columns]
    optional = {c.name for c in columns if not c.required}
    rows = []
    for r, record in enumerate(records):
        if not isinstance(record, dict):
            raise BadInput(f"{what} record {r} is not an object", "wrong_shape")
        if len(record) == len(names) and not optional:
            try:
                rows.append([record[n] for n in names])
                continue
            except KeyError:
                pass
        check_names(names, optional, record.keys(), f"{what} record {r}")
        rows.append([record.get(n) for n in names])
    return rows


def check_names(
    names: Sequence[str], optional: set[str] | frozenset[str], given: Any, what: str
) -> None:
    given = list(given)
    unknown = [str(g) for g in given if g not in names]
    if unknown:
        raise BadInput(
            f"{what} has unknown columns {', '.join(map(repr, unknown))}; the model takes "
            + ", ".join(map(repr, names)),
            "unknown_column",
            params={"columns": ", ".join(unknown), "expected": ", ".join(names)},
        )
    missing = [n for n in names if n not in given and n not in optional]
    if missing:
        raise BadInput(
            f"{what} misses the columns {', '.join(map(repr, missing))}",
            "missing_column",
            params={"columns": ", ".join(missing)},
        )
    if len(set(given)) != len(given):
        raise BadInput(f"{what} names a column twice", "wrong_shape")


def split_rows(columns: Sequence[Column], split: object, what: str) -> list[list[Any]]:
    """``{"columns": [...], "data": [[...]]}`` → rows in the signature's order."""
    if not isinstance(split, dict):
        raise BadInput(f"{what} must be an object with columns and data", "wrong_shape")
    unknown_keys = set(split) - {"columns", "data", "index"}
    if unknown_keys:
        raise BadInput(
            f"{what} has unknown keys {', '.join(sorted(map(repr, unknown_keys)))}; "
            "it takes columns, data and index",
            "unknown_format",
        )
    data = split.get("data")
    if not isinstance(data, list):
        raise BadInput(f"{what}.data must be a list of rows", "wrong_shape")
    given = split.get("columns")
    names = [c.name for c in columns]
    if given is None or given == names:
        return data
    if not isinstance(given, list):
        raise BadInput(f"{what}.columns must be a list of names", "wrong_shape")
    check_names(names, {c.name for c in columns if not c.required}, given, what)
    where = [given.index(n) if n in given else -1 for n in names]
    rows = []
    for r, row in enumerate(data):
        if not isinstance(row, list) or len(row) != len(given):
            raise BadInput(
                f"{what} row {r} does not have one value per column ({len(given)})",
                "wrong_shape",
            )
        rows.append([row[i] if i >= 0 else None for i in where])
    return rows


def columnar_rows(columns: Sequence[Column], data: dict[str, Any], what: str) -> list[list[Any]]:
    """``{"col": [v0, v1], ...}`` → rows in the signature's order."""
    names = [c.name for c in columns]
    check_names(names, {c.name for c in columns if not c.required}, data.keys(), what)
    lengths = {len(v) if isinstance(v, list) else 1 for v in data.values()}
    if len(lengths) != 1:
        raise BadInput(f"{what}: every column must hold the same number of values", "wrong_shape")
    count = lengths.pop()
    series = [
        (v if isinstance(v, list) else [v]) if (v := data.get(n)) is not None else [None] * count
        for n in names
    ]
    return [list(row) for row in zip(*series, strict=True)]


def instance_rows(columns: Sequence[Column], instances: object, what: str) -> list[list[Any]]:
    """``instances``/``inputs`` for a column model: records, positional rows, a column of
    scalars (one-column models) or columns by name."""
    if isinstance(instances, dict):
        return columnar_rows(columns, instances, what)
    if not isinstance(instances, list) or not instances:
        raise BadInput(f"{what} must be a non-empty list", "empty_input")
    first = instances[0]
    if isinstance(first, dict):
        return records_rows(columns, instances, what)
    if not isinstance(first, list) and len(columns) == 1:
        return [[v] for v in instances]
    return instances


def tensor_array(tensor: Tensor, data: object, what: str) -> np.ndarray[Any, Any]:
    try:
        array = np.array(data)
    except ValueError:
        raise BadInput(f"{what} is not a rectangular array", "wrong_shape") from None
    return tensor.check(array, what)
