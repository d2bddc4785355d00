"""Live settings over real HTTP, on SQLite and PostgreSQL: the trait is the default, adam's
stored value overrides it (audited with the old and the new value, refused out of bounds or
from a stale page), and the platform's own services follow it at their next use — the next
approval counts against the new number, with no restart."""

from __future__ import annotations

from typing import Any

import pytest

from jupyterlab_mlplat.core.reviews.records import Action, State
from tests.reviews.conftest import ALICE, CARD, RITA, ROMAN, MemoryRegistry

from .conftest import ADAM, Platform

pytestmark = pytest.mark.asyncio


def _by_key(listed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in listed["settings"]}


async def test_the_traits_are_the_defaults_and_the_hub_policy_is_shown(platform: Platform) -> None:
    listed = await platform.call("GET", "api/v1/settings")
    found = _by_key(listed)
    assert list(found) == [
        "approvals_required",
        "drift_p_value",
        "drift_share",
        "idle_cpu_fraction",
        "idle_gpu_notify_minutes",
    ]
    assert found["approvals_required"] == {
        "key": "approvals_required",
        "feature": "reviews",
        "kind": "integer",
        "minimum": 1,
        "maximum": 10,
        "default": 1,
        "value": 1,
        "overridden": False,
        "revision": 0,
        "updated_at": None,
        "updated_by": None,
    }
    assert (found["drift_p_value"]["value"], found["drift_share"]["value"]) == (0.05, 0.5)
    assert found["idle_gpu_notify_minutes"] == {
        "key": "idle_gpu_notify_minutes",
        "feature": "analytics",
        "kind": "integer",
        "minimum": 5,
        "maximum": 10080,
        "default": 60,
        "value": 60,
        "overridden": False,
        "revision": 0,
        "updated_at": None,
        "updated_by": None,
    }
    assert found["idle_cpu_fraction"]["value"] == 0.05
    assert listed["hub"] == {"server_idle_timeout": 3600}


async def test_a_change_is_audited_with_old_and_new_and_a_reset_goes_back(
    platform: Platform,
) -> None:
    path = "api/v1/settings/approvals_required"
    changed = await platform.call("PUT", path, {"value": 2, "revision": 0})
    assert (changed["value"], changed["overridden"], changed["revision"]) == (2, True, 1)
    assert changed["updated_by"] == "adam" and changed["updated_at"]

    stale = await platform.call("PUT", path, {"value": 3, "revision": 0}, expect=409)
    assert (stale["reason"], stale["params"]["by"], stale["params"]["revision"]) == (
        "setting_changed",
        "adam",
        1,
    )
    reset = await platform.call("PUT", path, {"value": None, "revision": 1})
    assert (reset["value"], reset["overridden"], reset["revision"]) == (1, False, 2)

    log = await platform.call("GET", "api/v1/audit?action=setting.changed")
    details = [(e["actor"], e["object_id"], e["detail"]) for e in log["entries"]]
    assert details == [
        ("adam", "approvals_required", {"old": 2, "new": 1, "default": 1, "overridden": False}),
        ("adam", "approvals_required", {"old": 1, "new": 2, "default": 1, "overridden": True}),
    ]


@pytest.mark.parametrize(
    ("key", "value", "reason", "field"),
    [
        ("approvals_required", 0, "setting_out_of_range", "approvals_required"),
        ("approvals_required", 11, "setting_out_of_range", "approvals_required"),
        ("approvals_required", 2.5, "setting_out_of_range", "approvals_required"),
        ("drift_p_value", 0, "setting_out_of_range", "drift_p_value"),
        ("drift_p_value", 0.9, "setting_out_of_range", "drift_p_value"),
        ("drift_share", 1.5, "setting_out_of_range", "drift_share"),
        ("drift_share", -0.1, "setting_out_of_range", "drift_share"),
        ("approvals_required", True, "body_invalid", "value"),
        ("approvals_required", "2", "body_invalid", "value"),
    ],
)
async def test_a_value_out_of_bounds_is_a_400_naming_the_field(
    platform: Platform, key: str, value: Any, reason: str, field: str
) -> None:
    refused = await platform.call(
        "PUT", f"api/v1/settings/{key}", {"value": value, "revision": 0}, expect=400
    )
    assert (refused["reason"], refused["params"]["field"]) == (reason, field), refused
    assert (await platform.call("GET", "api/v1/audit?action=setting.changed"))["total"] == 0


async def test_whole_numbers_however_json_spells_them_and_unknown_keys(platform: Platform) -> None:
    two = await platform.call(
        "PUT", "api/v1/settings/approvals_required", {"value": 2.0, "revision": 0}
    )
    assert two["value"] == 2
    share = await platform.call("PUT", "api/v1/settings/drift_share", {"value": 1, "revision": 0})
    assert share["value"] == 1.0
    missing = await platform.call(
        "PUT", "api/v1/settings/idle_gpu_minutes", {"value": 5, "revision": 0}, expect=404
    )
    assert (missing["reason"], missing["params"]) == (
        "setting_not_found",
        {"key": "idle_gpu_minutes"},
    )
    extra = await platform.call(
        "PUT", "api/v1/settings/drift_share", {"value": 1, "revision": 1, "x": 1}, expect=400
    )
    assert extra["params"]["field"] == "x"


async def test_the_next_approval_follows_the_number_set_live(platform: Platform) -> None:
    reviews = platform.app.services.reviews
    reviews.registry = MemoryRegistry()  # what MLflow would answer for alice's versions
    draft = await reviews.create(ALICE, "churn-model", "2", CARD)
    submitted = await reviews.submit(ALICE, draft.id, draft.revision)
    assert submitted.state is State.IN_REVIEW

    await platform.call(
        "PUT", "api/v1/settings/approvals_required", {"value": 2, "revision": 0}, token=ADAM
    )
    once = await reviews.decide(RITA, draft.id, submitted.revision, Action.APPROVE, "good")
    assert once.state is State.IN_REVIEW  # with the trait's 1 it would be published now
    assert reviews.page(RITA, draft.id).approvals_required == 2

    twice = await reviews.decide(ROMAN, draft.id, once.revision, Action.APPROVE, "agreed")
    assert twice.state is State.PUBLISHED
    log = await platform.call("GET", "api/v1/audit?action=publication.approved")
    assert [e["detail"]["approvals_required"] for e in log["entries"]] == [2, 2]


async def test_the_drift_job_reads_the_thresholds_in_force(platform: Platform) -> None:
    drift = platform.app.services.drift
    assert (drift.settings.p_value, drift.settings.share) == (0.05, 0.5)
    await platform.call("PUT", "api/v1/settings/drift_p_value", {"value": 0.01, "revision": 0})
    await platform.call("PUT", "api/v1/settings/drift_share", {"value": 0.3, "revision": 0})
    assert (drift.settings.p_value, drift.settings.share) == (0.01, 0.3)
    assert drift.settings.min_rows == platform.app.drift_min_rows
