"""MLflow behind the hub login: runs are the hub user's, and nobody changes another's work.

Driven with MLflow's own client, unchanged, the way code in a user's kernel calls it (the token
comes from MLFLOW_TRACKING_TOKEN, which the spawner sets to the user server's hub token).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from jupyterlab_mlplat.adapters.sql.store import SqlStore
from tests.workbench import Hub

MLFLOW_SCOPES = ["access:services!service=mlflow"]


class People:
    """Hub users, each with their own token; ``as_`` makes the MLflow client act as one."""

    def __init__(self, hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hub = hub
        self.monkeypatch = monkeypatch
        self.tokens = {
            user: hub.token(hub.login(user), user, MLFLOW_SCOPES) for user in ("alice", "rita")
        }
        self.client = MlflowClient(tracking_uri=f"{hub.url}/services/mlflow")

    @contextlib.contextmanager
    def as_(self, user: str) -> Iterator[MlflowClient]:
        self.monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", self.tokens[user])
        yield self.client


@pytest.fixture
def people(mlflow_hub: Hub, monkeypatch: pytest.MonkeyPatch) -> People:
    # the client names the local account as the run's user; the gateway must not believe it
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    return People(mlflow_hub, monkeypatch)


def _denied(call: object) -> MlflowException:
    with pytest.raises(MlflowException) as caught:
        call()  # type: ignore[operator]
    assert caught.value.get_http_status_code() == 403
    return caught.value


def test_a_run_belongs_to_the_hub_user_whatever_the_client_claims(people: People) -> None:
    with people.as_("alice") as mlflow:
        experiment = mlflow.create_experiment(f"alice/identity-{uuid.uuid4().hex[:6]}")
        run = mlflow.create_run(experiment, tags={"mlflow.user": "mallory"})
        stored = mlflow.get_run(run.info.run_id)
    assert stored.info.user_id == "alice"
    assert stored.data.tags["mlflow.user"] == "alice"


def test_others_read_a_run_but_cannot_change_or_delete_it(people: People) -> None:
    with people.as_("alice") as mlflow:
        experiment = mlflow.create_experiment(f"alice/owned-{uuid.uuid4().hex[:6]}")
        run_id = mlflow.create_run(experiment).info.run_id
        mlflow.log_metric(run_id, "rmse", 0.25)

    with people.as_("rita") as mlflow:
        assert mlflow.get_run(run_id).data.metrics == {"rmse": 0.25}
        _denied(lambda: mlflow.delete_run(run_id))
        _denied(lambda: mlflow.log_metric(run_id, "rmse", 0.0))
        _denied(lambda: mlflow.set_tag(run_id, "hijacked", "yes"))
        _denied(lambda: mlflow.delete_experiment(experiment))
        _denied(lambda: mlflow.create_run(experiment))

    with people.as_("alice") as mlflow:
        assert mlflow.get_run(run_id).data.metrics == {"rmse": 0.25}  # nothing changed
        mlflow.delete_run(run_id)
        assert mlflow.get_run(run_id).info.lifecycle_stage == "deleted"


def test_artifacts_go_through_the_gateway_both_ways(people: People, tmp_path: Path) -> None:
    with people.as_("alice") as mlflow:
        experiment = mlflow.create_experiment(f"alice/artifacts-{uuid.uuid4().hex[:6]}")
        run_id = mlflow.create_run(experiment).info.run_id
        mlflow.log_text(run_id, "accuracy went up\n", "notes/summary.txt")
    with people.as_("rita") as mlflow:
        path = mlflow.download_artifacts(run_id, "notes/summary.txt", str(tmp_path))
    assert Path(path).read_text() == "accuracy went up\n"


@pytest.mark.postgres
def test_the_cluster_flavour_keeps_artifacts_in_s3(
    cluster_hub: Hub, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = People(cluster_hub, monkeypatch)
    with people.as_("alice") as mlflow:
        experiment = mlflow.create_experiment(f"alice/s3-{uuid.uuid4().hex[:6]}")
        run_id = mlflow.create_run(experiment).info.run_id
        mlflow.log_text(run_id, "in the bucket", "proof.txt")
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="mlplat-artifacts")["Contents"]]
    assert any(key.endswith(f"{run_id}/artifacts/proof.txt") for key in keys)


def test_without_a_hub_identity_the_api_refuses_and_the_ui_asks_to_log_in(
    mlflow_hub: Hub,
) -> None:
    api = f"{mlflow_hub.url}/services/mlflow/api/2.0/mlflow/experiments/search?max_results=1"
    missing = requests.get(api, timeout=10)
    assert missing.status_code == 403
    assert "Sign in to JupyterHub" in missing.json()["message"]
    wrong = requests.get(api, headers={"Authorization": "Bearer not-a-token"}, timeout=10)
    assert wrong.status_code == 403

    ui = requests.get(f"{mlflow_hub.url}/services/mlflow/", timeout=10, allow_redirects=False)
    assert ui.status_code == 302
    assert "/hub/api/oauth2/authorize" in ui.headers["Location"]


def test_the_mlflow_server_trusts_only_the_gateway_and_never_as_its_admin(
    mlflow_hub: Hub,
) -> None:
    upstream = mlflow_hub.url.rsplit(":", 1)
    port = int(upstream[1]) + 102  # mlflow_server's offset from the hub port
    url = f"{upstream[0]}:{port}/services/mlflow/api/2.0/mlflow/experiments/search"
    secret = (mlflow_hub.data_dir / "secrets" / "mlflow-gateway-secret").read_text().strip()

    def as_(user: str, key: str) -> int:
        headers = {"X-Mlplat-User": user, "X-Mlplat-Gateway-Secret": key}
        return requests.post(url, json={"max_results": 1}, headers=headers, timeout=10).status_code

    assert as_("alice", "guessed") == 401
    assert as_("mlplat-admin", secret) == 401  # a hub user of that name gets no admin powers
    assert as_("alice", secret) == 200


def test_the_mlflow_ui_signs_in_with_the_hub_and_refuses_cross_site_writes(
    embedded_hub: Hub,
) -> None:
    browser = embedded_hub.login("alice")
    page = browser.get(f"{embedded_hub.url}/services/mlflow/", timeout=20)
    assert page.status_code == 200
    assert "mlflow" in page.text.lower()

    api = f"{embedded_hub.url}/services/mlflow/ajax-api/2.0/mlflow/experiments/search"
    same_site = browser.post(
        api,
        json={"max_results": 5},
        headers={"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"},
        timeout=10,
    )
    assert same_site.status_code == 200, same_site.text
    cross_site = browser.post(
        api,
        json={"max_results": 5},
        headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"},
        timeout=10,
    )
    assert cross_site.status_code == 403


def test_a_private_experiment_is_hidden_from_everybody_else_including_newcomers(
    people: People,
) -> None:
    with people.as_("alice") as mlflow:
        experiment = mlflow.create_experiment(f"alice/private-{uuid.uuid4().hex[:6]}")
        run_id = mlflow.create_run(experiment).info.run_id
    with people.as_("rita") as mlflow:
        assert mlflow.get_experiment(experiment).name.startswith("alice/private-")
        _denied(lambda: mlflow.set_experiment_tag(experiment, "mlplat.private", "true"))

    with people.as_("alice") as mlflow:
        mlflow.set_experiment_tag(experiment, "mlplat.private", "true")
        assert mlflow.get_run(run_id).info.user_id == "alice"  # the owner still reads

    people.tokens["ivan"] = people.hub.token(people.hub.login("ivan"), "ivan", MLFLOW_SCOPES)
    for outsider in ("rita", "ivan"):  # ivan reaches MLflow for the first time only now
        with people.as_(outsider) as mlflow:
            _denied(lambda: mlflow.get_experiment(experiment))
            with pytest.raises(MlflowException):
                mlflow.get_run(run_id)
            visible = [e.experiment_id for e in mlflow.search_experiments()]
            assert experiment not in visible

    with people.as_("alice") as mlflow:
        mlflow.set_experiment_tag(experiment, "mlplat.private", "false")
    with people.as_("rita") as mlflow:
        assert mlflow.get_run(run_id).info.user_id == "alice"

    # the platform's audit log has each accepted change, by who made it; rita's refusal is absent
    store = SqlStore.from_url(f"sqlite:///{people.hub.data_dir / 'platform' / 'mlplat.sqlite'}")
    try:
        changes = [
            (e.actor, e.detail["private"], e.detail["via"])
            for e in reversed(store.audit_entries(limit=1000))
            if e.action == "experiment.privacy_changed" and e.object_id == experiment
        ]
    finally:
        store.close()
    assert changes == [("alice", True, "mlflow"), ("alice", False, "mlflow")]


def test_owner_tags_are_written_only_by_the_workbench(people: People) -> None:
    with people.as_("alice") as mlflow:
        experiment = mlflow.create_experiment(
            f"alice/tags-{uuid.uuid4().hex[:6]}", tags={"mlplat.owner": "rita"}
        )
        assert mlflow.get_experiment(experiment).tags["mlplat.owner"] == "alice"
        run_id = mlflow.create_run(experiment).info.run_id
        # not even on their own run or experiment: ownership is what the gateway stamped
        _denied(lambda: mlflow.set_tag(run_id, "mlflow.user", "rita"))
        _denied(lambda: mlflow.delete_tag(run_id, "mlflow.user"))
        _denied(lambda: mlflow.set_experiment_tag(experiment, "mlplat.owner", "rita"))
        with pytest.raises(MlflowException) as caught:
            mlflow.create_experiment(
                f"alice/born-private-{uuid.uuid4().hex[:6]}", tags={"mlplat.private": "true"}
            )
        assert caught.value.get_http_status_code() == 400
        assert mlflow.get_run(run_id).data.tags["mlflow.user"] == "alice"


def test_privacy_spelled_any_way_or_sent_to_an_encoded_path_hides_the_experiment(
    people: People,
) -> None:
    with people.as_("alice") as mlflow:
        experiment = mlflow.create_experiment(f"alice/spelled-{uuid.uuid4().hex[:6]}")
    url = f"{people.hub.url}/services/mlflow/api/2.0/mlflow/experiments/set%2Dexperiment%2Dtag"
    answer = requests.post(
        url,
        json={"experiment_id": experiment, "key": "mlplat.private", "value": "True"},
        headers={"Authorization": f"Bearer {people.tokens['alice']}"},
        timeout=20,
    )
    assert answer.status_code == 200, answer.text
    with people.as_("alice") as mlflow:
        assert mlflow.get_experiment(experiment).tags["mlplat.private"] == "true"

    # adam may reach MLflow for the first time here: the stored spelling is what the newcomer
    # rule searches for, so "True" must have been stored as "true"
    people.tokens["adam"] = people.hub.token(people.hub.login("adam"), "adam", MLFLOW_SCOPES)
    for outsider in ("rita", "adam"):
        with people.as_(outsider) as mlflow:
            _denied(lambda: mlflow.get_experiment(experiment))
