"""Lineage: a commit from the Git tab tags the person's running MLflow runs with the commit, so
a run always points to the code that made it; finished runs and other people's are left alone."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mlflow import MlflowClient

from tests.workbench import Hub

MLFLOW_SCOPES = ["access:services!service=mlflow"]


@pytest.fixture(autouse=True)
def pristine_git(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(scope="module")
def runs(embedded_hub: Hub) -> Iterator[dict[str, str]]:
    tokens = {
        user: embedded_hub.token(embedded_hub.login(user), user, MLFLOW_SCOPES)
        for user in ("alice", "rita")
    }
    client = MlflowClient(tracking_uri=f"{embedded_hub.url}/services/mlflow")
    before = os.environ.get("MLFLOW_TRACKING_TOKEN")
    try:
        os.environ["MLFLOW_TRACKING_TOKEN"] = tokens["alice"]
        experiment = client.create_experiment(f"alice/lineage-{uuid.uuid4().hex[:6]}")
        running = client.create_run(experiment, run_name="training").info.run_id
        finished = client.create_run(experiment, run_name="done").info.run_id
        client.set_terminated(finished)
        os.environ["MLFLOW_TRACKING_TOKEN"] = tokens["rita"]
        ritas = client.create_experiment(f"rita/lineage-{uuid.uuid4().hex[:6]}")
        ritas_running = client.create_run(ritas).info.run_id
        yield {
            "running": running,
            "finished": finished,
            "ritas_running": ritas_running,
            "alice_token": tokens["alice"],
            "uri": f"{embedded_hub.url}/services/mlflow",
        }
    finally:
        if before is None:
            os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
        else:
            os.environ["MLFLOW_TRACKING_TOKEN"] = before


@pytest.fixture
def extension_config(runs: dict[str, str]) -> dict[str, Any]:
    return {"mlflow_url": runs["uri"], "mlflow_token": runs["alice_token"], "user_name": "alice"}


async def test_a_commit_tags_the_persons_running_runs(
    jp_fetch: Any, jp_root_dir: Path, runs: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (jp_root_dir / "model").mkdir()
    (jp_root_dir / "model" / "train.py").write_text("fit()\n")
    await jp_fetch(
        "jupyterlab-mlplat", "git", "init", method="POST", body=json.dumps({"path": "model"})
    )
    response = await jp_fetch(
        "jupyterlab-mlplat",
        "git",
        "commit",
        method="POST",
        body=json.dumps({"path": "model", "files": ["train.py"], "message": "Train"}),
    )
    body = json.loads(response.body)
    # other tests of the session may have left alice runs running: those are hers too
    assert runs["running"] in body["linked_runs"]
    assert runs["finished"] not in body["linked_runs"]
    assert runs["ritas_running"] not in body["linked_runs"]

    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", runs["alice_token"])
    client = MlflowClient(tracking_uri=runs["uri"])
    tags = client.get_run(runs["running"]).data.tags
    assert tags["mlflow.source.git.commit"] == body["commit"]
    assert "mlflow.source.git.commit" not in client.get_run(runs["finished"]).data.tags
    assert "mlflow.source.git.commit" not in client.get_run(runs["ritas_running"]).data.tags
    for linked in body["linked_runs"]:
        run = client.get_run(linked)
        assert (run.info.user_id, run.info.status) == ("alice", "RUNNING")
