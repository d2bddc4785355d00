"""The platform's HTTP API: identity, health, errors, request ids, metrics."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import AsyncHTTPClient

from jupyterlab_mlplat.core.kernel.audit import AuditRecord

from .conftest import SECRET, RunningPlatform

pytestmark = pytest.mark.asyncio


def _changes(platform: RunningPlatform) -> list[AuditRecord]:
    """The audit log without the starter instructions' seeding, which every new platform
    records at its first start (by ``system``), before any request."""
    assert platform.app.services is not None
    entries = platform.app.services.store.audit_entries()
    return [entry for entry in entries if entry.action != "articles.seeded"]


async def test_me_answers_who_the_token_belongs_to_and_records_them(
    platform: RunningPlatform,
) -> None:
    response = await platform.get("api/v1/me")

    assert response.code == 200
    assert platform.body(response) == {
        "name": "alice",
        "groups": [],
        "roles": ["data_scientist", "reviewer", "admin", "instructor"],
        "mode": "standalone",
    }
    assert platform.app.services is not None
    (entry,) = _changes(platform)
    assert entry.action == "user.first_seen"
    assert entry.request_id == response.headers["X-Request-Id"]


@pytest.mark.parametrize(
    ("token", "says", "reason"),
    [(None, "carries no token", "token_missing"), ("wrong-token", "not valid", "token_refused")],
)
async def test_missing_or_wrong_token_is_401_with_a_message_and_a_challenge(
    platform: RunningPlatform, token: str | None, says: str, reason: str
) -> None:
    response = await platform.get("api/v1/me", token=token)
    assert response.code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    body = platform.body(response)
    assert says in body["message"]
    assert body["reason"] == reason
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert platform.app.services is not None
    assert _changes(platform) == []


async def test_unknown_route_is_404_json(platform: RunningPlatform) -> None:
    response = await platform.get("api/v1/nope")
    assert response.code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert "no API route GET /services/mlplat/api/v1/nope" in platform.body(response)["message"]


async def test_health_checks_database_and_object_store_without_a_token(
    platform: RunningPlatform,
) -> None:
    response = await platform.get("api/v1/health", token=None)
    assert response.code == 200
    body = platform.body(response)
    assert body["status"] == "ok"
    assert body["checks"] == {
        "database": {"status": "ok", "message": None},
        "object_store": {"status": "ok", "message": None},
    }


async def test_a_callers_request_id_is_kept_and_a_forged_one_replaced(
    platform: RunningPlatform,
) -> None:
    kept = await platform.get("api/v1/me", **{"X-Request-Id": "sidebar-12345678"})
    assert kept.headers["X-Request-Id"] == "sidebar-12345678"
    forged = await platform.get("api/v1/me", **{"X-Request-Id": "x] INFO forged log line"})
    assert forged.headers["X-Request-Id"] != "x] INFO forged log line"
    assert len(forged.headers["X-Request-Id"]) == 32


async def test_metrics_count_requests_by_route_not_by_path(platform: RunningPlatform) -> None:
    await platform.get("api/v1/me")
    await platform.get("api/v1/does-not-exist-1")
    await platform.get("api/v1/does-not-exist-2")
    response = await platform.get("metrics", token=None)
    text = response.body.decode()
    assert response.code == 200
    assert 'mlplat_http_requests_total{method="GET",route="me",status="200"} 1.0' in text
    assert 'route="unmatched",status="404"} 2.0' in text
    assert "does-not-exist" not in text


async def test_only_the_mlflow_gateway_records_privacy_events(platform: RunningPlatform) -> None:
    """A person cannot write the audit log's record of MLflow changes, even their own."""
    response = await AsyncHTTPClient().fetch(
        platform.url + "api/v1/experiments/7/privacy-events",
        method="POST",
        body=json.dumps({"actor": "alice", "private": True}),
        headers={"Authorization": f"token {SECRET}"},
        raise_error=False,
    )
    # refused by the route's declared grant, before its body is read (the service refuses too)
    assert response.code == 403
    assert json.loads(response.body)["reason"] == "token_lacks_access"
    assert "custom:mlplat:record-events" in json.loads(response.body)["message"]
    assert platform.app.services is not None
    assert [e.action for e in _changes(platform)] == []
