"""Analytics benchmark: the Analytics tab's usage questions over 90 days of minute samples.

Why: issue 14 (item 8) asks aggregations over 90 days of minute samples for 50 people to
answer within 200 ms. The tab asks ``UsageService.usage`` per team, profile and person and
``UsageService.idle_workloads``; each reads the daily sums the sampler keeps as it writes, so
this measures whether that design holds at the seeds' scale (50 users, 30 at once).

The fixture goes through the sampler's own write path (``UsageTx.add_usage_samples``, a day's
minutes per transaction, then the retention's delete as each pass does): 50 people in 6 teams
(some in two), each with a workspace running 12 hours a day (8 of them on a GPU profile, idle
a third of the time), and 12 deployments always on: about 4.3 million minute samples over 90
days. It is kept (PostgreSQL: the database ``mlplat_bench_usage``; SQLite:
``.state/bench-usage.sqlite``) and reused; ``--rebuild`` refills.

Then each question is asked ``--requests`` times in-process (the service on the store, no
HTTP: the route adds parsing and JSON of a few dozen rows) over the whole 90 days, as an
admin (every row) and as a data scientist (her own and her teams'), and p50/p95 printed
against the goal.

    .venv/bin/python bench/analytics.py [--postgres-url URL] [--sqlite] [--rebuild]
        [--days 90] [--people 50] [--requests 50]

``--postgres-url`` defaults to $MLPLAT_TEST_POSTGRES_URL (``scripts/start-postgres``).
Figures are printed, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jupyterlab_mlplat.adapters.sql.schema import usage_daily, usage_samples  # noqa: E402
from jupyterlab_mlplat.adapters.sql.store import SqlStore  # noqa: E402
from jupyterlab_mlplat.core.accounts.records import UserRecord  # noqa: E402
from jupyterlab_mlplat.core.analytics.records import Period  # noqa: E402
from jupyterlab_mlplat.core.analytics.usage import (  # noqa: E402
    Observation,
    WorkloadKind,
    sample_of,
)
from jupyterlab_mlplat.core.analytics.usage_service import UsageService  # noqa: E402
from jupyterlab_mlplat.core.kernel.identity import Identity, Role  # noqa: E402

GOAL_MS = 200.0
GIB = 2**30
TEAMS = ("fraud", "churn", "vision", "nlp", "pricing", "platform")
DATABASE = "mlplat_bench_usage"
SQLITE = ROOT / ".state" / "bench-usage.sqlite"
#: the last day of the fixture (a fixed day: a reused fixture answers the same questions)
LAST_DAY = date(2026, 12, 2)


def say(text: str) -> None:
    print(text, flush=True)


def people(count: int) -> list[Identity]:
    rng = random.Random(14)
    found = []
    for i in range(count):
        teams = {TEAMS[i % len(TEAMS)]}
        if rng.random() < 0.2:
            teams.add(rng.choice(TEAMS))
        roles = (Role.DATA_SCIENTIST, Role.ADMIN) if i == 0 else (Role.DATA_SCIENTIST,)
        found.append(Identity(f"person{i:02d}", groups=tuple(sorted(teams)), roles=roles))
    return found


def fill(store: SqlStore, who: list[Identity], days: int) -> int:
    """The fixture through the sampler's write path, one day per transaction."""
    first = LAST_DAY - timedelta(days=days - 1)
    at = datetime.combine(first, datetime.min.time(), UTC)
    with store.transaction("bench") as tx:
        for person in who:
            tx.save_user(UserRecord(person.name, person.roles, person.groups, at, at))
    rng = random.Random(90)
    gpu_people = {p.name for p in who[:8]}
    # each person's 12 hours a day (a random start), each deployment always on
    starts = {p.name: rng.randrange(0, 12 * 60) for p in who}
    deployments = [(who[i * 4 % len(who)].name, f"model-{i:02d}") for i in range(12)]
    written = 0
    started = time.perf_counter()
    for day_index in range(days):
        day = first + timedelta(days=day_index)
        midnight = datetime.combine(day, datetime.min.time(), UTC)
        samples = []
        for minute in range(24 * 60):
            now = midnight + timedelta(minutes=minute)
            for person in who:
                offset = minute - starts[person.name]
                if not 0 <= offset < 12 * 60:
                    continue
                gpu = person.name in gpu_people
                idle = (offset // 60) % 3 == 2  # every third hour idle
                seen = Observation(
                    WorkloadKind.WORKSPACE,
                    "gpu" if gpu else "",
                    person.name,
                    "gpu-1" if gpu else ("cpu-large" if offset % 2 else "cpu-small"),
                    4.0 if gpu else 2.0,
                    16 * GIB if gpu else 4 * GIB,
                    1 if gpu else 0,
                    0.01 if idle else 1.2,
                    3 * GIB,
                )
                samples.append(
                    sample_of(seen, at=now, minutes=1.0, active=False, idle_cpu_fraction=0.05)
                )
            for owner, name in deployments:
                seen = Observation(
                    WorkloadKind.DEPLOYMENT, name, owner, "small", 1.0, GIB, 0, 0.3, GIB // 2
                )
                samples.append(
                    sample_of(seen, at=now, minutes=1.0, active=False, idle_cpu_fraction=0.05)
                )
        with store.transaction("bench") as tx:
            written += tx.add_usage_samples(samples)
            tx.delete_usage_samples_before(midnight - timedelta(days=13))
        if day_index % 10 == 9 or day_index == days - 1:
            rate = written / (time.perf_counter() - started)
            say(f"  day {day_index + 1}/{days}: {written:,} samples written ({rate:,.0f}/s)")
    return written


def counts(store: SqlStore) -> tuple[int, int]:
    with store.engine.connect() as connection:
        raw = connection.execute(sa.select(sa.func.count()).select_from(usage_samples))
        days = connection.execute(sa.select(sa.func.count()).select_from(usage_daily))
        return int(raw.scalar_one()), int(days.scalar_one())


def timed(call: Callable[[], object], requests: int) -> tuple[float, float]:
    call()  # warm: the connection pool, the statement cache
    took = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return statistics.median(took), took[max(0, int(len(took) * 0.95) - 1)]


def questions(store: SqlStore, who: list[Identity], days: int, requests: int) -> bool:
    service = UsageService(store, store)
    period = Period(LAST_DAY - timedelta(days=days - 1), LAST_DAY)
    admin, person = who[0], who[7]
    cases: list[tuple[str, Callable[[], object]]] = []
    for identity, label in ((admin, "admin"), (person, "data scientist")):
        for by in ("team", "profile", "person"):
            cases.append(
                (
                    f"usage by {by} ({label})",
                    lambda i=identity, b=by: service.usage(i, period, b),
                )
            )
        cases.append(
            (f"idle_workloads ({label})", lambda i=identity: service.idle_workloads(i, period))
        )
    report = service.usage(admin, period, "team")
    say(f"  (admin by team: {len(report.rows)} rows, {len(report.days)} days)")
    ok = True
    say(f"| question over {days} days | p50 ms | p95 ms | goal p95 <= {GOAL_MS:.0f} ms |")
    say("|---|--:|--:|---|")
    for label, call in cases:
        p50, p95 = timed(call, requests)
        passed = p95 <= GOAL_MS
        ok = ok and passed
        say(f"| {label} | {p50:.1f} | {p95:.1f} | {'pass' if passed else 'MISS'} |")
    return ok


def postgres(url: str, rebuild: bool) -> str:
    admin = sa.engine.make_url(url)
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        found = conn.execute(query, (DATABASE,)).fetchone() is not None
        if found and rebuild:
            conn.execute(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
            found = False
        if not found:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return admin.set(database=DATABASE).render_as_string(hide_password=False)


def run(name: str, url: str, args: argparse.Namespace) -> bool:
    say(f"\n## {name}")
    store = SqlStore.from_url(url)
    try:
        who = people(args.people)
        raw, days = counts(store)
        if days == 0:
            say(f"filling {args.days} days for {args.people} people (kept for the next run)")
            started = time.perf_counter()
            written = fill(store, who, args.days)
            say(f"  {written:,} samples in {time.perf_counter() - started:.0f} s")
            raw, days = counts(store)
        say(f"  kept: {raw:,} raw samples (the retention's 14 days), {days:,} daily rows")
        return questions(store, who, args.days, args.requests)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default=os.environ.get("MLPLAT_TEST_POSTGRES_URL", ""))
    parser.add_argument("--sqlite", action="store_true", help="SQLite as well")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    load = os.getloadavg()
    say(f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} ({os.cpu_count()} cores)")
    results = []
    if args.postgres_url:
        results.append(run("PostgreSQL", postgres(args.postgres_url, args.rebuild), args))
    else:
        say("no --postgres-url nor $MLPLAT_TEST_POSTGRES_URL: PostgreSQL skipped")
    if args.sqlite:
        SQLITE.parent.mkdir(parents=True, exist_ok=True)
        if args.rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        results.append(run("SQLite", f"sqlite:///{SQLITE}", args))
    load = os.getloadavg()
    say(f"\nload average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    say("PASS" if results and all(results) else "MISS (or nothing measured)")


if __name__ == "__main__":
    main()
