"""Where a model comes from and what happens when it cannot be served.

Given a model in a real S3 server (moto) or behind a real MLflow server's artifact proxy, the
server fetches it into its cache and answers; given a model it cannot load, it exits non-zero
with one line on stderr that the deployers show as the workload's last error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests

from tests.s3 import running_s3_server
from tests.serving.servers import (
    CLASSES,
    ROWS,
    command,
    free_port,
    log_models,
    serving,
)

PREFIX = "mlplat-serving: cannot load model: "


def failing(uri: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        command(uri, port=free_port()),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )
    return done.returncode, done.stderr


@pytest.fixture
def broken(models: dict[str, str], tmp_path: Path) -> Path:
    """A copy of the scikit-learn model whose file is not a model."""
    copy = tmp_path / "broken"
    shutil.copytree(models["iris"], copy)
    (copy / "model.skops").write_bytes(b"not a zip file")
    return copy


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("no-mlmodel", "it is not an MLflow model"),
        ("not-a-folder", "is not a folder"),
        ("broken-file", "model.skops: BadZipFile"),
        ("unknown-scheme", "of scheme 'ftp' are not served"),
        ("no-tracking-uri", "needs MLFLOW_TRACKING_URI"),
    ],
)
def test_a_model_that_cannot_load_exits_with_one_line(
    case: str, words: str, tmp_path: Path, broken: Path
) -> None:
    uri = {
        "no-mlmodel": str(tmp_path),
        "not-a-folder": str(tmp_path / "nowhere"),
        "broken-file": f"file://{broken}",
        "unknown-scheme": "ftp://example.org/model",
        "no-tracking-uri": "mlflow-artifacts:/1/models/m-1/artifacts",
    }[case]
    code, stderr = failing(uri, {"MLFLOW_TRACKING_URI": ""})
    assert code == 1
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(PREFIX)
    assert words in lines[0]


def test_readiness_waits_for_the_model(models: dict[str, str], tmp_path: Path) -> None:
    """The pyfunc flavour imports MLflow to load (seconds): the port answers liveness at
    once, readiness and predictions only once the model is there."""
    with serving(models["scaler"], tmp_path / "log", name="scaler", wait=False) as server:
        deadline = time.monotonic() + 60
        while True:
            try:
                live = server.get("/v2/health/live")
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.02)
        assert live.status_code == 200
        assert server.get("/v2/health/ready").status_code == 503
        assert server.get("/ping").status_code == 503
        early = server.post("/invocations", {"inputs": {"x": [1.0]}})
        assert early.status_code == 503
        assert early.json()["reason"] == "not_ready"
        while server.get("/v2/health/ready").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert server.post("/invocations", {"inputs": {"x": [1.0]}}).status_code == 200


# ---------------------------------------------------------------------------------- S3


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    with running_s3_server() as endpoint:
        yield endpoint


S3_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


def test_a_model_in_s3_is_fetched_into_the_cache(
    s3: str, models: dict[str, str], tmp_path: Path
) -> None:
    client = boto3.client("s3", endpoint_url=s3, region_name="us-east-1", **_keys())
    client.create_bucket(Bucket="models")
    root = Path(models["iris"])
    for file in root.rglob("*"):
        if file.is_file():
            client.upload_file(str(file), "models", f"7/iris/{file.relative_to(root)}")
    cache = tmp_path / "cache"
    env = {**S3_ENV, "MLFLOW_S3_ENDPOINT_URL": s3}
    with serving("s3://models/7/iris", tmp_path / "log", "--cache-dir", str(cache), env=env) as srv:
        assert srv.post("/invocations", {"instances": ROWS}).json() == {"predictions": CLASSES}
    (fetched,) = cache.iterdir()
    assert (fetched / "MLmodel").read_bytes() == (root / "MLmodel").read_bytes()
    assert (fetched / ".complete").exists()
    # a restart on the same node serves from the cache, even with the store out of reach
    env["MLFLOW_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"
    with serving(
        "s3://models/7/iris", tmp_path / "log2", "--cache-dir", str(cache), env=env
    ) as srv:
        assert srv.post("/invocations", {"instances": ROWS}).json() == {"predictions": CLASSES}


def test_a_missing_s3_model_is_one_line(s3: str, tmp_path: Path) -> None:
    client = boto3.client("s3", endpoint_url=s3, region_name="us-east-1", **_keys())
    client.create_bucket(Bucket="empty")
    env = {**S3_ENV, "MLFLOW_S3_ENDPOINT_URL": s3}
    code, stderr = failing("s3://empty/1/nothing", env)
    assert code == 1
    assert stderr.splitlines() == [f"{PREFIX}s3://empty/1/nothing: no files there"]
    code, stderr = failing("s3://no-such-bucket/m", env)
    assert code == 1
    assert stderr.splitlines() == [
        f"{PREFIX}s3://no-such-bucket/m: NoSuchBucket: The specified bucket does not exist"
    ]


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


# ------------------------------------------------------------------ MLflow's artifact proxy


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real MLflow server that proxies artifacts (``--serve-artifacts``), on SQLite."""
    folder = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    mlflow = Path(sys.executable).parent / "mlflow"
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [str(mlflow), "server", "--host=127.0.0.1", f"--port={port}", "--workers=1",
         f"--backend-store-uri=sqlite:///{folder / 'mlflow.db'}",
         "--serve-artifacts", f"--artifacts-destination={folder / 'artifacts'}",
         f"--allowed-hosts=127.0.0.1:{port},localhost:{port}"],
        env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None, (folder / "server.log").read_text()[-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def test_a_model_behind_mlflows_artifact_proxy(mlflow_server: str, tmp_path: Path) -> None:
    logged = log_models(mlflow_server, tmp_path)
    assert logged["iris"].startswith("mlflow-artifacts:/")
    env = {"MLFLOW_TRACKING_URI": mlflow_server, "MLFLOW_TRACKING_TOKEN": "ignored-by-mlflow"}
    with serving(logged["iris"], tmp_path / "log", env=env) as server:
        assert server.post("/invocations", {"instances": ROWS}).json() == {"predictions": CLASSES}
    code, stderr = failing(logged["iris"] + "-gone", {"MLFLOW_TRACKING_URI": mlflow_server})
    assert code == 1
    assert stderr.startswith(PREFIX)
    assert len(stderr.splitlines()) == 1
