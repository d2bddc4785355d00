"""The sidebar's traffic route in standalone mode (`jupyter lab` alone: the platform
in-process): it forwards the range as the person wrote it, and refusals arrive with their
reasons and the field they name."""

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


async def test_an_unknown_deployment_and_a_bad_range_are_refused_with_reasons(
    jp_fetch: Any,
) -> None:
    where = ("deployments", "nothing-here", "traffic", "series")
    code, body = await _refused(jp_fetch, *where)
    assert (code, body["reason"], body["params"]) == (
        404,
        "deployment_not_found",
        {"name": "nothing-here"},
    )
    code, body = await _refused(jp_fetch, *where, params={"step": "1s"})
    # the name is checked first: nobody learns whether a name exists from a bad range
    assert (code, body["reason"]) == (404, "deployment_not_found")
    assert "Traceback" not in json.dumps(body)
