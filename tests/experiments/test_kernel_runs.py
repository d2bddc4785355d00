"""Runs started in a real notebook kernel of a real Jupyter server, logging to the hub's MLflow:
the notebook a run names is the session's path when the run starts (a rename before the first
run included), and the commit is that of the person's own repository around the notebook, never
of a checkout the home happens to sit in.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mlflow import MlflowClient

from tests.experiments.test_sidebar_api import Seeded, extension_config, seeded  # noqa: F401

EMPTY_NOTEBOOK = json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}})


def commit_all(folder: Path, message: str) -> str:
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    if not (folder / ".git").exists():
        subprocess.run([*git[:3], "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", message], check=True)
    return subprocess.run(
        [*git[:3], "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


async def call(jp_fetch: Any, *parts: str, method: str = "GET", body: Any = None) -> Any:
    response = await jp_fetch(
        *parts, method=method, body=None if body is None else json.dumps(body)
    )
    return json.loads(response.body) if response.body else None


async def start_run_in(kernel: Any, experiment: str) -> str:
    """Run the tracking cell's kind of code in the kernel; the run's id."""
    out: list[str] = []

    def collect(message: dict[str, Any]) -> None:
        if message["msg_type"] == "stream":
            out.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            out.append("\n".join(message["content"]["traceback"]))

    reply = await kernel.execute_interactive(
        "import mlflow\n"
        f"mlflow.set_experiment(experiment_id={experiment!r})\n"
        "with mlflow.start_run() as run:\n"
        "    print('RUN_ID=' + run.info.run_id)\n",
        timeout=120,
        output_hook=collect,
    )
    text = "".join(out)
    assert reply["content"]["status"] == "ok", text
    return next(line[len("RUN_ID=") :] for line in text.splitlines() if "RUN_ID=" in line)


async def test_a_run_names_the_notebook_as_renamed_and_only_the_persons_own_commit(
    jp_fetch: Any,
    jp_serverapp: Any,
    jp_root_dir: Path,
    seeded: Seeded,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the person's home is the server's root, and it sits inside somebody else's checkout
    checkout = jp_root_dir.parent
    (checkout / "README").write_text("the workbench's own code\n")
    foreign = commit_all(checkout, "the checkout")
    monkeypatch.setenv("HOME", str(jp_root_dir))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", seeded.tracking_uri)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", seeded.tokens["alice"])
    (jp_root_dir / "Untitled.ipynb").write_text(EMPTY_NOTEBOOK)

    session = await call(
        jp_fetch,
        "api",
        "sessions",
        method="POST",
        body={
            "path": "Untitled.ipynb",
            "name": "Untitled.ipynb",
            "type": "notebook",
            "kernel": {"name": "python3"},
        },
    )
    kernel = jp_serverapp.kernel_manager.get_kernel(session["kernel"]["id"]).client()
    kernel.start_channels()
    try:
        await kernel.wait_for_ready(timeout=60)
        # renamed before its first run, as JupyterLab does it: the file, then the session
        await call(
            jp_fetch,
            "api",
            "contents",
            "Untitled.ipynb",
            method="PATCH",
            body={"path": "churn-draft.ipynb"},
        )
        await call(
            jp_fetch,
            "api",
            "sessions",
            session["id"],
            method="PATCH",
            body={"path": "churn-draft.ipynb", "name": "churn-draft.ipynb"},
        )
        first = await start_run_in(kernel, seeded.experiment)
        # attaching the notebook from the sidebar names no commit either
        logged = await call(
            jp_fetch,
            "jupyterlab-mlplat",
            "mlflow",
            "runs",
            first,
            "notebook",
            method="POST",
            body={"path": "churn-draft.ipynb"},
        )
        assert logged == {"artifact_path": "notebook/churn-draft.ipynb", "git_commit": None}

        # moved into a repository of the person's own: its commit is recorded
        project = jp_root_dir / "churn"
        project.mkdir()
        (project / "prepare.py").write_text("print('prepared')\n")
        own = commit_all(project, "start")
        await call(
            jp_fetch,
            "api",
            "contents",
            "churn-draft.ipynb",
            method="PATCH",
            body={"path": "churn/model.ipynb"},
        )
        await call(
            jp_fetch,
            "api",
            "sessions",
            session["id"],
            method="PATCH",
            body={"path": "churn/model.ipynb", "name": "model.ipynb"},
        )
        second = await start_run_in(kernel, seeded.experiment)
    finally:
        kernel.stop_channels()
        await call(jp_fetch, "api", "sessions", session["id"], method="DELETE")

    mlflow = MlflowClient(tracking_uri=seeded.tracking_uri)
    tags = mlflow.get_run(first).data.tags
    assert tags["mlplat.source_notebook"] == "churn-draft.ipynb"
    assert tags["mlflow.source.name"] == "churn-draft.ipynb"
    assert tags.get("mlflow.source.git.commit", "") == "", "the checkout's commit is not the run's"
    assert foreign not in tags.values()

    tags = mlflow.get_run(second).data.tags
    assert tags["mlplat.source_notebook"] == "churn/model.ipynb"
    assert tags["mlflow.source.git.commit"] == own
    assert foreign not in tags.values()

    # the sidebar shows the first run without a commit, not an empty one
    response = await jp_fetch("jupyterlab-mlplat", "mlflow", "runs", first)
    run = json.loads(response.body)["run"]
    assert (run["source_notebook"], run["git_commit"]) == ("churn-draft.ipynb", None)
