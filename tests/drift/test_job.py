"""The drift job over real sample objects (in the gateway's format) on a real object store (a
folder, and a bucket of a real S3 server) and a real database (SQLite, PostgreSQL), with
SciPy's tests on real numbers: normal(0, 1) against normal(2, 1) drifts, against another
normal(0, 1) sample it does not; the owner is told once per crossing."""

from __future__ import annotations

import asyncio
import socket

import pytest

from jupyterlab_mlplat.adapters.s3 import S3ObjectStore
from jupyterlab_mlplat.core.deployments.drift import DriftSettings, ReportStatus, StatTest
from jupyterlab_mlplat.core.deployments.drift_service import Reference
from jupyterlab_mlplat.core.kernel.identity import Identity
from jupyterlab_mlplat.core.reviews.records import NotificationKind
from jupyterlab_mlplat.platform.drift import DriftJob
from jupyterlab_mlplat.platform.observability import Metrics
from tests.drift.conftest import SECRET, World, normal_rows

pytestmark = pytest.mark.asyncio


def _reference(world: World, model: str = "churn-model", version: str = "1") -> None:
    world.references.known[(model, version)] = Reference(
        "input_example", tuple(normal_rows(200, 0.0, seed=1))
    )


async def test_shifted_requests_drift_and_the_owner_is_told_once(world: World) -> None:
    world.deploy("churn-api")
    _reference(world)
    await world.sample("churn-api", "1", normal_rows(100, 2.0, seed=2, pro=0.9))
    await world.sample("churn-api", "1", normal_rows(100, 2.0, seed=3, pro=0.9))

    summary = await world.service.run_once()

    assert (summary.reports, summary.notified, summary.failed) == (1, 1, 0)
    report = world.store.last_drift_report("churn-api", "1")
    assert report is not None and report.status is ReportStatus.COMPARED
    assert report.rows == 200 and report.reference == "input_example"
    features = {f.feature: f for f in report.features}
    assert features["x"].test is StatTest.KOLMOGOROV_SMIRNOV
    assert features["x"].drifted and features["x"].p_value < 1e-6
    assert features["plan"].test is StatTest.CHI_SQUARE and features["plan"].drifted
    assert report.drifted and report.drifted_share == 1.0
    notes = world.store.notifications("alice", [], after=0, limit=10)
    assert [(n.kind, n.deployment, n.model_name, n.version, n.publication_id) for n in notes] == [
        (NotificationKind.DRIFTED, "churn-api", "churn-model", "1", None)
    ]
    assert notes[0].comment == "x, plan" and notes[0].action is None
    audit = [e for e in world.store.audit_entries() if e.action == "deployment.drift_detected"]
    assert len(audit) == 1 and audit[0].detail["features"] == ["x", "plan"]

    # still drifted in the next window: a new report, no second notification
    await world.sample("churn-api", "1", normal_rows(60, 2.0, seed=4, pro=0.9))
    summary = await world.service.run_once()
    assert (summary.reports, summary.notified) == (1, 0)
    assert len(world.store.notifications("alice", [], after=0, limit=10)) == 1
    reports = world.store.drift_reports("churn-api", since=None, limit=10)
    assert [r.rows for r in reports] == [200, 60]

    # nothing new: nothing to do; the reference was read once
    assert (await world.service.run_once()).reports == 0
    assert world.references.asked == [("alice", "churn-model", "1")]


async def test_requests_like_the_reference_do_not_drift(world: World) -> None:
    world.deploy("calm-api")
    _reference(world)
    await world.sample("calm-api", "1", normal_rows(200, 0.0, seed=7))

    summary = await world.service.run_once()

    assert (summary.reports, summary.notified) == (1, 0)
    report = world.store.last_drift_report("calm-api", "1")
    assert report is not None and not report.drifted
    assert all(not f.drifted and f.p_value > 0.05 for f in report.features)
    assert world.store.notifications("alice", [], after=0, limit=10) == []


async def test_without_a_reference_the_report_says_so(world: World) -> None:
    world.deploy("blind-api", model="no-example")
    await world.sample("blind-api", "1", normal_rows(40, 0.0, seed=8))

    summary = await world.service.run_once()

    assert (summary.reports, summary.failed) == (1, 0)
    report = world.store.last_drift_report("blind-api", "1")
    assert report is not None and report.status is ReportStatus.NO_REFERENCE
    assert report.features == () and not report.drifted


async def test_a_window_waits_for_enough_rows(world: World) -> None:
    world.deploy("quiet-api")
    _reference(world)
    await world.sample("quiet-api", "1", normal_rows(10, 2.0, seed=9))
    assert (await world.service.run_once()).reports == 0
    await world.sample("quiet-api", "1", normal_rows(20, 2.0, seed=10))
    assert (await world.service.run_once()).reports == 1
    report = world.store.last_drift_report("quiet-api", "1")
    assert report is not None and report.rows == 30


async def test_a_broken_sample_object_does_not_stop_the_job(world: World) -> None:
    world.deploy("messy-api")
    _reference(world)
    key = await world.sample("messy-api", "1", normal_rows(40, 0.0, seed=11))
    world.objects.put(key.replace(".jsonl", "0.jsonl"), b"\xff\xfe not json\n")
    world.objects.put(key.replace(".jsonl", "1.jsonl"), b"[" * 200_000 + b"]" * 200_000)
    summary = await world.service.run_once()
    assert (summary.reports, summary.failed) == (1, 0)


async def test_the_platforms_job_runs_passes_until_stopped(world: World) -> None:
    world.deploy("timed-api")
    _reference(world)
    await world.sample("timed-api", "1", normal_rows(40, 2.0, seed=12))
    metrics = Metrics()
    job = DriftJob(world.service, 0.05, metrics).start()
    for _ in range(100):
        await asyncio.sleep(0.05)
        if job.passes >= 2:
            break
    job.stop()
    passes = job.passes
    assert passes >= 2
    assert [r.rows for r in world.store.drift_reports("timed-api", since=None, limit=5)] == [40]
    sample = metrics.registry.get_sample_value
    # x drifted (normal(2, 1)), plan did not
    assert sample("mlplat_drift_share", {"deployment": "timed-api", "version": "1"}) == 0.5
    assert sample("mlplat_drift_reports_total", {"status": "compared"}) == 1.0
    await asyncio.sleep(0.2)
    assert job.passes == passes  # stopped


async def test_a_name_taken_again_starts_with_no_reports_and_no_samples(world: World) -> None:
    world.deploy("again-api")
    _reference(world)
    await world.sample("again-api", "1", normal_rows(40, 2.0, seed=13))
    assert (await world.service.run_once()).notified == 1
    await world.sample("again-api", "1", normal_rows(40, 2.0, seed=14))  # never compared
    world.stop("again-api")
    world.deploy("again-api")
    await world.sample("again-api", "1", normal_rows(40, 2.0, seed=15))

    summary = await world.service.run_once()

    # only the new deployment's samples, and its first crossing is told again
    assert (summary.reports, summary.notified) == (1, 1)
    _, reports = world.service.reports(Identity("alice"), "again-api")
    assert [r.rows for r in reports] == [40]


async def test_a_large_reference_is_cut_evenly(world: World) -> None:
    world.service.settings = DriftSettings(min_rows=30, max_rows=100)
    world.deploy("big-api")
    world.references.known[("churn-model", "1")] = Reference(
        "dataset", tuple(normal_rows(1_000, 0.0, seed=16))
    )
    await world.sample("big-api", "1", normal_rows(40, 0.0, seed=17))
    await world.service.run_once()
    report = world.store.last_drift_report("big-api", "1")
    assert report is not None and report.reference_rows == 100 and report.rows == 40


async def test_an_object_store_that_does_not_answer_fails_the_pass_not_the_job(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.deploy("down-api")
    _reference(world)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    world.service.objects = S3ObjectStore(
        f"http://127.0.0.1:{port}", "drift", access_key="k", secret_key=SECRET, retries=0
    )
    summary = await world.service.run_once()
    assert (summary.reports, summary.failed) == (0, 1)
    assert "down-api" in caplog.text and "unavailable" in caplog.text
    assert SECRET not in caplog.text
