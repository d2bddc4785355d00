"""The catalog's public read API on a real platform (both databases), and the Catalog tab's
sidebar routes in standalone `jupyter lab`, which read it through the platform client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import pytest_asyncio
from tornado.httpclient import HTTPClientError

from jupyterlab_mlplat.adapters.sql.store import SqlStore
from tests.platform.conftest import RunningPlatform, start_platform

from .conftest import CATALOG, T0, publish


@pytest_asyncio.fixture
async def platform(tmp_path: Path, database_url: str) -> AsyncIterator[RunningPlatform]:
    running = start_platform(tmp_path, database_url)
    assert running.app.services is not None
    store = running.app.services.store
    assert isinstance(store, SqlStore)
    for i, entry in enumerate(CATALOG):
        publish(store, entry, publication_id=i + 1)
    yield running
    running.stop()


def search(**params: Any) -> str:
    return "api/v1/catalog/search?" + urlencode(params, doseq=True)


@pytest.mark.asyncio
async def test_search_answers_hits_facets_and_the_total(platform: RunningPlatform) -> None:
    response = await platform.get(search(q="road", task=["regression", "object-detection"]))
    assert response.code == 200, response.body
    body = platform.body(response)
    assert {h["name"] for h in body["hits"]} == {"traffic-jams", "pothole-detector"}
    assert body["total"] == 2
    assert body["hits"][0]["mlflow_name"].startswith("catalog.")
    assert body["hits"][0]["aliases"] == {"champion": 1}
    assert {c["value"]: c["count"] for c in body["facets"]["team"]} == {"transport": 2}
    assert (body["page"], body["page_size"]) == (1, 20)
    # how the words found begin, for a client's marks: "roads" is looked up as "road"
    body = platform.body(await platform.get(search(q="Roads")))
    assert body["words"] == ["roads", "road"]


@pytest.mark.asyncio
async def test_a_model_page_has_card_versions_lineage_aliases_and_a_snippet(
    platform: RunningPlatform,
) -> None:
    response = await platform.get("api/v1/catalog/models/churn")
    assert response.code == 200, response.body
    body = platform.body(response)
    assert body["card"]["description"] == CATALOG[0].description
    assert body["champion_version"] == 1
    (version,) = body["versions"]
    assert version["lineage"]["commit"] == "0123abc"
    assert version["metrics"] == {"auc": 0.9}
    assert version["published_at"].startswith(T0.strftime("%Y-%m-%dT%H:%M"))
    assert body["alias_history"][0]["comment"] == "approved by rita"
    assert body["deployments"] == []
    assert 'mlflow.pyfunc.load_model("models:/catalog.churn@champion")' in body["snippet"]

    history = platform.body(await platform.get("api/v1/catalog/models/churn/alias-history"))
    assert [m["to_version"] for m in history["moves"]] == [1]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("api/v1/catalog/models/nope", 404, "catalog_entry_not_found"),
        ("api/v1/catalog/models/nope/alias-history", 404, "catalog_entry_not_found"),
        (search(sort="popularity"), 400, "catalog_query_invalid"),
        (search(q="x" * 201), 400, "catalog_query_invalid"),
        (search(team=["a\x00b"]), 400, "catalog_query_invalid"),
        (search(q="\x1b[31m"), 400, "catalog_query_invalid"),
        (search(page="0"), 400, "query_not_integer"),
        (search(page_size="101"), 400, "query_not_integer"),
    ],
)
async def test_refusals_carry_their_reason(
    platform: RunningPlatform, path: str, status: int, reason: str
) -> None:
    response = await platform.get(path)
    assert (response.code, platform.body(response)["reason"]) == (status, reason)


@pytest.mark.asyncio
async def test_the_catalog_is_read_only_to_signed_in_callers(platform: RunningPlatform) -> None:
    assert (await platform.get(search(), token=None)).code == 401
    assert (await platform.get("api/v1/catalog/models/churn", token="wrong")).code == 401


# ---- the sidebar, standalone: the same answers through the person's own server


@pytest.fixture
def standalone_store(tmp_path: Path) -> SqlStore:
    # the in-process platform opens (and migrates) the same file when the server starts
    (tmp_path / "mlplat").mkdir(exist_ok=True)
    return SqlStore.from_url(f"sqlite:///{tmp_path / 'mlplat' / 'mlplat.sqlite'}")


async def test_the_catalog_tab_searches_and_opens_a_model(
    jp_fetch: Any, standalone_store: SqlStore
) -> None:
    for i, entry in enumerate(CATALOG):
        publish(standalone_store, entry, publication_id=i + 1)
    standalone_store.close()

    found = await jp_fetch(
        "jupyterlab-mlplat",
        "catalog",
        "search",
        params={"q": "абонент", "sort": "relevance", "page_size": "5"},
    )
    body = json.loads(found.body)
    assert [h["name"] for h in body["hits"]] == ["churn"]
    assert body["page_size"] == 5

    page = json.loads((await jp_fetch("jupyterlab-mlplat", "catalog", "models", "churn")).body)
    assert page["mlflow_name"] == "catalog.churn"
    assert page["snippet"].count("models:/catalog.churn@champion") == 1

    history = await jp_fetch(
        "jupyterlab-mlplat", "catalog", "models", quote("churn"), "alias-history"
    )
    assert json.loads(history.body)["moves"][0]["publication_id"] == 1

    # the sidebar forwards the search as it read it: an empty sort, a control character are
    # the platform's to refuse
    for params in ({"sort": ""}, {"task": "a\x00b"}):
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch("jupyterlab-mlplat", "catalog", "search", params=params)
        assert refused.value.code == 400

    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-mlplat", "catalog", "models", "nope")
    assert caught.value.code == 404
    assert caught.value.response is not None
    assert json.loads(caught.value.response.body)["reason"] == "catalog_entry_not_found"
