"""The experiments feature's decisions, as pure functions: who owns a run or an experiment, which
tags only the workbench writes, what "private" means however it is spelled, and what the MLflow
gateway does with each request that touches them.

The gateway (``gateways/mlflow.py``) only moves bytes: it asks ``decide()`` what a request is and
carries out the answer (forward a body, refuse with MLflow's own error shape, or change the
experiment's access list first). Keeping the decisions here lets them be tested without a
server, and spelled once for the gateway, MLflow's auth plugin and the tracker adapter.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

from .records import TAG_OWNER, TAG_PRIVATE, TAG_USER, Experiment, RunData

#: tags a client never writes itself: who made a run or an experiment (stamped by the gateway
#: at creation) and whether an experiment is private (set only through the privacy route, which
#: changes who may read it first)
OWNER_TAGS = frozenset({TAG_USER, TAG_OWNER})
PROTECTED_TAGS = OWNER_TAGS | {TAG_PRIVATE}

_TRUE = "true"
_FALSE = "false"

# --- ownership and privacy ------------------------------------------------------------------


def privacy_value(value: object) -> bool | None:
    """What a privacy tag's value means: ``True``, ``"true"``, ``" TRUE "`` are private;
    ``False``, ``"false"``, a missing tag (``None``) are not; anything else is not understood
    (``None``), so it is refused rather than guessed."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        spelled = value.strip().lower()
        if spelled == _TRUE:
            return True
        if spelled in (_FALSE, ""):
            return False
    return None


def privacy_tag(private: bool) -> str:
    """The one spelling of the privacy tag that is stored."""
    return _TRUE if private else _FALSE


def is_private(tags: Mapping[str, str]) -> bool:
    return privacy_value(tags.get(TAG_PRIVATE)) is True


def hidden_from(user: str, tags: Mapping[str, str]) -> bool:
    """Whether an experiment with these tags is hidden from ``user`` (private and not theirs)."""
    return is_private(tags) and tags.get(TAG_OWNER) != user


def may_change_experiment(experiment: Experiment, user: str) -> bool:
    return experiment.owner is not None and experiment.owner == user


def may_change_run(run: RunData, user: str) -> bool:
    return bool(run.user) and run.user == user


# --- what the sidebar shows -----------------------------------------------------------------

#: content types a preview may render; anything else (HTML, SVG, scripts) downloads as bytes
PREVIEWABLE = frozenset(
    {
        "text/plain",
        "text/csv",
        "text/markdown",
        "application/json",
        "image/png",
        "image/jpeg",
        "image/gif",
    }
)
BINARY = "application/octet-stream"


@dataclass(frozen=True)
class ArtifactDelivery:
    content_type: str
    #: the file name to save it under, when it is sent as an attachment
    attachment: str | None


def artifact_delivery(path: str, content_type: str, *, download: bool) -> ArtifactDelivery:
    """How an artifact is sent to the browser: a previewable type as itself, anything else as
    bytes to save, never as a page the browser would render."""
    kind = content_type.split(";")[0].strip().lower()
    if kind not in PREVIEWABLE:
        kind = BINARY
    if download or kind == BINARY:
        name = PurePosixPath(path).name.replace('"', "").replace("\\", "")
        name = "".join(c for c in name if c.isprintable()) or "artifact"
        return ArtifactDelivery(kind, name)
    return ArtifactDelivery(kind, None)


def run_ui_url(ui_base: str | None, experiment_id: str, run_id: str) -> str | None:
    """The run's page in MLflow's own UI, when the workbench knows where that UI is."""
    return f"{ui_base}#/experiments/{experiment_id}/runs/{run_id}" if ui_base else None


# --- the MLflow gateway's decisions ---------------------------------------------------------


@dataclass(frozen=True)
class Forward:
    """Send the request on; ``body`` replaces the client's when it is not ``None``."""

    body: bytes | None = None


@dataclass(frozen=True)
class Refuse:
    """Answer the client without asking MLflow, in MLflow's own error shape."""

    status: int
    error_code: str
    message: str


@dataclass(frozen=True)
class ChangePrivacy:
    """Deny (or restore) everybody else's access to the experiment first, then forward ``body``
    (which stores the flag in its one spelling)."""

    experiment_id: str
    private: bool
    body: bytes


Decision = Forward | Refuse | ChangePrivacy

_ENDPOINT = re.compile(r"^(?:ajax-)?api/[0-9]+\.[0-9]+/mlflow/(?P<endpoint>[^/]+/[^/]+)$")
#: endpoints that write tags of runs or experiments (POST only, in MLflow's routes)
RUN_CREATE = "runs/create"
EXPERIMENT_CREATE = "experiments/create"
RUN_SET_TAG = "runs/set-tag"
RUN_DELETE_TAG = "runs/delete-tag"
RUN_LOG_BATCH = "runs/log-batch"
EXPERIMENT_SET_TAG = "experiments/set-experiment-tag"
EXPERIMENT_DELETE_TAG = "experiments/delete-experiment-tag"
TAG_WRITES = frozenset(
    {
        RUN_CREATE,
        EXPERIMENT_CREATE,
        RUN_SET_TAG,
        RUN_DELETE_TAG,
        RUN_LOG_BATCH,
        EXPERIMENT_SET_TAG,
        EXPERIMENT_DELETE_TAG,
    }
)


def canonical_path(raw: str) -> str:
    """The path as MLflow's router will see it: percent-decoded once, repeated slashes merged,
    ``.`` and ``..`` resolved. A trailing slash is kept (MLflow's UI lives at ``prefix/``)."""
    decoded = unquote(raw, errors="strict")
    merged = re.sub(r"/+", "/", "/" + decoded)
    resolved = posixpath.normpath(merged)
    if merged.endswith("/") and resolved != "/":
        resolved += "/"
    return resolved


def mlflow_endpoint(path: str, prefix: str) -> str | None:
    """``runs/create`` for ``<prefix>api/2.0/mlflow/runs/create`` (any API version, the UI's
    ``ajax-api`` too), given a canonical path; ``None`` for every other path."""
    if not path.startswith(prefix):
        return None
    match = _ENDPOINT.match(path[len(prefix) :].rstrip("/"))
    return match.group("endpoint") if match else None


def _field(payload: dict[str, Any], name: str) -> Any:
    """A field as MLflow's protobuf parser reads it: by its name or its camelCase JSON name."""
    head, *rest = name.split("_")
    camel = head + "".join(part.title() for part in rest)
    return payload.get(name, payload.get(camel))


def _drop_aliases(payload: dict[str, Any], name: str) -> None:
    head, *rest = name.split("_")
    payload.pop(head + "".join(part.title() for part in rest), None)


def _tags(payload: dict[str, Any]) -> list[Any]:
    tags = payload.get("tags")
    return tags if isinstance(tags, list) else []


def _tag_keys(payload: dict[str, Any]) -> set[str]:
    return {str(t.get("key")) for t in _tags(payload) if isinstance(t, dict)}


def _protected_message(keys: Iterable[str]) -> str:
    names = ", ".join(sorted(keys))
    return (
        f"The tag {names} is written by the workbench, not by clients: runs and experiments "
        f"are stamped with who made them, and privacy is changed with the experiment's "
        f"{TAG_PRIVATE} tag set to true or false."
    )


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def stamp_run(payload: dict[str, Any], user: str) -> dict[str, Any]:
    """A run-creation body naming the signed-in person, whatever user the client claimed."""
    stamped = {k: v for k, v in payload.items() if k not in ("user_id", "userId")}
    kept = [t for t in _tags(payload) if isinstance(t, dict) and t.get("key") not in OWNER_TAGS]
    stamped["user_id"] = user
    stamped["tags"] = [*kept, {"key": TAG_USER, "value": user}]
    return stamped


def stamp_experiment(payload: dict[str, Any], user: str) -> dict[str, Any]:
    """An experiment-creation body recording who created it, so every client shows its owner.
    A privacy tag set to false is dropped (that is the default); see ``decide`` for true."""
    kept = [t for t in _tags(payload) if isinstance(t, dict) and t.get("key") not in PROTECTED_TAGS]
    return {**payload, "tags": [*kept, {"key": TAG_OWNER, "value": user}]}


def decide(method: str, path: str, prefix: str, body: bytes | None, user: str) -> Decision:
    """What the gateway does with one request of a signed-in ``user`` (``path`` canonical).

    - creating a run or an experiment: the body is stamped with the person as its owner;
    - writing or deleting an owner tag, or the privacy tag other than through
      ``set-experiment-tag``: refused (403), whoever asks;
    - ``set-experiment-tag`` of the privacy tag: its value is read ("True", "true", true all
      mean private), stored in one spelling, and the access list is changed first;
    - creating an experiment already private: refused (400), since nobody's access could be
      taken away before it exists; create it, then make it private;
    - anything else: forwarded untouched.
    """
    if method.upper() != "POST":
        return Forward()
    endpoint = mlflow_endpoint(path, prefix)
    if endpoint not in TAG_WRITES:
        return Forward()
    try:
        payload = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        payload = None
    if not isinstance(payload, dict):
        return Refuse(400, "MALFORMED_REQUEST", "The request body must be a JSON object.")

    if endpoint == RUN_CREATE:
        return Forward(_json(stamp_run(payload, user)))
    if endpoint == EXPERIMENT_CREATE:
        asked = [
            t.get("value")
            for t in _tags(payload)
            if isinstance(t, dict) and t.get("key") == TAG_PRIVATE
        ]
        if any(privacy_value(value) is not False for value in asked):
            return Refuse(
                400,
                "INVALID_PARAMETER_VALUE",
                f"Create the experiment first, then set its {TAG_PRIVATE} tag to true: "
                "an experiment is made private only once it exists.",
            )
        return Forward(_json(stamp_experiment(payload, user)))
    if endpoint == RUN_LOG_BATCH:
        touched = _tag_keys(payload) & PROTECTED_TAGS
        if touched:
            return Refuse(403, "PERMISSION_DENIED", _protected_message(touched))
        return Forward()

    key = payload.get("key")
    if key not in PROTECTED_TAGS:
        return Forward()
    if endpoint != EXPERIMENT_SET_TAG or key != TAG_PRIVATE:
        return Refuse(403, "PERMISSION_DENIED", _protected_message([str(key)]))
    private = privacy_value(payload.get("value"))
    if private is None:
        return Refuse(
            400,
            "INVALID_PARAMETER_VALUE",
            f"The {TAG_PRIVATE} tag is true or false.",
        )
    experiment_id = _field(payload, "experiment_id")
    if not isinstance(experiment_id, str | int) or isinstance(experiment_id, bool):
        return Refuse(400, "INVALID_PARAMETER_VALUE", "Name the experiment (experiment_id).")
    experiment_id = str(experiment_id).strip()
    if not experiment_id:
        return Refuse(400, "INVALID_PARAMETER_VALUE", "Name the experiment (experiment_id).")
    canonical = dict(payload)
    _drop_aliases(canonical, "experiment_id")
    canonical.update(experiment_id=experiment_id, value=privacy_tag(private))
    return ChangePrivacy(experiment_id, private, _json(canonical))


@dataclass(frozen=True)
class AclCall:
    """One call to MLflow's permission API, made as the experiment's owner."""

    path: str
    payload: dict[str, str]


def privacy_acl(
    owner: str, users: Iterable[str], experiment_id: str, private: bool
) -> list[AclCall]:
    """The permission changes that make an experiment private (a DENY for everybody but its
    owner) or shared again (those DENYs revoked)."""
    verb = "grant" if private else "revoke"
    calls: list[AclCall] = []
    for other in sorted(set(users)):
        if not other or other == owner:
            continue
        payload = {"username": other, "resource_type": "experiment", "resource_id": experiment_id}
        if private:
            payload["permission"] = "DENY"
        calls.append(AclCall(f"api/3.0/mlflow/users/permissions/{verb}", payload))
    return calls


def acl_call_done(status: int, answer: Mapping[str, Any]) -> bool:
    """Whether an access-list call reached its goal; revoking what was never granted counts."""
    return status == 200 or answer.get("error_code") == "RESOURCE_DOES_NOT_EXIST"
