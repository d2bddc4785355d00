"""Faults: a dead database, a failed migration. The platform says why; it never shows internals."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from tornado.httpclient import AsyncHTTPClient

from jupyterlab_mlplat.adapters.local.objects import LocalObjectStore
from jupyterlab_mlplat.adapters.sql.store import SqlStore, create_engine, migrate
from jupyterlab_mlplat.core.health.service import HealthService

from .conftest import start_platform


@pytest.mark.asyncio
async def test_health_is_503_and_names_the_failing_check_when_the_database_is_gone(
    tmp_path: Path, sqlite_url: str
) -> None:
    dead = SqlStore(create_engine("postgresql+psycopg://u:hunter2@127.0.0.1:9/x"))
    objects = LocalObjectStore(tmp_path / "o")
    health = HealthService({"database": dead.ping, "object_store": objects.ping}, version="t")
    running = start_platform(tmp_path, sqlite_url, rewire=lambda s: replace(s, health=health))
    response = await AsyncHTTPClient().fetch(running.url + "api/v1/health", raise_error=False)
    running.stop()
    body = json.loads(response.body)
    assert response.code == 503
    assert body["status"] == "failing"
    assert body["checks"]["database"]["status"] == "failing"
    assert body["checks"]["object_store"]["status"] == "ok"
    assert "hunter2" not in response.body.decode()


def test_a_failed_migration_stops_the_service_with_the_reason(tmp_path: Path) -> None:
    db = tmp_path / "mlplat.sqlite"
    engine = create_engine(f"sqlite:///{db}")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'zz_newer'"))
    engine.dispose()

    result = subprocess.run(
        [sys.executable, "-m", "jupyterlab_mlplat.platform", f"--data-dir={tmp_path}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Refusing to start" in result.stderr
    assert "'zz_newer'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


class _BrokenStore:
    """A store whose driver fails in a way nobody mapped: the platform's last line of defence."""

    def ping(self) -> None:
        raise RuntimeError("driver blew up at postgresql://admin:hunter2@db/mlplat")


@pytest.mark.asyncio
async def test_an_unexpected_error_is_a_500_without_details_and_one_log_line(
    tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    broken = HealthService({"database": _BrokenStore().ping}, version="t")
    running = start_platform(tmp_path, sqlite_url, rewire=lambda s: replace(s, health=broken))
    response = await AsyncHTTPClient().fetch(running.url + "api/v1/health", raise_error=False)
    running.stop()

    body = json.loads(response.body)
    assert response.code == 500
    assert body["reason"] == "internal_error"
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert "hunter2" not in response.body.decode()
    assert "Traceback" not in response.body.decode()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "unexpected RuntimeError at" in logged
    assert "hunter2" not in logged
    assert all(r.exc_info is None for r in caplog.records)
