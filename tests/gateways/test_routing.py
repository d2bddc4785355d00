"""The gateway's pure rules: the split, the fallback, who may call, the token bucket, what a
shadow's answer is worth, and where drift samples go."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from jupyterlab_mlplat.core.deployments.records import Route, RouteTarget, Stage, Traffic
from jupyterlab_mlplat.core.deployments.routing import (
    DeploymentNameInvalid,
    KeyGrant,
    KeyOutOfScope,
    SampleBatch,
    ShadowSlots,
    TokenBucket,
    agree,
    deployment_name,
    drift_key,
    fallback,
    key_may_call,
    key_owner_may_call,
    live_targets,
    person_may_call,
    pick,
    predictions,
    retry_after,
    sampled,
    shadow_target,
)

P, C, S = Traffic.PRIMARY, Traffic.CANARY, Traffic.SHADOW


def route(*targets: tuple[str, Traffic, int], owner: str = "alice") -> Route:
    return Route(
        name="churn",
        owner=owner,
        stage=Stage.STAGING,
        model_name="churn-model",
        revision=1,
        targets=tuple(RouteTarget(v, t, p, f"http://127.0.0.1:1{v}") for v, t, p in targets),
    )


def test_the_split_follows_the_percentages() -> None:
    r = route(("1", P, 80), ("2", C, 20), ("3", S, 0))
    assert pick(r, 0.0).version == "1"  # type: ignore[union-attr]
    assert pick(r, 0.7999).version == "1"  # type: ignore[union-attr]
    assert pick(r, 0.8).version == "2"  # type: ignore[union-attr]
    assert pick(r, 0.99999).version == "2"  # type: ignore[union-attr]
    draws = random.Random(7)
    chosen = [pick(r, draws.random()).version for _ in range(10_000)]  # type: ignore[union-attr]
    assert 0.18 < chosen.count("2") / 10_000 < 0.22
    assert "3" not in chosen  # the shadow gets copies, never live traffic


def test_ready_targets_share_all_traffic_while_a_change_rolls_out() -> None:
    # the canary's new workload is not ready: the route lists the primary alone, at 80 %
    only = route(("1", P, 80))
    assert {pick(only, d).version for d in (0.0, 0.5, 0.99)} == {"1"}  # type: ignore[union-attr]
    # every target at 0 %: whoever can answer does
    assert pick(route(("1", P, 0)), 0.5).version == "1"  # type: ignore[union-attr]
    assert pick(route(), 0.5) is None
    assert pick(route(("3", S, 0)), 0.5) is None


def test_the_fallback_is_another_live_target_never_one_that_failed() -> None:
    r = route(("1", P, 80), ("2", C, 20), ("3", S, 0))
    assert live_targets(r)[0].version == "1"
    assert fallback(r, ["http://127.0.0.1:11"]).version == "2"  # type: ignore[union-attr]
    assert fallback(r, ["http://127.0.0.1:12"]).version == "1"  # type: ignore[union-attr]
    assert fallback(r, ["http://127.0.0.1:11", "http://127.0.0.1:12"]) is None
    assert shadow_target(r).version == "3"  # type: ignore[union-attr]


@pytest.mark.parametrize("raw", ["", "Churn", "churn_1", "-churn", "churn-", "a" * 64, "a/b", "é"])
def test_a_name_no_deployment_can_have_is_refused_before_any_lookup(raw: str) -> None:
    with pytest.raises(DeploymentNameInvalid) as refused:
        deployment_name(raw)
    assert refused.value.reason == "deployment_name_invalid"


def test_a_name_is_kept_as_it_is() -> None:
    assert deployment_name("churn-2") == "churn-2"


def grant(owner: str = "alice", *names: str) -> KeyGrant:
    return KeyGrant(
        id=1,
        prefix="mlp_abcd1234",
        owner=owner,
        deployments=frozenset(names),
        rate_limit=10,
        expires_at=datetime(2027, 1, 1, tzinfo=UTC),
    )


def test_a_key_calls_only_the_deployments_it_names_of_its_owner() -> None:
    key_may_call(grant("alice", "churn"), "churn")
    with pytest.raises(KeyOutOfScope):
        key_may_call(grant("alice", "churn"), "fraud")
    key_owner_may_call(grant("alice", "churn"), route(("1", P, 100)))
    with pytest.raises(KeyOutOfScope):  # bob's key names alice's deployment
        key_owner_may_call(grant("bob", "churn"), route(("1", P, 100)))
    assert grant().expired(datetime(2027, 1, 1, tzinfo=UTC))
    assert not grant().expired(datetime(2026, 12, 31, tzinfo=UTC))


def test_people_call_their_own_deployments_admins_every_one() -> None:
    r = route(("1", P, 100))
    assert person_may_call("alice", admin=False, route=r)
    assert not person_may_call("bob", admin=False, route=r)
    assert person_may_call("adam", admin=True, route=r)


def test_the_token_bucket_lets_a_burst_through_then_the_rate() -> None:
    bucket = TokenBucket(rate=5, burst=5)
    assert [bucket.take(100.0) for _ in range(5)] == [0.0] * 5
    wait = bucket.take(100.0)
    assert wait == pytest.approx(0.2)
    assert retry_after(wait) == 1
    assert bucket.take(100.1) == pytest.approx(0.1)  # half a token came back
    assert bucket.take(100.2) == 0.0
    # a long pause fills the bucket to its burst, never beyond
    assert [bucket.take(1000.0) for _ in range(6)][-1] > 0
    # a clock that goes back refills nothing
    assert bucket.take(999.0) > 0


def test_the_token_bucket_follows_a_changed_rate() -> None:
    bucket = TokenBucket(rate=100, burst=100)
    for _ in range(50):
        bucket.take(0.0)
    bucket.retune(2, 2)
    assert bucket.tokens == 2
    assert bucket.take(0.0) == 0.0
    assert bucket.take(0.0) == 0.0
    assert bucket.take(0.0) == pytest.approx(0.5)
    assert retry_after(math.inf) == 3600
    assert retry_after(2.01) == 3
    assert TokenBucket(rate=0, burst=0).burst == 1


def test_shadow_slots_are_bounded() -> None:
    slots = ShadowSlots(2)
    assert slots.enter() and slots.enter()
    assert not slots.enter()
    slots.leave()
    assert slots.enter()
    slots.leave()
    slots.leave()
    slots.leave()
    assert slots.busy == 0


def test_predictions_come_out_of_either_protocols_envelope() -> None:
    assert predictions({"predictions": [1, 2]}) == [1, 2]
    v2 = {"model_name": "m", "outputs": [{"name": "p", "data": [1, 2]}, {"name": "q", "data": [3]}]}
    assert predictions(v2) == [[1, 2], [3]]
    assert predictions([1, 2]) == [1, 2]


def test_answers_agree_on_labels_and_close_numbers() -> None:
    assert agree({"predictions": [1.0, 2.0]}, {"predictions": [1.0 + 1e-9, 2.0]})
    assert not agree({"predictions": [1.0, 2.0]}, {"predictions": [1.0, 2.1]})
    assert agree({"predictions": [1.0]}, {"predictions": [1.05]}, rel_tol=0.1)
    assert agree({"predictions": ["yes", "no"]}, {"predictions": ["yes", "no"]})
    assert not agree({"predictions": ["yes"]}, {"predictions": ["no"]})
    assert not agree({"predictions": [1, 2]}, {"predictions": [1, 2, 3]})
    assert not agree({"predictions": [True]}, {"predictions": [1]})  # a label, not a number
    assert agree({"predictions": [math.nan]}, {"predictions": [math.nan]})
    assert not agree({"predictions": [math.nan]}, {"predictions": [0.0]})
    assert agree(
        {"predictions": [{"p": 0.5, "label": "a"}]}, {"predictions": [{"label": "a", "p": 0.5}]}
    )
    assert not agree({"predictions": [{"p": 0.5}]}, {"predictions": [{"q": 0.5}]})
    v2 = {"outputs": [{"name": "p", "data": [0.25, 0.75]}]}
    assert agree(v2, {"outputs": [{"name": "p", "data": [0.25, 0.75]}]})
    assert not agree(v2, {"predictions": "0.25"})


def test_samples_are_batched_by_rows_or_age_under_sortable_keys() -> None:
    assert sampled(0.05, 0.1)
    assert not sampled(0.1, 0.1)
    assert not sampled(0.0, 0.0)
    batch = SampleBatch("churn", "2", started=10.0)
    assert not batch.due(100.0, rows=3, seconds=5)  # empty: nothing to write
    batch.samples.extend([1, 2])
    assert not batch.due(11.0, rows=3, seconds=5)
    assert batch.due(15.0, rows=3, seconds=5)
    batch.samples.append(3)
    assert batch.due(11.0, rows=3, seconds=5)
    at = datetime(2026, 12, 3, 12, 0, 1, 5, tzinfo=UTC)
    key = drift_key("churn", "2", at, 7)
    assert key == "drift/churn/2/20261203T120001.000005Z-7.jsonl"
    later = drift_key("churn", "2", at + timedelta(seconds=1), 1)
    assert sorted([later, key]) == [key, later]
    # an aware time in another zone is written in UTC
    moscow = at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Moscow"))
    assert drift_key("churn", "2", moscow, 7) == key
