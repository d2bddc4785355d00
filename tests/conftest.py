"""Shared fixtures: the metadata database on both engines the product supports.

``database_url`` is parametrised over SQLite (a file per test) and the real PostgreSQL that
``scripts/test`` starts (a fresh database per test). Without MLPLAT_TEST_POSTGRES_URL the
PostgreSQL half is skipped on a laptop, and fails under CI so it can never go quietly missing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from tests.workbench import Hub, workbench_dir
from tests.workbench import embedded_hub as embedded_hub_running

# the Kubernetes stand-in's fixtures serve its own tests and the spawner's (tests/hub); MLflow
# behind the hub in both flavours serves experiments, models and deployments (one per session)
pytest_plugins = [
    "pytest_jupyter.jupyter_server",
    "tests.standins.kube.fixtures",
    "tests.mlflow_hubs",
    "tests.watchdog",
]

POSTGRES_URL = os.environ.get("MLPLAT_TEST_POSTGRES_URL", "")


def _postgres_admin_dsn() -> str:
    return sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("MLPLAT_TEST_POSTGRES_URL is not set under CI: scripts/test starts it")
        pytest.skip("no PostgreSQL: run through scripts/test or set MLPLAT_TEST_POSTGRES_URL")
    name = f"mlplat_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_postgres_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(_postgres_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mlplat.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(scope="session")
def embedded_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The embedded workbench's hub with its platform and MLflow (SQLite, local artifacts)."""
    with (
        workbench_dir("embedded") as data_dir,
        embedded_hub_running(data_dir, start=18000) as workbench,
    ):
        yield Hub(workbench)


@pytest.fixture
def jp_server_config(tmp_path: Path, extension_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_mlplat_server": True},
            # every endpoint is tested behind auth, as in the extension template
            "allow_unauthenticated_access": False,
        },
        "MLPlatformServerApp": {
            "standalone_data_dir": str(tmp_path / "mlplat"),
            **extension_config,
        },
    }


@pytest.fixture
def extension_config() -> dict[str, Any]:
    return {}
