"""Load an MLflow model once and call it.

The ``sklearn`` flavour is read straight from its file (skops, cloudpickle or pickle, as the
``MLmodel`` says): no ``import mlflow`` (seconds of start and hundreds of megabytes), which is
most of why a replica answers in under three seconds. Every other flavour goes through
``mlflow.pyfunc.load_model``, imported only then.

A scikit-learn estimator fitted on a DataFrame checks the column names of every call, and
building a one-row DataFrame costs ~6 times the prediction itself. Once the request has been checked
against the signature here the names are known to be right, so the model is given a plain
array when a probe at load time shows it answers the same (a ColumnTransformer that selects
columns by name does not, and keeps getting a DataFrame).
"""

from __future__ import annotations

import logging
import os
import pickle
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import BadInput, LoadError
from .schema import Batch, Signature, parse_signature

log = logging.getLogger("mlplat.serving")

#: the predict functions MLflow lets a scikit-learn model be served with (``pyfunc_predict_fn``)
PREDICT_FNS = frozenset(
    {"predict", "predict_proba", "predict_log_proba", "predict_joint_log_proba", "score"}
)
#: scikit-learn's warning for an array given to a model fitted on a DataFrame: the names were
#: checked against the signature before the call, so it says nothing here
NAMES_WARNING = "X does not have valid feature names"


@dataclass
class Model:
    """A loaded model and what the protocols need to know of it."""

    name: str
    version: str
    flavor: str
    signature: Signature
    predict_fn: Callable[..., Any]
    #: the model gets a pandas DataFrame (else: a 2-D float array when the batch is one)
    wants_frame: bool = True
    #: whether ``predict_fn`` takes ``params=`` (pyfunc models)
    takes_params: bool = False
    #: the column order the model was fitted with, when the signature lists them in another
    #: (scikit-learn refuses a DataFrame whose columns are not in its fitted order)
    frame_order: list[str] | None = None
    mlflow_version: str = ""
    load_seconds: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)

    def predict(self, batch: Batch | Any, params: dict[str, Any] | None = None) -> Any:
        """The model's answer for a checked batch; its own exception becomes a 422 whose
        message is the exception's first line (the owner's code said it, not ours)."""
        data = self._input(batch)
        try:
            if params and self.takes_params:
                return self.predict_fn(data, params=params)
            return self.predict_fn(data)
        except Exception as e:  # the model's code: anything may come out of it
            line = (str(e).strip().splitlines() or [""])[0][:300]
            log.warning("the model raised %s: %s", type(e).__name__, line)
            raise BadInput(
                f"the model could not answer: {type(e).__name__}: {line}".rstrip(": "),
                "model_error",
                422,
            ) from None

    def _input(self, batch: Batch | Any) -> Any:
        if not isinstance(batch, Batch):
            return batch  # tensors, or data of a model without a signature
        if batch.matrix is not None and not self.wants_frame:
            return batch.matrix
        import pandas as pd

        if batch.matrix is not None:
            frame = pd.DataFrame(batch.matrix, columns=list(self.signature.names))
        else:
            frame = pd.DataFrame(batch.columns)
        return frame[self.frame_order] if self.frame_order else frame


def load(path: Path, *, name: str, version: str) -> Model:
    """The model in the MLflow model folder ``path``, ready to answer."""
    started = time.perf_counter()
    meta = _read_mlmodel(path)
    signature = parse_signature(meta.get("signature"))
    flavors = meta.get("flavors") or {}
    sklearn = flavors.get("sklearn")
    if (
        sklearn
        and not sklearn.get("code")
        and sklearn.get("serialization_format", "pickle")
        in (
            "skops",
            "cloudpickle",
            "pickle",
        )
    ):
        model = _load_sklearn(path, sklearn, flavors.get("python_function") or {}, signature)
    elif "python_function" in flavors:
        model = _load_pyfunc(path, signature)
    else:
        raise LoadError(
            f"the model has no flavour this server loads (found: {', '.join(flavors) or 'none'})"
        )
    model.name, model.version = name, version
    model.mlflow_version = str(meta.get("mlflow_version", ""))
    model.metadata = meta
    model.load_seconds = time.perf_counter() - started
    return model


def _read_mlmodel(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = (path / "MLmodel").read_text()
    except FileNotFoundError:
        raise LoadError(f"no MLmodel file in {path}: it is not an MLflow model") from None
    except OSError as e:
        raise LoadError(f"cannot read {path / 'MLmodel'}: {e.strerror}") from None
    try:
        meta = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader, the C one when built
    except yaml.YAMLError as e:
        raise LoadError(f"the MLmodel file is not YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(meta, dict):
        raise LoadError("the MLmodel file is not a mapping")
    return meta


def _load_sklearn(
    path: Path, conf: dict[str, Any], pyfunc: dict[str, Any], signature: Signature
) -> Model:
    file = _inside(path, str(conf.get("pickled_model") or "model.pkl"))
    fmt = conf.get("serialization_format", "pickle")
    # The model is code whoever wrote it: this process exists to run it, isolated from the
    # platform (its own account or pod), which is why no trusted-types list is second-guessed.
    try:
        if fmt == "skops":
            import skops.io

            estimator = skops.io.load(file, trusted=conf.get("skops_trusted_types"))
        else:
            with file.open("rb") as f:
                estimator = pickle.load(f)  # noqa: S301 - the model's own code, see above
    except FileNotFoundError:
        raise LoadError(f"the model file {file.name} is missing") from None
    except Exception as e:
        raise LoadError(f"{file.name}: {type(e).__name__}: {_line(e)}") from None
    fn_name = str(pyfunc.get("predict_fn") or "predict")
    if fn_name not in PREDICT_FNS or not callable(getattr(estimator, fn_name, None)):
        raise LoadError(f"the model has no {fn_name}() to serve")
    model = Model(
        name="",
        version="",
        flavor="sklearn",
        signature=signature,
        predict_fn=getattr(estimator, fn_name),
    )
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is not None:
        order = [str(n) for n in fitted]
        if order != list(signature.names) and sorted(order) == sorted(signature.names):
            model.frame_order = order
    model.wants_frame = not _arrays_answer_alike(model, path)
    if not model.wants_frame:
        # Every batch this model gets is then a float array decoded from JSON or checked CSV,
        # which cannot hold NaN or infinity, so scikit-learn's own scan for them (a fifth of
        # a one-row call) is skipped; this process serves this one model only.
        import sklearn

        sklearn.set_config(assume_finite=True)
    return model


def _arrays_answer_alike(model: Model, path: Path) -> bool:
    """Whether a float array gets the same answer as a DataFrame: probed once with the input
    example (or a row of zeros), so the fast path is taken only where it is proven."""
    sig = model.signature
    if not sig.numeric:
        return False
    # an array is read by position: only when the model was fitted on the signature's columns
    # in the signature's order (or on an array, where position is all there is)
    fitted = getattr(getattr(model.predict_fn, "__self__", None), "feature_names_in_", None)
    if fitted is not None and [str(n) for n in fitted] != list(sig.names):
        return False
    import pandas as pd

    rows = _example_rows(path, sig.names) or [[0.0] * len(sig.names)]
    matrix = np.array(rows, dtype=np.float64)
    warnings.filterwarnings("ignore", message=NAMES_WARNING, category=UserWarning)
    try:
        frame = pd.DataFrame(matrix, columns=list(sig.names))
        by_frame = model.predict_fn(frame[model.frame_order] if model.frame_order else frame)
        by_array = model.predict_fn(matrix)
        return bool(np.array_equal(np.asarray(by_frame), np.asarray(by_array)))
    except Exception:  # the model refuses arrays (or the example): keep DataFrames
        return False


def _example_rows(path: Path, names: tuple[str, ...]) -> list[list[float]] | None:
    import json

    try:
        example = json.loads((path / "input_example.json").read_text())
    except (OSError, ValueError):
        return None
    if isinstance(example, dict) and example.get("columns") == list(names):
        rows = example.get("data")
        if isinstance(rows, list) and rows and all(isinstance(r, list) for r in rows):
            return rows
    return None


def _load_pyfunc(path: Path, signature: Signature) -> Model:
    # MLflow refuses to unpickle unless told to; this process exists to run the model
    os.environ.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
    try:
        import mlflow.pyfunc
    except ImportError:
        raise LoadError("the model needs MLflow, which is not installed here") from None
    try:
        loaded = mlflow.pyfunc.load_model(str(path))
    except Exception as e:
        raise LoadError(f"{type(e).__name__}: {_line(e)}") from None
    return Model(
        name="",
        version="",
        flavor=str(loaded.metadata.flavors.get("python_function", {}).get("loader_module", "")),
        signature=signature,
        predict_fn=loaded.predict,
        takes_params=True,
    )


def _inside(root: Path, relative: str) -> Path:
    """A file the MLmodel names, refused when the name leads out of the model's folder."""
    file = (root / relative).resolve()
    if not file.is_relative_to(root.resolve()):
        raise LoadError(f"the MLmodel file names {relative!r}, outside the model's folder")
    return file


def _line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
