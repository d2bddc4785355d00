import json
from dataclasses import replace

import pytest

from jupyterlab_mlplat.core.experiments import rules
from jupyterlab_mlplat.core.experiments.records import (
    TAG_OWNER,
    TAG_PRIVATE,
    TAG_USER,
    Columns,
    Experiment,
    RunData,
    Sort,
)
from jupyterlab_mlplat.core.experiments.service import notebook_artifact_path, run_id
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, PlatformError


def test_sorts_become_mlflow_order_by_with_quoted_keys() -> None:
    assert Sort.parse("attribute", "start_time", "desc").order_by() == "attributes.start_time DESC"
    assert Sort.parse("metric", "val/loss: top 5", "asc").order_by() == (
        "metrics.`val/loss: top 5` ASC"
    )
    assert Sort.parse("param", "alpha", "desc").order_by() == "params.`alpha` DESC"


@pytest.mark.parametrize(
    ("kind", "key", "direction", "field"),
    [
        ("magic", "x", "asc", "sort_kind"),
        ("metric", "x", "sideways", "sort_dir"),
        ("attribute", "password", "asc", "sort_key"),
        ("metric", "", "asc", "sort_key"),
        ("metric", "a` DESC, `b", "asc", "sort_key"),
    ],
)
def test_bad_sorts_are_refused_before_mlflow_is_asked(
    kind: str, key: str, direction: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        Sort.parse(kind, key, direction)
    assert caught.value.field == field


def test_columns_are_parsed_and_deduplicated() -> None:
    columns = Columns.parse(["metric:rmse", "param:alpha", "metric:rmse", "metric:a:b"])
    assert columns == Columns(params=("alpha",), metrics=("rmse", "a:b"))
    with pytest.raises(InvalidInput):
        Columns.parse(["rmse"])


def test_names_that_reach_mlflow_are_checked() -> None:
    assert notebook_artifact_path("churn/train.ipynb") == "notebook/train.ipynb"
    with pytest.raises(InvalidInput):
        notebook_artifact_path("churn/train.py")
    with pytest.raises(InvalidInput):
        run_id("../../etc/passwd")


# --- reason codes ---------------------------------------------------------------------------


def test_a_bad_sort_names_its_field_and_value_for_the_translation() -> None:
    from jupyterlab_mlplat.core.experiments.errors import BadColumn, BadSort

    with pytest.raises(BadSort) as caught:
        Sort.parse("attribute", "password", "asc")
    assert caught.value.reason == "run_sort_invalid"
    assert caught.value.params == {"field": "sort_key", "value": "password"}
    with pytest.raises(BadColumn) as column:
        Columns.parse(["rmse"])
    assert column.value.params == {"column": "rmse"}


def test_every_experiments_reason_is_declared_once_with_plain_params() -> None:
    from jupyterlab_mlplat.api.errors import all_reasons
    from jupyterlab_mlplat.core.experiments import errors

    declared = [
        kind.reason
        for kind in vars(errors).values()
        if isinstance(kind, type)
        and issubclass(kind, PlatformError)
        and kind.__module__ == errors.__name__
    ]
    assert len(declared) == len(set(declared))
    assert set(declared) <= set(all_reasons())


# --- rules: ownership, privacy, the gateway's decisions ---------------------------------------

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
        "/services/mlflow//api/2.0/mlflow/experiments/set-experiment-tag",
        "/services/mlflow/api/2.0/./mlflow/experiments/set-experiment-tag/",
        "/services/mlflow/static-files/../api/2.0/mlflow/experiments/set-experiment-tag",
        "/services/mlflow/api%2F2.0/mlflow/experiments/set-experiment-tag",
    ],
)
def test_a_path_is_recognised_however_it_is_encoded(raw: str) -> None:
    path = rules.canonical_path(raw)
    assert rules.mlflow_endpoint(path, PREFIX) == "experiments/set-experiment-tag"
    body = json.dumps({"experiment_id": "1", "key": TAG_PRIVATE, "value": "true"}).encode()
    assert isinstance(rules.decide("POST", path, PREFIX, body, "alice"), rules.ChangePrivacy)


def test_the_ui_root_keeps_its_slash_and_artifact_paths_are_not_endpoints() -> None:
    assert rules.canonical_path("/services/mlflow/") == "/services/mlflow/"
    artifact = rules.canonical_path(
        "/services/mlflow/api/2.0/mlflow-artifacts/artifacts/1/r/api/2.0/mlflow/runs/create"
    )
    assert rules.mlflow_endpoint(artifact, PREFIX) is None


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


@pytest.mark.parametrize(
    ("content_type", "download", "sent", "attachment"),
    [
        ("text/plain; charset=utf-8", False, "text/plain", None),
        ("text/html", False, "application/octet-stream", "report.html"),
        ("image/svg+xml", False, "application/octet-stream", "report.html"),
        ("image/png", True, "image/png", "report.html"),
    ],
)
def test_an_artifact_is_previewed_only_when_its_type_cannot_run(
    content_type: str, download: bool, sent: str, attachment: str | None
) -> None:
    delivery = rules.artifact_delivery('a/report".html', content_type, download=download)
    assert (delivery.content_type, delivery.attachment) == (sent, attachment)


def test_the_run_page_link_needs_the_mlflow_ui() -> None:
    assert (
        rules.run_ui_url("/services/mlflow/", "1", "r") == "/services/mlflow/#/experiments/1/runs/r"
    )
    assert rules.run_ui_url(None, "1", "r") is None
