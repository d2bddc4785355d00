"""Deployments over HTTP against the real thing: the platform application on a real socket
with its store, its reviews (publishing into the catalog) and its reconciler driving the local
process backend, which runs the real model server on versions registered in the real MLflow of
the embedded workbench (through its gateway, as each person).

alice deploys her version to staging and it answers; ivan may neither see nor deploy it; her
version reaches production only once published; a canary shifts and a rollback rolls out under
a stream of requests with none failing; two changes at once: one wins, the other is told who;
the routes are the invocations gateway's alone.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
import pytest
import requests
import sqlalchemy as sa

from jupyterlab_mlplat.platform.app import PlatformApp
from tests.deployments.conftest import (
    ROW,
    PlatformThread,
    TokenTable,
    start_platform_thread,
)
from tests.publishing import register_versions
from tests.workbench import Hub

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore::UserWarning",
        "ignore::FutureWarning",
        # MLflow's example writer, on the pandas of this venv
        "ignore:Operation with range is deprecated",
    )
]

POSTGRES_URL = os.environ.get("MLPLAT_TEST_POSTGRES_URL", "")


@pytest.fixture(scope="module")
def models(embedded_hub: Hub) -> dict[str, str]:
    """alice's model with two versions, and ivan's with one."""
    suffix = uuid.uuid4().hex[:6]
    found = {"alice": f"dep-{suffix}", "ivan": f"ivandep-{suffix}"}
    register_versions(embedded_hub, "alice", found["alice"], 2)
    register_versions(embedded_hub, "ivan", found["ivan"], 1)
    return found


def _database(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for one module's platform (SQLite, or a fresh PostgreSQL database): its URL,
    then, when resumed, the database dropped."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'platform.sqlite'}"
        return
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL: run through scripts/test or set MLPLAT_TEST_POSTGRES_URL")
    name = f"mlplat_test_{uuid.uuid4().hex[:12]}"
    admin = sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


#: the routes over HTTP on PostgreSQL only: the store's behaviour on both databases is
#: tests/deployments/test_service.py's, and these ~40 real-server tests on SQLite too took 3.5
#: minutes of a CI that must stay under 25
@pytest.fixture(scope="module", params=[pytest.param("postgresql", marks=pytest.mark.postgres)])
def platform(
    request: pytest.FixtureRequest,
    embedded_hub: Hub,
    models: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PlatformThread]:
    db_url = _database(request.param, tmp_path_factory)
    data_dir = tmp_path_factory.mktemp("platform")
    hub_port = urlparse(embedded_hub.url).port
    assert hub_port is not None
    secret_file = embedded_hub.data_dir / "secrets" / "mlflow-gateway-secret"
    app = PlatformApp(
        data_dir=str(data_dir),
        db_url=next(db_url),
        base_url="/services/mlplat/",
        authenticator_class=TokenTable,
        # MLflow itself, as the platform calls it (not through the gateway)
        mlflow_url=f"http://127.0.0.1:{hub_port + 102}/services/mlflow",
        mlflow_secret_file=str(secret_file),
        reconcile_seconds=2.0,
        reconcile_pending_seconds=0.2,
        drain_seconds=1.0,
    )
    # the versions' files, where the model servers' own account can reach them (pytest's
    # folders are root's alone); the platform's database stays in pytest's
    models_dir = Path(tempfile.mkdtemp(prefix="mlplat-test-deployments-"))
    models_dir.chmod(0o755)
    app.config.LocalDeployments.deployments_dir = str(models_dir)
    app.services = app.build_services()
    running = start_platform_thread(app)
    try:
        yield running
        # after everything above (a deployment deleted while its files were still being
        # fetched, a canary, a rollback), the platform stops promptly or this fails
        running.stop()
    finally:
        shutil.rmtree(models_dir, ignore_errors=True)
        next(db_url, None)  # drops a PostgreSQL database


def _until(platform: PlatformThread, name: str, test: Any, seconds: float = 90.0) -> Any:
    """The deployment's page once ``test`` holds for it (its last page if it never does)."""
    deadline = time.monotonic() + seconds
    while True:
        page = platform.call("GET", f"deployments/{name}", "alice")
        if test(page) or time.monotonic() > deadline:
            return page
        time.sleep(0.3)


def _versions(route: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(t["version"], t["traffic"], t["percent"]) for t in route["targets"]]


def test_alice_deploys_her_version_to_staging_and_it_answers(
    platform: PlatformThread, models: dict[str, str]
) -> None:
    name = f"s-{uuid.uuid4().hex[:6]}"
    body = {"name": name, "stage": "staging", "model_name": models["alice"], "version": "1"}
    created = platform.call("POST", "deployments", "alice", body, 201)
    assert (created["revision"], created["phase"], created["owner"]) == (1, "pending", "alice")
    assert created["spec"]["size"] == "small"
    (source,) = created["spec"]["sources"]
    assert source["uri"].startswith("mlflow-artifacts:/") and source["flavor"] == "sklearn"

    ready = _until(platform, name, lambda p: p["phase"] == "ready")
    assert ready["phase"] == "ready", [w["last_error"] for w in ready["workloads"]]
    (workload,) = ready["workloads"]
    assert (workload["name"], workload["ready_replicas"], workload["last_error"]) == (
        f"{name}-v1",
        1,
        "",
    )
    assert ready["route"] == [{"version": "1", "traffic": "primary", "percent": 100}]
    unchanged = requests.get(
        f"{platform.url}deployments/{name}?since={ready['sequence']}",
        headers={"Authorization": "token token-alice"},
        timeout=10,
    )
    assert unchanged.status_code == 204

    route = platform.call("GET", f"deployments/{name}/route", "invocations")
    (target,) = route["targets"]
    answer = requests.post(f"{target['url']}/invocations", json=ROW, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["predictions"] == [0]
    feed = platform.call("GET", "deployments/routes?since=0", "invocations")
    assert name in [r["name"] for r in feed["routes"]] and feed["sequence"] >= route["sequence"]

    logs = platform.call("GET", f"deployments/{name}/logs?version=1&tail=50", "alice")
    assert logs["workload"] == f"{name}-v1"
    assert platform.call("GET", f"deployments/{name}/logs?version=x", "alice", expect=400)[
        "reason"
    ] == ("name_invalid")

    gone = platform.call("DELETE", f"deployments/{name}?revision=1", "alice")
    assert (gone["deleted"], gone["route"]) == (True, [])
    for _ in range(100):  # the reconciler stops the workload, and the name is free
        if not any(
            d["name"] == name for d in platform.call("GET", "deployments", "alice")["deployments"]
        ):
            break
        time.sleep(0.3)
    else:
        pytest.fail("the deleted deployment did not stop")
    for _ in range(100):  # its model server stops too (after its grace period)
        try:
            requests.get(f"{target['url']}/v2/health/live", timeout=2)
        except requests.ConnectionError:
            break
        time.sleep(0.3)
    else:
        pytest.fail("the deleted deployment's model server still answers")


def test_who_may_see_and_deploy_what(platform: PlatformThread, models: dict[str, str]) -> None:
    name = f"w-{uuid.uuid4().hex[:6]}"
    body = {"name": name, "stage": "staging", "model_name": models["alice"], "version": "1"}
    created = platform.call("POST", "deployments", "alice", body, 201)

    theirs = {**body, "name": f"b-{name}", "model_name": models["ivan"]}
    refused = platform.call("POST", "deployments", "alice", theirs, 403)
    assert (refused["reason"], refused["params"]["owner"]) == ("not_your_model", "ivan")
    hidden = {**body, "name": f"h-{name}", "model_name": models["alice"], "version": "9"}
    assert platform.call("POST", "deployments", "ivan", hidden, 404)["reason"] in (
        "model_version_not_found",
        "mlflow_not_found",
        "model_not_found",
    )
    taken = platform.call(
        "POST", "deployments", "ivan", {**body, "model_name": models["ivan"]}, 409
    )
    assert (taken["reason"], taken["params"]) == (
        "deployment_name_taken",
        {"name": name, "owner": "alice"},
    )
    for path in (f"deployments/{name}", f"deployments/{name}/revisions"):
        assert platform.call("GET", path, "ivan", expect=404)["reason"] == "deployment_not_found"
    promote = platform.call("POST", f"deployments/{name}/promote", "ivan", {"revision": 1}, 404)
    assert promote["reason"] == "deployment_not_found"
    assert name not in [
        d["name"] for d in platform.call("GET", "deployments", "ivan")["deployments"]
    ]
    everyone = platform.call("GET", "deployments?all=true", "adam")["deployments"]
    assert name in [d["name"] for d in everyone]
    assert platform.call("GET", "deployments?all=true", "ivan", expect=403)["reason"] == (
        "role_required"
    )
    for spelling in ("True", "1", ""):
        odd = platform.call("GET", f"deployments?all={spelling}", "ivan", expect=400)
        assert (odd["reason"], odd["params"]) == (
            "query_not_boolean",
            {"name": "all", "value": spelling},
        )

    # the routes are the invocations gateway's: not a person's, not another service's
    for who, reason in (("alice", "token_lacks_access"), ("mlplat-spawner", "token_lacks_access")):
        for path in (f"deployments/{name}/route", "deployments/routes?since=0"):
            assert platform.call("GET", path, who, expect=403)["reason"] == reason
    assert platform.call("GET", f"deployments/{name}", "invocations", expect=403)["reason"] == (
        "token_lacks_access"
    )
    resized = platform.call(
        "PUT", f"deployments/{name}/size", "adam", {"revision": 1, "size": "medium"}
    )
    assert (resized["updated_by"], resized["spec"]["resources"]["replicas"]) == ("adam", 2)
    platform.call("DELETE", f"deployments/{name}?revision={created['revision'] + 1}", "alice")


@pytest.mark.parametrize(
    ("body", "reason", "field"),
    [
        ({"name": "Churn"}, "name_invalid", "name"),
        ({"name": "a" * 41}, "body_invalid", "name"),
        ({"name": "routes"}, "name_invalid", "name"),
        ({"stage": "prod"}, "body_invalid", "stage"),
        ({"version": 2}, "body_invalid", "version"),
        ({"version": "v2"}, "name_invalid", "version"),
        ({"size": "xxl"}, "size_not_found", None),
        ({"extra": 1}, "body_invalid", "extra"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    platform: PlatformThread,
    models: dict[str, str],
    body: dict[str, Any],
    reason: str,
    field: str | None,
) -> None:
    sent = {
        "name": f"x-{uuid.uuid4().hex[:6]}",
        "stage": "staging",
        "model_name": models["alice"],
        "version": "1",
        **body,
    }
    expect = 404 if reason == "size_not_found" else 400
    refused = platform.call("POST", "deployments", "alice", sent, expect)
    assert refused["reason"] == reason, refused
    if field is not None:
        assert refused["params"]["field"] == field
    assert "Traceback" not in str(refused)


def test_production_takes_only_a_published_version(
    platform: PlatformThread, models: dict[str, str]
) -> None:
    model = models["alice"]
    catalog = model.replace("dep-", "dep")
    production = {"name": f"p-{catalog}", "stage": "production", "model_name": catalog}
    refused = platform.call("POST", "deployments", "alice", {**production, "version": "1"}, 409)
    assert (refused["reason"], refused["params"]["state"]) == ("version_not_published", "missing")
    own = {**production, "model_name": model, "version": "2"}
    assert platform.call("POST", "deployments", "alice", own, 409)["reason"] == (
        "version_not_published"
    )

    card = {"catalog_name": catalog, "description": "Iris, for deployments."}
    draft = platform.call(
        "POST", "publications", "alice", {"model_name": model, "version": "2", "card": card}, 201
    )
    sent = platform.call(
        "POST", f"publications/{draft['id']}/submit", "alice", {"revision": draft["revision"]}
    )
    decided = platform.call(
        "POST",
        f"publications/{draft['id']}/decisions",
        "rita",
        {"revision": sent["revision"], "action": "approve", "comment": "Good."},
    )
    assert decided["state"] == "published", decided
    version = decided["catalog_version"]
    created = platform.call("POST", "deployments", "alice", {**production, "version": version}, 201)
    assert (created["stage"], created["model_name"]) == ("production", f"catalog.{catalog}")

    # the catalog's page of the model lists it to those who may see it: its owner and admins
    page = f"catalog/models/{catalog}"
    served = {
        "name": created["name"],
        "version": int(version),
        "stage": "production",
        "traffic": "primary",
    }
    for who in ("alice", "adam"):
        [listed] = platform.call("GET", page, who)["deployments"]
        assert {k: listed[k] for k in served} == served, listed
        assert listed["status"] in ("pending", "ready"), listed
    assert platform.call("GET", page, "ivan")["deployments"] == []
    platform.call("DELETE", f"deployments/{created['name']}?revision=1", "alice")
    # one being deleted serves nothing any more
    assert platform.call("GET", page, "alice")["deployments"] == []


def test_two_changes_at_once_one_wins_and_the_other_is_told_who(
    platform: PlatformThread, models: dict[str, str]
) -> None:
    name = f"c-{uuid.uuid4().hex[:6]}"
    body = {"name": name, "stage": "staging", "model_name": models["alice"], "version": "1"}
    platform.call("POST", "deployments", "alice", body, 201)
    answers: dict[str, requests.Response] = {}
    barrier = threading.Barrier(2)

    def resize(who: str, size: str) -> None:
        barrier.wait()
        answers[who] = requests.put(
            f"{platform.url}deployments/{name}/size",
            json={"revision": 1, "size": size},
            headers={"Authorization": f"token token-{who}"},
            timeout=30,
        )

    threads = [
        threading.Thread(target=resize, args=("alice", "medium")),
        threading.Thread(target=resize, args=("adam", "large")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [200, 409], {w: a.text for w, a in answers.items()}
    winner = next(w for w, a in answers.items() if a.status_code == 200)
    loser = next(a for a in answers.values() if a.status_code == 409).json()
    assert loser["reason"] == "deployment_changed"
    assert loser["params"] == {"by": winner, "change": "resize", "revision": 2, "yours": 1}
    history = platform.call("GET", f"deployments/{name}/revisions", "alice")["revisions"]
    assert [(r["revision"], r["change"], r["actor"]) for r in history] == [
        (2, "resize", winner),
        (1, "create", "alice"),
    ]
    platform.call("DELETE", f"deployments/{name}?revision=2", "alice")


class Caller:
    """A stream of requests through the deployment's route, as the gateway sends them: the
    route read before each request, a target drawn by its share."""

    def __init__(self, platform: PlatformThread, name: str) -> None:
        self.platform, self.name = platform, name
        self.failed: list[str] = []
        self.answered: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Caller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            route = self.platform.call("GET", f"deployments/{self.name}/route", "invocations")
            live = [t for t in route["targets"] if t["traffic"] != "shadow"]
            if not live:
                self.failed.append("no target")
                continue
            target = random.choices(live, weights=[t["percent"] for t in live])[0]
            try:
                answer = session.post(f"{target['url']}/invocations", json=ROW, timeout=10)
            except requests.RequestException as err:
                self.failed.append(f"v{target['version']}: {type(err).__name__}")
                continue
            if answer.status_code != 200:
                self.failed.append(f"v{target['version']}: {answer.status_code}")
            else:
                self.answered[target["version"]] = self.answered.get(target["version"], 0) + 1


def test_no_request_fails_while_a_canary_shifts_and_a_rollback_rolls_out(
    platform: PlatformThread, models: dict[str, str]
) -> None:
    name = f"k-{uuid.uuid4().hex[:6]}"
    body = {"name": name, "stage": "staging", "model_name": models["alice"], "version": "1"}
    platform.call("POST", "deployments", "alice", body, 201)
    first = _until(platform, name, lambda p: p["phase"] == "ready")
    assert first["phase"] == "ready", first

    with Caller(platform, name) as caller:
        time.sleep(1)
        split = platform.call(
            "PUT",
            f"deployments/{name}/traffic",
            "alice",
            {"revision": 1, "canary": {"version": "2", "percent": 20}},
        )
        # v2 is starting: the route keeps v1 alone until v2 answers
        assert split["route"] == [{"version": "1", "traffic": "primary", "percent": 100}]
        shifted = _until(platform, name, lambda p: len(p["route"]) == 2)
        assert [(t["version"], t["percent"]) for t in shifted["route"]] == [("1", 80), ("2", 20)]
        time.sleep(2)
        back = platform.call(
            "POST", f"deployments/{name}/rollback", "alice", {"revision": shifted["revision"]}
        )
        assert back["route"] == [{"version": "1", "traffic": "primary", "percent": 100}]
        retired = _until(
            platform, name, lambda p: [w["name"] for w in p["workloads"]] == [f"{name}-v1"]
        )
        assert [w["name"] for w in retired["workloads"]] == [f"{name}-v1"], retired
        time.sleep(1)

    assert caller.failed == [], caller.failed[:10]
    assert caller.answered.get("1", 0) > 0 and caller.answered.get("2", 0) > 0, caller.answered
    twice = platform.call(
        "POST", f"deployments/{name}/rollback", "alice", {"revision": back["revision"]}, 409
    )
    assert twice["reason"] == "no_previous_revision"
    platform.call("DELETE", f"deployments/{name}?revision={back['revision']}", "alice")
