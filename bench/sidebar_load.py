"""Sidebar load benchmark: N people with running workspaces use the sidebar at once.

Why: the first customer has 30 people working at once (DESIGN.md). Each of them keeps the
sidebar open: the experiment list, a runs page, a run, a comparison, the Git tab, the profiles,
the platform's health. Those requests reach MLflow through the person's server and the hub's
MLflow gateway, and MLflow answered them with one worker process, so at 30 people the runs page
waited for other people's searches. This benchmark measures what a person waits for.

The stack is the real embedded workbench, started and signed into exactly as
``bench/spawn_storm.py`` does (its machinery is imported, not copied): the OIDC provider, the
hub, the proxy, the platform, MLflow and its gateway, and one single-user server per person.
A fixture of shared experiments with runs (params, metrics with histories) is logged first,
through the gateway, as one of the people.

Then a mixed sidebar workload is sent through the proxy at a fixed rate (open loop: requests
start on schedule whether or not the earlier ones have been answered, so a slow server shows as
waiting, never as fewer requests), each request as a random person with their own token:

- ours: the sidebar API of the person's server (``/user/NAME/jupyterlab-mlplat/...``);
- peer, in the same run on the same stack: the same schedule, with each MLflow call of the
  sidebar replaced by the call MLflow's own UI makes for it, straight to MLflow's REST API
  through the gateway (``/services/mlflow/api/2.0/mlflow/...``); the platform's calls stay.

Latency is counted from the scheduled start. The report gives p50/p95/p99 and errors per
endpoint and overall, and PASS/MISS against the issue's goals (30 people: p95 ≤ 150 ms overall,
runs page ≤ 250 ms, no error; 60 people: no endpoint beyond 1 s).

    .venv/bin/python bench/sidebar_load.py [--users 30] [--rate 30] [--seconds 60]
        [--small-profile]

``--small-profile`` (needed past ~35 people on one machine, whose capacity check refuses more
1 GiB ``cpu-small`` servers): the run's admin creates a profile with a 0.25 GiB guarantee through
the platform's admin API first, and everyone's workspace uses it (``spawn_storm.py``'s).

The bench client runs on the same two cores as the stack; ``uptime`` is printed before and after.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import pwd
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402
import spawn_storm  # noqa: E402  (the stack, the sign-in, the spawn, the leftover check)
from spawn_storm import (  # noqa: E402
    MARKER,
    CpuSnapshot,
    CpuUse,
    Outcome,
    Problem,
    all_processes,
    attempt,
    cpu_between,
    embedded_stack,
    end,
    leftovers,
    machine_ticks,
    say,
    sign_in,
    spawn_and_open,
    stop_servers,
)

from jupyterlab_mlplat.core.kernel.naming import system_account  # noqa: E402

STATE = ROOT / ".state" / "bench-sidebar-load"
REQUEST_TIMEOUT = 30.0
EXPERIMENTS, RUNS, PARAMS, METRICS, STEPS = 6, 60, 5, 5, 10
#: endpoint → weight of the mixed workload (what an open sidebar asks for, roughly how often)
MIX = {
    "experiments list": 20,
    "runs page": 25,
    "run page": 12,
    "metric history": 8,
    "compare": 5,
    "git status": 12,
    "profiles": 8,
    "health": 10,
}
#: MLflow's tracking and permission engine answers these (the others are the platform's or git)
MLFLOW_ENDPOINTS = {"experiments list", "runs page", "run page", "metric history", "compare"}


#: who spent the CPU (the first key found in a process's command line names it)
ROLES = [
    ("jupyterhub-singleuser", "single-user servers"),
    ("configurable-http-proxy", "proxy (CHP)"),
    ("mlplat-platform", "platform service"),
    ("mlplat-mlflow-gateway", "MLflow gateway"),
    ("mlflow", "MLflow server"),
    ("provider.mjs", "OIDC provider"),
    ("jupyterhub_idle_culler", "idle culler"),
    ("jupyterhub", "hub"),
]


def snapshot(marker: str, me_label: str) -> CpuSnapshot:
    """spawn_storm's snapshot, with MLflow and its gateway told apart."""
    procs = all_processes()

    def name(pid: int) -> str:
        # uvicorn's workers are bare "multiprocessing.spawn" children: they count as their parent
        for _ in range(8):
            proc = procs.get(pid)
            if proc is None:
                return "other"
            found = next((label for key, label in ROLES if key in proc.cmdline), None)
            if found:
                return found
            pid = proc.ppid
        return "other"

    ticks = {p.pid: (name(p.pid), p.ticks) for p in spawn_storm.ours(procs, marker)}
    me = procs.get(os.getpid())
    if me is not None:
        ticks[me.pid] = (me_label, me.ticks)
    busy, total = machine_ticks()
    return CpuSnapshot(ticks, busy, total, time.monotonic())


@dataclass
class Person:
    name: str
    token: str


@dataclass
class Fixture:
    experiments: list[str]
    runs: dict[str, list[str]]


@dataclass
class Sample:
    endpoint: str
    seconds: float
    error: str = ""


@dataclass
class Phase:
    name: str
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    late_starts: int = 0
    cpu: CpuUse | None = None


_local = threading.local()


def http() -> requests.Session:
    """One connection pool per client thread (``requests.Session`` is not thread-safe)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def person_token(url: str, outcome: Outcome) -> str:
    """A token of the person's own, as the sidebar's server would hold one."""
    return spawn_storm.hub_token(url, outcome, "sidebar load benchmark")


def mlflow(url: str, token: str, method: str, path: str, **kwargs: object) -> dict[str, Any]:
    response = http().request(
        method,
        f"{url}/services/mlflow/api/2.0/mlflow/{path}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=REQUEST_TIMEOUT,
        **kwargs,  # type: ignore[arg-type]
    )
    if response.status_code != 200:
        raise Problem(f"MLflow {path}: {response.status_code} {response.text[:200]}")
    return response.json()  # type: ignore[no-any-return]


def log_fixture(url: str, owner: Person) -> Fixture:
    """Shared experiments of runs with params, metrics (two with histories) and tags, logged
    as a person would (through the gateway), run by run with a batch each."""
    prefix = f"load-{secrets.token_hex(3)}"
    experiments: list[str] = []
    runs: dict[str, list[str]] = {}
    rng = random.Random(7)
    now = int(time.time() * 1000)

    def one_run(experiment: str, index: int) -> str:
        started = now - (RUNS - index) * 60_000
        run = mlflow(
            url,
            owner.token,
            "POST",
            "runs/create",
            json={"experiment_id": experiment, "run_name": f"run-{index}", "start_time": started},
        )["run"]["info"]["run_id"]
        assert isinstance(run, str)
        metrics = [
            {"key": f"m{k}", "value": rng.random(), "timestamp": started, "step": 0}
            for k in range(2, METRICS)
        ]
        for step in range(STEPS):
            for key in ("loss", "rmse"):
                value = rng.random() / (step + 1)
                metrics.append({"key": key, "value": value, "timestamp": started, "step": step})
        mlflow(
            url,
            owner.token,
            "POST",
            "runs/log-batch",
            json={
                "run_id": run,
                "params": [{"key": f"p{k}", "value": str(rng.randint(1, 99))} for k in range(5)],
                "metrics": metrics,
            },
        )
        mlflow(
            url,
            owner.token,
            "POST",
            "runs/update",
            json={"run_id": run, "status": "FINISHED", "end_time": started + 30_000},
        )
        return run

    started = time.perf_counter()
    for e in range(EXPERIMENTS):
        experiment = mlflow(
            url, owner.token, "POST", "experiments/create", json={"name": f"{prefix}-{e}"}
        )["experiment_id"]
        experiments.append(experiment)
        with ThreadPoolExecutor(4) as pool:
            runs[experiment] = list(pool.map(lambda i, x=experiment: one_run(x, i), range(RUNS)))
    say(
        f"fixture: {EXPERIMENTS} experiments x {RUNS} runs logged in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return fixture_checked(url, owner, Fixture(experiments, runs))


def fixture_checked(url: str, owner: Person, fixture: Fixture) -> Fixture:
    found = mlflow(
        url,
        owner.token,
        "POST",
        "runs/search",
        json={"experiment_ids": fixture.experiments, "max_results": 1000},
    )
    count = len(found.get("runs", []))
    if count != EXPERIMENTS * RUNS:
        raise Problem(f"the fixture holds {count} runs, not {EXPERIMENTS * RUNS}")
    return fixture


# --------------------------------------------------------------------------- the calls


def ours(url: str, person: Person, path: str, params: object = None) -> requests.Response:
    return http().get(
        f"{url}/user/{person.name}/jupyterlab-mlplat/{path}",
        params=params,  # type: ignore[arg-type]
        headers={"Authorization": f"token {person.token}"},
        timeout=REQUEST_TIMEOUT,
    )


def peer(url: str, person: Person, method: str, path: str, **kwargs: object) -> requests.Response:
    return http().request(
        method,
        f"{url}/services/mlflow/api/2.0/mlflow/{path}",
        headers={"Authorization": f"Bearer {person.token}"},
        timeout=REQUEST_TIMEOUT,
        **kwargs,  # type: ignore[arg-type]
    )


def runs_query(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    sort = rng.choice(["start_time", "start_time", "metric:rmse"])
    query = [("sort", sort), ("max_results", "25"), ("column", "metric:rmse")]
    query += [("column", "metric:loss"), ("column", "param:p0")]
    return sort, query


def call(
    kind: str, endpoint: str, url: str, person: Person, fixture: Fixture, rng: random.Random
) -> requests.Response:
    """One request of the sidebar (``ours``), or MLflow's own equivalent (``peer``)."""
    experiment = rng.choice(fixture.experiments)
    run = rng.choice(fixture.runs[experiment])
    if kind == "peer" and endpoint in MLFLOW_ENDPOINTS:
        if endpoint == "experiments list":
            return peer(
                url,
                person,
                "POST",
                "experiments/search",
                json={"max_results": 50, "order_by": ["last_update_time DESC"]},
            )
        if endpoint == "runs page":
            sort, _ = runs_query(rng)
            order = "attributes.start_time DESC" if sort == "start_time" else "metrics.rmse DESC"
            return peer(
                url,
                person,
                "POST",
                "runs/search",
                json={"experiment_ids": [experiment], "max_results": 25, "order_by": [order]},
            )
        if endpoint == "run page":
            return peer(url, person, "GET", "runs/get", params={"run_id": run})
        if endpoint == "metric history":
            return peer(
                url,
                person,
                "GET",
                "metrics/get-history",
                params={"run_id": run, "metric_key": "loss"},
            )
        # compare: MLflow's UI fetches each run, then each metric's history
        other = rng.choice(fixture.runs[experiment])
        last = None
        for rid in (run, other):
            last = peer(url, person, "GET", "runs/get", params={"run_id": rid})
            if last.status_code != 200:
                return last
        for rid in (run, other):
            for key in ("loss", "rmse"):
                last = peer(
                    url,
                    person,
                    "GET",
                    "metrics/get-history",
                    params={"run_id": rid, "metric_key": key},
                )
                if last.status_code != 200:
                    return last
        assert last is not None
        return last
    if endpoint == "experiments list":
        return ours(url, person, "mlflow/experiments")
    if endpoint == "runs page":
        _, query = runs_query(rng)
        return ours(url, person, f"mlflow/experiments/{experiment}/runs", query)
    if endpoint == "run page":
        return ours(url, person, f"mlflow/runs/{run}")
    if endpoint == "metric history":
        return ours(url, person, f"mlflow/runs/{run}/metric-history", {"key": "loss"})
    if endpoint == "compare":
        other = rng.choice([r for r in fixture.runs[experiment] if r != run])
        return ours(url, person, "mlflow/compare", [("run_id", run), ("run_id", other)])
    if endpoint == "git status":
        return ours(url, person, "git/status")
    if endpoint == "profiles":
        return ours(url, person, "profiles")
    if endpoint == "health":
        return ours(url, person, "health")
    raise ValueError(endpoint)


#: what a healthy answer is, per endpoint (git status of a home that is no repository is an
#: answer too)
OK_STATUS = {"git status": (200, 404, 409)}


def drive(
    kind: str,
    url: str,
    people: list[Person],
    fixture: Fixture,
    rate: float,
    seconds: float,
    seed: int,
) -> Phase:
    """Send ``rate`` requests a second for ``seconds``, each started on its schedule."""
    phase = Phase(kind)
    rng = random.Random(seed)
    endpoints = list(MIX)
    weights = [MIX[e] for e in endpoints]
    total = int(rate * seconds)
    plan = [
        (i / rate, rng.choice(people), rng.choices(endpoints, weights)[0], rng.random())
        for i in range(total)
    ]
    lock = threading.Lock()

    def one(scheduled: float, person: Person, endpoint: str, salt: float) -> None:
        local = random.Random(salt)
        error = ""
        try:
            response = call(kind, endpoint, url, person, fixture, local)
            if response.status_code not in OK_STATUS.get(endpoint, (200,)):
                error = f"{response.status_code} {response.text[:120]}"
        except Exception as failure:  # a timeout, a refused connection: an error of the run
            error = f"{type(failure).__name__}: {str(failure)[:120]}"
        with lock:
            phase.samples.append(Sample(endpoint, time.perf_counter() - scheduled, error))

    say(f"{kind}: {total} requests at {rate:g}/s for {seconds:g} s")
    marker = f"{MARKER}={os.environ[MARKER]}"
    before = snapshot(marker, "bench client")
    with ThreadPoolExecutor(max(16, int(rate * 4))) as pool:
        start = time.perf_counter()
        for offset, person, endpoint, salt in plan:
            at = start + offset
            delay = at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.05:
                phase.late_starts += 1
            pool.submit(one, at, person, endpoint, salt)
    phase.wall = time.perf_counter() - start
    phase.cpu = cpu_between(before, snapshot(marker, "bench client"))
    return phase


# --------------------------------------------------------------------------- report


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def row(name: str, samples: list[Sample]) -> str:
    ms = [s.seconds * 1000 for s in samples]
    errors = sum(1 for s in samples if s.error)
    if not ms:
        return f"  {name:<18} {0:>6}"
    return (
        f"  {name:<18} {len(ms):>6} {statistics.median(ms):>8.0f} {pct(ms, 0.95):>8.0f} "
        f"{pct(ms, 0.99):>8.0f} {max(ms):>8.0f} {errors:>7}"
    )


def report(phases: list[Phase], users: int, rate: float, load: tuple[str, str]) -> None:
    print()
    print(
        f"Sidebar load: {users} people, {rate:g} requests/s; {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{os.cpu_count()} cores (milliseconds from the scheduled start)"
    )
    print(f"  load before: {load[0]}")
    print(f"  load after:  {load[1]}")
    for phase in phases:
        by: dict[str, list[Sample]] = defaultdict(list)
        for sample in phase.samples:
            by[sample.endpoint].append(sample)
        done = len(phase.samples) / phase.wall if phase.wall else 0.0
        print(
            f"\n{phase.name}: {len(phase.samples)} requests in {phase.wall:.0f} s "
            f"({done:.1f}/s answered; {phase.late_starts} started late by the client)"
        )
        print(
            f"  {'endpoint':<18} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'errors':>7}"
        )
        for endpoint in MIX:
            print(row(endpoint, by[endpoint]))
        print(row("overall", phase.samples))
        if phase.cpu is not None:
            parts = ", ".join(
                f"{name} {secs:.1f}"
                for name, secs in sorted(phase.cpu.by_role.items(), key=lambda kv: -kv[1])
                if secs >= 0.05
            )
            print(
                f"  CPU seconds ({phase.cpu.wall:.0f} s wall, machine "
                f"{phase.cpu.machine_busy:.0%} busy): {parts}"
            )
            # what one request costs, whatever else the machine does: the capacity of two
            # idle cores is 2 / (the stack's CPU per request)
            stack = sum(v for k, v in phase.cpu.by_role.items() if k != "bench client")
            per = {k: v / len(phase.samples) * 1000 for k, v in phase.cpu.by_role.items()}
            print(
                f"  CPU per request: the stack {stack / len(phase.samples) * 1000:.1f} ms "
                f"(MLflow server {per.get('MLflow server', 0.0):.1f} ms, gateway "
                f"{per.get('MLflow gateway', 0.0):.1f} ms, single-user servers "
                f"{per.get('single-user servers', 0.0):.1f} ms, proxy "
                f"{per.get('proxy (CHP)', 0.0):.1f} ms); two idle cores would serve "
                f"~{2 / (stack / len(phase.samples)):.0f} requests/s"
            )
        errors = [s for s in phase.samples if s.error]
        for text in list(dict.fromkeys(f"{s.endpoint}: {s.error}" for s in errors))[:5]:
            print(f"    {text}")
    mine = next((p for p in phases if p.name == "ours"), None)
    if mine is None:
        return
    ms: dict[str, list[float]] = defaultdict(list)
    for sample in mine.samples:
        ms[sample.endpoint].append(sample.seconds * 1000)
    overall = [s.seconds * 1000 for s in mine.samples]
    failed = sum(1 for s in mine.samples if s.error)
    print()
    if users <= 30:
        goals = [
            ("overall p95 ≤ 150 ms", pct(overall, 0.95) <= 150),
            ("runs page p95 ≤ 250 ms", bool(ms["runs page"]) and pct(ms["runs page"], 0.95) <= 250),
            ("0 errors", failed == 0),
        ]
    else:
        worst = max((pct(v, 0.95), k) for k, v in ms.items() if v)
        goals = [
            (f"no endpoint beyond 1 s p95 (worst: {worst[1]} {worst[0]:.0f} ms)", worst[0] <= 1000)
        ]
    for text, met in goals:
        print(f"{'PASS' if met else 'MISS'} {text}")


# --------------------------------------------------------------------------- the run


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def bring_in(url: str, users: list[str], parallel: int) -> tuple[list[Person], list[Outcome]]:
    """Everyone signs in and starts a workspace, ``parallel`` at a time (not a storm: that is
    spawn_storm's question), and gets a token."""
    outcomes = [Outcome(u) for u in users]

    def enter(outcome: Outcome) -> None:
        attempt(outcome, lambda: sign_in(url, outcome))
        if not outcome.error:
            attempt(outcome, lambda: spawn_and_open(url, outcome, 600))

    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(enter, outcomes))
    failed = [o for o in outcomes if o.error]
    if failed:
        raise Problem("; ".join(f"{o.user}: {o.error}" for o in failed[:5]))
    say(f"{len(users)} people in JupyterLab in {time.perf_counter() - started:.0f} s")
    return [Person(o.user, person_token(url, o)) for o in outcomes], outcomes


def remove_accounts(users: list[str]) -> None:
    """The system accounts the embedded hub made for this run's people (when it runs as root),
    so that runs do not pile them up on the machine."""
    for user in users:
        account = system_account(user)
        with contextlib.suppress(KeyError):
            pwd.getpwnam(account)
            subprocess.run(["userdel", account], capture_output=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=30, help="people with a running server")
    parser.add_argument("--rate", type=float, default=None, help="requests/s (1 per person)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase")
    parser.add_argument("--spawn-parallel", type=int, default=6, help="spawns at a time")
    parser.add_argument("--no-peer", action="store_true", help="skip MLflow's own calls")
    parser.add_argument(
        "--small-profile",
        action="store_true",
        help="an admin creates a profile with a 0.25 GiB guarantee, and everyone spawns it "
        "(more than ~35 people on one machine)",
    )
    args = parser.parse_args()
    rate = args.rate or float(args.users)

    os.environ[MARKER] = secrets.token_hex(8)
    marker = f"{MARKER}={os.environ[MARKER]}"
    spawn_storm.STATE = STATE  # the leftover check looks under this run's own folder
    shutil.rmtree(STATE, ignore_errors=True)
    (STATE / "embedded").mkdir(parents=True)
    users = [f"load{i:02d}" for i in range(1, args.users + 1)]
    phases: list[Phase] = []
    load = ["", ""]
    failed = False
    try:
        with embedded_stack(STATE / "embedded", users) as stack:
            say(f"stack up in {stack.hub_started_s:.1f} s at {stack.url}")
            if args.small_profile:
                spawn_storm.PROFILE = spawn_storm.create_small_profile(stack.url)
                say(f"everyone spawns {spawn_storm.PROFILE}, made through the admin API")
            people, outcomes = bring_in(stack.url, users, args.spawn_parallel)
            fixture = log_fixture(stack.url, people[0])
            # warm every server's first MLflow call (its HTTP client, the gateway's token cache)
            drive("warm-up", stack.url, people, fixture, rate, 10, seed=1)
            time.sleep(3)
            load[0] = uptime()
            phases.append(drive("ours", stack.url, people, fixture, rate, args.seconds, seed=2))
            if not args.no_peer:
                time.sleep(3)
                phases.append(drive("peer", stack.url, people, fixture, rate, args.seconds, seed=2))
            load[1] = uptime()
            with contextlib.suppress(Problem):
                stop_servers(stack.url, outcomes)
    except Exception as error:
        say(f"the run failed: {type(error).__name__}: {error}")
        failed = True
    finally:
        left = leftovers(marker)
        if left:
            say(f"{len(left)} processes of this run left over; ending them")
            end(left)
        remove_accounts(users)
    if phases:
        report(phases, args.users, rate, (load[0], load[1]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
