"""Real models and the real model server process, for the tests that serve models.

The models are logged by MLflow itself (``mlflow.sklearn.log_model`` and a ``PythonModel``, each
with a signature and an input example) in a process of their own, so this test process never
imports MLflow; the server is started with the command line the deployers build, on a free
port, and called over HTTP. A module of its own, not the conftest, so that other folders' tests
(``tests/deployments``) import it as plain code.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

PYTHON = sys.executable
COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
#: one row of each iris class, and what the model answers for them
ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [6.9, 3.1, 5.4, 2.1]]
CLASSES = [0, 1, 2]

#: logs both models under ``tracking`` and prints where MLflow put them
LOG_MODELS = """
import json, sys
import mlflow, pandas as pd
from mlflow.models import infer_signature
from mlflow.models.signature import ModelSignature
from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

mlflow.set_tracking_uri(sys.argv[1])
mlflow.set_experiment("serving")
X, y = load_iris(return_X_y=True, as_frame=True)
clf = LogisticRegression(max_iter=300).fit(X, y)


class Scaler(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        if (model_input["x"] < 0).any():
            raise ValueError("x must not be negative\\nthe second line stays in the model")
        scale = (params or {}).get("scale", 2.0)
        return pd.DataFrame({"y": model_input["x"] * scale, "tag": model_input["tag"].fillna("-")})


signature = ModelSignature(
    Schema([ColSpec("double", "x"), ColSpec("string", "tag", required=False)]),
    Schema([ColSpec("double", "y"), ColSpec("string", "tag")]),
    ParamSchema([ParamSpec("scale", "double", 2.0)]),
)
# requirements named, not inferred (MLflow would load each model again in a subprocess to
# infer them: 4-5 s a model here; the model server never reads them)
with mlflow.start_run():
    iris = mlflow.sklearn.log_model(
        clf, name="iris", signature=infer_signature(X, clf.predict(X)), input_example=X.head(2),
        pip_requirements=["scikit-learn"],
    )
    scaler = mlflow.pyfunc.log_model(
        name="scaler", python_model=Scaler(), signature=signature,
        input_example=pd.DataFrame({"x": [1.0], "tag": ["a"]}), pip_requirements=["pandas"],
    )
print(json.dumps({
    "iris": mlflow.get_logged_model(iris.model_id).artifact_location,
    "scaler": mlflow.get_logged_model(scaler.model_id).artifact_location,
}))
"""


def log_models(tracking_uri: str, cwd: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """Log the two models through MLflow; their artifact locations (as MLflow gives them)."""
    done = subprocess.run(
        [PYTHON, "-c", LOG_MODELS, tracking_uri],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def local(uri: str) -> str:
    return uri.removeprefix("file://")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def post(self, path: str, body: object = None, **kw: object) -> requests.Response:
        data = kw.pop("data", None)
        if data is None:
            data = json.dumps(body)
            headers = {"Content-Type": "application/json"}
        else:
            headers = {}
        headers.update(kw.pop("headers", {}))  # type: ignore[arg-type]
        return requests.post(f"{self.url}{path}", data=data, headers=headers, timeout=30)

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.url}{path}", timeout=30)


def command(uri: str, *extra: str, port: int, name: str = "iris") -> list[str]:
    return [PYTHON, "-m", "jupyterlab_mlplat.serving", "--model-uri", uri, "--name", name,
            "--version", "3", "--port", str(port), *extra]  # fmt: skip


@contextlib.contextmanager
def serving(
    uri: str,
    log: Path,
    *extra: str,
    name: str = "iris",
    env: dict[str, str] | None = None,
    wait: bool = True,
) -> Iterator[Server]:
    """The model server for ``uri``, ready (when ``wait``), stopped afterwards."""
    port = free_port()
    out = log.open("wb")
    process = subprocess.Popen(
        command(uri, *extra, port=port, name=name),
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 120
        while wait:
            assert process.poll() is None, f"the server exited: {log.read_text()[-3000:]}"
            with contextlib.suppress(requests.ConnectionError):
                if server.get("/v2/health/ready").status_code == 200:
                    break
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.close()
