"""The served models of ``tests/serving`` as session fixtures (``servers.py`` holds the code)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.serving.servers import Server, local, log_models, serving


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The two models, logged to a local MLflow store: their folders."""
    root = tmp_path_factory.mktemp("mlruns")
    return {k: local(v) for k, v in log_models(f"sqlite:///{root / 'mlflow.db'}", root).items()}


@pytest.fixture(scope="session")
def iris(models: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The scikit-learn model served, with a small body limit so that limit can be tested."""
    log = tmp_path_factory.mktemp("iris") / "server.log"
    with serving(models["iris"], log, "--max-body-bytes", "200000") as server:
        yield server


@pytest.fixture(scope="session")
def scaler(models: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The pyfunc model (mixed columns, an optional one, a param) served."""
    log = tmp_path_factory.mktemp("scaler") / "server.log"
    with serving(models["scaler"], log, name="scaler") as server:
        yield server
