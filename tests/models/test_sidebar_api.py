"""The Models tab's API (server extension → the hub's MLflow gateway → MLflow), as alice:
register a version from a run, list her models with their metrics, open a version's lineage
and a card filled in from MLflow; the catalog's names and other people's models refused."""

from __future__ import annotations

import json
import os
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import mlflow
import pytest
from tornado.httpclient import HTTPClientError

from tests.publishing import NAMED_REQUIREMENTS
from tests.workbench import Hub

with warnings.catch_warnings():  # mlflow.pyfunc warns about its own type hints on import
    warnings.simplefilter("ignore")
    import mlflow.pyfunc

SCOPES = ["access:services!service=mlflow"]
#: pytest-jupyter runs these coroutines on its server's loop (no asyncio mark)
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")


class Halver(mlflow.pyfunc.PythonModel):  # type: ignore[misc,name-defined]
    def predict(self, context: object, model_input: list[float]) -> list[float]:
        return [x / 2 for x in model_input]


@pytest.fixture(scope="module")
def seeded(embedded_hub: Hub) -> Iterator[dict[str, str]]:
    tokens = {u: embedded_hub.token(embedded_hub.login(u), u, SCOPES) for u in ("alice", "rita")}
    uri = f"{embedded_hub.url}/services/mlflow"
    before = os.environ.get("MLFLOW_TRACKING_TOKEN")
    suffix = uuid.uuid4().hex[:6]
    try:
        os.environ["MLFLOW_TRACKING_TOKEN"] = tokens["alice"]
        mlflow.set_tracking_uri(uri)
        mlflow.set_experiment(f"alice/sidebar-models-{suffix}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with mlflow.start_run() as run:
                mlflow.log_metric("f1", 0.8)
                mlflow.log_param("depth", "4")
                logged = mlflow.pyfunc.log_model(
                    name="model", python_model=Halver(), pip_requirements=NAMED_REQUIREMENTS
                )
        os.environ["MLFLOW_TRACKING_TOKEN"] = tokens["rita"]
        ritas = mlflow.MlflowClient(uri).create_registered_model(f"ritas-{suffix}")
        yield {
            "uri": uri,
            "alice": tokens["alice"],
            "run_id": run.info.run_id,
            "model_id": str(logged.model_id),
            "suffix": suffix,
            "ritas": ritas.name,
        }
    finally:
        mlflow.set_tracking_uri("")
        if before is None:
            os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
        else:
            os.environ["MLFLOW_TRACKING_TOKEN"] = before


@pytest.fixture
def extension_config(seeded: dict[str, str]) -> dict[str, Any]:
    return {"mlflow_url": seeded["uri"], "mlflow_token": seeded["alice"], "user_name": "alice"}


async def _call(jp_fetch: Any, path: str, **kwargs: Any) -> Any:
    response = await jp_fetch("jupyterlab-mlplat", "models", *path.split("/"), **kwargs)
    return json.loads(response.body)


async def _refusal(jp_fetch: Any, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HTTPClientError) as caught:
        await _call(jp_fetch, path, **kwargs)
    assert caught.value.response is not None
    return caught.value.code, json.loads(caught.value.response.body)


async def test_register_from_a_run_then_list_and_open_the_version(
    jp_fetch: Any, seeded: dict[str, str]
) -> None:
    config = await jp_fetch("jupyterlab-mlplat", "models", "config")
    assert json.loads(config.body) == {
        "enabled": True,
        "catalog_prefix": "catalog.",
        "user": "alice",
    }
    logged = await _call(jp_fetch, "run-models", params={"run_id": seeded["run_id"]})
    assert [m["model_id"] for m in logged["models"]] == [seeded["model_id"]]

    name = f"sidebar-{seeded['suffix']}"
    body = {"run_id": seeded["run_id"], "name": name, "model_id": seeded["model_id"]}
    created = await _call(jp_fetch, "versions", method="POST", body=json.dumps(body))
    assert (created["name"], created["version"], created["created_by"]) == (name, "1", "alice")

    mine = await _call(jp_fetch, "", params={"max_results": "100"})
    row = next(m for m in mine["models"] if m["name"] == name)
    assert row["versions"][0]["metrics"] == {"f1": 0.8}
    assert all(m["name"] != seeded["ritas"] for m in mine["models"])  # rita's is not mine

    page = await _call(jp_fetch, "version", params={"name": name, "version": "1"})
    assert page["run"]["params"] == {"depth": "4"}
    assert "python_function" in page["model"]["flavours"]
    assert page["deployments"] == [] and page["publications"] == []

    draft = await _call(jp_fetch, "card-draft", params={"name": name, "version": "1"})
    assert draft["card"]["metrics"] == [{"key": "f1", "value": 0.8, "note": ""}]
    assert draft["markdown"].startswith("---\n")


async def test_the_catalog_and_other_peoples_models_are_refused_with_reasons(
    jp_fetch: Any, seeded: dict[str, str]
) -> None:
    base = {"run_id": seeded["run_id"], "model_id": seeded["model_id"]}
    code, body = await _refusal(
        jp_fetch, "versions", method="POST", body=json.dumps({**base, "name": "Catalog.mine"})
    )
    assert (code, body["reason"]) == (403, "catalog_read_only")
    code, body = await _refusal(
        jp_fetch, "versions", method="POST", body=json.dumps({**base, "name": seeded["ritas"]})
    )
    assert (code, body["reason"], body["params"]["owner"]) == (403, "model_name_taken", "rita")
    code, body = await _refusal(
        jp_fetch, "version", params={"name": seeded["ritas"], "version": "99"}
    )
    assert (code, body["reason"]) == (404, "model_version_not_found")
