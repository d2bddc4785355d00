"""The sidebar's API keys routes in standalone mode (`jupyter lab` alone: the platform
in-process, one person holding every role): each forwards to the platform as the person, the
secret comes back once, and refusals arrive with their reasons."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError


async def _refused(jp_fetch: Any, *path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-mlplat", *path, **kwargs)
    assert caught.value.response is not None
    return caught.value.code, json.loads(caught.value.response.body)


async def _json(jp_fetch: Any, *path: str, **kwargs: Any) -> Any:
    return json.loads((await jp_fetch("jupyterlab-mlplat", *path, **kwargs)).body)


async def test_a_key_from_creation_to_revocation_through_the_sidebar(jp_fetch: Any) -> None:
    body = {"name": "nightly", "deployments": ["churn"], "catalog_read": True}
    made = await _json(jp_fetch, "apikeys", method="POST", body=json.dumps(body))
    key, secret = made["key"], made["secret"]
    assert secret.startswith(key["prefix"] + "_") and key["state"] == "active"
    assert key["scopes"] == {"deployments": ["churn"], "catalog_read": True}

    listed = await _json(jp_fetch, "apikeys")
    assert [k["prefix"] for k in listed["keys"]] == [key["prefix"]]
    assert secret not in json.dumps(listed)

    path = ("apikeys", str(key["id"]), "rotate")
    rotated = await _json(jp_fetch, *path, method="POST", body=json.dumps({"overlap_seconds": 60}))
    assert rotated["secret"] != secret and rotated["key"]["scopes"] == key["scopes"]
    everyone = await _json(jp_fetch, "apikeys", params={"all": "true"})  # standalone: an admin
    states = {k["id"]: k["state"] for k in everyone["keys"]}
    assert states == {key["id"]: "rotating", rotated["key"]["id"]: "active"}

    revoked = await _json(jp_fetch, "apikeys", str(rotated["key"]["id"]), method="DELETE")
    assert revoked["state"] == "revoked"


async def test_refusals_keep_their_reasons_and_fields(jp_fetch: Any) -> None:
    code, body = await _refused(jp_fetch, "apikeys", "x1", method="DELETE")
    assert (code, body["reason"]) == (400, "apikey_id_invalid")
    code, body = await _refused(jp_fetch, "apikeys", "7", method="DELETE")
    assert (code, body["reason"], body["params"]) == (404, "apikey_not_found", {"id": 7})
    code, body = await _refused(jp_fetch, "apikeys", params={"all": "maybe"})
    assert (code, body["reason"], body["params"]) == (
        400,
        "query_not_boolean",
        {"name": "all", "value": "maybe"},
    )
    bad = {"name": "x", "deployments": ["Not_A_Label"]}
    code, body = await _refused(jp_fetch, "apikeys", method="POST", body=json.dumps(bad))
    assert (code, body["reason"], body["params"]["field"]) == (
        400,
        "body_invalid",
        "deployments.0",
    )
    past = {"name": "x", "expires_at": "2001-01-01T00:00:00Z"}
    code, body = await _refused(jp_fetch, "apikeys", method="POST", body=json.dumps(past))
    assert (code, body["reason"], body["params"]["rule"]) == (400, "key_expiry_invalid", "past")
    extra = {"name": "x", "secret": "mine"}
    code, body = await _refused(jp_fetch, "apikeys", method="POST", body=json.dumps(extra))
    assert (code, body["reason"], body["params"]["field"]) == (400, "body_invalid", "secret")
