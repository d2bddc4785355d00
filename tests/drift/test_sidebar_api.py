"""The sidebar's drift route in standalone mode (`jupyter lab` alone: the platform in-process):
it forwards to the platform, and refusals arrive with their reasons."""

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


async def test_an_unknown_deployment_and_a_bad_since_are_refused_with_reasons(
    jp_fetch: Any,
) -> None:
    code, body = await _refused(jp_fetch, "deployments", "nothing-here", "drift")
    assert (code, body["reason"]) == (404, "deployment_not_found")
    assert body["params"] == {"name": "nothing-here"}
    code, body = await _refused(
        jp_fetch, "deployments", "nothing-here", "drift", params={"since": "last week"}
    )
    assert (code, body["reason"]) == (400, "drift_since_invalid")
    assert "Traceback" not in json.dumps(body)
