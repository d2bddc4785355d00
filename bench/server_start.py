"""What one single-user server costs to start: CPU seconds from its first byte to /api/status.

Why: in a spawn storm every person's server starts on the same cores, so 30 people wait about
30 x (CPU-s per start) / cores (issue 11, bench/spawn_storm.py). The CPU of one start measures
that cost without the hub, the proxy or the other people in the way, and is far less sensitive
to the machine's load than wall time.

The server is started the way the embedded hub's spawner starts it: the command of
hub_config/jupyterhub_config.py (``nice -n 10 .venv/bin/jupyterhub-singleuser``), the
environment JupyterHub gives a local process (``JUPYTERHUB_*``, the ``Spawner.environment`` of
the embedded configuration, ``HOME``/``USER``/``SHELL``), a fresh home as its working folder. The
hub it talks to is a stand-in speaking the hub's REST API over HTTP (the version check at start,
the token check of each request, activity reports), so that no hub's CPU is counted. The clock
stops when ``GET /user/NAME/api/status`` answers 200 with the server's token, which the hub's
auth checks against the stand-in as it would against the hub. CPU is read from
``/proc/PID/stat`` at that moment (``nice`` execs the server, so the PID is the server's).

A second reading, 5 s later, adds what the server started right after answering (jupyter_lsp
searched for language servers in a thread then), which each start pays all the same.

The named peer, in the same run and the same way: a stock ``jupyter server`` with every server
extension disabled, token auth, no hub. The difference is what JupyterHub's extension,
JupyterLab, the terminals and ours cost on top of Jupyter Server itself.

    .venv/bin/python bench/server_start.py [--runs 5] [--importtime FILE]

``--importtime FILE`` also starts one single-user server under ``python -X importtime`` and
writes its import log to FILE, then prints the slowest top-level imports.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the server is started by the tests' own helper
    sys.path.insert(0, str(ROOT))

from tests.standins import singleuser  # noqa: E402

VENV_BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: a start that takes longer than this is reported as failed
TIMEOUT = 120.0
#: seconds the server is left alone after it answered, before its CPU is read once more
SETTLE = 5.0


# --------------------------------------------------------------------------- one start


def ticks(pid: int) -> int:
    """CPU ticks of the process and of the children it has waited for (JupyterLab runs
    ``node`` to read yarn's configuration, for one)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return sum(int(f) for f in fields[11:15])


@dataclass
class Start:
    cpu_s: float
    wall_s: float
    rss_mb: float
    #: CPU-s once the server has settled: work it starts after answering (jupyter_lsp's search
    #: for language servers, for one) is paid by the start all the same
    settled_cpu_s: float


def status_ok(url: str, token: str) -> bool:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 (an http URL this script built)
        url, headers={"Authorization": f"token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status == 200 and "started" in json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(
    cmd: list[str], env: dict[str, str], cwd: Path, status_url: str, token: str, log: Path
) -> Start:
    """Start ``cmd``, poll ``status_url`` until it answers 200, read the process's CPU, stop it."""
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + TIMEOUT
            while not status_ok(status_url, token):
                if proc.poll() is not None:
                    raise RuntimeError(f"{cmd[-1]} exited with {proc.returncode}; see {log}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer from {status_url} in {TIMEOUT:.0f} s; see {log}")
                time.sleep(0.05)
            wall = time.perf_counter() - started
            cpu = ticks(proc.pid) / CLOCK_TICKS
            rss = rss_mb(proc.pid)
            time.sleep(SETTLE)
            return Start(cpu, wall, rss, ticks(proc.pid) / CLOCK_TICKS)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --------------------------------------------------------------------------- the two servers


def start_singleuser(
    work: Path, index: int, python_flags: list[str] | None = None, with_args: bool = True
) -> Start:
    token = singleuser.new_token()
    name = f"{index}{'' if with_args else '-bare'}"
    home = work / f"home-{name}"
    home.mkdir()
    with singleuser.hub_api(token) as hub_url:
        launch = singleuser.environment(hub_url, home, token)
        command = singleuser.command(with_args)
        if python_flags:  # the same entry point, under the venv's python with flags
            server = command.index(str(singleuser.VENV_BIN / "jupyterhub-singleuser"))
            command = [
                *command[:server],
                sys.executable,
                *python_flags,
                "-m",
                "jupyterhub.singleuser",
                *command[server + 1 :],
            ]
        return measure(
            command,
            launch.env,
            home,
            f"{launch.url}api/status",
            token,
            work / f"singleuser-{name}.log",
        )


def enabled_extensions() -> list[str]:
    """Every server extension the environment's configuration enables (to switch them off)."""
    from jupyter_core.paths import jupyter_config_path

    enabled: dict[str, bool] = {}
    for folder in reversed(jupyter_config_path()):  # later folders in the list count less
        files = sorted(Path(folder).glob("jupyter_server_config.d/*.json"))
        files.append(Path(folder) / "jupyter_server_config.json")
        for file in files:
            with contextlib.suppress(OSError, ValueError):
                config = json.loads(file.read_text())
                enabled |= config.get("ServerApp", {}).get("jpserver_extensions", {})
    return sorted(name for name, on in enabled.items() if on)


def start_stock(work: Path, index: int, disabled: list[str]) -> Start:
    token = singleuser.new_token()
    home = work / f"stock-home-{index}"
    home.mkdir()
    port = singleuser.free_port()
    command = [
        str(VENV_BIN / "jupyter-server"),
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        *(f"--ServerApp.jpserver_extensions={name}=False" for name in disabled),
        *(["--ServerApp.allow_root=True"] if os.getuid() == 0 else []),
    ]
    env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL") if key in os.environ} | {
        "HOME": str(home),
        "USER": singleuser.USER,
    }
    return measure(
        command,
        env,
        home,
        f"http://127.0.0.1:{port}/api/status",
        token,
        work / f"stock-{index}.log",
    )


# --------------------------------------------------------------------------- report


def summary(name: str, starts: list[Start]) -> str:
    cpu = [s.cpu_s for s in starts]
    wall = [s.wall_s for s in starts]
    rss = [s.rss_mb for s in starts]
    settled = statistics.median(s.settled_cpu_s for s in starts)
    return (
        f"{name:<34} {statistics.median(cpu):7.2f} {min(cpu):6.2f} {max(cpu):6.2f} "
        f"{settled:8.2f} {statistics.median(wall):8.2f} {statistics.median(rss):7.0f}"
    )


def top_imports(log: Path, count: int = 15) -> list[str]:
    """The slowest imports by cumulative time, whatever their depth, with their depth shown."""
    rows = []
    for line in log.read_text(errors="replace").splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match[2]), (len(match[3]) - 1) // 2, match[4]))
    top_level = sorted((r for r in rows if r[1] == 0), reverse=True)[:count]
    return [f"{cum / 1e6:6.2f} s  {name}" for cum, _, name in top_level]


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="starts of each server, alternating")
    parser.add_argument(
        "--importtime", type=Path, help="also write one start's `-X importtime` log here"
    )
    parser.add_argument(
        "--without-hub-args",
        action="store_true",
        help="also start single-user servers without the configuration's c.Spawner.args",
    )
    args = parser.parse_args()

    disabled = enabled_extensions()
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, {load()}")
    print(f"server extensions enabled in {sys.prefix}: {', '.join(disabled) or 'none'}")
    print(f"c.Spawner.args: {' '.join(singleuser.spawner_args()) or 'none'}")
    ours: list[Start] = []
    bare: list[Start] = []
    stock: list[Start] = []
    with tempfile.TemporaryDirectory(prefix="mlplat-server-start-") as tmp:
        work = Path(tmp)
        # a first start of each, not counted: the page cache holds the files afterwards
        start_singleuser(work, 0)
        start_stock(work, 0, disabled)
        for index in range(1, args.runs + 1):  # alternating, so the load hits both alike
            ours.append(start_singleuser(work, index))
            stock.append(start_stock(work, index, disabled))
            if args.without_hub_args:
                bare.append(start_singleuser(work, index, with_args=False))
        if args.importtime:
            start_singleuser(work, args.runs + 1, ["-X", "importtime"])
            shutil.copy(work / f"singleuser-{args.runs + 1}.log", args.importtime)
    print(f"after the runs: {load()}")
    print()
    print(
        f"{'server (first byte → /api/status)':<34} {'CPU-s':>7} {'min':>6} {'max':>6} "
        f"{'+' + str(int(SETTLE)) + ' s':>8} {'wall s':>8} {'RSS MB':>7}"
    )
    print(summary("jupyterhub-singleuser (embedded)", ours))
    if bare:
        print(summary("  the same without c.Spawner.args", bare))
    print(summary("jupyter server, no extensions", stock))
    print(
        f"(medians of {args.runs} starts each; '+{SETTLE:.0f} s': CPU-s once the server was left "
        f"alone {SETTLE:.0f} s after answering, with what it started meanwhile)"
    )
    median = statistics.median(s.settled_cpu_s for s in ours)
    extra = median - statistics.median(s.settled_cpu_s for s in stock)
    print(f"the single-user server costs {extra:.2f} CPU-s more than the stock one")
    verdict = "PASS" if median <= 2.0 else "MISS"
    print(f"{verdict} ≤ 2 CPU-s per single-user server start, settled ({median:.2f})")
    if args.importtime:
        print()
        print(f"slowest top-level imports of one single-user start ({args.importtime}):")
        for line in top_imports(args.importtime):
            print(f"  {line}")


if __name__ == "__main__":
    main()
