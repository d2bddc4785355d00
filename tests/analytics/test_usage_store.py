"""Usage samples through the service on both databases: each pass's minutes land in their
days' sums as they are written (the sums equal the minutes), a minute written twice counts once,
retention deletes minutes but keeps days, who sees what, the idle GPU notification once per
stretch, and bad questions refused with their field."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.schema import USAGE_SUMS, usage_daily, usage_samples
from jupyterlab_mlplat.core.analytics import rules
from jupyterlab_mlplat.core.analytics.errors import GroupingInvalid, PeriodInvalid
from jupyterlab_mlplat.core.analytics.records import Period
from jupyterlab_mlplat.core.analytics.usage import GIB, WorkloadKind
from jupyterlab_mlplat.core.kernel.errors import Unavailable
from jupyterlab_mlplat.core.reviews.records import NotificationKind
from tests.analytics.conftest import ADAM, ALICE, BOB, CAROL, START, World, deployment, workspace

pytestmark = pytest.mark.asyncio

TWO_DAYS = Period(date(2026, 11, 30), date(2026, 12, 1))


def _raw(world: World) -> list[dict[str, object]]:
    with world.store.engine.connect() as connection:
        return [dict(r) for r in connection.execute(sa.select(usage_samples)).mappings()]


def _daily(world: World) -> dict[tuple[object, ...], dict[str, float]]:
    with world.store.engine.connect() as connection:
        rows = connection.execute(sa.select(usage_daily)).mappings().all()
    return {
        (str(r["day"]), r["kind"], r["owner"], r["name"], r["profile"]): {
            n: float(r[n]) for n in USAGE_SUMS
        }
        for r in rows
    }


async def test_daily_sums_equal_the_sum_of_the_minutes(world: World) -> None:
    world.source.running = [
        workspace("alice", cpu=2.0, used=1.0),
        workspace("bob", cpu=2.0, used=0.05),  # 2.5 % of its request: idle
        deployment("alice", "churn-api", cpu=1.0, used=0.5),
    ]
    for _ in range(3):  # 23:58 and 23:59 on the 30th, 00:00 on the 1st
        summary = await world.pass_()
    assert (summary.samples, summary.idle, summary.failed) == (3, 1, 0)

    raw = _raw(world)
    assert len(raw) == 9
    expected: dict[tuple[object, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in raw:
        day = datetime.fromtimestamp(int(r["minute"]), START.tzinfo).date().isoformat()  # type: ignore[arg-type]
        sums = expected[(day, r["kind"], r["owner"], r["name"], r["profile"])]
        m = float(r["minutes"])  # type: ignore[arg-type]
        sums["minutes"] += m
        sums["cpu_requested_core_minutes"] += float(r["cpu_requested"]) * m  # type: ignore[arg-type]
        sums["cpu_used_core_minutes"] += float(r["cpu_used"]) * m  # type: ignore[arg-type]
        sums["memory_requested_gib_minutes"] += int(r["memory_requested"]) / GIB * m  # type: ignore[call-overload]
        sums["memory_used_gib_minutes"] += int(r["memory_used"]) / GIB * m  # type: ignore[call-overload]
        sums["gpu_minutes"] += int(r["gpus"]) * m  # type: ignore[call-overload]
        sums["idle_minutes"] += m if r["idle"] else 0.0
        sums["idle_gpu_minutes"] += int(r["gpus"]) * m if r["idle"] else 0.0  # type: ignore[call-overload]
    daily = _daily(world)
    assert set(daily) == set(expected) and len(daily) == 6  # three workloads, two days
    for key, sums in expected.items():
        assert daily[key] == pytest.approx({n: sums[n] for n in USAGE_SUMS}), key

    report = world.service.usage(ADAM, TWO_DAYS, "person")
    rows = {row.key: row.figures for row in report.rows}
    assert list(rows) == ["alice", "bob"]  # most server hours first
    alice = rows["alice"]
    assert alice.server_hours == pytest.approx(6 / 60)  # a workspace and a deployment, 3 min
    assert alice.cpu_requested_core_hours == pytest.approx(3 * 3.0 / 60)
    assert alice.cpu_efficiency == pytest.approx(1.5 / 3.0)
    assert alice.memory_requested_gib_hours == pytest.approx(3 * 5 / 60)
    assert alice.memory_efficiency == pytest.approx(2.5 / 5)
    assert alice.idle_hours == 0
    assert rows["bob"].idle_hours == pytest.approx(3 / 60)
    assert [(d.day, round(d.figures.server_hours * 60)) for d in report.days] == [
        (date(2026, 11, 30), 6),
        (date(2026, 12, 1), 3),
    ]
    only = world.service.usage(ADAM, TWO_DAYS, "person", kind="deployment")
    assert [(r.key, r.figures.server_hours * 60) for r in only.rows] == [("alice", 3)]


async def test_a_minute_written_twice_counts_once(world: World) -> None:
    world.source.running = [workspace("alice")]
    await world.pass_()
    again = await world.service.sample_once()  # the same minute (two passes in one minute)
    assert again.samples == 0
    assert len(_raw(world)) == 1
    (sums,) = _daily(world).values()
    assert sums["minutes"] == 1.0


async def test_a_workload_that_asked_for_nothing_has_no_efficiency(world: World) -> None:
    world.source.running = [workspace("alice", cpu=0.0, used=0.2, memory=0, memory_used=GIB)]
    await world.pass_()
    (row,) = world.service.usage(ADAM, TWO_DAYS, "person").rows
    assert row.figures.cpu_efficiency is None and row.figures.memory_efficiency is None
    assert row.figures.idle_hours == 0  # it used CPU


async def test_retention_deletes_minutes_and_keeps_days(world: World) -> None:
    world.source.running = [workspace("alice"), workspace("bob")]
    await world.pass_()
    await world.pass_()
    assert len(_raw(world)) == 4

    summary = await world.pass_(minutes=15 * 24 * 60)  # fifteen days later: past 14 days
    assert summary.deleted == 4
    assert len(_raw(world)) == 2  # this pass's
    days = sorted({key[0] for key in _daily(world)})
    assert days == ["2026-11-30", "2026-12-15"]
    report = world.service.usage(ADAM, Period(date(2026, 11, 30), date(2026, 12, 15)), "person")
    assert {r.key: round(r.figures.server_hours * 60) for r in report.rows} == {
        "alice": 3,
        "bob": 3,
    }
    assert len(report.days) == 16  # every day of the period, the empty ones as zeros
    assert report.days[5].figures.server_hours == 0


async def test_who_sees_what(world: World) -> None:
    world.source.running = [
        workspace("alice", profile="cpu", used=1.0),
        workspace("bob", profile="gpu", gpus=1, used=0.0),
        workspace("carol", profile="cpu", used=0.5),
        deployment("bob", "fraud-api"),
    ]
    await world.pass_()
    await world.pass_()

    def keys(identity: object, by: str) -> dict[str, int]:
        report = world.service.usage(identity, TWO_DAYS, by)  # type: ignore[arg-type]
        return {r.key: round(r.figures.server_hours * 60) for r in report.rows}

    # per person: alice her own row only, never bob's alone; the admin everybody's
    assert keys(ALICE, "person") == {"alice": 2}
    assert keys(ADAM, "person") == {"bob": 4, "alice": 2, "carol": 2}
    # per team: alice's two teams, each every member's sum; bob only fraud's
    assert keys(ALICE, "team") == {"fraud": 6, "churn": 4}
    assert keys(BOB, "team") == {"fraud": 6}
    assert keys(CAROL, "team") == {"churn": 4}
    assert keys(ADAM, "team") == {"fraud": 6, "churn": 4}  # the admins' team used nothing
    # per profile and per day: their own usage only
    assert keys(BOB, "profile") == {"gpu": 2, "small": 2}
    assert keys(ALICE, "profile") == {"cpu": 2}
    assert keys(ADAM, "profile") == {"cpu": 4, "gpu": 2, "small": 2}
    mine = world.service.usage(ALICE, TWO_DAYS, "team")
    assert sum(d.figures.server_hours for d in mine.days) * 60 == pytest.approx(2)
    everyone = world.service.usage(ADAM, TWO_DAYS, "team")
    assert sum(d.figures.server_hours for d in everyone.days) * 60 == pytest.approx(8)

    # the idle list: bob's GPU workspace first (idle GPU hours), the admin sees it
    idle = world.service.idle_workloads(ADAM, TWO_DAYS)
    assert [(w.kind, w.owner, w.name, w.profile) for w in idle] == [
        (WorkloadKind.WORKSPACE, "bob", "", "gpu")
    ]
    assert idle[0].figures.idle_gpu_hours == pytest.approx(2 / 60)
    assert world.service.idle_workloads(ALICE, TWO_DAYS) == []
    assert len(world.service.idle_workloads(BOB, TWO_DAYS)) == 1


async def test_idle_list_orders_gpu_time_then_idle_time(world: World) -> None:
    world.source.running = [
        workspace("alice", name="long", used=0.0),
        workspace("alice", name="gpu", gpus=2, used=0.0),
        workspace("bob", used=0.0),
    ]
    await world.pass_()
    world.source.running = world.source.running[:1]
    await world.pass_()
    idle = world.service.idle_workloads(ADAM, TWO_DAYS, limit=2)
    assert [(w.owner, w.name) for w in idle] == [("alice", "gpu"), ("alice", "long")]
    assert idle[0].figures.idle_gpu_hours == pytest.approx(2 / 60)
    with pytest.raises(GroupingInvalid) as caught:
        world.service.idle_workloads(ADAM, TWO_DAYS, limit=0)
    assert caught.value.field == "limit"


async def test_idle_list_takes_the_servers_chosen_for_the_usage(world: World) -> None:
    """The Servers choice (workspaces, deployments) is the section's: the idle list showed
    every workspace beside a usage table of deployments only."""
    world.source.running = [
        workspace("alice", name="notebooks", used=0.0),
        deployment("alice", "churn-api", used=0.0),
    ]
    await world.pass_()
    await world.pass_()

    def names(kind: str) -> list[str]:
        return [w.name for w in world.service.idle_workloads(ADAM, TWO_DAYS, kind=kind)]

    assert sorted(names("all")) == ["churn-api", "notebooks"]
    assert names("deployment") == ["churn-api"]
    assert names("workspace") == ["notebooks"]
    with pytest.raises(GroupingInvalid) as caught:
        world.service.idle_workloads(ADAM, TWO_DAYS, kind="gpu")
    assert caught.value.field == "kind"


async def test_kernel_activity_is_not_idle(world: World) -> None:
    world.source.running = [workspace("alice", used=0.0, activity=START - timedelta(hours=1))]
    summary = await world.pass_()
    assert summary.idle == 1
    # the hub's record moved: the kernels ran in the interval, though the CPU was low
    world.source.running = [workspace("alice", used=0.0, activity=world.clock[0])]
    summary = await world.pass_()
    assert summary.idle == 0
    (row,) = [r for r in _raw(world) if r["minute"] == int(world.clock[0].timestamp()) // 60 * 60]
    assert row["active"] and not row["idle"]


async def test_the_owner_is_told_once_per_idle_gpu_stretch(world: World) -> None:
    world.settings["idle_gpu_notify_minutes"] = 3  # live: read at each pass
    held = workspace("alice", name="gpu", profile="gpu", gpus=1, used=0.0)
    busy = workspace("alice", name="gpu", profile="gpu", gpus=1, used=1.5)
    world.source.running = [held, workspace("bob", used=0.0)]  # bob's idle, but holds no GPU
    told = [(await world.pass_()).notified for _ in range(6)]
    assert told == [0, 0, 0, 1, 0, 0]  # idle for longer than 3 minutes, once

    notes = world.store.notifications("alice", [], after=0, limit=10)
    assert [(n.kind, n.workspace, n.comment, n.publication_id) for n in notes] == [
        (NotificationKind.GPU_IDLE, "gpu", "4", None)
    ]
    assert world.store.notifications("bob", [], after=0, limit=10) == []
    audit = [e for e in world.store.audit_entries() if e.action == "workspace.gpu_idle"]
    assert [(e.object_id, e.detail["minutes"]) for e in audit] == [("alice/gpu", 4)]

    world.source.running = [busy]  # used: the stretch ends
    await world.pass_()
    world.source.running = [held]  # a new stretch: told again once it is long enough
    told = [(await world.pass_()).notified for _ in range(5)]
    assert told == [0, 0, 0, 1, 0]
    assert len(world.store.notifications("alice", [], after=0, limit=10)) == 2

    world.settings["idle_cpu_fraction"] = 0.0  # nothing is idle by CPU now
    world.source.running = [held]
    assert (await world.pass_()).idle == 0


async def test_a_source_that_fails_is_counted_and_the_others_sampled(world: World) -> None:
    from tests.analytics.conftest import SetSource

    broken = SetSource(fail=Unavailable("the metrics API is not answering"))
    world.service.sources = (broken, world.source)
    world.source.running = [workspace("alice")]
    summary = await world.pass_()
    assert (summary.samples, summary.failed) == (1, 1)
    broken.fail = RuntimeError("a bug")
    summary = await world.pass_()
    assert (summary.samples, summary.failed) == (1, 1)


async def test_bad_questions_are_refused_naming_the_field(world: World) -> None:
    with pytest.raises(GroupingInvalid) as caught:
        world.service.usage(ALICE, TWO_DAYS, "department")
    assert (caught.value.field, caught.value.reason) == ("by", "grouping_invalid")
    assert caught.value.params["allowed"] == "team,profile,person"
    with pytest.raises(GroupingInvalid) as caught:
        world.service.usage(ALICE, TWO_DAYS, "team", kind="notebook")
    assert caught.value.field == "kind"
    with pytest.raises(PeriodInvalid) as wrong:
        rules.period("2026-12-02", "2026-12-01", today=date(2026, 12, 3))
    assert wrong.value.field == "to"
