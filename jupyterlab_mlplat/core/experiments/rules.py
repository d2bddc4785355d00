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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, unquote

from .records import (
    TAG_GIT_BRANCH,
    TAG_GIT_COMMIT,
    TAG_GIT_REPO,
    TAG_OWNER,
    TAG_PRIVATE,
    TAG_USER,
    Experiment,
    RunData,
)

#: tags a client never writes itself: who made a run or an experiment (stamped by the gateway
#: at creation) and whether an experiment is private (set only through the privacy route, which
#: changes who may read it first)
OWNER_TAGS = frozenset({TAG_USER, TAG_OWNER})
PROTECTED_TAGS = OWNER_TAGS | {TAG_PRIVATE}
#: written empty by the kernel when the notebook is in no repository of the person's: an empty
#: value stops MLflow's own guess (the workbench's checkout), and says nothing worth a row
_GIT_TAGS = frozenset({TAG_GIT_COMMIT, TAG_GIT_BRANCH, TAG_GIT_REPO})


def shown_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """A run's tags as its page lists them: every one, but the git tags that name nothing."""
    return {key: value for key, value in tags.items() if value or key not in _GIT_TAGS}


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


def one_user_name(name: str) -> bool:
    """Whether an asserted identity is one hub name: a server that joins a header sent twice
    (or spelled once with ``_``) makes ``rita,alice``, which must not become an account."""
    return bool(name) and not any(c == "," or c.isspace() or not c.isprintable() for c in name)


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


class NotCanonical(ValueError):
    """A request path that could mean more than one route; its text is told to the client."""


_ROUTE_WORDS = re.compile(r"[a-z0-9._-]*")
#: the only words of MLflow's API routes not in lower case (traces/batchGet, batchGetInfos)
_MIXED_CASE_WORDS = frozenset({"batchGet", "batchGetInfos"})
#: an encoded ``/``, ``\``, ``;``, NUL or ``%XX``: decoding it would change the path's
#: structure, or leave an encoding behind for the next hop to decode again
_ENCODED_STRUCTURE = re.compile(r"%(?:2f|5c|3b|00|25[0-9a-f]{2})", re.IGNORECASE)
_API_ROOTS = ("api", "ajax-api")


def canonical_path(raw: str, prefix: str = "/") -> str:
    """The one spelling of a request path that both the gateway and MLflow route on.

    MLflow's routers (werkzeug, starlette) decode the path once, are case-sensitive and have
    no route with a trailing slash, so the gateway decodes once, merges repeated slashes and
    drops a trailing slash of an MLflow API route, then forwards exactly what it decided on.
    Whatever would be read differently by another hop is refused (``NotCanonical``): dot
    segments, backslashes, ``;`` parameters, encoded ``/`` or NUL, double encoding, control
    characters, and API route words not in lower case (MLflow would answer 404 or 403 and a
    reader of the logs could not tell what was meant). The UI root keeps its slash.
    """
    if any(not 0x21 <= ord(c) < 0x7F for c in raw):
        raise NotCanonical("Percent-encode characters outside printable ASCII in the path.")
    if "\\" in raw or ";" in raw or _ENCODED_STRUCTURE.search(raw):
        raise NotCanonical(
            "The path holds a backslash, a ';', an encoded '/', NUL or '%', or is encoded "
            "twice; send each route as MLflow spells it."
        )
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise NotCanonical("The request path is not valid UTF-8.") from None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        raise NotCanonical("The request path holds control characters.")
    if any(segment in (".", "..") for segment in decoded.split("/")):
        raise NotCanonical("The request path holds '.' or '..' segments.")
    path = re.sub(r"/+", "/", "/" + decoded)
    if not path.startswith(prefix):
        return path
    words = path[len(prefix) :].split("/")
    if words[0].lower() not in _API_ROOTS:
        return path
    # root, version, namespace; and noun, verb of MLflow's own API (ids come later, if at all)
    checked = words[:5] if len(words) > 2 and words[2] == "mlflow" else words[:3]
    if not all(_ROUTE_WORDS.fullmatch(word) or word in _MIXED_CASE_WORDS for word in checked):
        raise NotCanonical("MLflow's API routes are spelled in lower case.")
    if words[2:3] == ["mlflow"] and path.endswith("/"):
        path = path.rstrip("/")
    return path


_ENDPOINT = re.compile(r"^(?:ajax-)?api/[0-9]+\.[0-9]+/mlflow/(?P<endpoint>.+)$")


def mlflow_endpoint(path: str, prefix: str) -> str | None:
    """``runs/create`` for ``<prefix>api/2.0/mlflow/runs/create`` (any API version, the UI's
    ``ajax-api`` too; ``logged-models/m-1/tags`` keeps its ids), given a canonical path;
    ``None`` for every path outside MLflow's own API."""
    if not path.startswith(prefix):
        return None
    match = _ENDPOINT.match(path[len(prefix) :])
    return match.group("endpoint") if match else None


def header_forwarded(name: str, reserved: Iterable[str]) -> bool:
    """Whether a client's header may travel on to MLflow next to the ``reserved`` ones only
    the gateway sets (the identity and its secret).

    MLflow's server (a WSGI/ASGI stack) reads ``X_Mlplat_User`` as ``X-Mlplat-User`` and joins
    repeated headers with a comma, so a client's own spelling would add a name to the one the
    gateway sets. Every name holding ``_`` is dropped (as nginx does), and every spelling of a
    reserved name, whatever its case."""
    folded = name.lower()
    return "_" not in folded and folded not in {r.lower() for r in reserved}


# --- who may use MLflow's administration --------------------------------------------------

#: MLflow's accounts, permissions, roles, its AI gateway (provider secrets, endpoints, model
#: definitions, the gateway's proxy), webhooks (which make MLflow call any URL) and its
#: assistant (an agent run on the server's host, "localhost only" to MLflow, and every request
#: reaches MLflow from the gateway on localhost)
_ADMIN_ENDPOINTS = re.compile(r"^(?:users|roles|gateway|webhooks|assistant)(?:/|$)|^gateway-proxy$")
#: what every signed-in person reads about themselves (MLflow's UI asks on every page)
_OWN_ACCOUNT = frozenset({"users/current", "users/current/permissions"})
#: the same, outside the API: self sign-up, and the AI gateway's invocation routes
_ADMIN_PAGES = frozenset({"signup", "gateway"})
ADMIN_ONLY_MESSAGE = (
    "MLflow's administration (accounts, permissions, roles, AI gateway, webhooks, assistant) "
    "is for the workbench's admins; who may read an experiment is changed with its "
    "mlplat.private tag."
)


def admin_only(path: str, prefix: str) -> bool:
    """Whether a canonical path belongs to MLflow's administration.

    Every hub user is an ordinary MLflow account, and MLflow lets such accounts list every
    other account and create AI-gateway secrets; the workbench keeps all of it for its admins.
    Granting and revoking experiment permissions is included: an owner changes who reads an
    experiment only through its privacy tag, which the gateway carries out as that owner
    (directly upstream, not through this check), so an access list and the tag never disagree.
    """
    endpoint = mlflow_endpoint(path, prefix)
    if endpoint is not None:
        return endpoint not in _OWN_ACCOUNT and bool(_ADMIN_ENDPOINTS.match(endpoint))
    if not path.startswith(prefix):
        return False
    return path[len(prefix) :].split("/")[0] in _ADMIN_PAGES


# --- where artifacts may live ---------------------------------------------------------------

#: MLflow's artifact proxy: a location there is resolved inside the server's artifact store
PROXIED_ARTIFACTS = "mlflow-artifacts:"
_SAFE_SEGMENT = re.compile(r"[\w .~@+=,-]+")


def _inside(rest: str) -> bool:
    """Whether a location's path below a root stays below it, spelled one way only."""
    segments = [s for s in rest.split("/") if s]
    return all(_SAFE_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments)


def artifact_location_allowed(location: str, roots: Iterable[str] = ()) -> bool:
    """Whether an experiment may keep its artifacts at ``location``.

    Empty, MLflow's default, is the place to be: ``mlflow-artifacts:/<experiment id>``, inside
    the store, where MLflow's artifact proxy guards each file by the experiment its path starts
    with (so privacy reaches the artifacts). Any other proxied folder would be guarded by no
    experiment at all (readable by everybody, writable by nobody), and a local path, a sibling
    of the store or ``..`` would make the server write and follow symlinks among the
    platform's own files. The store's own prefixes a deployment names in ``roots`` (e.g.
    ``s3://mlplat-artifacts/``) are allowed below them, spelled one way only: percent-encoding,
    backslashes, queries and control characters are refused rather than decoded, because each
    later reader decodes differently.
    """
    if location == "":
        return True
    for root in roots:
        base = root.rstrip("/") + "/"
        if root and location.startswith(base) and location != base:
            return _inside(location[len(base) :])
    return False


def _proxied_source_allowed(source: str) -> bool:
    """A file of MLflow's artifact proxy, named without a host (so no other server)."""
    rest = source[len(PROXIED_ARTIFACTS) :]
    if rest.startswith("///"):
        rest = rest[2:]
    return rest.startswith("/") and not rest.startswith("//") and _inside(rest)


#: sources of a model version that name something MLflow already holds, by its own scheme
_SOURCE_SCHEMES = ("runs:/", "models:/")
#: what MLflow's prompt registry stores as a prompt version's source
PROMPT_SOURCES = frozenset({"dummy-source", "prompt-template"})


def model_source_allowed(source: str, roots: Iterable[str] = ()) -> bool:
    """Whether a model version may be registered from ``source``: a run's or a logged model's
    artifacts (``runs:/``, ``models:/``) or a file in the platform's store (MLflow then checks
    that it lies in the named run's artifacts). MLflow would read a local path or another
    server for the version; ``models:/../..`` is a 500 there."""
    if source in PROMPT_SOURCES:
        return True
    for scheme in _SOURCE_SCHEMES:
        if source.startswith(scheme):
            rest = source[len(scheme) :]
            return bool(rest) and not rest.startswith("/") and _inside(rest)
    if source.startswith(PROXIED_ARTIFACTS):
        return _proxied_source_allowed(source)
    return source != "" and artifact_location_allowed(source, roots)


# --- the decisions --------------------------------------------------------------------------

RUN_CREATE = "runs/create"
PROMPTLAB_RUN_CREATE = "runs/create-promptlab-run"
EXPERIMENT_CREATE = "experiments/create"
RUN_SET_TAG = "runs/set-tag"
RUN_DELETE_TAG = "runs/delete-tag"
RUN_LOG_BATCH = "runs/log-batch"
EXPERIMENT_SET_TAG = "experiments/set-experiment-tag"
EXPERIMENT_DELETE_TAG = "experiments/delete-experiment-tag"
LOGGED_MODEL_CREATE = "logged-models"
MODEL_VERSION_CREATE = "model-versions/create"
_LOGGED_MODEL_TAGS = re.compile(r"^logged-models/[^/]+/tags$")
_LOGGED_MODEL_TAG = re.compile(r"^logged-models/[^/]+/tags/(?P<key>.+)$")
#: endpoints whose body is a file's bytes, not a request (an artifact uploaded by the UI)
_RAW_BODY = frozenset({"upload-artifact"})
#: (method, endpoint) pairs whose body the gateway reads
_READ_BODY = frozenset(
    {
        ("POST", RUN_CREATE),
        ("POST", PROMPTLAB_RUN_CREATE),
        ("POST", EXPERIMENT_CREATE),
        ("POST", RUN_SET_TAG),
        ("POST", RUN_DELETE_TAG),
        ("POST", RUN_LOG_BATCH),
        ("POST", EXPERIMENT_SET_TAG),
        ("POST", EXPERIMENT_DELETE_TAG),
        ("POST", LOGGED_MODEL_CREATE),
        ("POST", MODEL_VERSION_CREATE),
    }
)
#: the largest experiment id both of MLflow's SQL stores hold (PostgreSQL's integer); a longer
#: one is a 500 inside MLflow ("int too large", "integer out of range")
MAX_EXPERIMENT_ID = 2**31 - 1
_EXPERIMENT_ID_FIELDS = ("experiment_id", "experimentId", "experiment_ids", "experimentIds")


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


#: deeper JSON than any MLflow request needs; Python's parsers give up near 1000 (a 500)
MAX_JSON_DEPTH = 64
_TOO_DEEP = Refuse(
    400, "MALFORMED_REQUEST", f"The request body is nested deeper than {MAX_JSON_DEPTH} levels."
)
_NUL = Refuse(
    400,
    "INVALID_PARAMETER_VALUE",
    "MLflow's stores keep no NUL characters: remove them from the request.",
)


class _TooDeep(ValueError):
    pass


def _payload(body: bytes | None) -> dict[str, Any] | None:
    """The body as MLflow reads it: JSON, empty meaning ``{}``, and a JSON string holding JSON
    read once more (MLflow accepts that from old clients, so a check must see it too)."""
    try:
        payload = json.loads(body or b"{}")
        if isinstance(payload, str):
            payload = json.loads(payload)
    except RecursionError:
        raise _TooDeep from None
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _unstorable(payload: Any) -> Refuse | None:
    """What MLflow would fail on inside its store rather than refuse: a NUL in any string
    (PostgreSQL keeps none; SQLite would keep a name nobody can type), or nesting so deep
    its parser gives up."""
    stack = [(payload, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return _TOO_DEEP
        if isinstance(value, str) and "\x00" in value:
            return _NUL
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return None


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


def stamp_logged_model(payload: dict[str, Any], user: str) -> dict[str, Any]:
    """A logged model names its creator the way a run does (MLflow's client sends the local
    account as ``mlflow.user``; the sidebar and the registry show it)."""
    kept = [t for t in _tags(payload) if isinstance(t, dict) and t.get("key") not in PROTECTED_TAGS]
    return {**payload, "tags": [*kept, {"key": TAG_USER, "value": user}]}


def _experiment_ids(values: Iterable[Any]) -> Refuse | None:
    """An experiment id MLflow's store cannot even look up is the client's mistake, not a 500."""
    for value in values:
        for one in value if isinstance(value, list) else [value]:
            spelled = str(one).strip()
            if spelled.isdigit() and int(spelled) > MAX_EXPERIMENT_ID:
                return Refuse(
                    404,
                    "RESOURCE_DOES_NOT_EXIST",
                    f"No experiment has the id {spelled[:40]}: ids are at most "
                    f"{MAX_EXPERIMENT_ID}.",
                )
    return None


def decide(
    method: str,
    path: str,
    prefix: str,
    body: bytes | None,
    user: str,
    *,
    query: str = "",
    admin: bool = False,
    artifact_roots: Iterable[str] = (),
) -> Decision:
    """What the gateway does with one request of a signed-in ``user`` (``path`` canonical).

    - MLflow's administration (``admin_only``): refused (403) unless the person is an admin;
    - creating a run, a prompt-lab run, an experiment or a logged model: the body is stamped
      with the person as its owner, whatever the client claimed;
    - writing or deleting an owner tag, or the privacy tag other than through
      ``set-experiment-tag``: refused (403), whoever asks;
    - ``set-experiment-tag`` of the privacy tag: its value is read ("True", "true", true all
      mean private), stored in one spelling, and the access list is changed first;
    - creating an experiment already private: refused (400), since nobody's access could be
      taken away before it exists; create it, then make it private;
    - an artifact location or model source outside the platform's store: refused (400);
    - an experiment id no store can hold: refused (404) rather than failing inside MLflow;
      so is a NUL anywhere, or JSON nested past ``MAX_JSON_DEPTH`` (400);
    - anything else: forwarded untouched.
    """
    method = method.upper()
    if admin_only(path, prefix) and not admin:
        return Refuse(403, "PERMISSION_DENIED", ADMIN_ONLY_MESSAGE)
    endpoint = mlflow_endpoint(path, prefix)
    if endpoint is None:
        return Forward()
    asked = parse_qsl(query, keep_blank_values=True)
    if any("\x00" in name or "\x00" in value for name, value in asked):
        return _NUL
    refused = _experiment_ids(v for k, v in asked if k in _EXPERIMENT_ID_FIELDS)
    if refused:
        return refused
    tag = _LOGGED_MODEL_TAG.match(endpoint)
    if method == "DELETE" and tag:
        key = tag.group("key")
        if key in PROTECTED_TAGS:
            return Refuse(403, "PERMISSION_DENIED", _protected_message([key]))
        return Forward()
    if endpoint in _RAW_BODY:
        return Forward()
    try:
        payload = _payload(body) if body else {}
    except _TooDeep:
        return _TOO_DEEP
    if payload is not None:
        refused = _unstorable(payload) or _experiment_ids(
            payload[key] for key in _EXPERIMENT_ID_FIELDS if key in payload
        )
        if refused:
            return refused
    reads_body = (method, endpoint) in _READ_BODY or (
        method == "PATCH" and _LOGGED_MODEL_TAGS.match(endpoint)
    )
    if not reads_body:
        return Forward()
    if payload is None:
        return Refuse(400, "MALFORMED_REQUEST", "The request body must be a JSON object.")

    if endpoint in (RUN_CREATE, PROMPTLAB_RUN_CREATE):
        return Forward(_json(stamp_run(payload, user)))
    if endpoint == LOGGED_MODEL_CREATE:
        return Forward(_json(stamp_logged_model(payload, user)))
    if endpoint == EXPERIMENT_CREATE:
        return _create_experiment(payload, user, artifact_roots)
    if endpoint == MODEL_VERSION_CREATE:
        source = payload.get("source")
        if not isinstance(source, str) or not model_source_allowed(source, artifact_roots):
            return Refuse(
                400,
                "INVALID_PARAMETER_VALUE",
                "A model version's source is a run's or a logged model's artifacts "
                "(runs:/<run id>/<path>, models:/<model id>) or a location in the platform's "
                "artifact store (mlflow-artifacts:/...).",
            )
        return Forward()
    if endpoint == RUN_LOG_BATCH or method == "PATCH":
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


def _create_experiment(
    payload: dict[str, Any], user: str, artifact_roots: Iterable[str]
) -> Decision:
    tags = [t for t in _tags(payload) if isinstance(t, dict)]
    asked = [t.get("value") for t in tags if t.get("key") == TAG_PRIVATE]
    if any(privacy_value(value) is not False for value in asked):
        return Refuse(
            400,
            "INVALID_PARAMETER_VALUE",
            f"Create the experiment first, then set its {TAG_PRIVATE} tag to true: "
            "an experiment is made private only once it exists.",
        )
    # both spellings: MLflow refuses a body holding the two, but the gateway need not rely on it
    locations = [payload[k] for k in ("artifact_location", "artifactLocation") if k in payload]
    if not all(
        location is None
        or (isinstance(location, str) and artifact_location_allowed(location, artifact_roots))
        for location in locations
    ):
        return Refuse(
            400,
            "INVALID_PARAMETER_VALUE",
            "An experiment keeps its artifacts where MLflow puts them in the platform's "
            "store, guarded by the experiment's own access list: leave artifact_location "
            "empty.",
        )
    return Forward(_json(stamp_experiment(payload, user)))


# --- MLflow's failures, as the client sees them ---------------------------------------------

#: words of an internal failure that must not reach a client: SQL, drivers, tracebacks
_LEAKS = re.compile(
    r"\b(?:SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b"
    r"|(?i:sqlite|psycopg|sqlalchemy|pymysql|IntegrityError|OperationalError|DataError|"
    r"ProgrammingError|Traceback \(most recent|\[SQL:|\[parameters:|File \")"
)
_ERROR_CODE_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "ENDPOINT_NOT_FOUND",
    405: "BAD_REQUEST",
    409: "RESOURCE_ALREADY_EXISTS",
    413: "REQUEST_LIMIT_EXCEEDED",
    429: "REQUEST_LIMIT_EXCEEDED",
}
_MESSAGE_BY_STATUS = {
    401: "Sign in to the workbench first.",
    403: "Permission denied.",
    404: "MLflow has no such route or object.",
    405: "MLflow does not take this method on this route.",
}


def upstream_error(status: int, body: bytes) -> tuple[int, dict[str, str]] | None:
    """The answer a client gets instead of MLflow's own error, or ``None`` to pass it on.

    MLflow's clients raise ``MlflowException`` from ``{"error_code", "message"}``; MLflow itself
    sometimes answers plain text (its permission net) or leaks the SQL statement and its
    parameters (a duplicate name, a store failure). Such answers keep their status and code,
    with a message that names no internals; MLflow's internal errors never explain themselves.
    """
    if status < 400:
        return None
    try:
        answer = json.loads(body) if body else None
    except (ValueError, RecursionError):
        answer = None
    if isinstance(answer, dict) and isinstance(answer.get("error_code"), str):
        code = answer["error_code"]
        message = answer.get("message")
        leaks = not isinstance(message, str) or bool(_LEAKS.search(message))
        if status >= 500 and (leaks or code == "INTERNAL_ERROR"):
            return status, {"error_code": "INTERNAL_ERROR", "message": _INTERNAL}
        if not leaks:
            return None
        if code == "RESOURCE_ALREADY_EXISTS" and isinstance(message, str):
            first = message.split(" Error:", 1)[0].strip()
            if not _LEAKS.search(first):
                return status, {"error_code": code, "message": first}
            return status, {"error_code": code, "message": "It already exists."}
        return status, {"error_code": code, "message": "MLflow refused the request."}
    if status >= 500:
        return status, {"error_code": "INTERNAL_ERROR", "message": _INTERNAL}
    return status, {
        "error_code": _ERROR_CODE_BY_STATUS.get(status, "BAD_REQUEST"),
        "message": _MESSAGE_BY_STATUS.get(status, "MLflow refused the request."),
    }


_INTERNAL = (
    "MLflow failed on this request; the workbench logged it with the request id shown in the "
    "X-Request-Id header."
)


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
