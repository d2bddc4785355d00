"""The model server against its peers, side by side in one run (issue 13, "Speed").

The same scikit-learn model (iris, LogisticRegression fitted on a DataFrame, saved by
``mlflow.sklearn.save_model`` with a signature and an input example) behind:

- ``mlflow``: ``mlflow models serve --env-manager local`` from this venv (one worker);
- ``kserve``: KServe's Python model server (kserve 0.21) with a ``kserve.Model`` written like its
  sklearn server (``predict(payload["instances"])``), in a venv of its own
  (``.state/bench-kserve``, made here on first use: its pins clash with ours), called with its
  v1 protocol; ``kserve-logged`` is the same with its default request logging;
- ``floor``: a bare ASGI endpoint on uvicorn (httptools, uvloop) that parses the MLflow body with
  ``json``, makes the DataFrame and calls ``predict``: the floor for a Python server that gives
  the model what it was fitted on; ``floor-array`` parses with orjson and gives ``predict`` a
  numpy array (no DataFrame, no checks): the least a Python server can do;
- ``ours``: ``python -m jupyterlab_mlplat.serving`` (the MLflow protocol; ``ours-v2``: the same
  process called with Open Inference Protocol v2);
- ``gateway``: our deployment through the platform's gateway with an API key, when
  ``--gateway-url URL --key KEY`` name one (another part of issue 13 runs it).

One server process each, only one busy at a time: all are started first and idle until their
turn, and the cells go round-robin over them ``--rounds`` times (each cell's median round is
reported), so a burst of other work on a shared machine hits every server alike. For each: 10
and 50 connections, 1-row and 100-row requests, closed loop for ``--duration`` seconds after a
warm-up (``wrk`` with a Lua
script when installed, else aiohttp), then an open loop at a fixed ``--rate`` (500 req/s, 1 row;
latency counted from the moment a request was due, so a stalled server cannot hide its queue).
Deploy → first good answer is timed from the process start for every server. The goals of the
issue are printed PASS/MISS; nothing is asserted.

    .venv/bin/python bench/serving.py [--duration 10] [--rounds 3] [--rate 500]
        [--servers mlflow,kserve,kserve-logged,floor,floor-array,ours]
        [--gateway-url URL --key KEY] [--client wrk|aiohttp]

The machine is shared while this is written (see the load average the report prints): figures
are indicative, and the lead reruns on an idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".state" / "bench-serving"
KSERVE_VENV = ROOT / ".state" / "bench-kserve"
PY = sys.executable
NAME = "iris"
COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [6.9, 3.1, 5.4, 2.1]]

#: the peers as measured for the issue (1 row, 10 connections), for the report only
ISSUE_FIGURES = "mlflow 148 req/s; kserve quiet 937 req/s (p99 19.7 ms); floor 2,065 req/s"

KSERVE_MODEL = '''
import argparse, logging, joblib, kserve

class SKLearnModel(kserve.Model):
    """As kserve's sklearnserver: load once, predict(payload["instances"])."""
    def __init__(self, name, path):
        super().__init__(name)
        self.path = path
        self.load()
    def load(self):
        self._model = joblib.load(self.path)
        self.ready = True
        return True
    def predict(self, payload, headers=None):
        instances = payload["instances"] if isinstance(payload, dict) else payload
        return {"predictions": self._model.predict(instances).tolist()}

parser = argparse.ArgumentParser(parents=[kserve.model_server.parser])
parser.add_argument("--model_path", required=True)
parser.add_argument("--quiet", action="store_true")
args, _ = parser.parse_known_args()
server = kserve.ModelServer(workers=1)  # configures logging from the command line
if args.quiet:  # request logging off: what "quiet" measured for the issue
    for name in ("uvicorn.access", "kserve.trace"):
        logging.getLogger(name).setLevel(logging.WARNING)
server.start([SKLearnModel(args.model_name, args.model_path)])
'''


# ----------------------------------------------------------------------------- the model


def make_model() -> Path:
    """The model folder (and a joblib copy for KServe), made once."""
    model = STATE / "model"
    if (model / "MLmodel").exists() and (STATE / "model.joblib").exists():
        return model
    STATE.mkdir(parents=True, exist_ok=True)
    code = f"""
import joblib, mlflow.sklearn
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True, as_frame=True)
clf = LogisticRegression(max_iter=300).fit(X, y)
mlflow.sklearn.save_model(clf, {str(model)!r}, signature=infer_signature(X, clf.predict(X)),
                          input_example=X.head(2))
joblib.dump(clf, {str(STATE / "model.joblib")!r})
"""
    shutil.rmtree(model, ignore_errors=True)
    subprocess.run([PY, "-c", code], check=True, cwd=STATE)
    return model


def ensure_kserve() -> Path | None:
    python = KSERVE_VENV / "bin" / "python"
    if not python.exists():
        print("making the KServe venv (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(KSERVE_VENV)], check=True)
        import sklearn

        got = subprocess.run(
            [str(KSERVE_VENV / "bin" / "pip"), "install", "-q", "kserve==0.21.0",
             f"scikit-learn=={sklearn.__version__}"],
            check=False,
        )  # fmt: skip
        if got.returncode:
            return None
    script = STATE / "kserve_model.py"
    script.write_text(KSERVE_MODEL)
    return python


# ------------------------------------------------------------------------- the servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Target:
    """One server to measure: how to start it and how to call it."""

    name: str
    url: str
    body: dict[int, bytes]
    command: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def bodies(kind: str) -> dict[int, bytes]:
    out = {}
    for n in (1, 100):
        rows = [ROWS[i % len(ROWS)] for i in range(n)]
        if kind == "split":
            payload: Any = {"dataframe_split": {"columns": COLUMNS, "data": rows}}
        elif kind == "instances":
            payload = {"instances": rows}
        else:  # v2
            flat = [v for r in rows for v in r]
            payload = {"inputs": [{"name": "x", "shape": [n, 4], "datatype": "FP64", "data": flat}]}
        out[n] = json.dumps(payload).encode()
    return out


def targets(model: Path, kserve_python: Path | None, args: argparse.Namespace) -> list[Target]:
    env = {
        "MLFLOW_ALLOW_PICKLE_DESERIALIZATION": "true",
        "PATH": f"{Path(PY).parent}:{os.environ['PATH']}",
    }
    made: list[Target] = []
    for name in args.servers:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        if name == "mlflow":
            made.append(
                Target(name, f"{base}/invocations", bodies("split"),
                       [str(Path(PY).parent / "mlflow"), "models", "serve", "-m", str(model),
                        "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port), "-w", "1"],
                       env)
            )  # fmt: skip
        elif name in ("kserve", "kserve-logged") and kserve_python:
            quiet = ["--quiet"] if name == "kserve" else []
            command = [str(kserve_python), str(STATE / "kserve_model.py"),
                       "--model_name", NAME, "--model_path", str(STATE / "model.joblib"),
                       "--http_port", str(port), "--enable_grpc", "false"]  # fmt: skip
            if name == "kserve":
                command += ["--enable_latency_logging", "false"]
            made.append(
                Target(name, f"{base}/v1/models/{NAME}:predict", bodies("instances"),
                       [*command, *quiet], {})
            )  # fmt: skip
        elif name in ("floor", "floor-array"):
            kind = "split" if name == "floor" else "instances"
            made.append(
                Target(name, f"{base}/", bodies(kind),
                       [PY, __file__, "--serve-floor", name, "--model", str(model),
                        "--port", str(port)])
            )  # fmt: skip
        elif name == "ours":
            command = [PY, "-m", "jupyterlab_mlplat.serving", "--model-uri", str(model),
                       "--name", NAME, "--version", "1", "--port", str(port)]  # fmt: skip
            made.append(Target(name, f"{base}/invocations", bodies("split"), command, {}))
            made.append(Target("ours-v2", f"{base}/v2/models/{NAME}/infer", bodies("v2")))
    if args.gateway_url:
        made.append(
            Target("gateway", args.gateway_url, bodies("split"),
                   headers={"Authorization": f"Bearer {args.key}"})
        )  # fmt: skip
    return made


@contextlib.contextmanager
def running(target: Target) -> Iterator[float | None]:
    """The target's server, started and answering; yields seconds to its first good answer."""
    if target.command is None:
        yield None
        return
    log = open(STATE / f"{target.name}.log", "w")  # noqa: SIM115 - closed below
    started = time.perf_counter()
    proc = subprocess.Popen(
        target.command,
        env={**os.environ, **target.env},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        seconds = first_answer(target, proc, started)
        yield seconds
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


#: CPU seconds each server's process had used when it first answered: on a shared machine the
#: wall time to the first answer mostly measures the others' load, this what the start costs
START_CPU: dict[str, list[float]] = {}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_answer(target: Target, proc: subprocess.Popen[bytes], started: float) -> float:
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json", **target.headers}
    while time.perf_counter() - started < 120:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{target.name} exited: {(STATE / f'{target.name}.log').read_text()[-2000:]}"
            )
        request = urllib.request.Request(target.url, data=target.body[1], headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    START_CPU.setdefault(target.name, []).append(_cpu_seconds(proc.pid))
                    return time.perf_counter() - started
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{target.name} did not answer in 120 s")


# ------------------------------------------------------------------------ load generators


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{headers}
local f = io.open("{body}", "rb"); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %d %d %f %f %f %f\\n", summary.requests, errors,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3))
end
"""


def closed_wrk(target: Target, rows: int, conns: int, seconds: float) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        body = Path(tmp, "body.json")
        body.write_bytes(target.body[rows])
        headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in target.headers.items())
        script = Path(tmp, "post.lua")
        script.write_text(WRK_SCRIPT.format(headers=headers, body=body))
        common = ["wrk", "-t1", f"-c{conns}", "-s", str(script), "--timeout", "10s", target.url]
        subprocess.run([*common[:1], "-d2s", *common[1:]], capture_output=True, check=True)
        out = subprocess.run(
            [*common[:1], f"-d{int(seconds)}s", *common[1:]],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    n, errors, secs, p50, p95, p99 = line.split()[1:]
    return Result(int(n), int(errors), float(secs), float(p50), float(p95), float(p99))


async def _closed_aiohttp(target: Target, rows: int, conns: int, seconds: float) -> Result:
    import aiohttp

    body = target.body[rows]
    headers = {"Content-Type": "application/json", **target.headers}
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=conns)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def loop(until: float, record: bool) -> None:
            nonlocal errors
            while time.perf_counter() < until:
                t = time.perf_counter()
                try:
                    async with session.post(target.url, data=body, headers=headers) as answer:
                        await answer.read()
                        ok = answer.status == 200
                except aiohttp.ClientError:
                    ok = False
                if record:
                    latencies.append(time.perf_counter() - t)
                    errors += not ok

        warm = time.perf_counter() + 2
        await asyncio.gather(*(loop(warm, False) for _ in range(conns)))
        start = time.perf_counter()
        await asyncio.gather(*(loop(start + seconds, True) for _ in range(conns)))
        elapsed = time.perf_counter() - start
    return _result(latencies, errors, elapsed)


def _result(latencies: list[float], errors: int, elapsed: float) -> Result:
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100) if len(ms) > 1 else [ms[0]] * 99
    return Result(len(ms), errors, elapsed, q[49], q[94], q[98])


async def _open_loop(target: Target, rate: float, seconds: float) -> Result:
    """Requests due at a fixed rate whatever the server does; latency from when each was due."""
    import aiohttp

    body = target.body[1]
    headers = {"Content-Type": "application/json", **target.headers}
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(due: float, record: bool) -> None:
            nonlocal errors
            try:
                async with session.post(target.url, data=body, headers=headers) as answer:
                    await answer.read()
                    ok = answer.status == 200
            except aiohttp.ClientError:
                ok = False
            if record:
                latencies.append(time.perf_counter() - due)
                errors += not ok

        tasks = []
        warm = int(rate)  # one second of warm-up
        total = warm + int(rate * seconds)
        start = time.perf_counter()
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(due, i >= warm)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start - 1
    return _result(latencies, errors, elapsed)


def run_load(kind: str, target: Target, **kw: Any) -> Result:
    """Each load in a process of its own, so the generator's event loop is not ours."""
    code = (
        f"import asyncio, json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r});"
        "import serving as s; t = s.Target(**json.loads(sys.argv[1]));"
        "t.body = {int(k): v.encode() for k, v in t.body.items()};"
        "r = asyncio.run(getattr(s, sys.argv[2])(t, **json.loads(sys.argv[3])));"
        "print(json.dumps(r.__dict__))"
    )
    spec = {
        "name": target.name,
        "url": target.url,
        "body": {str(k): v.decode() for k, v in target.body.items()},
        "headers": target.headers,
    }
    out = subprocess.run(
        [PY, "-c", code, json.dumps(spec), kind, json.dumps(kw)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Result(**json.loads(out.stdout.strip().splitlines()[-1]))


# ----------------------------------------------------------------------------- the floor


def serve_floor(kind: str, model_dir: Path, port: int) -> None:
    """The bare ASGI endpoints of the floor rows (run in their own process)."""
    import warnings

    import numpy as np
    import orjson
    import pandas as pd
    import skops.io
    import uvicorn

    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    model = skops.io.load(model_dir / "model.skops")

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if kind == "floor":
            split = json.loads(body)["dataframe_split"]
            answer = model.predict(pd.DataFrame(split["data"], columns=split["columns"]))
            out = json.dumps({"predictions": answer.tolist()}).encode()
        else:
            answer = model.predict(np.array(orjson.loads(body)["instances"]))
            out = orjson.dumps({"predictions": answer}, option=orjson.OPT_SERIALIZE_NUMPY)
        await send(
            {"type": "http.response.start", "status": 200,
             "headers": [(b"content-type", b"application/json")]}
        )  # fmt: skip
        await send({"type": "http.response.body", "body": out})

    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


# ------------------------------------------------------------------------------ the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument(
        "--servers",
        type=lambda s: s.split(","),
        default=["mlflow", "kserve", "kserve-logged", "floor", "floor-array", "ours"],
    )
    parser.add_argument(
        "--connections", type=lambda s: [int(x) for x in s.split(",")], default=[10, 50]
    )
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="each cell this many times")
    parser.add_argument(
        "--gateway-url", help="our deployment through the gateway: its invocations URL"
    )
    parser.add_argument("--key", help="an API key the gateway takes (sent as a Bearer token)")
    parser.add_argument(
        "--client", choices=["wrk", "aiohttp"], default="wrk" if shutil.which("wrk") else "aiohttp"
    )
    parser.add_argument("--serve-floor", help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_floor:
        serve_floor(args.serve_floor, args.model, args.port)
        return
    if args.gateway_url and not args.key:
        parser.error("--gateway-url needs --key")
    model = make_model()
    kserve_python = ensure_kserve() if any(s.startswith("kserve") for s in args.servers) else None
    print(f"load average before: {os.getloadavg()}; client: {args.client}; "
          f"{args.duration:g} s per cell", flush=True)  # fmt: skip
    plan = targets(model, kserve_python, args)
    starts: dict[str, float] = {}
    samples: dict[tuple[str, int, int], list[Result]] = {}
    opens: dict[str, Result] = {}
    with contextlib.ExitStack() as stack:
        # Every server is started first, one after another (so its start is timed alone), and
        # idles until its turn; the cells then go round-robin over the servers, --rounds
        # times, so a burst of someone else's load on this shared machine lands on every
        # server alike instead of on whichever was measured in that minute.
        live: list[Target] = []
        for target in plan:
            tries: list[float] = []
            try:
                # ours is started --rounds times (the median counts): one start is a coin toss
                # on a shared machine
                for _ in range(args.rounds - 1 if target.name == "ours" else 0):
                    with running(target) as seconds:
                        tries.append(seconds or 0.0)
                seconds = stack.enter_context(running(target))
            except RuntimeError as e:
                print(f"{target.name}: {e}", flush=True)
                continue
            if seconds is not None:
                tries.append(seconds)
                starts[target.name] = statistics.median(tries)
                cpu = ", ".join(f"{x:.2f}" for x in START_CPU.get(target.name, []))
                print(f"{target.name}: first good answer after "
                      f"{', '.join(f'{x:.2f}' for x in tries)} s (CPU {cpu} s)",
                      flush=True)  # fmt: skip
            live.append(target)
        for round_ in range(args.rounds):
            for conns in args.connections:
                for rows in (1, 100):
                    for t in live:
                        if args.client == "wrk":
                            r = closed_wrk(t, rows, conns, args.duration)
                        else:
                            r = run_load("_closed_aiohttp", t, rows=rows, conns=conns,
                                         seconds=args.duration)  # fmt: skip
                        samples.setdefault((t.name, conns, rows), []).append(r)
                        print(f"  round {round_ + 1} {t.name:13} c={conns:<3} rows={rows:<3}"
                              f" {r.rps:8.0f} req/s  p50 {r.p50:6.2f}  p95 {r.p95:6.2f}"
                              f"  p99 {r.p99:7.2f} ms  errors {r.errors}", flush=True)  # fmt: skip
        for t in live:
            r = run_load("_open_loop", t, rate=args.rate, seconds=args.duration)
            opens[t.name] = r
            print(f"  {t.name:13} open loop {args.rate:g} req/s: p50 {r.p50:.2f}"
                  f"  p99 {r.p99:.2f} ms  errors {r.errors}", flush=True)  # fmt: skip
    # each cell: the round with the median throughput (its latencies with it)
    table = {
        key: sorted(runs, key=lambda r: r.rps)[len(runs) // 2] for key, runs in samples.items()
    }
    report(table, opens, starts, args)


def report(
    table: dict[tuple[str, int, int], Result],
    opens: dict[str, Result],
    starts: dict[str, float],
    args: argparse.Namespace,
) -> None:
    print(f"\nload average after: {os.getloadavg()}  (issue's figures: {ISSUE_FIGURES})\n")
    print("| server | conns | rows | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for (name, conns, rows), r in table.items():
        cells = [name, conns, rows, f"{r.rps:,.0f}", f"{r.p50:.2f}", f"{r.p95:.2f}"]
        print("| " + " | ".join(map(str, [*cells, f"{r.p99:.2f}", r.errors])) + " |")
    print(f"\n| server | p50 ms at {args.rate:g} req/s | p99 ms | first good answer s |")
    print("|---|--:|--:|--:|")
    for name, r in opens.items():
        start = f"{starts[name]:.2f}" if name in starts else "-"
        print(f"| {name} | {r.p50:.2f} | {r.p99:.2f} | {start} |")

    def rps(name: str, conns: int = 10) -> float | None:
        r = table.get((name, conns, 1))
        return r.rps if r else None

    goals: list[tuple[str, bool | None, str]] = []
    ours = rps("ours")
    kserve = max((x for x in (rps("kserve"), rps("kserve-logged")) if x), default=None)
    floor = max((x for x in (rps("floor"), rps("floor-array")) if x), default=None)
    if ours and kserve:
        goals.append(
            (
                "ours >= 1.5x KServe's best (1 row, 10 conns)",
                ours >= 1.5 * kserve,
                f"{ours / kserve:.2f}x",
            )
        )
    if ours and floor:
        goals.append(
            (
                "ours >= 70% of the bare floor (best of floor, floor-array)",
                ours >= 0.7 * floor,
                f"{ours / floor:.0%}",
            )
        )
    if ("ours", 10, 1) in table:
        p99 = table[("ours", 10, 1)].p99
        goals.append(("ours p99 <= 15 ms at 10 conns", p99 <= 15, f"{p99:.2f} ms"))
    if "ours" in opens:
        p50 = opens["ours"].p50
        goals.append((f"ours p50 <= 3 ms at {args.rate:g} req/s", p50 <= 3, f"{p50:.2f} ms"))
    if "ours" in starts:
        cpu = statistics.median(START_CPU.get("ours", [0.0]))
        figure = f"{starts['ours']:.2f} s (the process's CPU by then: {cpu:.2f} s)"
        goals.append(("deploy -> first good answer <= 3 s", starts["ours"] <= 3, figure))
    gateway = rps("gateway")
    if gateway and kserve:
        goals.append(
            (
                "gateway >= KServe's best direct",
                gateway >= kserve,
                f"{gateway:,.0f} vs {kserve:,.0f} req/s",
            )
        )
    if "gateway" in opens and "ours" in opens:
        added = opens["gateway"].p50 - opens["ours"].p50
        goals.append(("gateway adds <= 1 ms at p50", added <= 1, f"+{added:.2f} ms"))
    print()
    for goal, ok, figure in goals:
        print(f"{'PASS' if ok else 'MISS'}  {goal}: {figure}")


if __name__ == "__main__":
    main()
