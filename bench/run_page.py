"""Run page benchmark: the click on a run in the Experiments tab → its first chart drawn.

Why: a run page took 1.3-1.7 s to its first chart (issue 11, item 9); the goal is ≤ 300 ms
after the click on a run of ten metrics. This drives the real sidebar in Debian's Chromium
(Playwright) on a real JupyterLab with ``jupyterlab_mlplat_server``, talking to a real MLflow
server (one worker, SQLite), and times inside the page, from the click to the moment Chart.js
has drawn the first canvas of the run page (it sizes the canvas when it draws). The requests of
each page view are read from the browser's resource timings, so the report says where the time
went: the run's request, the histories' requests, and what is left (scripts, drawing).

The fixture: an experiment of ``--runs`` runs, each with 3 params and ten metrics of
``--steps`` steps, logged through MLflow's REST API. Every run page is opened ``--rounds``
times (closed in between); the first view of all is reported apart (cold caches).

    .venv/bin/python bench/run_page.py [--rounds 4] [--runs 5] [--steps 100]
        [--labextension DIR]   # a built lab extension to measure instead of the installed one

``--labextension`` takes a folder holding a built ``jupyterlab-mlplat`` lab extension (for
example one built from an older commit), put first on ``JUPYTER_PATH`` so JupyterLab loads it.
Given twice, both builds are served by two JupyterLabs against the same MLflow and fixture,
and every run page is viewed in one and then the other: "before" and "after" share the
machine's load, which here is other people's builds and tests.

The machine is shared: ``uptime`` is printed before and after. Figures are printed, never
asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from runs_table import (  # (bench/ is not a package)
    PY,
    Http,
    Service,
    base_env,
    port_is_free,
    say,
    start,
    wait_until,
)

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".state" / "bench-run-page"
CHROMIUM = os.environ.get("MLPLAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
GOAL_MS = 300.0
EXPERIMENT = "bench/run-page"
METRICS = [f"m{i:02d}" for i in range(10)]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def start_mlflow(port: int, tmp: Path, logs: Path) -> Service:
    env = {**base_env(), "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    command = [
        *(str(Path(PY).parent / "mlflow"), "server"),
        *("--backend-store-uri", f"sqlite:///{tmp / 'mlflow.db'}"),
        *("--artifacts-destination", str(tmp / "artifacts")),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        *("--allowed-hosts", f"127.0.0.1:{port},localhost:{port}"),
    ]
    return start("mlflow", command, env, logs)


def start_lab(
    mlflow_port: int, port: int, token: str, tmp: Path, logs: Path, labextension: Path | None
) -> Service:
    dirs = {name: tmp / name for name in ("config", "data", "runtime", "ipython", "root", "path")}
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    config = {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_mlplat_server": True}},
        "MLPlatformServerApp": {
            "mlflow_url": f"http://127.0.0.1:{mlflow_port}",
            "mlflow_token": "bench",
            "user_name": "bench",
            "standalone_data_dir": str(tmp / "mlplat"),
        },
    }
    (dirs["config"] / "jupyter_server_config.json").write_text(json.dumps(config))
    env = {
        **base_env(),
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "IPYTHONDIR": str(dirs["ipython"]),
    }
    if labextension is not None:
        target = dirs["path"] / "labextensions" / "jupyterlab-mlplat"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(labextension, target)
        env["JUPYTER_PATH"] = str(dirs["path"])
    command = [
        *(PY, "-m", "jupyterlab"),
        f"--ServerApp.token={token}",
        "--ServerApp.allow_root=True",
        "--ServerApp.ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={dirs['root']}",
    ]
    return start("jupyterlab", command, env, logs)


def fill(mlflow: Http, runs: int, steps: int) -> list[tuple[str, str]]:
    """The experiment's runs as (id, name), each with ten metrics of ``steps`` steps."""
    experiment = mlflow.json("POST", "/api/2.0/mlflow/experiments/create", {"name": EXPERIMENT})[
        "experiment_id"
    ]
    made = []
    now = int(time.time() * 1000)
    for index in range(runs):
        name = f"bench-run-{index}"
        run = mlflow.json(
            "POST",
            "/api/2.0/mlflow/runs/create",
            {"experiment_id": experiment, "run_name": name, "start_time": now},
        )["run"]["info"]["run_id"]
        metrics = [
            {"key": key, "value": 1.0 / (step + 1) + k * 0.1, "timestamp": now + step, "step": step}
            for k, key in enumerate(METRICS)
            for step in range(steps)
        ]
        for chunk in range(0, len(metrics), 990):  # MLflow takes 1000 entries per batch
            mlflow.json(
                "POST",
                "/api/2.0/mlflow/runs/log-batch",
                {
                    "run_id": run,
                    "metrics": metrics[chunk : chunk + 990],
                    "params": [{"key": f"p{i}", "value": str(i)} for i in range(3)]
                    if chunk == 0
                    else [],
                },
            )
        mlflow.json(
            "POST",
            "/api/2.0/mlflow/runs/update",
            {"run_id": run, "status": "FINISHED", "end_time": now + 1000},
        )
        made.append((run, name))
    return made


#: clicks a run's name in the runs table and waits, inside the page, for the run page's first
#: chart: Chart.js sizes the canvas (inline style) when it draws, before that it has none
MEASURE = """
async ([runId, name]) => {
  const link = [...document.querySelectorAll('.jp-mlplat-runs button.jp-mlplat-run-name')]
    .find(b => b.textContent === name);
  if (!link) { return { error: 'no link for ' + name }; }
  const pageId = 'jp-mlplat-run-' + runId;
  const drawn = () => {
    const page = document.getElementById(pageId);
    const canvas = page && page.querySelector('.jp-mlplat-chart canvas');
    return !!canvas && canvas.style.width !== '';
  };
  performance.clearResourceTimings();  // the buffer holds 250 entries
  const t0 = performance.now();
  link.click();
  const t1 = await new Promise(resolve => {
    const deadline = t0 + 30000;
    const tick = () => {
      if (drawn()) { resolve(performance.now()); return; }
      if (performance.now() > deadline) { resolve(null); return; }
      setTimeout(tick, 1);
    };
    tick();
  });
  const requests = performance.getEntriesByType('resource')
    .filter(e => e.startTime >= t0 && e.name.includes('/jupyterlab-mlplat/mlflow/runs/'))
    .map(e => ({ name: new URL(e.name).pathname.split('/').pop(),
                 start: e.startTime - t0, end: e.responseEnd - t0 }));
  return { chart: t1 === null ? null : t1 - t0, requests };
}
"""

#: the run page is the main area's current tab once opened: close it, so the next click opens
#: (and loads) a fresh page rather than showing the one already there
CLOSE = "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon"


def open_runs(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=120_000)
    tab = page.get_by_role("tab", name="ML Platform")
    expect(tab).to_be_visible(timeout=60_000)
    panel = page.locator("#jp-mlplat-sidebar")
    if not panel.is_visible():
        tab.click()
    panel.get_by_role("tab", name="Experiments").click()
    panel.get_by_role("searchbox", name="Search experiments").fill(EXPERIMENT)
    panel.get_by_role("button", name=EXPERIMENT).click()
    expect(panel.get_by_role("table", name="Runs")).to_be_visible(timeout=60_000)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4, help="views of each run page")
    parser.add_argument("--runs", type=int, default=5, help="runs (each one page)")
    parser.add_argument("--steps", type=int, default=100, help="steps of each metric")
    parser.add_argument("--mlflow-port", type=int, default=45600)
    parser.add_argument("--lab-port", type=int, default=45601)
    parser.add_argument(
        "--labextension",
        type=Path,
        action="append",
        help="a built lab extension to measure (twice: both, their views interleaved)",
    )
    args = parser.parse_args()

    builds: list[Path | None] = list(args.labextension or [None])
    ports = [args.lab_port + i for i in range(len(builds))]
    for port in (args.mlflow_port, *ports):
        if not port_is_free(port):
            sys.exit(f"port {port} is in use; pick others (--mlflow-port/--lab-port)")
    STATE.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="run-", dir=STATE))
    logs = tmp / "logs"
    logs.mkdir()
    token = uuid.uuid4().hex
    mlflow = Http(args.mlflow_port)
    services: list[Service] = []
    say(f"load before: {uptime()}")
    try:
        service = start_mlflow(args.mlflow_port, tmp, logs)
        services.append(service)
        wait_until(service, lambda: mlflow.request("GET", "/health")[0] == 200, 180)
        say("MLflow ready")
        runs = fill(mlflow, args.runs, args.steps)
        say(f"fixture: {len(runs)} runs x {len(METRICS)} metrics x {args.steps} steps")
        for index, (build, port) in enumerate(zip(builds, ports, strict=True)):
            lab = Http(port, {"Authorization": f"token {token}"})
            service = start_lab(args.mlflow_port, port, token, tmp / f"lab{index}", logs, build)
            services.append(service)
            wait_until(service, lambda lab=lab: lab.request("GET", "/api/status")[0] == 200, 180)
        say(f"JupyterLab ready ({len(builds)} build(s))")

        views: list[list[dict[str, Any]]] = [[] for _ in builds]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            pages = []
            for port in ports:
                page = browser.new_context(viewport={"width": 1400, "height": 850}).new_page()
                open_runs(page, f"http://127.0.0.1:{port}/lab?reset&token={token}")
                pages.append(page)
            # each run page is viewed in every build in turn, so the machine's load (shared
            # with others) weighs on every build alike
            for round_ in range(args.rounds):
                for run_id, name in runs:
                    for index, page in enumerate(pages):
                        page.bring_to_front()
                        result = page.evaluate(MEASURE, [run_id, name])
                        if "error" in result or result["chart"] is None:
                            sys.exit(f"no chart for {name}: {result}")
                        views[index].append({"round": round_, "run": name, **result})
                        page.locator(CLOSE).click()
                        expect(page.locator(f"#jp-mlplat-run-{run_id}")).to_have_count(0)
                        page.wait_for_timeout(200)
            browser.close()
    finally:
        for service in reversed(services):
            service.stop()
        mlflow.close()
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"load after: {uptime()}")
    for build, measured in zip(builds, views, strict=True):
        print(f"\n=== {build or 'the installed lab extension'}")
        report(measured)


def report(views: list[dict[str, Any]]) -> None:
    first, rest = views[0], views[1:]
    charts = [v["chart"] for v in rest]

    def phase(view: dict[str, Any]) -> tuple[float, int]:
        last = max((r["end"] for r in view["requests"]), default=0.0)
        return last, len(view["requests"])

    rows = [phase(v) for v in rest]
    print()
    print(f"click → first chart, {len(rest)} views after the first (ms):")
    print(
        f"  median {statistics.median(charts):.0f}   p95 {percentile(charts, 0.95):.0f}   "
        f"min {min(charts):.0f}   max {max(charts):.0f}"
    )
    print(
        f"  requests per view: {statistics.median(r[1] for r in rows):.0f}; "
        f"last request answered at median {statistics.median(r[0] for r in rows):.0f} ms"
    )
    print(f"  first view of all (cold): {first['chart']:.0f} ms, {len(first['requests'])} requests")
    verdict = "PASS" if statistics.median(charts) <= GOAL_MS else "MISS"
    print(f"goal: median ≤ {GOAL_MS:.0f} ms → {verdict}")
    print()
    typical = sorted(rest, key=lambda v: v["chart"])[len(rest) // 2]
    print("the median view in detail (ms after the click):")
    for r in sorted(typical["requests"], key=lambda r: r["start"]):
        print(f"  {r['name'][:40]:<40} {r['start']:7.1f} → {r['end']:7.1f}")
    print(f"  first chart drawn at {typical['chart']:.1f}")


if __name__ == "__main__":
    main()
