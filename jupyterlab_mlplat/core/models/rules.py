"""The models feature's decisions, as pure functions: what a flavour says about a model, which
names belong to the catalog, and what the MLflow gateway refuses or stamps on a registry call.

The gateway (``gateways/mlflow.py``) asks ``core/experiments/rules.py::decide`` about every
request; that asks ``registry_decision`` here about the model registry's routes, so the
catalog's walls are spelled once, next to the rest of this feature.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jupyterlab_mlplat.core.kernel.naming import PLATFORM_IDENTITY

from .records import TAG_COPIED_FROM, TAG_CREATED_BY, TAG_DEPRECATED, TAG_PUBLICATION, Flavour

DEFAULT_CATALOG_PREFIX = "catalog."
DEFAULT_CHAMPION_ALIAS = "champion"

# --- what a flavour says ----------------------------------------------------------------------

#: MLflow flavours → the framework people call it by (pyfunc and python_function say nothing:
#: every model has them)
FRAMEWORKS: dict[str, str] = {
    "sklearn": "scikit-learn",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "catboost": "catboost",
    "pytorch": "pytorch",
    "tensorflow": "tensorflow",
    "keras": "keras",
    "transformers": "transformers",
    "sentence_transformers": "sentence-transformers",
    "onnx": "onnx",
    "spacy": "spacy",
    "statsmodels": "statsmodels",
    "prophet": "prophet",
    "h2o": "h2o",
    "spark": "spark",
    "paddle": "paddle",
    "langchain": "langchain",
    "openai": "openai",
    "llama_index": "llama-index",
    "dspy": "dspy",
}
#: flavours that do one task whatever model they hold
FLAVOUR_TASKS: dict[str, str] = {
    "sentence_transformers": "feature-extraction",
    "prophet": "time-series-forecasting",
    "langchain": "text-generation",
    "openai": "text-generation",
    "llama_index": "text-generation",
    "dspy": "text-generation",
}
_GENERIC_FLAVOURS = frozenset({"python_function", "pyfunc"})
#: a tabular model's output column types → its task: classifiers predict labels (whole numbers,
#: text, booleans), regressors predict real numbers
_CLASS_TYPES = frozenset({"long", "integer", "string", "boolean"})
_REAL_TYPES = frozenset({"double", "float"})


def flavour_of(flavours: Mapping[str, Any], signature: Mapping[str, str] | None = None) -> Flavour:
    """The framework and task of a logged model from its MLmodel file's ``flavors`` (and its
    signature's outputs, when the flavour does not say the task): the card pre-fills both and
    the author may correct them."""
    names = tuple(sorted(flavours))
    specific = [n for n in names if n not in _GENERIC_FLAVOURS]
    framework = next((FRAMEWORKS[n] for n in specific if n in FRAMEWORKS), "")
    if not framework and specific:
        framework = specific[0]
    task = ""
    transformers = flavours.get("transformers")
    if isinstance(transformers, Mapping) and isinstance(transformers.get("task"), str):
        task = transformers["task"]
    if not task:
        task = next((FLAVOUR_TASKS[n] for n in specific if n in FLAVOUR_TASKS), "")
    if not task and signature:
        task = _task_from_outputs(signature.get("outputs", ""))
    return Flavour(framework=framework, task=task, flavours=names)


def _task_from_outputs(outputs: str) -> str:
    try:
        columns = json.loads(outputs) if outputs else []
    except ValueError:
        return ""
    if not isinstance(columns, list) or len(columns) != 1 or not isinstance(columns[0], dict):
        return ""
    kind = columns[0].get("type")
    if kind == "tensor":
        kind = (columns[0].get("tensor-spec") or {}).get("dtype", "")
        if str(kind).startswith(("int", "uint")):
            return "classification"
        if str(kind).startswith("float"):
            return "regression"
        return ""
    if kind in _CLASS_TYPES:
        return "classification"
    if kind in _REAL_TYPES:
        return "regression"
    return ""


# --- names ------------------------------------------------------------------------------------


def _folded(name: str) -> str:
    """A name as a person might mean it: compatibility-normalised, trimmed, case-folded, so
    full-width letters or a leading space or capital cannot pass for another namespace."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def in_catalog(name: str, prefix: str = DEFAULT_CATALOG_PREFIX) -> bool:
    """Whether a registered model's name lies in the catalog's namespace, however spelled."""
    return bool(prefix) and _folded(name).startswith(_folded(prefix))


def catalog_model(catalog_name: str, prefix: str = DEFAULT_CATALOG_PREFIX) -> str:
    """The catalog's registered model for a card's catalog name (``catalog.churn``)."""
    return f"{prefix}{catalog_name}"


def is_platform_identity(user: str) -> bool:
    return _folded(user) == PLATFORM_IDENTITY


# --- the gateway's decisions on the registry's routes -------------------------------------------

REGISTERED_MODEL_CREATE = "registered-models/create"
MODEL_VERSION_CREATE = "model-versions/create"
#: every route of MLflow's registry that changes something (any method but GET): the catalog's
#: names may appear in the body (or, for a client that sends them so, the query)
REGISTRY_WRITES = frozenset(
    {
        REGISTERED_MODEL_CREATE,
        "registered-models/rename",
        "registered-models/update",
        "registered-models/delete",
        "registered-models/set-tag",
        "registered-models/delete-tag",
        "registered-models/alias",
        MODEL_VERSION_CREATE,
        "model-versions/update",
        "model-versions/transition-stage",
        "model-versions/delete",
        "model-versions/set-tag",
        "model-versions/delete-tag",
    }
)
#: tags on registered models and versions only the platform writes
PLATFORM_TAGS = frozenset({TAG_CREATED_BY, TAG_PUBLICATION, TAG_COPIED_FROM, TAG_DEPRECATED})
_NAME_FIELDS = ("name", "new_name", "newName")


def registry_write(method: str, endpoint: str) -> bool:
    return method.upper() != "GET" and endpoint in REGISTRY_WRITES


def names_in(payload: Mapping[str, Any] | None, query: Iterable[tuple[str, str]]) -> list[str]:
    """Every registered model name a registry call names, in its body and its query alike."""
    found = [str(v) for k, v in query if k in _NAME_FIELDS]
    if payload:
        found += [str(payload[k]) for k in _NAME_FIELDS if isinstance(payload.get(k), str)]
    return found


def catalog_refusal(names: Iterable[str], prefix: str) -> str | None:
    """The message refusing a person's write to a catalog model, or None."""
    for name in names:
        if in_catalog(name, prefix):
            return (
                f"Registered models under {prefix!r} are the catalog: they change only when a "
                "review publishes a version. Register the model under a name of your own."
            )
    return None


def platform_tag_refusal(payload: Mapping[str, Any] | None) -> str | None:
    """A person may not write the tags the platform reads back (who created a model, which
    publication a catalog version came from)."""
    if not payload:
        return None
    keys = {str(payload.get("key", ""))}
    tags = payload.get("tags")
    if isinstance(tags, list):
        keys |= {str(t.get("key")) for t in tags if isinstance(t, dict)}
    touched = sorted(keys & PLATFORM_TAGS)
    if touched:
        return f"The tag {', '.join(touched)} is written by the workbench, not by clients."
    return None


def stamp_created_by(payload: dict[str, Any], user: str) -> dict[str, Any]:
    """A registered model's or version's creation body naming the person who made it."""
    tags = payload.get("tags")
    kept = [
        t
        for t in (tags if isinstance(tags, list) else [])
        if isinstance(t, dict) and t.get("key") not in PLATFORM_TAGS
    ]
    return {**payload, "tags": [*kept, {"key": TAG_CREATED_BY, "value": user}]}


@dataclass(frozen=True)
class RegistryRefusal:
    """Answer without asking MLflow, in MLflow's error shape plus our ``reason``."""

    status: int
    error_code: str
    reason: str
    message: str


@dataclass(frozen=True)
class RegistryStamp:
    """Forward with this body: the creation stamped with who made it."""

    body: bytes


def _payload(body: bytes | None) -> dict[str, Any] | None:
    """The body as MLflow reads it (JSON, a JSON string holding JSON read once more)."""
    try:
        payload = json.loads(body or b"{}")
        if isinstance(payload, str):
            payload = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def registry_decision(
    method: str,
    endpoint: str,
    body: bytes | None,
    query: Iterable[tuple[str, str]],
    user: str,
    *,
    prefix: str = DEFAULT_CATALOG_PREFIX,
) -> RegistryRefusal | RegistryStamp | None:
    """What the gateway does with a person's call to MLflow's registry (``endpoint`` as
    ``mlflow_endpoint`` gives it), before anything else looks at it:

    - a write naming a catalog model (``prefix``, however spelled, in the body or the query):
      refused, 403 ``catalog_read_only`` — MLflow's permissions would refuse most of these too,
      but not a person creating ``catalog.x`` before the platform does;
    - a write of a tag only the platform writes: refused, 403;
    - creating a registered model or a version: stamped with the person (``TAG_CREATED_BY``);
    - anything else: None (the other rules decide).
    """
    if not registry_write(method, endpoint):
        return None
    payload = _payload(body)
    said = catalog_refusal(names_in(payload, query), prefix)
    if said:
        return RegistryRefusal(403, "PERMISSION_DENIED", "catalog_read_only", said)
    said = platform_tag_refusal(payload)
    if said:
        return RegistryRefusal(403, "PERMISSION_DENIED", "platform_tag", said)
    if method.upper() == "POST" and endpoint in (REGISTERED_MODEL_CREATE, MODEL_VERSION_CREATE):
        if payload is None:
            return RegistryRefusal(
                400, "MALFORMED_REQUEST", "body_not_json", "The request body must be JSON."
            )
        return RegistryStamp(json.dumps(stamp_created_by(payload, user)).encode())
    return None
