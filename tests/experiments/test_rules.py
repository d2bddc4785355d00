"""The experiments feature's pure decisions: ownership, privacy, and what the MLflow gateway does
with each request however it is spelled (the real stack's side is test_gateway_bypass.py)."""

import json
import warnings
from dataclasses import replace
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jupyterlab_mlplat.core.experiments import rules
from jupyterlab_mlplat.core.experiments.records import (
    TAG_OWNER,
    TAG_PRIVATE,
    TAG_USER,
    Experiment,
    RunData,
)

PREFIX = "/services/mlflow/"


def _post(endpoint: str, payload: object, *, user: str = "alice", api: str = "api/2.0") -> object:
    body = json.dumps(payload).encode()
    return rules.decide("POST", f"{PREFIX}{api}/mlflow/{endpoint}", PREFIX, body, user)


@pytest.mark.parametrize(
    ("value", "meaning"),
    [
        (True, True),
        ("true", True),
        ("True", True),
        (" TRUE ", True),
        (False, False),
        ("false", False),
        ("False", False),
        (None, False),
        ("", False),
        ("yes", None),
        (1, None),
        ("truthy", None),
    ],
)
def test_privacy_means_the_same_however_it_is_spelled(value: object, meaning: bool | None) -> None:
    assert rules.privacy_value(value) is meaning


def test_a_private_experiment_is_hidden_from_everybody_but_its_owner() -> None:
    tags = {TAG_PRIVATE: "True", TAG_OWNER: "alice"}
    assert rules.hidden_from("rita", tags)
    assert not rules.hidden_from("alice", tags)
    assert not rules.hidden_from("rita", {TAG_PRIVATE: "false", TAG_OWNER: "alice"})
    assert rules.hidden_from("rita", {TAG_PRIVATE: "true"})  # no owner: hidden from all


@pytest.mark.parametrize(
    ("name", "one"),
    [
        ("alice", True),
        ("mlplat-alice", True),
        ("алиса", True),
        ("rita,alice", False),
        ("rita, alice", False),
        ("alice ", False),
        ("a\tb", False),
        ("a\x00", False),
        ("", False),
    ],
)
def test_an_asserted_identity_is_one_name(name: str, one: bool) -> None:
    assert rules.one_user_name(name) is one


RESERVED = ("X-Mlplat-User", "X-Mlplat-Gateway-Secret")


@pytest.mark.parametrize(
    "name",
    [
        "X-Mlplat-User",
        "x-mlplat-user",
        "X-MLPLAT-USER",
        "X_Mlplat_User",
        "x_mlplat_user",
        "X_MLPLAT-User",
        "X-Mlplat-Gateway-Secret",
        "x_mlplat_gateway_secret",
        "X-MLPLAT-GATEWAY_SECRET",
        "Any_Header",
    ],
)
def test_no_spelling_of_an_identity_header_travels_on(name: str) -> None:
    assert not rules.header_forwarded(name, RESERVED)


@pytest.mark.parametrize(
    "name", ["Content-Type", "Accept", "X-Request-Id", "X-Mlplat-Userx", "Sec-Fetch-Site"]
)
def test_other_headers_travel_on(name: str) -> None:
    assert rules.header_forwarded(name, RESERVED)


def test_ownership_decides_who_may_change_a_run_or_an_experiment() -> None:
    run = RunData("r1", "n", "1", "FINISHED", 0, 1, "alice", "mlflow-artifacts:/1/r1")
    assert rules.may_change_run(run, "alice")
    assert not rules.may_change_run(run, "rita")
    assert not rules.may_change_run(replace(run, user=""), "")
    experiment = Experiment("1", "e", "alice", "active", None, None)
    assert rules.may_change_experiment(experiment, "alice")
    assert not rules.may_change_experiment(replace(experiment, owner=None), "alice")


def test_a_created_run_names_the_signed_in_person_whatever_the_client_claims() -> None:
    decision = _post(
        "runs/create",
        {"experiment_id": "1", "userId": "mallory", "tags": [{"key": TAG_USER, "value": "m"}]},
    )
    assert isinstance(decision, rules.Forward)
    assert decision.body is not None
    sent = json.loads(decision.body)
    assert sent["user_id"] == "alice"
    assert "userId" not in sent
    assert sent["tags"] == [{"key": TAG_USER, "value": "alice"}]


def test_a_created_experiment_records_its_owner_and_cannot_start_private() -> None:
    decision = _post(
        "experiments/create",
        {"name": "x", "tags": [{"key": TAG_OWNER, "value": "rita"}, {"key": "k", "value": "v"}]},
    )
    assert isinstance(decision, rules.Forward)
    assert decision.body is not None
    assert json.loads(decision.body)["tags"] == [
        {"key": "k", "value": "v"},
        {"key": TAG_OWNER, "value": "alice"},
    ]
    for spelled in ("true", "True", True):
        refused = _post(
            "experiments/create", {"name": "x", "tags": [{"key": TAG_PRIVATE, "value": spelled}]}
        )
        assert isinstance(refused, rules.Refuse)
        assert refused.status == 400


@pytest.mark.parametrize(
    ("endpoint", "payload"),
    [
        ("runs/set-tag", {"run_id": "r", "key": TAG_USER, "value": "rita"}),
        ("runs/delete-tag", {"run_id": "r", "key": TAG_USER}),
        ("runs/log-batch", {"run_id": "r", "tags": [{"key": TAG_OWNER, "value": "rita"}]}),
        ("experiments/set-experiment-tag", {"experiment_id": "1", "key": TAG_OWNER, "value": "r"}),
        ("experiments/delete-experiment-tag", {"experiment_id": "1", "key": TAG_PRIVATE}),
        ("runs/set-tag", {"run_id": "r", "key": TAG_PRIVATE, "value": "true"}),
    ],
)
def test_owner_and_privacy_tags_are_written_only_by_the_workbench(
    endpoint: str, payload: dict[str, object]
) -> None:
    for api in ("api/2.0", "ajax-api/2.0", "api/3.0"):
        decision = _post(endpoint, payload, api=api)
        assert isinstance(decision, rules.Refuse), (endpoint, api)
        assert (decision.status, decision.error_code) == (403, "PERMISSION_DENIED")


def test_setting_privacy_stores_one_spelling_and_changes_access_first() -> None:
    for spelled, private in (("True", True), (True, True), ("FALSE", False)):
        decision = _post(
            "experiments/set-experiment-tag",
            {"experimentId": 7, "key": TAG_PRIVATE, "value": spelled},
        )
        assert isinstance(decision, rules.ChangePrivacy)
        assert (decision.experiment_id, decision.private) == ("7", private)
        assert json.loads(decision.body) == {
            "experiment_id": "7",
            "key": TAG_PRIVATE,
            "value": "true" if private else "false",
        }
    unclear = _post(
        "experiments/set-experiment-tag", {"experiment_id": "7", "key": TAG_PRIVATE, "value": "1"}
    )
    assert isinstance(unclear, rules.Refuse)
    assert unclear.status == 400
    nameless = _post("experiments/set-experiment-tag", {"key": TAG_PRIVATE, "value": "true"})
    assert isinstance(nameless, rules.Refuse)


def test_other_requests_pass_untouched() -> None:
    assert _post("runs/set-tag", {"run_id": "r", "key": "stage", "value": "x"}) == rules.Forward()
    assert _post("runs/log-batch", {"run_id": "r", "metrics": []}) == rules.Forward()
    assert rules.decide("GET", f"{PREFIX}api/2.0/mlflow/runs/get", PREFIX, None, "a") == (
        rules.Forward()
    )
    malformed = rules.decide(
        "POST", f"{PREFIX}api/2.0/mlflow/runs/create", PREFIX, b"[not json", "alice"
    )
    assert isinstance(malformed, rules.Refuse)
    assert malformed.status == 400


@pytest.mark.parametrize(
    "raw",
    [
        "/services/mlflow/api/2.0/mlflow/experiments/set%2Dexperiment%2Dtag",
        "/services/mlflow/api/2.0/mlflow/experiments/set-experiment%2dtag",
        "/services/mlflow/api/2.0/mlflow/%65xperiments/set-experiment-tag",
        "/services/mlflow//api/2.0/mlflow/experiments/set-experiment-tag",
        "/services/mlflow/api/2.0//mlflow///experiments/set-experiment-tag",
        "/services/mlflow/api/2.0/mlflow/experiments/set-experiment-tag/",
        "/services/mlflow/api/2.0/mlflow/experiments/set-experiment-tag//",
        "/services/mlflow/ajax-api/2.0/mlflow/experiments/set-experiment-tag",
        "/services/mlflow/api/3.0/mlflow/experiments/set-experiment-tag",
    ],
)
def test_a_path_is_recognised_however_it_is_encoded(raw: str) -> None:
    path = rules.canonical_path(raw, PREFIX)
    assert rules.mlflow_endpoint(path, PREFIX) == "experiments/set-experiment-tag"
    body = json.dumps({"experiment_id": "1", "key": TAG_PRIVATE, "value": "true"}).encode()
    assert isinstance(rules.decide("POST", path, PREFIX, body, "alice"), rules.ChangePrivacy)


@pytest.mark.parametrize(
    "raw",
    [
        # another hop would decode once more
        "/services/mlflow/api/2.0/mlflow/experiments/set-experiment%252Dtag",
        "/services/mlflow/api/2.0/mlflow/runs/creat%2565",
        # structure hidden in an encoding
        "/services/mlflow/api%2F2.0/mlflow/experiments/set-experiment-tag",
        "/services/mlflow/api/2.0/mlflow/runs%2fcreate",
        "/services/mlflow/api/2.0/mlflow/runs%5Ccreate",
        "/services/mlflow/api/2.0/mlflow/runs/create%3Bx=1",
        "/services/mlflow/api/2.0/mlflow/runs/create%00",
        "/services/mlflow/api/2.0/mlflow/runs/create%0A",
        "/services/mlflow/api/2.0/mlflow/runs/create%7F",
        # dot segments, in any encoding
        "/services/mlflow/api/2.0/./mlflow/experiments/set-experiment-tag",
        "/services/mlflow/static-files/../api/2.0/mlflow/experiments/set-experiment-tag",
        "/services/mlflow/api/2.0/mlflow/runs/%2E%2E/runs/create",
        "/services/mlflow/api/2.0/mlflow/runs/%2e/create",
        "/services/mlflow/api/2.0/mlflow-artifacts/artifacts/../../mlflow/runs/create",
        # what other servers read as a separator or a parameter
        "/services/mlflow/api/2.0/mlflow/runs\\create",
        "/services/mlflow/api/2.0/mlflow/runs/create;user=alice",
        # MLflow's routes are lower case; werkzeug would not find these
        "/services/mlflow/Api/2.0/mlflow/runs/create",
        "/services/mlflow/AJAX-API/2.0/mlflow/runs/create",
        "/services/mlflow/api/2.0/MLflow/runs/create",
        "/services/mlflow/api/2.0/mlflow/RUNS/CREATE",
        "/services/mlflow/api/2.0/mlflow/runs/Create",
        "/services/mlflow/api/2.0/mlflow/users/List",
        # not valid UTF-8, or not ASCII on the wire
        "/services/mlflow/api/2.0/mlflow/runs/create%FF",
        "/services/mlflow/api/2.0/mlflow/runs/créate",
        "/services/mlflow/api/2.0/mlflow/runs/ create",
    ],
)
def test_a_path_that_could_mean_another_route_is_refused(raw: str) -> None:
    with pytest.raises(rules.NotCanonical) as refused:
        rules.canonical_path(raw, PREFIX)
    assert str(refused.value)


def test_every_route_mlflow_serves_is_canonical_as_it_spells_it() -> None:
    with warnings.catch_warnings():  # MLflow's server imports deprecated SQLAlchemy options
        warnings.simplefilter("ignore")
        from mlflow.server.handlers import get_endpoints

    for route, _, _ in get_endpoints():
        path = PREFIX + route.lstrip("/").replace("<", "").replace(">", "")
        assert rules.canonical_path(path, PREFIX) == path, route


def test_the_ui_root_keeps_its_slash_and_artifact_paths_keep_their_names() -> None:
    assert rules.canonical_path("/services/mlflow/", PREFIX) == "/services/mlflow/"
    artifact = rules.canonical_path(
        "/services/mlflow/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/My%20Plot.PNG", PREFIX
    )
    assert artifact.endswith("/artifacts/My Plot.PNG")
    assert rules.mlflow_endpoint(artifact, PREFIX) is None
    # a percent sign of a file's name is not an encoding
    assert rules.canonical_path("/services/mlflow/x/acc%25.txt", PREFIX).endswith("acc%.txt")
    nested = rules.canonical_path(
        "/services/mlflow/api/2.0/mlflow-artifacts/artifacts/1/r/api/2.0/mlflow/runs/create",
        PREFIX,
    )
    assert rules.mlflow_endpoint(nested, PREFIX) is None


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40))
def test_a_canonical_path_is_its_own_canonical_form(tail: str) -> None:
    """Whatever is forwarded, read again by the next hop, means the same route."""
    try:
        once = rules.canonical_path(PREFIX + tail, PREFIX)
    except rules.NotCanonical:
        return
    forwarded = quote(once, safe="/:@!$&'()*+,=~")
    assert rules.canonical_path(forwarded, PREFIX) == once
    assert ".." not in once.split("/") and "\\" not in once and ";" not in once


def test_privacy_denies_everybody_but_the_owner_and_sharing_revokes_it() -> None:
    calls = rules.privacy_acl("alice", ["rita", "alice", "ivan", ""], "7", True)
    assert [c.payload["username"] for c in calls] == ["ivan", "rita"]
    assert all(c.path.endswith("/grant") and c.payload["permission"] == "DENY" for c in calls)
    revoke = rules.privacy_acl("alice", ["rita"], "7", False)
    assert revoke[0].path.endswith("/revoke")
    assert "permission" not in revoke[0].payload
    assert rules.acl_call_done(200, {})
    assert rules.acl_call_done(404, {"error_code": "RESOURCE_DOES_NOT_EXIST"})
    assert not rules.acl_call_done(403, {"error_code": "PERMISSION_DENIED"})


# --- who reaches MLflow's administration --------------------------------------------------


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("GET", "api/2.0/mlflow/users/list"),
        ("GET", "ajax-api/2.0/mlflow/users/list"),
        ("GET", "api/2.0/mlflow/users/get"),
        ("POST", "api/2.0/mlflow/users/create"),
        ("POST", "api/2.0/mlflow/users/create-ui"),
        ("PATCH", "api/2.0/mlflow/users/update-admin"),
        ("PATCH", "api/2.0/mlflow/users/update-password"),
        ("DELETE", "api/2.0/mlflow/users/delete"),
        ("POST", "api/3.0/mlflow/users/permissions/grant"),
        ("POST", "api/3.0/mlflow/users/permissions/revoke"),
        ("GET", "api/3.0/mlflow/users/permissions/list"),
        ("GET", "api/3.0/mlflow/users/roles/list"),
        ("POST", "api/3.0/mlflow/roles/create"),
        ("POST", "api/3.0/mlflow/roles/assign"),
        ("POST", "api/3.0/mlflow/gateway/secrets/create"),
        ("GET", "api/3.0/mlflow/gateway/secrets/list"),
        ("POST", "api/3.0/mlflow/gateway/endpoints/create"),
        ("POST", "api/3.0/mlflow/gateway/model-definitions/create"),
        ("GET", "ajax-api/3.0/mlflow/gateway/supported-providers"),
        ("POST", "ajax-api/2.0/mlflow/gateway-proxy"),
        ("POST", "api/2.0/mlflow/webhooks"),
        ("POST", "api/2.0/mlflow/webhooks/wh-1/test"),
        ("GET", "signup"),
        ("POST", "gateway/chat/mlflow/invocations"),
        ("POST", "ajax-api/3.0/mlflow/assistant/message"),
        ("POST", "ajax-api/3.0/mlflow/assistant/skills/install"),
        ("PUT", "ajax-api/3.0/mlflow/assistant/config"),
    ],
)
def test_mlflows_administration_is_for_admins_only(method: str, route: str) -> None:
    path = rules.canonical_path(PREFIX + route, PREFIX)
    assert rules.admin_only(path, PREFIX)
    refused = rules.decide(method, path, PREFIX, None, "alice")
    assert isinstance(refused, rules.Refuse)
    assert (refused.status, refused.error_code) == (403, "PERMISSION_DENIED")
    assert rules.decide(method, path, PREFIX, None, "adam", admin=True) == rules.Forward()


@pytest.mark.parametrize(
    "route",
    [
        "api/2.0/mlflow/users/current",
        "ajax-api/3.0/mlflow/users/current/permissions",
        "api/2.0/mlflow/experiments/search",
        "api/2.0/mlflow-artifacts/artifacts/users/list",
        "static-files/users/list",
        "graphql",
        "",
    ],
)
def test_everything_else_is_open_to_every_signed_in_person(route: str) -> None:
    assert not rules.admin_only(rules.canonical_path(PREFIX + route, PREFIX), PREFIX)


# --- creation stamps its author on every route that creates ---------------------------------


def test_a_prompt_lab_run_and_a_logged_model_name_their_creator() -> None:
    for api in ("ajax-api/2.0", "api/2.0"):
        run = _post(
            "runs/create-promptlab-run",
            {"experiment_id": "1", "user_id": "rita", "tags": []},
            api=api,
        )
        assert isinstance(run, rules.Forward)
        assert run.body is not None
        assert json.loads(run.body)["user_id"] == "alice"
    model = _post(
        "logged-models",
        {
            "experiment_id": "1",
            "tags": [
                {"key": TAG_USER, "value": "rita"},
                {"key": TAG_PRIVATE, "value": "true"},
                {"key": "k", "value": "v"},
            ],
        },
    )
    assert isinstance(model, rules.Forward)
    assert model.body is not None
    assert json.loads(model.body)["tags"] == [
        {"key": "k", "value": "v"},
        {"key": TAG_USER, "value": "alice"},
    ]


def test_a_logged_models_authorship_tags_are_the_workbenchs() -> None:
    path = f"{PREFIX}api/2.0/mlflow/logged-models/m-1/tags"
    body = json.dumps({"tags": [{"key": TAG_USER, "value": "rita"}]}).encode()
    assert isinstance(rules.decide("PATCH", path, PREFIX, body, "alice"), rules.Refuse)
    fine = json.dumps({"tags": [{"key": "stage", "value": "x"}]}).encode()
    assert rules.decide("PATCH", path, PREFIX, fine, "alice") == rules.Forward()
    for key in ("mlflow.user", "mlplat.owner", "mlflow%2Euser"):
        tag = rules.canonical_path(f"{path}/{key}", PREFIX)
        refused = rules.decide("DELETE", tag, PREFIX, None, "alice")
        assert isinstance(refused, rules.Refuse), key
    assert rules.decide("DELETE", f"{path}/stage", PREFIX, None, "alice") == rules.Forward()


def test_a_body_encoded_twice_is_read_as_mlflow_reads_it() -> None:
    inner = json.dumps({"run_id": "r", "key": TAG_USER, "value": "rita"})
    twice = json.dumps(inner).encode()
    path = f"{PREFIX}api/2.0/mlflow/runs/set-tag"
    assert isinstance(rules.decide("POST", path, PREFIX, twice, "alice"), rules.Refuse)
    created = rules.decide(
        "POST",
        f"{PREFIX}api/2.0/mlflow/runs/create",
        PREFIX,
        json.dumps(json.dumps({"experiment_id": "1", "user_id": "rita"})).encode(),
        "alice",
    )
    assert isinstance(created, rules.Forward)
    assert created.body is not None
    assert json.loads(created.body)["user_id"] == "alice"


# --- artifact locations and model sources ---------------------------------------------------

ROOTS = ("s3://mlplat-artifacts/",)


@pytest.mark.parametrize(
    "location",
    [
        "",
        "s3://mlplat-artifacts/alice/project",
        "s3://mlplat-artifacts/Алиса/проект 1",
    ],
)
def test_an_artifact_location_inside_the_store_is_allowed(location: str) -> None:
    assert rules.artifact_location_allowed(location, ROOTS)


@pytest.mark.parametrize(
    "location",
    [
        "mlflow-artifacts:/alice/project",
        "mlflow-artifacts:///alice/project",
        "mlflow-artifacts:/7",
        "mlflow-artifacts:/",
        "s3://mlplat-artifacts/",
        "file:///etc",
        "/etc",
        "../../",
        "..",
        "relative",
        "mlflow-artifacts:/../../../etc",
        "mlflow-artifacts:/x/../../etc",
        "mlflow-artifacts:/./x",
        "mlflow-artifacts:/%2E%2E/etc",
        "mlflow-artifacts:/x%2F..%2F..",
        "mlflow-artifacts://evil.example/x",
        "mlflow-artifacts:x",
        "mlflow-artifacts:/x\\..\\..",
        "mlflow-artifacts:/x?y=1",
        "mlflow-artifacts:/x#y",
        "mlflow-artifacts:/x;y",
        "mlflow-artifacts:/x\x00",
        "mlflow-artifacts:/x\n",
        "s3://mlplat-artifacts-sibling/x",
        "s3://mlplat-artifacts/../other",
        "s3://mlplat-artifacts/x/%2E%2E/y",
        "s3://other/x",
        "http://127.0.0.1:1/x",
        "hdfs:///tmp",
        " mlflow-artifacts:/x",
    ],
)
def test_an_artifact_location_outside_the_store_is_refused(location: str) -> None:
    assert not rules.artifact_location_allowed(location, ROOTS)
    decision = _post("experiments/create", {"name": "x", "artifact_location": location})
    assert isinstance(decision, rules.Refuse)
    assert (decision.status, decision.error_code) == (400, "INVALID_PARAMETER_VALUE")
    camel = _post("experiments/create", {"name": "x", "artifactLocation": location})
    assert isinstance(camel, rules.Refuse)
    both = _post(
        "experiments/create", {"name": "x", "artifact_location": "", "artifactLocation": location}
    )
    assert isinstance(both, rules.Refuse)


@pytest.mark.parametrize(
    ("source", "allowed"),
    [
        ("runs:/0123abc/model", True),
        ("models:/m-0123abc", True),
        ("mlflow-artifacts:/1/0123abc/artifacts/model", True),
        ("prompt-template", True),
        ("dummy-source", True),
        ("models:/../../etc", False),
        ("models:/%2E%2E/%2E%2E/etc", False),
        ("runs:/../../etc", False),
        ("runs://host/x", False),
        ("runs:/", False),
        ("file:///etc/passwd", False),
        ("/etc/passwd", False),
        ("mlflow-artifacts:/../../../etc", False),
        ("http://127.0.0.1:1/model", False),
        ("", False),
    ],
)
def test_a_model_version_comes_only_from_the_store(source: str, allowed: bool) -> None:
    assert rules.model_source_allowed(source, ROOTS) is allowed
    decision = _post("model-versions/create", {"name": "m", "source": source})
    assert isinstance(decision, rules.Forward) is allowed


# --- MLflow's failures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "query", "payload"),
    [
        ("experiments/get", "experiment_id=12345678901234567890123", None),
        ("experiments/get", "experiment_id=2147483648", None),
        ("runs/search", "", {"experiment_ids": ["1", "99999999999999999999999"]}),
        ("runs/create", "", {"experiment_id": "99999999999999999999999"}),
        ("experiments/delete", "", {"experimentId": 99999999999999999999999}),
    ],
)
def test_an_experiment_id_no_store_holds_is_not_found(
    route: str, query: str, payload: object
) -> None:
    body = json.dumps(payload).encode() if payload is not None else None
    method = "GET" if payload is None else "POST"
    path = f"{PREFIX}api/2.0/mlflow/{route}"
    decision = rules.decide(method, path, PREFIX, body, "alice", query=query)
    assert isinstance(decision, rules.Refuse)
    assert (decision.status, decision.error_code) == (404, "RESOURCE_DOES_NOT_EXIST")


def test_an_experiment_id_a_store_holds_is_left_to_mlflow() -> None:
    path = f"{PREFIX}api/2.0/mlflow/experiments/get"
    for query in ("experiment_id=2147483647", "experiment_id=0", "experiment_id=abc"):
        assert rules.decide("GET", path, PREFIX, None, "a", query=query) == rules.Forward()


def test_a_duplicate_name_is_told_without_its_sql() -> None:
    leaked = {
        "error_code": "RESOURCE_ALREADY_EXISTS",
        "message": "Experiment(name=alice/x) already exists. Error: (sqlite3.IntegrityError) "
        "UNIQUE constraint failed: experiments.workspace, experiments.name\n[SQL: INSERT INTO "
        "experiments (name) VALUES (?)]\n[parameters: ('alice/x',)]",
    }
    cleaned = rules.upstream_error(400, json.dumps(leaked).encode())
    assert cleaned == (
        400,
        {
            "error_code": "RESOURCE_ALREADY_EXISTS",
            "message": "Experiment(name=alice/x) already exists.",
        },
    )


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b"{}", None),
        (404, b'{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No run r"}', None),
        (
            400,
            b'{"error_code": "INVALID_PARAMETER_VALUE", "message": "You cannot update it"}',
            None,
        ),
        (
            503,
            b'{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "Try again"}',
            None,
        ),
        (403, b"Permission denied", (403, "PERMISSION_DENIED")),
        (404, b"<html>Not Found</html>", (404, "ENDPOINT_NOT_FOUND")),
        (405, b"", (405, "BAD_REQUEST")),
        (
            500,
            b'{"error_code": "INTERNAL_ERROR", "message": "int too large to convert to SQLite"}',
            (500, "INTERNAL_ERROR"),
        ),
        (500, b'{"error_code": "INTERNAL_ERROR", "message": "x"}', (500, "INTERNAL_ERROR")),
        (502, b'Traceback (most recent call last):\n  File "x"', (502, "INTERNAL_ERROR")),
        (
            400,
            b'{"error_code": "BAD_REQUEST", "message": "(psycopg.errors.DataError) out of range"}',
            (400, "BAD_REQUEST"),
        ),
    ],
)
def test_mlflows_errors_reach_the_client_in_its_shape_without_internals(
    status: int, body: bytes, expected: tuple[int, str] | None
) -> None:
    cleaned = rules.upstream_error(status, body)
    if expected is None:
        assert cleaned is None
        return
    assert cleaned is not None
    assert (cleaned[0], cleaned[1]["error_code"]) == expected
    message = cleaned[1]["message"]
    assert message and not any(w in message for w in ("SQL", "sqlite", "psycopg", "Traceback"))


@pytest.mark.parametrize(
    ("method", "route", "query", "payload"),
    [
        ("POST", "registered-models/create", "", {"name": "a\x00b"}),
        ("POST", "runs/set-tag", "", {"run_id": "r", "key": "k", "value": "v\x00"}),
        ("POST", "runs/log-batch", "", {"run_id": "r", "params": [{"key": "\x00", "value": ""}]}),
        ("POST", "runs/create", "", {"experiment_id": "1", "tags": [{"key": "k\x00"}]}),
        ("GET", "registered-models/get", "name=%00", None),
        ("GET", "runs/get", "run_id=r&x%00=1", None),
    ],
)
def test_a_nul_never_reaches_mlflows_store(
    method: str, route: str, query: str, payload: object
) -> None:
    body = json.dumps(payload).encode() if payload is not None else None
    path = f"{PREFIX}api/2.0/mlflow/{route}"
    refused = rules.decide(method, path, PREFIX, body, "alice", query=query)
    assert isinstance(refused, rules.Refuse)
    assert (refused.status, refused.error_code) == (400, "INVALID_PARAMETER_VALUE")


def test_json_nested_past_any_request_is_refused_before_mlflow_parses_it() -> None:
    deep: object = "x"
    for _ in range(rules.MAX_JSON_DEPTH + 1):
        deep = [deep]
    for body in (
        json.dumps({"run_id": "r", "metrics": deep}).encode(),
        b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ):
        refused = rules.decide("POST", f"{PREFIX}api/2.0/mlflow/runs/log-batch", PREFIX, body, "a")
        assert isinstance(refused, rules.Refuse)
        assert refused.status == 400
    shallow = json.dumps({"run_id": "r", "metrics": [{"key": "a", "value": 1}]}).encode()
    path = f"{PREFIX}api/2.0/mlflow/runs/log-batch"
    assert rules.decide("POST", path, PREFIX, shallow, "a") == rules.Forward()


def test_an_uploaded_file_is_bytes_not_a_request() -> None:
    path = f"{PREFIX}ajax-api/2.0/mlflow/upload-artifact"
    nested = json.dumps({"v": "\x00", "deep": [[[[[[[[[[[[[[]]]]]]]]]]]]]]}).encode()
    assert rules.decide("POST", path, PREFIX, nested, "a", query="run_uuid=r&path=x.json") == (
        rules.Forward()
    )
