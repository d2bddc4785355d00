"""A notebook renamed before its first run, in a person's server behind the real hub (as their
own account when the hub runs as root): the run that the kernel starts names the new name."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from typing import Any

import psutil
import requests
from mlflow import MlflowClient

from jupyterlab_mlplat.core.kernel.telemetry import NO_TELEMETRY
from tests.hub.test_isolation import _spawn, _stop
from tests.workbench import Hub, give_to_home_owner, run_in_kernel

MLFLOW_SCOPES = ["access:services!service=mlflow"]
EMPTY_NOTEBOOK = json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}})


def test_a_run_in_a_hub_server_names_the_notebook_as_renamed_before_it(
    embedded_hub: Hub,
) -> None:
    hub = embedded_hub
    experiment_name = f"alice/renamed-{uuid.uuid4().hex[:6]}"
    token = _spawn(hub, "alice")
    headers = {"Authorization": f"token {token}"}
    api = f"{hub.url}/user/alice/api"
    home = hub.data_dir / "home" / "alice"
    (home / "Untitled.ipynb").write_text(EMPTY_NOTEBOOK)
    give_to_home_owner(home / "Untitled.ipynb", home)
    session: dict[str, Any] = {}
    try:
        session = requests.post(
            f"{api}/sessions",
            json={
                "path": "Untitled.ipynb",
                "name": "Untitled.ipynb",
                "type": "notebook",
                "kernel": {"name": "python3"},
            },
            headers=headers,
            timeout=120,
        ).json()
        # JupyterLab's rename: the file, then the session
        renamed = requests.patch(
            f"{api}/contents/Untitled.ipynb",
            json={"path": "churn-model.ipynb"},
            headers=headers,
            timeout=60,
        )
        assert renamed.status_code == 200, renamed.text
        moved = requests.patch(
            f"{api}/sessions/{session['id']}",
            json={"path": "churn-model.ipynb", "name": "churn-model.ipynb"},
            headers=headers,
            timeout=60,
        )
        assert moved.status_code == 200, moved.text
        channels = f"{api}/kernels/{session['kernel']['id']}/channels".replace("http", "ws", 1)
        started = time.monotonic()
        out = asyncio.run(
            run_in_kernel(
                channels,
                headers,
                "import mlflow, time\n"
                "from mlflow.telemetry.utils import is_telemetry_disabled\n"
                "print('TELEMETRY_OFF=%s' % is_telemetry_disabled())\n"
                f"mlflow.set_experiment({experiment_name!r})\n"
                "t = time.monotonic()\n"
                "with mlflow.start_run() as run:\n"
                "    print('RUN_ID=' + run.info.run_id)\n"
                "print('START_S=%.2f' % (time.monotonic() - t))\n",
            )
        )
        print(out, f"(whole cell {time.monotonic() - started:.1f} s; load {os.getloadavg()})")
    finally:
        if session:
            requests.delete(f"{api}/sessions/{session['id']}", headers=headers, timeout=60)
        _stop(hub, "alice", token)

    run_id = next(line[7:] for line in out.splitlines() if line.startswith("RUN_ID="))
    # MLflow in a person's kernel reports nothing to its makers (core/kernel/telemetry.py),
    # nor does the hub's MLflow server
    assert "TELEMETRY_OFF=True" in out.splitlines(), out
    [server] = [
        p
        for p in psutil.process_iter(["cmdline"])
        if "--app-name=basic-auth" in (p.info["cmdline"] or [])
        and "jupyterlab_mlplat.hub.tether" not in p.info["cmdline"]
        and any(str(hub.data_dir) in arg for arg in p.info["cmdline"])
    ]
    assert {k: server.environ().get(k) for k in NO_TELEMETRY} == NO_TELEMETRY
    mlflow_token = hub.token(hub.login("alice"), "alice", MLFLOW_SCOPES)
    before = os.environ.get("MLFLOW_TRACKING_TOKEN")
    os.environ["MLFLOW_TRACKING_TOKEN"] = mlflow_token
    try:
        tags = MlflowClient(tracking_uri=f"{hub.url}/services/mlflow").get_run(run_id).data.tags
    finally:
        if before is None:
            os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
        else:
            os.environ["MLFLOW_TRACKING_TOKEN"] = before
    assert tags["mlplat.source_notebook"] == "churn-model.ipynb"
    assert tags["mlflow.source.name"] == "churn-model.ipynb"
    assert tags.get("mlflow.source.git.commit", "") == ""
