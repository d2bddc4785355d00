"""The models feature's pure decisions: names, flavours, and the gateway's walls around the
catalog, tried in every spelling a client could send."""

from __future__ import annotations

import json

import pytest

from jupyterlab_mlplat.core.kernel.errors import NameInvalid
from jupyterlab_mlplat.core.kernel.naming import model_name
from jupyterlab_mlplat.core.models.records import TAG_CREATED_BY
from jupyterlab_mlplat.core.models.rules import (
    RegistryRefusal,
    RegistryStamp,
    flavour_of,
    in_catalog,
    is_platform_identity,
    registry_decision,
)


@pytest.mark.parametrize("bad", ["", "   ", "a/b", "a:b", "x" * 257, "tab\there", "rtl\u202e"])
def test_model_names_follow_mlflows_rules_and_show_what_they_are(bad: str) -> None:
    with pytest.raises(NameInvalid):
        model_name(bad)


def test_a_model_name_may_be_any_other_text() -> None:
    assert model_name("Отток клиентов v2 (test)") == "Отток клиентов v2 (test)"


@pytest.mark.parametrize(
    "name",
    [
        "catalog.churn",
        "CATALOG.churn",
        " catalog.churn",
        "\uff43\uff41\uff54\uff41\uff4c\uff4f\uff47.churn",
    ],
)
def test_every_spelling_of_the_prefix_is_the_catalog(name: str) -> None:
    assert in_catalog(name, "catalog.")


def test_the_platform_identity_however_spelled() -> None:
    assert is_platform_identity("mlplat-platform")
    assert is_platform_identity(" MLPLAT-Platform")
    assert not is_platform_identity("mlplat-platform2")


def _decide(method: str, endpoint: str, body: object = None, query: str = "") -> object:
    raw = json.dumps(body).encode() if body is not None else None
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    return registry_decision(method, endpoint, raw, pairs, "alice")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "endpoint", "body", "query"),
    [
        ("POST", "registered-models/create", {"name": "catalog.churn"}, ""),
        ("POST", "registered-models/create", json.dumps({"name": "Catalog.churn"}), ""),
        ("POST", "registered-models/rename", {"name": "mine", "new_name": "catalog.x"}, ""),
        ("POST", "registered-models/rename", {"name": "mine", "newName": "catalog.x"}, ""),
        ("PATCH", "registered-models/update", {"name": "catalog.churn"}, ""),
        ("DELETE", "registered-models/delete", {"name": "catalog.churn"}, ""),
        ("DELETE", "registered-models/delete", None, "name=catalog.churn"),
        ("POST", "registered-models/set-tag", {"name": "catalog.c", "key": "k", "value": "v"}, ""),
        ("POST", "registered-models/alias", {"name": "catalog.c", "alias": "champion"}, ""),
        ("DELETE", "registered-models/alias", {"name": "catalog.c", "alias": "champion"}, ""),
        ("POST", "model-versions/create", {"name": "catalog.c", "source": "models:/m-1"}, ""),
        ("POST", "model-versions/transition-stage", {"name": "catalog.c", "version": "1"}, ""),
        ("DELETE", "model-versions/delete", {"name": "catalog.c", "version": "1"}, ""),
        ("POST", "model-versions/set-tag", {"name": "catalog.c", "version": "1"}, ""),
    ],
)
def test_no_person_writes_a_catalog_model(
    method: str, endpoint: str, body: object, query: str
) -> None:
    decision = _decide(method, endpoint, body, query)
    assert isinstance(decision, RegistryRefusal)
    assert (decision.status, decision.reason) == (403, "catalog_read_only")


def test_reading_the_catalog_and_copying_from_it_are_allowed() -> None:
    assert _decide("GET", "registered-models/get", None, "name=catalog.churn") is None
    assert _decide("POST", "registered-models/get-latest-versions", {"name": "catalog.c"}) is None
    created = _decide(
        "POST", "model-versions/create", {"name": "mine", "source": "models:/catalog.c/1"}
    )
    assert isinstance(created, RegistryStamp)


def test_a_creation_names_its_creator_and_no_client_may_claim_another() -> None:
    decision = _decide("POST", "registered-models/create", {"name": "mine", "tags": [{"key": "k"}]})
    assert isinstance(decision, RegistryStamp)
    tags = json.loads(decision.body)["tags"]
    assert tags == [{"key": "k"}, {"key": TAG_CREATED_BY, "value": "alice"}]
    claimed = _decide(
        "POST",
        "registered-models/create",
        {"name": "mine", "tags": [{"key": TAG_CREATED_BY, "value": "bob"}]},
    )
    assert isinstance(claimed, RegistryRefusal) and claimed.reason == "platform_tag"


def test_the_platforms_tags_are_not_a_clients_to_write() -> None:
    decision = _decide(
        "POST",
        "model-versions/set-tag",
        {"name": "mine", "version": "1", "key": "mlplat.publication_id", "value": "7"},
    )
    assert isinstance(decision, RegistryRefusal) and decision.reason == "platform_tag"


def test_framework_and_task_from_the_flavour() -> None:
    assert flavour_of({"python_function": {}, "sklearn": {}}).framework == "scikit-learn"
    hf = flavour_of({"transformers": {"task": "text-classification"}})
    assert (hf.framework, hf.task) == ("transformers", "text-classification")
    classifier = flavour_of(
        {"sklearn": {}}, {"outputs": json.dumps([{"type": "long", "required": True}])}
    )
    regressor = flavour_of({"xgboost": {}}, {"outputs": json.dumps([{"type": "double"}])})
    assert (classifier.task, regressor.task) == ("classification", "regression")
    assert flavour_of({"python_function": {}}).framework == ""
