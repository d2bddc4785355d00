"""The traffic minutes in the real metadata store, on SQLite and on PostgreSQL: a gateway's
report stored once however often it is sent, minutes of deployments that are gone dropped,
series summed per version and step by the database, old minutes deleted, nothing audited, and
the analytics' figure (requests and errors per person and day) as one GROUP BY."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.schema import deployment_traffic
from jupyterlab_mlplat.core.deployments.errors import DeploymentNotFound
from jupyterlab_mlplat.core.deployments.traffic import TrafficRangeInvalid
from jupyterlab_mlplat.core.kernel.errors import TokenLacksAccess
from jupyterlab_mlplat.platform.traffic import TrafficPruneJob
from tests.traffic.conftest import ADAM, ALICE, BOB, GATEWAY, World, minute

M0 = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return M0 + timedelta(minutes=minutes)


def test_a_minute_sent_twice_or_by_two_gateways_is_counted_as_it_was(world: World) -> None:
    world.deploy()
    report = [minute(_at(0), 10, client_errors=2), minute(_at(1), 5, server_errors=1)]
    receipt = world.service.record(GATEWAY, "gw-a", report)
    assert (receipt.stored, receipt.unknown, receipt.expired) == (2, 0, 0)
    # the platform's answer was lost: the gateway sends the same minutes again
    assert world.service.record(GATEWAY, "gw-a", report).stored == 2
    # a second gateway process counted other requests of the same minute
    world.service.record(GATEWAY, "gw-b", [minute(_at(0), 3)])

    chart = world.service.chart(ALICE, "churn-api", since=M0.isoformat(), step="1m")
    [series] = chart.series
    assert series.version == "1"
    first, second = series.points
    assert (first.at, first.requests, first.client_errors) == (_at(0), 13, 2)
    assert (second.at, second.requests, second.server_errors) == (_at(1), 5, 1)
    assert first.p50_ms is not None and 3 < first.p50_ms <= 5


def test_steps_sum_minutes_per_version_and_versions_come_by_number(world: World) -> None:
    world.deploy()
    minutes = [minute(_at(m), 2, version="2", ms=40) for m in range(10)]
    minutes += [minute(_at(m), 8, version="10") for m in range(10)]
    minutes += [minute(_at(3), 4, version="", rate_limited=4)]
    world.service.record(GATEWAY, "gw-a", minutes)
    chart = world.service.chart(ALICE, "churn-api", since=M0.isoformat(), step="5m")
    assert [s.version for s in chart.series] == ["", "2", "10"]
    refused, canary, primary = chart.series
    assert [(p.at, p.requests) for p in primary.points] == [(_at(0), 40), (_at(5), 40)]
    assert [p.requests for p in canary.points] == [10, 10]
    assert canary.points[0].p95_ms is not None and 25 < canary.points[0].p95_ms <= 50
    assert [(p.rate_limited, p.p50_ms) for p in refused.points] == [(4, None)]
    # an hour's step: one point per version
    hourly = world.service.chart(ALICE, "churn-api", since=M0.isoformat(), step="1h")
    assert [[p.requests for p in s.points] for s in hourly.series] == [[4], [20], [80]]


def test_minutes_outside_the_range_are_left_out(world: World) -> None:
    world.deploy()
    world.service.record(GATEWAY, "gw-a", [minute(_at(m), 1) for m in range(0, 60, 10)])
    chart = world.service.chart(
        ALICE, "churn-api", since=_at(10).isoformat(), until=_at(30).isoformat(), step="1m"
    )
    assert [p.at for p in chart.series[0].points] == [_at(10), _at(20)]  # until is open


def test_a_minute_begun_is_in_a_chart_read_within_its_first_second(world: World) -> None:
    # the gateway counted requests at 11:10:00.2; the owner's chart is read at 11:10:00.6
    world.deploy()
    world.service.record(GATEWAY, "gw-a", [minute(_at(9), 2), minute(_at(10), 3)])
    read_at = _at(10) + timedelta(milliseconds=600)
    chart = world.service.chart(
        ALICE, "churn-api", since=_at(9).isoformat(), until=read_at.isoformat(), step="1m"
    )
    assert [(p.at, p.requests) for p in chart.series[0].points] == [(_at(9), 2), (_at(10), 3)]


def test_minutes_of_a_deployment_that_is_gone_are_dropped_and_its_successor_starts_empty(
    world: World,
) -> None:
    world.deploy()
    world.service.record(GATEWAY, "gw-a", [minute(_at(0), 7)])
    receipt = world.service.record(GATEWAY, "gw-a", [minute(_at(0), 1, deployment="nothing")])
    assert (receipt.stored, receipt.unknown) == (0, 1)
    world.stop()
    assert world.service.record(GATEWAY, "gw-a", [minute(_at(1), 1)]).unknown == 1
    # bob takes the free name: alice's traffic is not his
    world.deploy(owner="bob")
    assert world.service.chart(BOB, "churn-api", since=M0.isoformat()).series == []
    world.service.record(GATEWAY, "gw-a", [minute(_at(2), 2)])
    [series] = world.service.chart(BOB, "churn-api", since=M0.isoformat()).series
    assert [p.requests for p in series.points] == [2]


def test_only_the_owner_and_admins_read_a_deployments_traffic(world: World) -> None:
    world.deploy()
    world.service.record(GATEWAY, "gw-a", [minute(_at(0), 7)])
    assert world.service.chart(ADAM, "churn-api", since=M0.isoformat()).series
    spellings = ((BOB, "churn-api"), (ALICE, "nothing"), (ALICE, "Churn-API"), (ALICE, "x\0"))
    for who, name in (*spellings, (GATEWAY, "churn-api")):
        with pytest.raises(DeploymentNotFound):
            world.service.chart(who, name, since=M0.isoformat())
    with pytest.raises(TokenLacksAccess):  # a person cannot report traffic
        world.service.record(ALICE, "gw-a", [minute(_at(0), 1)])
    with pytest.raises(TrafficRangeInvalid):
        world.service.chart(ALICE, "churn-api", since="yesterday")


def test_old_minutes_are_deleted_and_none_of_it_is_audited(world: World) -> None:
    world.deploy()
    before = len(world.store.audit_entries(limit=1000))
    world.service.record(GATEWAY, "gw-a", [minute(_at(0), 1), minute(_at(59), 1)])
    world.service.chart(ALICE, "churn-api", since=M0.isoformat())
    # a month later (the retention is 30 days) the first minute goes, the other stays
    world.clock[0] = _at(30) + timedelta(days=30)
    assert world.service.prune() == 1
    assert world.service.prune() == 0
    assert len(world.store.audit_entries(limit=1000)) == before
    with world.store.engine.connect() as connection:
        left = connection.execute(sa.select(deployment_traffic.c.minute)).scalars().all()
    assert left == [int(_at(59).timestamp())]


def test_requests_and_errors_per_person_and_day_are_one_group_by(world: World) -> None:
    """What issue 14's analytics will ask: requests served and errors per person and day."""
    world.deploy()
    world.deploy("bob-api", owner="bob")
    world.service.record(
        GATEWAY,
        "gw-a",
        [
            minute(_at(0), 10, client_errors=1),
            minute(_at(1), 5, server_errors=2),
            minute(_at(0), 4, deployment="bob-api"),
        ],
    )
    t = deployment_traffic.c
    day = (t.minute - t.minute % 86400).label("day")
    query = (
        sa.select(
            t.owner,
            day,
            sa.func.sum(t.requests),
            sa.func.sum(t.client_errors + t.server_errors + t.rate_limited),
        )
        .group_by(t.owner, day)
        .order_by(t.owner)
    )
    with world.store.engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(query)]
    midnight = int(datetime(2026, 12, 3, tzinfo=UTC).timestamp())
    assert rows == [("alice", midnight, 15, 3), ("bob", midnight, 4, 0)]


def test_the_prune_job_deletes_past_the_retention_and_stops_cleanly(world: World) -> None:
    """The platform's periodic pass, as the job runs it (off the event loop, a failure logged)."""
    world.deploy()
    world.service.record(GATEWAY, "gw-a", [minute(_at(0), 1)])
    world.clock[0] = _at(0) + timedelta(days=31)
    job = TrafficPruneJob(world.service, interval=3600)
    assert asyncio.run(job.run_pass()) == 1
    assert (job.passes, asyncio.run(job.run_pass())) == (1, 0)
    job.stop()  # never started: nothing to cancel
