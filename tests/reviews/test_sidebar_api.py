"""The sidebar's publication routes in standalone mode (`jupyter lab` alone: the platform
in-process, one person holding every role, no MLflow): each forwards to the platform and its
refusals arrive with their reasons."""

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


async def test_lists_queue_and_notifications_answer(jp_fetch: Any) -> None:
    for path in ("publications", "publications/queue"):
        body = json.loads((await jp_fetch("jupyterlab-mlplat", path)).body)
        assert body == {"publications": [], "count": 0}
    notes = json.loads((await jp_fetch("jupyterlab-mlplat", "notifications")).body)
    assert notes == {"notifications": [], "last_id": 0}


async def test_refusals_keep_their_reasons(jp_fetch: Any) -> None:
    code, body = await _refused(jp_fetch, "publications", "x1")
    assert (code, body["reason"]) == (400, "publication_id_invalid")
    code, body = await _refused(jp_fetch, "publications", "7")
    assert (code, body["reason"]) == (404, "publication_not_found")
    code, body = await _refused(jp_fetch, "notifications", params={"limit": ""})
    assert (code, body["reason"]) == (400, "query_not_integer")
    # no MLflow in this server: a draft cannot read the version it would publish
    draft = {"model_name": "churn", "version": "1", "card": {"catalog_name": "churn"}}
    code, body = await _refused(jp_fetch, "publications", method="POST", body=json.dumps(draft))
    assert (code, body["reason"]) == (404, "mlflow_not_configured")
