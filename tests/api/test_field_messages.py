"""A refused field reaches a client as a field reason with its values and an English sentence of
ours: pydantic's own wording ("Input should be …") never does, and a rule relating two fields
names both, so a form shows it beside each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jupyterlab_mlplat.api.base import parse_body
from jupyterlab_mlplat.api.errors import ErrorBody
from jupyterlab_mlplat.api.git import CommitBody
from jupyterlab_mlplat.core.kernel.errors import BodyInvalid, InvalidInput
from jupyterlab_mlplat.core.kernel.fields import FIELD_MESSAGES, PYDANTIC_FIELD_REASONS
from jupyterlab_mlplat.core.profiles.rules import validate_profile

PROFILE: dict[str, Any] = {
    "slug": "cpu-small",
    "display_name": "Small",
    "image": "quay.io/x/y:1",
    "cpu_guarantee": "0.5",
    "cpu_limit": "1",
    "mem_guarantee": "1Gi",
    "mem_limit": "2Gi",
}


def _refused(**change: Any) -> ErrorBody:
    with pytest.raises(InvalidInput) as caught:
        validate_profile({**PROFILE, **change})
    return ErrorBody.of(caught.value)


def _no_pydantic_words(body: ErrorBody) -> None:
    said = body.model_dump_json()
    assert "Input should" not in said
    assert "Field required" not in said
    assert "Extra inputs" not in said


def test_a_quota_of_zero_is_our_reason_with_its_bound_and_our_english() -> None:
    body = _refused(quota={"servers_per_user": 0})
    assert body.field_reasons is not None and body.fields is not None
    problem = body.field_reasons["quota.servers_per_user"]
    assert (problem.reason, problem.params) == ("field_too_small", {"ge": 1})
    assert body.fields["quota.servers_per_user"] == "enter 1 or more"
    _no_pydantic_words(body)


@pytest.mark.parametrize(
    ("guarantee", "limit", "reason"),
    [
        ({"cpu_guarantee": "4"}, {"cpu_limit": "2"}, "cpu_guarantee_above_limit"),
        ({"mem_guarantee": "8Gi"}, {"mem_limit": "2Gi"}, "memory_guarantee_above_limit"),
    ],
)
def test_a_guarantee_above_its_limit_is_told_at_both_fields(
    guarantee: dict[str, str], limit: dict[str, str], reason: str
) -> None:
    body = _refused(**guarantee, **limit)
    assert body.field_reasons is not None and body.fields is not None
    paths = [*guarantee, *limit]
    assert set(body.field_reasons) == set(paths)
    assert {body.field_reasons[p].reason for p in paths} == {reason}
    assert {body.field_reasons[p].params["fields"] for p in paths} == {",".join(paths)}
    assert "profile" not in body.fields
    # one thing to fix, whichever field it is told at
    assert body.params is not None and body.params["count"] == 1
    assert "more" not in body.message


def test_a_guarantee_above_its_limit_is_told_with_the_other_fields_problems() -> None:
    # pydantic compares the two only once every field is valid; an editor hears of both
    body = _refused(slug="Not A Slug", cpu_guarantee="4", cpu_limit="2")
    assert body.field_reasons is not None and body.fields is not None
    assert body.field_reasons["slug"].reason == "slug_invalid"
    for path in ("cpu_guarantee", "cpu_limit"):
        assert body.field_reasons[path].reason == "cpu_guarantee_above_limit"
        assert body.field_reasons[path].params == {"fields": "cpu_guarantee,cpu_limit"}
        assert body.fields[path] == "the CPU guarantee is above the CPU limit"
    assert body.params is not None and body.params["count"] == 2


def test_a_pair_is_not_compared_while_one_of_its_fields_is_wrong() -> None:
    body = _refused(slug="Not A Slug", mem_guarantee="lots", mem_limit="2Gi")
    assert body.field_reasons is not None
    assert body.field_reasons["mem_guarantee"].reason != "memory_guarantee_above_limit"
    assert "mem_limit" not in body.field_reasons
    # a field left out takes part with its default: 8Gi is above the default limit (2Gi)
    without_limit = {k: v for k, v in PROFILE.items() if k != "mem_limit"}
    with pytest.raises(InvalidInput) as caught:
        validate_profile({**without_limit, "slug": "Not A Slug", "mem_guarantee": "8Gi"})
    reasons = ErrorBody.of(caught.value).field_reasons
    assert reasons is not None
    assert reasons["mem_limit"].reason == "memory_guarantee_above_limit"


def test_missing_and_unknown_profile_fields_are_told_in_our_words() -> None:
    body = _refused(slug=None, surprise=1)
    _no_pydantic_words(body)
    assert body.fields is not None and body.field_reasons is not None
    assert body.field_reasons["surprise"].reason == "field_unknown"


def test_a_body_field_of_the_wrong_shape_names_its_reason_not_pydantics_words() -> None:
    raw = json.dumps({"folder": "", "files": [], "message": "Fit"}).encode()
    with pytest.raises(BodyInvalid) as caught:
        parse_body(raw, CommitBody)
    body = ErrorBody.of(caught.value)
    assert body.reason == "body_invalid"
    assert body.params is not None
    assert (body.params["field"], body.params["problem"], body.params["min_length"]) == (
        "files",
        "field_too_few",
        1,
    )
    assert body.field_reasons is not None
    assert body.field_reasons["files"].reason == "field_too_few"
    _no_pydantic_words(body)


def test_every_generic_field_reason_has_our_english() -> None:
    assert set(PYDANTIC_FIELD_REASONS.values()) <= set(FIELD_MESSAGES)
