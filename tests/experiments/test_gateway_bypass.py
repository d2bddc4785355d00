"""Each way of talking the MLflow gateway around, tried against the real stack.

Every test sends what a person in their own workspace could send to ``/services/mlflow/`` with
their own token: odd spellings of a path, identity headers of their own, tags that claim someone
else, artifact locations outside the store, inputs that make MLflow fail. The gateway must either
decide the request as the one MLflow route it reaches, or refuse it in MLflow's error shape.
Requests go out through ``http.client`` so that no client library normalises the path first.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from mlflow.exceptions import MlflowException

from jupyterlab_mlplat.core.experiments.rules import ADMIN_ONLY_MESSAGE
from tests.experiments.test_gateway import MLFLOW_SCOPES, People
from tests.workbench import Hub

API = "api/2.0/mlflow"
#: the gateway's port, from the hub's (mlplat-embedded's layout, tests/workbench.py)
GATEWAY_OFFSET = 103
SQL_WORDS = ("SELECT", "INSERT", "UPDATE ", "sqlite", "psycopg", "SQL", "Traceback", "[parameters")


@pytest.fixture
def people(mlflow_hub: Hub, monkeypatch: pytest.MonkeyPatch) -> People:
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    return People(mlflow_hub, monkeypatch)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    text: str


def send(
    hub: Hub,
    method: str,
    path: str,
    token: str | None,
    payload: object = None,
    headers: Iterable[tuple[str, str]] = (),
    *,
    direct: bool = False,
) -> Answer:
    """One request to ``/services/mlflow/<path>`` with the path sent byte for byte: through the
    hub's proxy as a browser would, or ``direct`` to the gateway's own port on loopback, as code
    in a workspace can (the proxy normalises some paths before the gateway sees them)."""
    where = urlparse(hub.url)
    port = (where.port or 80) + (GATEWAY_OFFSET if direct else 0)
    connection = http.client.HTTPConnection(where.hostname or "", port, timeout=30)
    try:
        connection.putrequest(method, f"/services/mlflow/{path}", skip_accept_encoding=True)
        if isinstance(payload, bytes):
            body = payload
        else:
            body = json.dumps(payload).encode() if payload is not None else b""
        sent = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if token:
            sent.append(("Authorization", f"Bearer {token}"))
        for name, value in [*sent, *headers]:
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
    finally:
        connection.close()
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = {}
    return Answer(response.status, parsed if isinstance(parsed, dict) else {}, text)


def assert_refused_cleanly(answer: Answer, *statuses: int) -> None:
    """A refusal in MLflow's error shape, so MLflow's client raises a readable exception."""
    assert answer.status in statuses, (answer.status, answer.text)
    assert set(answer.body) >= {"error_code", "message"}, answer.text
    assert not any(word in answer.text for word in SQL_WORDS), answer.text


def _fails(call: Any) -> bool:
    try:
        answer = call()
    except MlflowException:
        return True
    return answer in ([], None)


def mlflow_accounts(hub: Hub) -> set[str]:
    with sqlite3.connect(hub.data_dir / "mlflow" / "auth.sqlite") as db:
        return {row[0] for row in db.execute("SELECT username FROM users")}


def new_experiment(people: People, user: str, label: str) -> str:
    with people.as_(user) as mlflow:
        return mlflow.create_experiment(f"{user}/{label}-{uuid.uuid4().hex[:8]}")


def runs_of(people: People, user: str, experiment: str) -> list[tuple[str, str]]:
    with people.as_(user) as mlflow:
        return [
            (run.info.user_id, run.data.tags.get("mlflow.user", ""))
            for run in mlflow.search_runs([experiment])
        ]


# --- 1. a path is canonicalised before it is routed -----------------------------------------

STAMPED = "stamped"
REFUSED = "refused"
#: the hub's proxy resolves these before the gateway sees them; sent direct, they are refused
PROXY_RESOLVES = "resolved by the proxy"


@pytest.mark.parametrize(
    ("path", "outcome"),
    [
        (f"{API}/runs/create", STAMPED),
        (f"{API}/runs/creat%65", STAMPED),
        (f"{API}/runs/%63reate", STAMPED),
        (f"{API}//runs/create", STAMPED),
        (f"{API}/runs/create/", STAMPED),
        (f"{API}/runs/create?x=1", STAMPED),
        ("ajax-api/2.0/mlflow/runs/create", STAMPED),
        (f"{API}/runs/creat%2565", REFUSED),
        (f"{API}/runs%2Fcreate", REFUSED),
        (f"{API}/runs%2fcreate", REFUSED),
        (f"{API}/./runs/create", PROXY_RESOLVES),
        (f"{API}/runs/x/../create", PROXY_RESOLVES),
        (f"{API}/runs/%2E%2E/runs/create", PROXY_RESOLVES),
        (f"{API}/runs/%2e/create", PROXY_RESOLVES),
        (f"{API}/RUNS/CREATE", REFUSED),
        (f"{API}/runs/Create", REFUSED),
        ("Api/2.0/mlflow/runs/create", REFUSED),
        ("api/2.0/MLflow/runs/create", REFUSED),
        (f"{API}/runs\\create", PROXY_RESOLVES),
        (f"{API}/runs%5Ccreate", REFUSED),
        (f"{API}/runs/create;user=alice", REFUSED),
        (f"{API}/runs/create%3Buser=alice", REFUSED),
        (f"{API}/runs/create%00", REFUSED),
        (f"{API}/runs/create%0a", REFUSED),
    ],
)
@pytest.mark.parametrize("direct", [False, True], ids=["via-proxy", "direct"])
def test_a_route_spelled_any_way_is_decided_as_that_route_or_refused(
    people: People, path: str, outcome: str, direct: bool
) -> None:
    """rita tries to create a run in her own experiment that claims to be alice's."""
    experiment = new_experiment(people, "rita", "spelled")
    forged = {
        "experiment_id": experiment,
        "user_id": "alice",
        "tags": [{"key": "mlflow.user", "value": "alice"}],
    }
    answer = send(people.hub, "POST", path, people.tokens["rita"], forged, direct=direct)
    if outcome == STAMPED or (outcome == PROXY_RESOLVES and not direct):
        assert answer.status == 200, answer.text
        assert runs_of(people, "rita", experiment) == [("rita", "rita")]
    else:
        assert_refused_cleanly(answer, 400)
        assert runs_of(people, "rita", experiment) == []


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/experiments/set%2Dexperiment%2Dtag",
        f"{API}/experiments/set-experiment%2dtag",
        f"{API}/experiments//set-experiment-tag/",
        "ajax-api/2.0/mlflow/experiments/set-experiment-tag",
    ],
)
def test_privacy_through_any_spelling_of_its_route_takes_access_away(
    people: People, path: str
) -> None:
    experiment = new_experiment(people, "alice", "private-path")
    flag = {"experiment_id": experiment, "key": "mlplat.private", "value": "true"}
    answer = send(people.hub, "POST", path, people.tokens["alice"], flag)
    assert answer.status == 200, answer.text
    with people.as_("rita") as mlflow, pytest.raises(MlflowException) as caught:
        mlflow.get_experiment(experiment)
    assert caught.value.get_http_status_code() == 403


def test_privacy_through_a_double_encoded_route_is_refused_and_changes_nothing(
    people: People,
) -> None:
    experiment = new_experiment(people, "alice", "private-double")
    flag = {"experiment_id": experiment, "key": "mlplat.private", "value": "true"}
    path = f"{API}/experiments/set-experiment%252Dtag"
    assert_refused_cleanly(send(people.hub, "POST", path, people.tokens["alice"], flag), 400)
    with people.as_("alice") as mlflow:
        assert "mlplat.private" not in mlflow.get_experiment(experiment).tags


# --- 2. identity headers are the gateway's alone --------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        [("X_Mlplat_User", "rita")],
        [("X_MLPLAT_USER", "rita")],
        [("x_mlplat-user", "rita")],
        [("X-MLPLAT-USER", "rita")],
        [("x-mlplat-user", "rita"), ("X-Mlplat-User", "mlplat-admin")],
        [("X_Mlplat_User", "rita"), ("X_Mlplat_Gateway_Secret", "guessed")],
        [("X-Mlplat-Gateway-Secret", "guessed"), ("x_mlplat_gateway_secret", "guessed")],
    ],
)
def test_identity_headers_a_client_sends_are_dropped_in_every_spelling(
    people: People, headers: list[tuple[str, str]]
) -> None:
    experiment = new_experiment(people, "alice", "headers")
    answer = send(
        people.hub,
        "POST",
        f"{API}/runs/create",
        people.tokens["alice"],
        {"experiment_id": experiment},
        headers,
    )
    assert answer.status == 200, answer.text
    assert runs_of(people, "alice", experiment) == [("alice", "alice")]
    accounts = mlflow_accounts(people.hub)
    assert not [name for name in accounts if "," in name or name.startswith("rita,")], accounts


@pytest.mark.parametrize(
    "headers",
    [
        [("X-Mlplat-User", "rita,alice")],
        [("X-Mlplat-User", "alice"), ("X-Mlplat-User", "rita")],
        [("X-Mlplat-User", "alice"), ("X_Mlplat_User", "rita")],
    ],
)
def test_the_mlflow_server_refuses_two_names_joined_into_one(
    mlflow_hub: Hub, headers: list[tuple[str, str]]
) -> None:
    """Behind the gateway too: should a joined name ever reach MLflow, it is no account."""
    secret = (mlflow_hub.data_dir / "secrets" / "mlflow-gateway-secret").read_text().strip()
    where = urlparse(mlflow_hub.url)
    connection = http.client.HTTPConnection(where.hostname or "", (where.port or 80) + 102)
    try:
        connection.putrequest("GET", f"/services/mlflow/{API}/users/current")
        for name, value in [*headers, ("X-Mlplat-Gateway-Secret", secret)]:
            connection.putheader(name, value)
        connection.endheaders()
        status = connection.getresponse().status
    finally:
        connection.close()
    assert status == 401
    assert not [name for name in mlflow_accounts(mlflow_hub) if "," in name]


# --- 3. authorship is the gateway's to write --------------------------------------------------


def test_a_run_created_through_any_api_version_is_stamped(people: People) -> None:
    experiment = new_experiment(people, "rita", "versions")
    for path in (
        f"{API}/runs/create",
        "api/3.0/mlflow/runs/create",
        "ajax-api/2.0/mlflow/runs/create",
    ):
        forged = {"experiment_id": experiment, "userId": "alice"}
        answer = send(people.hub, "POST", path, people.tokens["rita"], forged)
        if answer.status != 200:  # a route MLflow does not serve
            assert_refused_cleanly(answer, 403, 404)
    assert set(runs_of(people, "rita", experiment)) == {("rita", "rita")}


@pytest.mark.parametrize(
    ("method", "endpoint", "payload"),
    [
        ("POST", "runs/set-tag", {"key": "mlflow.user", "value": "alice"}),
        ("POST", "runs/set-tag", {"key": "mlplat.owner", "value": "alice"}),
        ("POST", "runs/delete-tag", {"key": "mlflow.user"}),
        ("POST", "runs/log-batch", {"tags": [{"key": "mlflow.user", "value": "alice"}]}),
        ("POST", "runs/log-batch", {"tags": [{"key": "mlplat.private", "value": "true"}]}),
    ],
)
def test_run_authorship_tags_are_not_writable_by_clients(
    people: People, method: str, endpoint: str, payload: dict[str, Any]
) -> None:
    experiment = new_experiment(people, "rita", "authorship")
    with people.as_("rita") as mlflow:
        run_id = mlflow.create_run(experiment).info.run_id
    for api in (API, "ajax-api/2.0/mlflow", "api/3.0/mlflow"):
        answer = send(
            people.hub,
            method,
            f"{api}/{endpoint}",
            people.tokens["rita"],
            {"run_id": run_id, **payload},
        )
        assert answer.status in (403, 404), (api, answer.text)
        assert "error_code" in answer.body
    assert runs_of(people, "rita", experiment) == [("rita", "rita")]


def test_experiment_ownership_is_not_writable_by_clients(people: People) -> None:
    experiment = new_experiment(people, "rita", "owner")
    token = people.tokens["rita"]
    for key in ("mlplat.owner", "mlflow.user"):
        for value in ("alice", ""):
            set_tag = {"experiment_id": experiment, "key": key, "value": value}
            answer = send(
                people.hub, "POST", f"{API}/experiments/set-experiment-tag", token, set_tag
            )
            assert_refused_cleanly(answer, 403)
        delete = {"experiment_id": experiment, "key": key}
        answer = send(people.hub, "POST", f"{API}/experiments/delete-experiment-tag", token, delete)
        assert_refused_cleanly(answer, 403)
    with people.as_("rita") as mlflow:
        assert mlflow.get_experiment(experiment).tags["mlplat.owner"] == "rita"


def test_a_logged_model_names_its_creator_whatever_the_client_claims(people: People) -> None:
    experiment = new_experiment(people, "rita", "logged-model")
    token = people.tokens["rita"]
    forged = {
        "experiment_id": experiment,
        "name": "m",
        "tags": [{"key": "mlflow.user", "value": "alice"}],
    }
    created = send(people.hub, "POST", f"{API}/logged-models", token, forged)
    assert created.status == 200, created.text
    model_id = created.body["model"]["info"]["model_id"]
    assert {t["key"]: t["value"] for t in created.body["model"]["info"]["tags"]}[
        "mlflow.user"
    ] == "rita"
    retag = {"tags": [{"key": "mlflow.user", "value": "alice"}]}
    answer = send(people.hub, "PATCH", f"{API}/logged-models/{model_id}/tags", token, retag)
    assert_refused_cleanly(answer, 403)
    answer = send(people.hub, "DELETE", f"{API}/logged-models/{model_id}/tags/mlflow.user", token)
    assert_refused_cleanly(answer, 403)
    answer = send(people.hub, "DELETE", f"{API}/logged-models/{model_id}/tags/mlflow%2Euser", token)
    assert_refused_cleanly(answer, 403)


# --- 4. privacy, however it is spelled ------------------------------------------------------

GRAPHQL_RUN = "query($id: String!) { mlflowGetRun(input: {runId: $id}) { run { info { runId } } } }"
GRAPHQL_SEARCH = (
    "query($ids: [String]) { mlflowSearchRuns(input: {experimentIds: $ids}) "
    "{ runs { info { runId } } } }"
)


@pytest.mark.parametrize("spelled", ["True", "TRUE", " true ", True, "true"])
def test_privacy_spelled_any_way_hides_everything_in_the_experiment(
    people: People, spelled: object, tmp_path: Path
) -> None:
    experiment = new_experiment(people, "alice", "spelling")
    with people.as_("alice") as mlflow:
        run_id = mlflow.create_run(experiment).info.run_id
        mlflow.log_metric(run_id, "rmse", 0.5)
        mlflow.log_text(run_id, "secret notes", "notes.txt")
    flag = {"experiment_id": experiment, "key": "mlplat.private", "value": spelled}
    answer = send(
        people.hub, "POST", f"{API}/experiments/set-experiment-tag", people.tokens["alice"], flag
    )
    assert answer.status == 200, answer.text

    with people.as_("rita") as mlflow:
        reads = {
            "experiment": lambda: mlflow.get_experiment(experiment),
            "run": lambda: mlflow.get_run(run_id),
            "metrics": lambda: mlflow.get_metric_history(run_id, "rmse"),
            "artifact": lambda: mlflow.download_artifacts(run_id, "notes.txt", str(tmp_path)),
            "artifact list": lambda: mlflow.list_artifacts(run_id),
            "runs": lambda: mlflow.search_runs([experiment]),
        }
        read = [what for what, call in reads.items() if not _fails(call)]
        assert read == []
        assert experiment not in [e.experiment_id for e in mlflow.search_experiments()]
    bulk = "ajax-api/2.0/mlflow/metrics/get-history-bulk"
    reads: list[tuple[str, str, object]] = [
        ("POST", "graphql", {"query": GRAPHQL_RUN, "variables": {"id": run_id}}),
        ("POST", "graphql", {"query": GRAPHQL_SEARCH, "variables": {"ids": [experiment]}}),
        ("GET", f"get-artifact?run_id={run_id}&path=notes.txt", None),
        ("GET", f"{bulk}-interval?run_ids={run_id}&metric_key=rmse&max_results=10", None),
        ("GET", f"{bulk}?run_id={run_id}&metric_key=rmse", None),
        ("POST", f"{API}/runs/search", {"experiment_ids": [experiment]}),
    ]
    for method, path, payload in reads:  # the owner's answer shows what rita's must not
        owner = send(people.hub, method, path, people.tokens["alice"], payload)
        assert run_id in owner.text or "secret notes" in owner.text, (path, owner.text)
        answer = send(people.hub, method, path, people.tokens["rita"], payload)
        assert run_id not in answer.text and "secret notes" not in answer.text, (path, answer.text)
    assert not (tmp_path / "notes.txt").exists()


def upstream(hub: Hub, user: str, method: str, path: str, payload: object = None) -> Answer:
    """MLflow's server itself, as the gateway calls it (the secret is the test's to read)."""
    secret = (hub.data_dir / "secrets" / "mlflow-gateway-secret").read_text().strip()
    where = urlparse(hub.url)
    connection = http.client.HTTPConnection(where.hostname or "", (where.port or 80) + 102)
    try:
        body = json.dumps(payload).encode() if payload is not None else b""
        connection.putrequest(method, f"/services/mlflow/{path}")
        for name, value in (
            ("X-Mlplat-User", user),
            ("X-Mlplat-Gateway-Secret", secret),
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
        ):
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
    finally:
        connection.close()
    return Answer(response.status, {}, text)


@pytest.mark.parametrize("spelled", ["True", "TRUE", " true"])
def test_a_newcomer_is_denied_a_private_experiment_however_its_flag_was_stored(
    people: People, spelled: str
) -> None:
    """The flag stored in another spelling (by an older gateway, or written to MLflow by an
    operator): whoever reaches MLflow for the first time after it is still denied."""
    experiment = new_experiment(people, "alice", "stored")
    flag = {"experiment_id": experiment, "key": "mlplat.private", "value": spelled}
    tagged = upstream(people.hub, "alice", "POST", f"{API}/experiments/set-experiment-tag", flag)
    assert tagged.status == 200, tagged.text
    newcomer = f"newcomer-{uuid.uuid4().hex[:8]}"
    read = f"{API}/experiments/get?experiment_id={experiment}"
    assert upstream(people.hub, newcomer, "GET", read).status == 403
    assert upstream(people.hub, "alice", "GET", read).status == 200


@pytest.mark.parametrize("spelled", ["1", 1, "yes", "on", "private", ["true"], {"v": True}])
def test_a_privacy_value_that_is_not_true_or_false_is_refused(
    people: People, spelled: object
) -> None:
    experiment = new_experiment(people, "alice", "unclear")
    flag = {"experiment_id": experiment, "key": "mlplat.private", "value": spelled}
    answer = send(
        people.hub, "POST", f"{API}/experiments/set-experiment-tag", people.tokens["alice"], flag
    )
    assert_refused_cleanly(answer, 400)
    with people.as_("alice") as mlflow:
        assert "mlplat.private" not in mlflow.get_experiment(experiment).tags


@pytest.mark.parametrize("spelled", ["True", "TRUE", True, "true", "1"])
def test_an_experiment_cannot_be_born_private_and_the_client_is_told_why(
    people: People, spelled: object
) -> None:
    name = f"alice/born-{uuid.uuid4().hex[:8]}"
    create = {"name": name, "tags": [{"key": "mlplat.private", "value": spelled}]}
    answer = send(people.hub, "POST", f"{API}/experiments/create", people.tokens["alice"], create)
    assert_refused_cleanly(answer, 400)
    assert "mlplat.private" in answer.body["message"]
    with people.as_("alice") as mlflow:
        assert mlflow.get_experiment_by_name(name) is None


# --- 5. artifacts stay in the platform's store ------------------------------------------------


def outside_locations(hub: Hub) -> list[str]:
    store = hub.data_dir / "mlflow" / "artifacts"
    return [
        "file:///etc",
        "/etc",
        "../../",
        "..",
        "relative/folder",
        "mlflow-artifacts:/alice/project",
        "mlflow-artifacts:/1",
        "mlflow-artifacts:/../../../etc",
        "mlflow-artifacts:/x/../../etc",
        "mlflow-artifacts:/%2E%2E/%2E%2E/etc",
        "mlflow-artifacts:/%252E%252E/etc",
        "mlflow-artifacts://evil.example/x",
        "mlflow-artifacts:/x\\..\\..\\etc",
        "mlflow-artifacts:/x;y",
        "mlflow-artifacts:/x%00",
        str(hub.data_dir / "secrets"),
        f"file://{hub.data_dir / 'secrets'}",
        str(store),
        f"file://{store}",
        f"{store}-sibling",
        "s3://somebody-elses-bucket/x",
        "http://127.0.0.1:1/x",
        "hdfs:///tmp/x",
    ]


def test_an_experiment_cannot_keep_its_artifacts_outside_the_platforms_store(
    people: People,
) -> None:
    token = people.tokens["alice"]
    for location in outside_locations(people.hub):
        name = f"alice/outside-{uuid.uuid4().hex[:8]}"
        create = {"name": name, "artifact_location": location}
        answer = send(people.hub, "POST", f"{API}/experiments/create", token, create)
        assert_refused_cleanly(answer, 400)
        assert answer.body["error_code"] == "INVALID_PARAMETER_VALUE", location
        with people.as_("alice") as mlflow:
            assert mlflow.get_experiment_by_name(name) is None, location


def test_an_experiment_at_mlflows_default_location_is_created(people: People) -> None:
    token = people.tokens["alice"]
    for location in ("", None):
        name = f"alice/inside-{uuid.uuid4().hex[:8]}"
        create = {"name": name, "artifact_location": location}
        answer = send(people.hub, "POST", f"{API}/experiments/create", token, create)
        assert answer.status == 200, (location, answer.text)


@pytest.mark.parametrize(
    "source",
    [
        "models:/../../etc",
        "models:/%2E%2E/%2E%2E/etc",
        "file:///etc/passwd",
        "/etc/passwd",
        "mlflow-artifacts:/../../../etc",
        "runs:/../../etc",
    ],
)
def test_a_model_version_cannot_point_outside_the_store(people: People, source: str) -> None:
    token = people.tokens["alice"]
    name = f"alice-outside-{uuid.uuid4().hex[:8]}"
    assert (
        send(
            people.hub, "POST", "api/2.0/mlflow/registered-models/create", token, {"name": name}
        ).status
        == 200
    )
    answer = send(
        people.hub,
        "POST",
        f"{API}/model-versions/create",
        token,
        {"name": name, "source": source},
    )
    assert_refused_cleanly(answer, 400)


# --- 6. MLflow's failures reach the client as clean 4xx ---------------------------------------


def test_a_duplicate_experiment_name_is_a_clean_conflict(people: People) -> None:
    name = f"alice/twice-{uuid.uuid4().hex[:8]}"
    with people.as_("alice") as mlflow:
        mlflow.create_experiment(name)
        with pytest.raises(MlflowException) as caught:
            mlflow.create_experiment(name)
    assert caught.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert caught.value.get_http_status_code() in (400, 409)
    assert name in caught.value.message
    assert not any(word in caught.value.message for word in SQL_WORDS), caught.value.message


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", f"{API}/experiments/get?experiment_id=12345678901234567890123", None),
        ("GET", f"{API}/experiments/get?experiment_id=2147483648", None),
        ("POST", f"{API}/runs/search", {"experiment_ids": ["99999999999999999999999"]}),
        ("POST", f"{API}/runs/create", {"experiment_id": "99999999999999999999999"}),
        ("POST", f"{API}/experiments/delete", {"experiment_id": "99999999999999999999999"}),
    ],
)
def test_an_experiment_id_no_store_can_hold_is_not_found(
    people: People, method: str, path: str, payload: object
) -> None:
    answer = send(people.hub, method, path, people.tokens["alice"], payload)
    assert_refused_cleanly(answer, 404)
    assert answer.body["error_code"] == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/experiments/get?experiment_id=-1",
        f"{API}/experiments/get?experiment_id=1e5",
        f"{API}/experiments/get?experiment_id=%00",
        f"{API}/runs/get?run_id=%27%20OR%201=1--",
        f"{API}/metrics/get-history?run_id=x&metric_key=y",
        f"{API}/registered-models/get?name=%27%3B--",
    ],
)
def test_odd_identifiers_never_fail_inside_mlflow(people: People, path: str) -> None:
    answer = send(people.hub, "GET", path, people.tokens["alice"])
    assert answer.status < 500, answer.text
    if answer.status >= 400:
        assert_refused_cleanly(answer, answer.status)


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("POST", f"{API}/registered-models/create", {"name": "alice-a\x00b"}),
        ("GET", f"{API}/registered-models/get-latest-versions?name=%00", None),
        ("POST", f"{API}/experiments/create", {"name": "alice/\x00"}),
        ("POST", f"{API}/runs/search", b'{"x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
    ],
)
def test_input_mlflows_store_cannot_keep_is_a_clean_400(
    people: People, method: str, path: str, payload: object
) -> None:
    answer = send(people.hub, method, path, people.tokens["alice"], payload)
    assert_refused_cleanly(answer, 400)


# --- 7. MLflow's administration is for the hub's admins --------------------------------------

ADMIN_ROUTES = [
    ("GET", f"{API}/users/list", None),
    ("GET", "ajax-api/2.0/mlflow/users/list", None),
    ("GET", f"{API}/users/get?username=rita", None),
    ("POST", f"{API}/users/create", {"username": "mallory", "password": "p4ssw0rd-long"}),
    ("PATCH", f"{API}/users/update-admin", {"username": "alice", "is_admin": True}),
    ("PATCH", f"{API}/users/update-password", {"username": "rita", "password": "x-long-pass"}),
    ("DELETE", f"{API}/users/delete", {"username": "rita"}),
    ("GET", "api/3.0/mlflow/users/permissions/list?username=rita", None),
    (
        "POST",
        "api/3.0/mlflow/users/permissions/grant",
        {
            "username": "rita",
            "resource_type": "experiment",
            "resource_id": "0",
            "permission": "MANAGE",
        },
    ),
    ("GET", "api/3.0/mlflow/roles/list", None),
    (
        "POST",
        "api/3.0/mlflow/gateway/secrets/create",
        {"secret_name": "s", "secret_value": {"k": "v"}},
    ),
    ("GET", "api/3.0/mlflow/gateway/secrets/list", None),
    ("POST", "api/3.0/mlflow/gateway/endpoints/create", {"name": "e"}),
    ("GET", "ajax-api/3.0/mlflow/gateway/supported-providers", None),
    ("GET", f"{API}/webhooks", None),
    ("GET", "signup", None),
    ("GET", "ajax-api/3.0/mlflow/assistant/config", None),
    ("POST", "ajax-api/3.0/mlflow/assistant/skills/install", {}),
]


@pytest.mark.parametrize(("method", "path", "payload"), ADMIN_ROUTES)
def test_mlflows_administration_is_refused_to_people_who_are_not_admins(
    people: People, method: str, path: str, payload: object
) -> None:
    answer = send(people.hub, method, path, people.tokens["alice"], payload)
    assert_refused_cleanly(answer, 403)
    assert answer.body["error_code"] == "PERMISSION_DENIED"
    assert "rita" not in answer.text


def test_a_hub_admin_reaches_mlflows_administration(people: People) -> None:
    hub = people.hub
    token = hub.token(hub.login("adam"), "adam", [*MLFLOW_SCOPES, "custom:mlplat:admin"])
    answer = send(hub, "GET", f"{API}/users/list", token)
    # MLflow itself decides now; whatever it says, it is not the gateway's refusal
    assert answer.body.get("message") != ADMIN_ONLY_MESSAGE, answer.text
    assert send(hub, "GET", f"{API}/users/list", people.tokens["alice"]).body == {
        "error_code": "PERMISSION_DENIED",
        "message": ADMIN_ONLY_MESSAGE,
    }


def test_everybody_still_reads_who_they_are(people: People) -> None:
    answer = send(people.hub, "GET", f"{API}/users/current", people.tokens["alice"])
    assert answer.status == 200, answer.text


def test_a_private_experiments_artifacts_are_guarded_by_its_access_list(
    people: People, tmp_path: Path
) -> None:
    """MLflow guards a proxied artifact by the experiment id its path starts with, which is
    where MLflow's default location puts it; the location no one may choose (above) is why."""
    with people.as_("alice") as mlflow:
        experiment = mlflow.create_experiment(f"alice/guarded-{uuid.uuid4().hex[:8]}")
        run = mlflow.create_run(experiment)
        mlflow.log_text(run.info.run_id, "secret notes", "notes.txt")
        mlflow.set_experiment_tag(experiment, "mlplat.private", "true")
    assert run.info.artifact_uri.startswith(f"mlflow-artifacts:/{experiment}/")
    artifact = run.info.artifact_uri.removeprefix("mlflow-artifacts:/")
    for reader, seen in (("rita", False), ("alice", True)):
        answer = send(
            people.hub,
            "GET",
            f"api/2.0/mlflow-artifacts/artifacts/{artifact}/notes.txt",
            people.tokens[reader],
        )
        assert ("secret notes" in answer.text) is seen, (reader, answer.text)
    answer = send(
        people.hub,
        "GET",
        f"api/2.0/mlflow-artifacts/artifacts?path={artifact}",
        people.tokens["rita"],
    )
    assert "notes.txt" not in answer.text


def test_mlflows_ui_knows_an_admin_from_the_hub_login(embedded_hub: Hub) -> None:
    """In a browser the gateway knows people by the OAuth cookie's token, which carries the
    admin scope only for those who hold it."""
    answers = {}
    for user in ("adam", "alice"):
        browser = embedded_hub.login(user)
        assert browser.get(f"{embedded_hub.url}/services/mlflow/", timeout=20).status_code == 200
        answers[user] = browser.get(
            f"{embedded_hub.url}/services/mlflow/ajax-api/2.0/mlflow/users/list",
            headers={"Sec-Fetch-Site": "same-origin"},
            timeout=10,
        )
    assert answers["adam"].json().get("message") != ADMIN_ONLY_MESSAGE, answers["adam"].text
    assert answers["alice"].status_code == 403
    assert answers["alice"].json()["message"] == ADMIN_ONLY_MESSAGE
