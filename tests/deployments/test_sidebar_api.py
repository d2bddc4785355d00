"""The sidebar's deployment routes in standalone mode (`jupyter lab` alone: the platform
in-process, one person holding every role, no MLflow): each forwards to the platform, the sizes
an admin edits come back changed, and refusals arrive with their reasons."""

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


async def test_lists_and_the_seeded_sizes_answer(jp_fetch: Any) -> None:
    assert await _json(jp_fetch, "deployments") == {"deployments": []}
    assert await _json(jp_fetch, "deployments", params={"all": "true"}) == {"deployments": []}
    sizes = (await _json(jp_fetch, "deployment-sizes"))["sizes"]
    assert [(s["name"], s["resources"]["cpu"], s["resources"]["replicas"]) for s in sizes] == [
        ("small", "500m", 1),
        ("medium", "1", 2),
        ("large", "2", 2),
    ]


async def test_the_single_person_manages_sizes(jp_fetch: Any) -> None:
    body = {"name": "tiny", "title": "Tiny", "cpu": "250m", "memory": "256Mi"}
    made = await _json(jp_fetch, "deployment-sizes", method="POST", body=json.dumps(body))
    assert (made["name"], made["revision"], made["resources"]["max_replicas"]) == ("tiny", 1, 1)
    change = {"revision": 1, "title": "Tiny", "cpu": "250m", "memory": "384Mi"}
    saved = await _json(jp_fetch, "deployment-sizes", "tiny", method="PUT", body=json.dumps(change))
    assert (saved["revision"], saved["resources"]["memory"]) == (2, "384Mi")
    code, stale = await _refused(
        jp_fetch, "deployment-sizes", "tiny", method="PUT", body=json.dumps(change)
    )
    assert (code, stale["reason"]) == (409, "size_changed")
    await jp_fetch(
        "jupyterlab-mlplat", "deployment-sizes", "tiny", method="DELETE", params={"revision": "2"}
    )
    names = [s["name"] for s in (await _json(jp_fetch, "deployment-sizes"))["sizes"]]
    assert "tiny" not in names


async def test_refusals_keep_their_reasons(jp_fetch: Any) -> None:
    code, body = await _refused(jp_fetch, "deployments", "churn-api")
    assert (code, body["reason"]) == (404, "deployment_not_found")
    code, body = await _refused(jp_fetch, "deployments", "a%2F..%2Fb")  # one segment, refused
    assert code in (400, 404), body
    code, body = await _refused(jp_fetch, "deployments", params={"all": "True"})
    assert (code, body["reason"], body["params"]) == (
        400,
        "query_not_boolean",
        {"name": "all", "value": "True"},
    )
    code, body = await _refused(jp_fetch, "deployments", "churn-api", method="DELETE")
    assert (code, body["reason"]) == (400, "query_not_integer")
    bad = {"revision": 1, "canary": {"version": "2", "percent": 100}}
    code, body = await _refused(
        jp_fetch, "deployments", "churn-api", "traffic", method="PUT", body=json.dumps(bad)
    )
    assert (code, body["reason"], body["params"]["field"]) == (
        400,
        "body_invalid",
        "canary.percent",
    )
    size = {"name": "huge", "cpu": "5000", "memory": "1Gi"}
    code, body = await _refused(jp_fetch, "deployment-sizes", method="POST", body=json.dumps(size))
    assert (code, body["reason"], body["params"]["field"]) == (400, "size_invalid", "cpu")
    # no MLflow in this server: a version's files cannot be resolved
    create = {"name": "churn-api", "stage": "staging", "model_name": "churn", "version": "1"}
    code, body = await _refused(jp_fetch, "deployments", method="POST", body=json.dumps(create))
    assert (code, body["reason"]) == (404, "mlflow_not_configured")
