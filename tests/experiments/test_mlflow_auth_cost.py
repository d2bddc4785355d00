"""What our ``authorization_function`` costs MLflow per request.

MLflow's auth app calls it for every check of one request; under 30 people's sidebars each
extra look-up in its auth database is CPU that MLflow's workers do not spend answering
(bench/sidebar_load.py). The real MLflow auth app runs in a child process on SQLite, and the
statements reaching its auth database are counted there (SQLAlchemy's own event hook on
MLflow's engine; nothing of ours is replaced).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from jupyterlab_mlplat.api.mlflow import SECRET_ENV, SECRET_HEADER, USER_HEADER

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, os, sys
import sqlalchemy as sa
from mlflow.server import app as flask_app
from mlflow.server.auth import create_app, store

app = create_app(flask_app)
client = app.test_client()
headers = {sys.argv[1]: "alice", sys.argv[2]: os.environ[sys.argv[3]]}
statements = []
sa.event.listen(
    store.engine, "before_cursor_execute", lambda *a: statements.append(a[2])
)

def api(method, path, **kwargs):
    answer = client.open(f"/api/2.0/mlflow/{path}", method=method, headers=headers, **kwargs)
    assert answer.status_code == 200, answer.data[:300]
    return answer.get_json()

experiment = api("POST", "experiments/create", json={"name": "cost"})["experiment_id"]
run = api("POST", "runs/create", json={"experiment_id": experiment})["run"]["info"]["run_id"]
counts = {}
for name, method, path, kwargs in [
    ("search", "POST", "runs/search", {"json": {"experiment_ids": [experiment]}}),
    ("get", "GET", "runs/get", {"query_string": {"run_id": run}}),
    ("experiments", "POST", "experiments/search", {"json": {"max_results": 50}}),
]:
    statements.clear()
    api(method, path, **kwargs)
    # our look-up of the caller; MLflow's own (get_user) reads the same table without LIMIT
    counts[name] = sum(
        1 for s in statements if "FROM users" in s and "LIMIT" in s
    )
print(json.dumps(counts))
"""


def test_the_caller_is_looked_up_once_per_request_not_per_check(tmp_path: Path) -> None:
    (tmp_path / "auth.ini").write_text(
        "[mlflow]\n"
        "default_permission = READ\n"
        f"database_uri = sqlite:///{tmp_path / 'auth.sqlite'}\n"
        "admin_username = mlplat-admin\n"
        "authorization_function = "
        "jupyterlab_mlplat.adapters.mlflow.auth:authenticate_from_gateway\n"
    )
    env = {
        **os.environ,
        "MLFLOW_AUTH_CONFIG_PATH": str(tmp_path / "auth.ini"),
        "MLFLOW_AUTH_ADMIN_PASSWORD": "admin-password-1234",
        "MLFLOW_FLASK_SERVER_SECRET_KEY": "x" * 32,
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        "_MLFLOW_SERVER_FILE_STORE": f"sqlite:///{tmp_path / 'mlflow.sqlite'}",
        "_MLFLOW_SERVER_ARTIFACT_ROOT": str(tmp_path / "artifacts"),
        SECRET_ENV: "gateway-secret",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, USER_HEADER, SECRET_HEADER, SECRET_ENV],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts == {"search": 1, "get": 1, "experiments": 1}
