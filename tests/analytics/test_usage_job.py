"""The platform's sampler job on both databases: its passes write samples, a pass that meets a
closed store is logged and the next still runs, and a job stopped before its loop ran ends at
once; the platform wires it with the live settings and the embedded source."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from jupyterlab_mlplat.adapters.local.usage import LocalUsage
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.observability import Metrics
from jupyterlab_mlplat.platform.usage import UsageJob
from tests.analytics.conftest import World, workspace


@pytest.mark.asyncio
async def test_passes_write_samples_and_a_failure_stops_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.source.running = [workspace("alice"), workspace("bob", used=0.0)]
    metrics = Metrics()
    job = UsageJob(world.service, interval=60, metrics=metrics)
    world.tick()
    first = await job.run_pass()
    assert first is not None and first.samples == 2
    sample = metrics.registry.get_sample_value
    assert sample("mlplat_usage_samples_total") == 2
    assert sample("mlplat_usage_idle_workloads") == 1
    assert sample("mlplat_usage_source_failures_total") == 0
    world.store.close()
    world.tick()
    with caplog.at_level(logging.ERROR, "mlplat.usage"):
        assert await job.run_pass() is None  # the database is closed: logged, not raised
    assert job.passes == 2
    assert "usage pass failed: Unavailable" in caplog.text


@pytest.mark.asyncio
async def test_a_job_stopped_before_its_loop_ran_ends_at_once(world: World) -> None:
    job = UsageJob(world.service, interval=3600).start()
    job.stop()
    await asyncio.sleep(0.05)
    assert job.passes == 0


def test_the_platform_samples_with_the_live_settings(tmp_path: Path, sqlite_url: str) -> None:
    app = PlatformApp(data_dir=str(tmp_path), db_url=sqlite_url, deployer_class=None)
    app.idle_gpu_notify_minutes = 90
    services = app.build_services()
    try:
        assert services.usage.idle_gpu_notify_minutes == 90  # the trait, until an admin sets it
        assert services.usage.idle_cpu_fraction == 0.05
        workspaces, models = app.usage_sources(services.store, None)
        assert isinstance(workspaces, LocalUsage) and isinstance(models, LocalUsage)
        assert (workspaces.hub, models.hub, models.replicas) == (None, None, None)  # no hub here
        app.usage_source = "none"
        assert app.usage_sources(services.store, None) == []
    finally:
        services.store.close()
