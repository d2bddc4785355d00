"""API keys over HTTP against a real platform (SQLite and PostgreSQL): a person's keys from
creation to revocation, rotation with its overlap on a clock the test moves, the gateway's
check, and a key on the catalog and on routes it must never reach."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.schema import api_keys, audit

from .conftest import PER_PERSON, SHOWN_TO_HUB, START, Platform

pytestmark = pytest.mark.asyncio

SECRET = re.compile(r"^mlp_[a-z0-9]{8}_[A-Za-z0-9_-]{32,}$")


def rows(platform: Platform, table: sa.Table) -> list[dict[str, Any]]:
    with platform.store.engine.connect() as connection:
        return [dict(row) for row in connection.execute(sa.select(table)).mappings()]


def audit_of(platform: Platform, action: str) -> list[dict[str, Any]]:
    return [row for row in rows(platform, audit) if row["action"] == action]


async def check(
    platform: Platform, secret: str, expect: int = 200, address: str = "10.0.0.7"
) -> Any:
    body = {"secret": secret, "address": address}
    return await platform.call("POST", "api/v1/apikeys/check", body, expect, token="gateway-token")


async def test_a_key_is_shown_once_and_stored_only_as_a_digest(platform: Platform) -> None:
    made = await platform.create(
        name="Nightly scoring", deployments=["alices-model"], catalog_read=True, rate_limit=25
    )
    secret, key = made["secret"], made["key"]
    assert SECRET.match(secret)
    assert secret.startswith(key["prefix"] + "_")
    assert key["owner"] == "alice" and key["state"] == "active"
    assert key["scopes"] == {"deployments": ["alices-model"], "catalog_read": True}
    assert key["rate_limit"] == 25
    # no expiry asked: the platform's limit (a year) is the key's
    assert key["expires_at"].startswith(str(START.year + 1))

    listed = await platform.call("GET", "api/v1/apikeys")
    assert [k["id"] for k in listed["keys"]] == [key["id"]]
    assert secret not in str(listed) and "secret" not in listed["keys"][0]

    (row,) = rows(platform, api_keys)
    assert row["prefix"] == key["prefix"]
    assert all(secret[13:] not in str(value) for value in row.values())
    assert len(row["digest"]) == 64 and row["digest"] != secret
    (created,) = audit_of(platform, "apikey.created")
    assert created["actor"] == "alice" and created["object_id"] == str(key["id"])
    assert created["detail"]["prefix"] == key["prefix"]
    assert secret[13:] not in str(created) and row["digest"] not in str(created)


BAD: list[tuple[dict[str, Any], str, str]] = [
    # (body, the field named, the reason)
    ({"name": ""}, "name", "body_invalid"),
    ({"name": "   "}, "name", "body_invalid"),
    ({"name": "x" * 101}, "name", "body_invalid"),
    ({"name": "tab\there"}, "name", "body_invalid"),
    ({"name": "rtl\u202eevil"}, "name", "body_invalid"),
    ({"name": "ok", "scope": "all"}, "scope", "body_invalid"),
    ({"name": "ok", "expires_at": "2027-02-01T00:00:00Z"}, "expires_at", "key_expiry_invalid"),
    ({"name": "ok", "expires_at": "2029-03-01T00:00:00Z"}, "expires_at", "key_expiry_invalid"),
    ({"name": "ok", "expires_at": "2027-06-01T00:00:00"}, "expires_at", "body_invalid"),
    ({"name": "ok", "expires_at": "next week"}, "expires_at", "body_invalid"),
    ({"name": "ok", "deployments": ["Bad_Name"]}, "deployments.0", "body_invalid"),
    ({"name": "ok", "deployments": ["default"]}, "deployments.0", "name_invalid"),
    ({"name": "ok", "deployments": ["ok-one", "x" * 64]}, "deployments.1", "body_invalid"),
    ({"name": "ok", "deployments": ["bobs-model"]}, "deployments.0", "key_deployment_not_yours"),
    ({"name": "ok", "deployments": "alices-model"}, "deployments", "body_invalid"),
    ({"name": "ok", "catalog_read": "maybe"}, "catalog_read", "body_invalid"),
    ({"name": "ok", "rate_limit": 0}, "rate_limit", "body_invalid"),
    ({"name": "ok", "rate_limit": 500}, "rate_limit", "key_rate_limit_invalid"),
    ({"name": "ok", "rate_limit": 1e9}, "rate_limit", "body_invalid"),
    ({"name": "ok", "catalog_read": "true"}, "catalog_read", "body_invalid"),
]


@pytest.mark.parametrize(("body", "field", "reason"), BAD)
async def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    platform: Platform, body: dict[str, Any], field: str, reason: str
) -> None:
    refused = await platform.call("POST", "api/v1/apikeys", body, 400)
    assert refused["reason"] == reason, refused
    assert field in refused.get("fields", {}) or refused["params"].get("field") == field, refused
    assert rows(platform, api_keys) == [] and audit_of(platform, "apikey.created") == []


async def test_a_body_that_is_not_json_is_a_400(platform: Platform) -> None:
    refused = await platform.call("POST", "api/v1/apikeys", raw=b"{name", expect=400)
    assert refused["reason"] == "body_not_json"


async def test_a_person_holds_at_most_the_limit_of_active_keys(platform: Platform) -> None:
    made = [await platform.create(name=f"k{i}") for i in range(PER_PERSON)]
    refused = await platform.call(
        "POST", "api/v1/apikeys", {"name": "one more", "catalog_read": True}, 400
    )
    assert (refused["reason"], refused["params"]) == ("key_limit_reached", {"limit": PER_PERSON})
    await platform.create(token="bob-token")  # the limit is each person's
    await platform.call("DELETE", f"api/v1/apikeys/{made[0]['key']['id']}")
    await platform.create(name="in its place")


async def test_a_key_that_may_do_nothing_is_refused_and_not_stored(platform: Platform) -> None:
    for body in ({"name": "idle"}, {"name": "idle", "deployments": [], "catalog_read": False}):
        refused = await platform.call("POST", "api/v1/apikeys", body, 400)
        assert (refused["reason"], refused["params"]) == (
            "key_without_scope",
            {"field": "deployments"},
        )
    assert (await platform.call("GET", "api/v1/apikeys"))["keys"] == []


async def test_someone_elses_key_is_not_found(platform: Platform) -> None:
    key = (await platform.create())["key"]
    path = f"api/v1/apikeys/{key['id']}"
    for method, sub, body in (("DELETE", "", None), ("POST", "/rotate", {"overlap_seconds": 0})):
        refused = await platform.call(method, path + sub, body, 404, token="bob-token")
        assert (refused["reason"], refused["params"]) == ("apikey_not_found", {"id": key["id"]})
    assert (await platform.call("GET", "api/v1/apikeys", token="bob-token"))["keys"] == []
    bad = await platform.call("DELETE", "api/v1/apikeys/x1", expect=400)
    assert bad["reason"] == "apikey_id_invalid"
    missing = await platform.call("DELETE", "api/v1/apikeys/999999", expect=404)
    assert missing["reason"] == "apikey_not_found"


async def test_an_admin_lists_every_key_and_revokes_anothers(platform: Platform) -> None:
    alices = (await platform.create())["key"]
    bobs = (await platform.create(token="bob-token"))["key"]
    everyone = await platform.call("GET", "api/v1/apikeys?all=true", token="adam-token")
    assert {k["id"] for k in everyone["keys"]} == {alices["id"], bobs["id"]}
    mine = await platform.call("GET", "api/v1/apikeys", token="adam-token")
    assert mine["keys"] == []
    refused = await platform.call("GET", "api/v1/apikeys?all=true", expect=403)
    assert (refused["reason"], refused["params"]) == ("role_required", {"role": "admin"})
    for spelling in ("yes", "TRUE", ""):
        odd = await platform.call("GET", f"api/v1/apikeys?all={spelling}", expect=400)
        assert (odd["reason"], odd["params"]) == (
            "query_not_boolean",
            {"name": "all", "value": spelling},
        )

    revoked = await platform.call("DELETE", f"api/v1/apikeys/{alices['id']}", token="adam-token")
    assert revoked["state"] == "revoked" and revoked["revoked_at"] is not None
    (record,) = audit_of(platform, "apikey.revoked")
    assert (record["actor"], record["object_id"]) == ("adam", str(alices["id"]))
    assert record["detail"]["owner"] == "alice"
    # revoking again changes nothing and records nothing
    await platform.call("DELETE", f"api/v1/apikeys/{alices['id']}")
    assert len(audit_of(platform, "apikey.revoked")) == 1
    # an admin may not rotate a person's key: the new secret would be theirs to see
    refused = await platform.call(
        "POST",
        f"api/v1/apikeys/{bobs['id']}/rotate",
        {"overlap_seconds": 0},
        404,
        token="adam-token",
    )
    assert refused["reason"] == "apikey_not_found"


async def test_rotation_keeps_the_old_secret_working_for_the_overlap_only(
    platform: Platform,
) -> None:
    old = await platform.create(name="scoring", deployments=["alices-model"], rate_limit=5)
    path = f"api/v1/apikeys/{old['key']['id']}/rotate"
    too_long = await platform.call("POST", path, {"overlap_seconds": 3601}, 400)
    assert (too_long["reason"], too_long["params"]["limit"]) == ("key_overlap_too_long", 3600)
    beyond = await platform.call("POST", path, {"overlap_seconds": 86_401}, 400)
    assert (beyond["reason"], beyond["params"]["le"]) == ("body_invalid", 86_400)
    text = await platform.call("POST", path, {"overlap_seconds": "60"}, 400)
    assert text["params"]["field"] == "overlap_seconds"
    negative = await platform.call("POST", path, {"overlap_seconds": -1}, 400)
    assert negative["params"]["field"] == "overlap_seconds"
    for not_whole in (True, 60.5):
        refused = await platform.call("POST", path, {"overlap_seconds": not_whole}, 400)
        assert refused["params"]["field"] == "overlap_seconds"

    # 600.0 is a whole number to JSON Schema, and some clients write every number so
    new = await platform.call("POST", path, {"overlap_seconds": 600.0}, 201)
    assert new["secret"] != old["secret"] and SECRET.match(new["secret"])
    assert new["key"]["scopes"] == old["key"]["scopes"]
    assert (new["key"]["name"], new["key"]["rate_limit"]) == ("scoring", 5)
    (record,) = audit_of(platform, "apikey.rotated")
    assert record["detail"]["replaced_by"] == new["key"]["id"]
    assert record["detail"]["overlap_seconds"] == 600
    assert old["secret"][13:] not in str(record) and new["secret"][13:] not in str(record)

    platform.clock.advance(seconds=599)
    assert (await check(platform, old["secret"]))["id"] == old["key"]["id"]
    listed = {k["id"]: k for k in (await platform.call("GET", "api/v1/apikeys"))["keys"]}
    assert listed[old["key"]["id"]]["state"] == "rotating"
    assert listed[old["key"]["id"]]["replaced_by"] == new["key"]["id"]
    platform.clock.advance(seconds=2)
    refused = await check(platform, old["secret"], 401)
    assert (refused["reason"], refused["params"]) == (
        "key_expired",
        {"prefix": old["key"]["prefix"]},
    )
    assert (await check(platform, new["secret"]))["id"] == new["key"]["id"]

    again = await platform.call("POST", path, {"overlap_seconds": 0}, 409)
    assert (again["reason"], again["params"]["state"]) == ("key_not_active", "expired")
    # the successor takes the old key's place in the count: rotating never needs a free slot
    for i in range(PER_PERSON - 1):
        await platform.create(name=f"more{i}")


async def test_the_check_answers_the_gateway_and_refuses_everyone_else(
    platform: Platform,
) -> None:
    made = await platform.create(deployments=["alices-model"], rate_limit=7)
    secret, key = made["secret"], made["key"]
    answer = await check(platform, secret)
    assert answer == {
        "id": key["id"],
        "prefix": key["prefix"],
        "owner": "alice",
        "scopes": {"deployments": ["alices-model"], "catalog_read": False},
        "rate_limit": 7.0,
        "expires_at": key["expires_at"],
    }
    for token in ("alice-token", "spawner-token"):  # a person, or a service without the grant
        refused = await platform.call(
            "POST", "api/v1/apikeys/check", {"secret": secret}, 403, token=token
        )
        assert refused["reason"] == "token_lacks_access"

    bad = await check(platform, secret, 400, address="10.0.0.1\x1b[2J")
    assert (bad["reason"], bad["params"]["field"]) == ("body_invalid", "address")
    for wrong in ("", "mlp_", "nonsense", secret[:-1], secret + "x", secret.upper()):
        refused = await check(platform, wrong, 401)
        assert refused["reason"] == "key_unknown", wrong
    response = await platform.fetch(
        "POST", "api/v1/apikeys/check", {"secret": "mlp_x"}, token="gateway-token"
    )
    assert response.code == 401 and "Bearer" in response.headers["WWW-Authenticate"]

    platform.clock.advance(days=366)
    assert (await check(platform, secret, 401))["reason"] == "key_expired"
    platform.clock.advance(days=-366)
    await platform.call("DELETE", f"api/v1/apikeys/{key['id']}")
    refused = await check(platform, secret, 401)
    assert (refused["reason"], refused["params"]) == ("key_revoked", {"prefix": key["prefix"]})


async def test_last_use_is_written_at_most_once_per_key_every_ten_seconds(
    platform: Platform,
) -> None:
    secret = (await platform.create())["secret"]

    def last_use() -> tuple[Any, Any]:
        (row,) = rows(platform, api_keys)
        return row["last_used_at"], row["last_used_from"]

    assert last_use() == (None, None)
    await check(platform, secret, address="10.0.0.1")
    first = last_use()
    assert first[1] == "10.0.0.1"
    platform.clock.advance(seconds=5)
    for _ in range(20):  # a flood: not a write per request
        await check(platform, secret, address="10.0.0.2")
    assert last_use() == first
    platform.clock.advance(seconds=6)
    await check(platform, secret, address="10.0.0.3")
    assert last_use()[1] == "10.0.0.3"
    listed = (await platform.call("GET", "api/v1/apikeys"))["keys"][0]
    assert listed["last_used_from"] == "10.0.0.3" and listed["last_used_at"] is not None


async def test_a_key_reads_the_catalog_only_with_catalog_read(platform: Platform) -> None:
    SHOWN_TO_HUB.clear()
    reader = (await platform.create(name="reader", catalog_read=True))["secret"]
    caller = (await platform.create(name="caller", deployments=["alices-model"]))["secret"]
    found = await platform.call(
        "GET", "api/v1/catalog/search?q=churn", token=reader, scheme="Bearer"
    )
    assert found["total"] == 0
    missing = await platform.call("GET", "api/v1/catalog/models/none", token=reader, expect=404)
    assert missing["reason"] == "catalog_entry_not_found"
    refused = await platform.call("GET", "api/v1/catalog/search", token=caller, expect=403)
    assert (refused["reason"], refused["params"]["scope"]) == ("key_scope_missing", "catalog_read")
    unknown = await platform.call(
        "GET", "api/v1/catalog/search", token="mlp_zzzzzzzz_" + "a" * 43, expect=401
    )
    assert unknown["reason"] == "key_unknown"
    # the routes a key must never reach: it is refused before it is even looked up
    for method, path, body in (
        ("GET", "api/v1/profiles", None),
        ("GET", "api/v1/apikeys", None),
        ("POST", "api/v1/apikeys", {"name": "more"}),
        ("POST", "api/v1/apikeys/check", {"secret": reader}),
        ("GET", "api/v1/publications", None),
    ):
        refused = await platform.call(method, path, body, 403, token=reader, scheme="Bearer")
        assert refused["reason"] == "key_not_accepted", path
    assert not any(shown.startswith("mlp_") for shown in SHOWN_TO_HUB)
