"""What one sidebar request costs the person's server: CPU milliseconds per request, per endpoint.

Why: in bench/sidebar_load.py a person's server spent 4.2 ms of CPU per sidebar request where
the same screens, asked of MLflow straight, cost the path 1.1 ms (bench/README.md). That run
needs the whole workbench and thirty servers; this one isolates the person's server, so a
change to it can be measured on a busy machine (CPU per request moves far less with the
machine's load than latency does) and profiled.

The server is started as the embedded hub starts it (tests/standins/singleuser: the hub's
command, arguments and environment, a stand-in of the hub's API), with ``MLFLOW_TRACKING_URI``
pointing at a real MLflow server this script starts (SQLite, one worker, no auth app: the
gateway and MLflow's permission engine are not what is measured here). A fixture like
sidebar_load's (experiments of 60 runs, 5 params, 5 metrics, two with 10 steps) is logged first.
Then each endpoint of the Experiments tab, plus git status and health for the floor, is asked
``--requests`` times one after another with the person's token, and the server's CPU (from
``/proc``) is divided by the requests.

    .venv/bin/python bench/server_requests.py [--requests 200] [--profile FILE]
        [--other-tree DIR]

``--profile FILE`` runs the server under cProfile with a CPU clock and writes its statistics
(``python -m pstats FILE``). ``--other-tree DIR`` measures a second copy of the code (a folder
holding ``jupyterlab_mlplat`` and ``server_ext``, e.g. from ``git archive``), alternating with
this tree, for a before/after in the same minutes. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the server is started by the tests' own helper
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.standins import singleuser  # noqa: E402

EXPERIMENTS, RUNS, METRICS, STEPS = 2, 60, 5, 10
ENDPOINTS = [
    "experiments list",
    "runs page",
    "run page",
    "metric history",
    "compare",
    "git status",
    "health",
]
#: runs the server's entry point under cProfile with a CPU clock; statistics written at exit
PROFILED = """
import atexit, cProfile, runpy, sys, time
out = sys.argv.pop(1)
profile = cProfile.Profile(time.process_time)
atexit.register(lambda: (profile.disable(), profile.dump_stats(out)))
sys.argv[0] = "jupyterhub-singleuser"
profile.enable()
runpy.run_module("jupyterhub.singleuser", run_name="__main__", alter_sys=True)
"""


def cpu_ms(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def start_mlflow(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = singleuser.free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    proc = subprocess.Popen(
        [
            str(singleuser.VENV_BIN / "mlflow"),
            "server",
            "--backend-store-uri",
            f"sqlite:///{work / 'mlflow.sqlite'}",
            "--serve-artifacts",
            "--artifacts-destination",
            str(work / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--allowed-hosts",
            f"127.0.0.1:{port},localhost:{port}",
            "--workers",
            "1",
        ],
        env=env,
        stdout=(work / "mlflow.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return proc, url
        except requests.ConnectionError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    stop(proc)
    raise SystemExit(f"MLflow did not start; see {work / 'mlflow.log'}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def log_fixture(url: str) -> dict[str, list[str]]:
    """Experiments of runs as sidebar_load logs them: 5 params, 3 single-value metrics and
    ``loss``/``rmse`` with 10 steps each."""
    api = f"{url}/api/2.0/mlflow/"
    rng = random.Random(7)
    now = int(time.time() * 1000)

    def call(path: str, **body: Any) -> dict[str, Any]:
        answer = requests.post(api + path, json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def one_run(experiment: str, index: int) -> str:
        started = now - (RUNS - index) * 60_000
        created = call("runs/create", experiment_id=experiment, start_time=started)
        run = str(created["run"]["info"]["run_id"])
        metrics = [
            {"key": f"m{k}", "value": rng.random(), "timestamp": started, "step": 0}
            for k in range(2, METRICS)
        ]
        metrics += [
            {"key": key, "value": rng.random() / (step + 1), "timestamp": started, "step": step}
            for step in range(STEPS)
            for key in ("loss", "rmse")
        ]
        params = [{"key": f"p{k}", "value": str(rng.randint(1, 99))} for k in range(5)]
        call("runs/log-batch", run_id=run, params=params, metrics=metrics)
        call("runs/update", run_id=run, status="FINISHED", end_time=started + 30_000)
        return run

    runs: dict[str, list[str]] = {}
    for e in range(EXPERIMENTS):
        experiment = str(call("experiments/create", name=f"requests-{e}-{now}")["experiment_id"])
        with ThreadPoolExecutor(4) as pool:
            runs[experiment] = list(pool.map(lambda i, x=experiment: one_run(x, i), range(RUNS)))
    return runs


def asker(
    base: str, session: requests.Session, runs: dict[str, list[str]]
) -> Callable[[str, random.Random], requests.Response]:
    """One request of the sidebar per endpoint, as sidebar_load sends them."""

    def ask(endpoint: str, rng: random.Random) -> requests.Response:
        experiment = rng.choice(list(runs))
        run = rng.choice(runs[experiment])
        if endpoint == "experiments list":
            return session.get(f"{base}mlflow/experiments")
        if endpoint == "runs page":
            sort = rng.choice(["start_time", "start_time", "metric:rmse"])
            query = [("sort", sort), ("max_results", "25"), ("column", "metric:rmse")]
            query += [("column", "metric:loss"), ("column", "param:p0")]
            return session.get(f"{base}mlflow/experiments/{experiment}/runs", params=query)
        if endpoint == "run page":
            return session.get(f"{base}mlflow/runs/{run}")
        if endpoint == "metric history":
            return session.get(f"{base}mlflow/runs/{run}/metric-history", params={"key": "loss"})
        if endpoint == "compare":
            other = rng.choice([r for r in runs[experiment] if r != run])
            return session.get(f"{base}mlflow/compare", params=[("run_id", run), ("run_id", other)])
        if endpoint == "git status":
            return session.get(f"{base}git/status")
        if endpoint == "health":
            return session.get(f"{base}health")
        raise ValueError(endpoint)

    return ask


def one_server(
    work: Path,
    name: str,
    mlflow_url: str,
    runs: dict[str, list[str]],
    count: int,
    tree: Path | None,
    profile: Path | None,
) -> dict[str, float]:
    """Start a person's server, ask every endpoint ``count`` times; CPU ms per request."""
    token = singleuser.new_token()
    home = work / f"home-{name}"
    home.mkdir()
    with singleuser.hub_api(token) as hub_url:
        launch = singleuser.environment(hub_url, home, token)
        launch.env["MLFLOW_TRACKING_URI"] = mlflow_url
        if tree is not None:
            launch.env["PYTHONPATH"] = f"{tree}:{tree / 'server_ext'}"
        command = singleuser.command()
        if profile is not None:
            at = command.index(str(singleuser.VENV_BIN / "jupyterhub-singleuser"))
            command[at : at + 1] = [sys.executable, "-c", PROFILED, str(profile)]
        log = (work / f"server-{name}.log").open("wb")
        proc = subprocess.Popen(
            command, env=launch.env, cwd=home, stdout=log, stderr=subprocess.STDOUT
        )
        session = requests.Session()
        session.headers["Authorization"] = f"token {token}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server did not start; see {log.name}")
                try:
                    if session.get(f"{launch.url}api/status", timeout=10).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                time.sleep(0.1)
            ask = asker(f"{launch.url}jupyterlab-mlplat/", session, runs)
            rng = random.Random(3)
            for endpoint in ENDPOINTS:  # first calls: imports, connections, caches
                for _ in range(5):
                    ask(endpoint, rng)
            figures: dict[str, float] = {}
            for endpoint in ENDPOINTS:
                before = cpu_ms(proc.pid)
                for _ in range(count):
                    answer = ask(endpoint, rng)
                    if answer.status_code not in (200, 404, 409):
                        raise SystemExit(f"{endpoint}: {answer.status_code} {answer.text[:300]}")
                figures[endpoint] = (cpu_ms(proc.pid) - before) / count
            return figures
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            log.close()


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="per endpoint and server")
    parser.add_argument("--rounds", type=int, default=2, help="servers started per tree")
    parser.add_argument("--profile", type=Path, help="write one server's cProfile statistics")
    parser.add_argument("--other-tree", type=Path, help="a second copy of the code to compare")
    args = parser.parse_args()
    trees: list[tuple[str, Path | None]] = [("this tree", None)]
    if args.other_tree:
        trees.insert(0, (f"other ({args.other_tree})", args.other_tree.resolve()))
    work = Path(tempfile.mkdtemp(prefix="server-requests-"))
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores; {uptime()}")
    mlflow, url = start_mlflow(work)
    try:
        runs = log_fixture(url)
        results: dict[str, list[dict[str, float]]] = {label: [] for label, _ in trees}
        for round_ in range(args.rounds):
            for label, tree in trees:
                profile = args.profile if (args.profile and round_ == 0 and tree is None) else None
                name = f"{round_}-{'other' if tree else 'this'}"
                results[label].append(
                    one_server(work, name, url, runs, args.requests, tree, profile)
                )
    finally:
        stop(mlflow)
    print(f"after: {uptime()}")
    print("\nCPU ms of the person's server per request (median of the servers started):")
    print(f"  {'endpoint':18s}" + "".join(f"{label:>24s}" for label in results))
    for endpoint in ENDPOINTS:
        cells = [statistics.median(r[endpoint] for r in rs) for rs in results.values()]
        print(f"  {endpoint:18s}" + "".join(f"{c:24.2f}" for c in cells))
    if args.profile:
        print(f"\nprofile of the first server of this tree: python -m pstats {args.profile}")
    print(f"(work folder {work}; MLflow's and the servers' logs are there)")
    json.dump({k: v for k, v in results.items()}, (work / "figures.json").open("w"))


if __name__ == "__main__":
    main()
