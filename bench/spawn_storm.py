"""Spawn storm benchmark: N people sign in through OIDC and start their workspaces at once.

Why: the first customer has 30 people working at once (DESIGN.md), and a working day starts with
most of them signing in within a few minutes. The issue asks that 30 people log in and spawn at
once, on the embedded stack and on the Kubernetes stand-in, that every spawn succeeds, and what
the median and p95 of spawn-to-ready are. Both hubs run whole and real on this machine:

- embedded: hub_config/jupyterhub_config.py started by ``mlplat-embedded`` (SQLite, local MLflow,
  ``EmbeddedProfileSpawner``: one local process per person); it signs people in through the OIDC
  provider because MLPLAT_OIDC_* are set;
- kubernetes: hub_config/jupyterhub_config_cluster.py as tests/e2e/cluster.py starts it
  (PostgreSQL, ``PlatformKubeSpawner`` against the emulated Kubernetes API whose kubelet runs each
  pod's ``jupyterhub-singleuser`` locally), with enough CPU nodes for N ``cpu-small`` pods.

Each person signs in through the real OIDC provider (tests/standins/oidc) the way a browser
does: the hub's login button, the provider's form, the redirects back. Then they ask the hub's
REST API, with their own session, for a ``cpu-small`` server, follow the spawn the way the
spawn-pending page does (the hub's progress event stream), and open JupyterLab (the single-user
server's own OAuth with the hub) until ``/user/NAME/api/status`` answers 200 through the proxy.

- storm: N people sign in at once (threads released together), then all N spawn at once;
- peer, in the same run on the same hub: N other people do the same one after another, each
  starting when the one before has JupyterLab open (servers stay running, as people keep working).
  Only the concurrency differs, so the comparison shows what the storm itself costs; a stock
  spawner would pay the same single-user server start without our OIDC, profiles and quotas.

A warm-up person signs in, spawns and stops first (not counted). Every spawn must succeed: a
failed one is printed with what the hub logged about it and the log's tail, and the run exits
with status 1. All servers are stopped through the hub's API, then the stack; no process of the
run may be left over (checked, and ended by id if one is).

    .venv/bin/python bench/spawn_storm.py [--users 30] [--stack embedded|kubernetes|both]
        [--small-profile]

On one machine the embedded hub refuses the 36th ``cpu-small`` server (its capacity check: 1 GiB
guaranteed each, at most 1.5 x the machine's memory promised). ``--small-profile`` lets more
people in through the product itself: an admin of the run signs in and creates a workspace
profile with a 0.25 GiB guarantee through the platform's admin API, and everyone spawns that.

Figures are printed, never asserted (only the success of every spawn is).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the stacks are started by the tests' own helpers
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402  (the helpers report a missing tool with pytest.skip/fail)
import requests  # noqa: E402
import yaml  # noqa: E402

from jupyterlab_mlplat.core.profiles.rules import cpu_cores, load_profiles_file, memory_bytes  # noqa: E402
from tests.e2e.cluster import NAMESPACE, PASSWORD, cluster_hub  # noqa: E402
from tests.standins.oidc.provider import OIDCClient, OIDCProvider, OIDCUser, login  # noqa: E402
from tests.workbench import embedded_hub, free_port_block  # noqa: E402

STATE = ROOT / ".state" / "bench-spawn-storm"
PG_DIR = ROOT / ".state" / "bench-postgres"
PROFILE = "cpu-small"
GROUPS = ["data-scientists"]
#: who creates the small benchmark profile (``--small-profile``): an admin by their group
ADMIN, ADMIN_GROUPS = "benchadmin", ["admins"]
#: the profile ``--small-profile`` creates: ``cpu-small`` with a quarter of its guarantees
SMALL_PROFILE = {"slug": "bench-small", "cpu_guarantee": "0.25", "mem_guarantee": "256Mi"}
#: every process this run starts inherits it (the leftover check looks for it)
MARKER = "MLPLAT_BENCH_SPAWN_STORM"
#: one HTTP request of a person, under a storm on two cores
REQUEST_TIMEOUT = 180.0
#: the emulated cluster's CPU nodes (cluster_hub adds the first one alike)
NODE_CPU, NODE_MEMORY = 8, "32Gi"
#: what the hub says in its log when a spawn went slow or wrong, and how the report names it
LOG_SIGNS = {
    "platform did not give the workspace profiles": "spawner fell back to profiles.yaml",
    "is slow to start": "past slow_spawn_timeout (10 s) to start: the API answered 202",
    "is slow to become responsive": "past slow_spawn_timeout (10 s) to answer HTTP",
    "never showed up": "http_timeout hit: the server never answered, spawn failed",
    "seconds, giving up": "start_timeout hit, spawn failed",
    "Unhandled error starting": "failed start",
    "is slow to stop": "past slow_stop_timeout to stop",
}

T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", flush=True)


class Problem(Exception):
    """What went wrong for one person, in words for the report."""


# --------------------------------------------------------------------------- what a person does


@dataclass
class Outcome:
    user: str
    login_s: float | None = None
    #: spawn request → the hub's progress stream says ready
    hub_ready_s: float | None = None
    #: spawn request → /user/NAME/api/status answers 200 through the proxy, JupyterLab opened
    ready_s: float | None = None
    ready_at: float = 0.0
    error: str = ""
    session: requests.Session | None = None


def xsrf(session: requests.Session) -> dict[str, str]:
    """The hub's XSRF token (a user server sets its own ``_xsrf`` under its own path)."""
    return {"X-XSRFToken": session.cookies.get("_xsrf", "", path="/hub/")}


def sign_in(url: str, outcome: Outcome) -> None:
    """A first visit in a fresh browser: the hub's login button, the provider's form, back."""
    session = requests.Session()
    outcome.session = session
    started = time.perf_counter()
    page = login(
        session,
        f"{url}/hub/oauth_login",
        outcome.user,
        PASSWORD.format(user=outcome.user),
        timeout=REQUEST_TIMEOUT,
    )
    elapsed = time.perf_counter() - started
    path = urlsplit(page.url).path
    if page.status_code != 200 or not path.startswith(("/hub/spawn", "/hub/home")):
        raise Problem(f"login ended on {page.status_code} {path}: {page.text[:300]!r}")
    outcome.login_s = elapsed


def wait_hub_ready(url: str, user: str, session: requests.Session, deadline: float) -> None:
    """Follow the spawn as the spawn-pending page does: the hub's progress event stream."""
    with session.get(
        f"{url}/hub/api/users/{user}/server/progress",
        headers=xsrf(session),
        stream=True,
        timeout=(REQUEST_TIMEOUT, 60),  # the hub writes a keep-alive every 8 s
    ) as stream:
        if stream.status_code != 200:
            raise Problem(f"progress answered {stream.status_code}: {stream.text[:300]}")
        for line in stream.iter_lines(decode_unicode=True):
            if time.monotonic() > deadline:
                raise Problem("not ready before the benchmark's own deadline (--timeout)")
            if not line or not line.startswith("data:"):
                continue
            event = json.loads(line[len("data:") :])
            if event.get("failed"):
                raise Problem(f"the hub reports: {event.get('message')}")
            if event.get("ready"):
                return
    raise Problem("the progress stream ended without a ready or failed event")


def spawn_and_open(url: str, outcome: Outcome, timeout: float) -> None:
    user, session = outcome.user, outcome.session
    assert session is not None
    deadline = time.monotonic() + timeout
    started = time.perf_counter()
    response = session.post(
        f"{url}/hub/api/users/{user}/server",
        json={"profile": PROFILE},
        headers=xsrf(session),
        timeout=REQUEST_TIMEOUT,
    )
    if response.status_code not in (201, 202):
        raise Problem(f"spawn request answered {response.status_code}: {response.text[:300]}")
    wait_hub_ready(url, user, session, deadline)
    outcome.hub_ready_s = time.perf_counter() - started
    # the browser then opens JupyterLab: the server's OAuth with the hub, then the page
    lab = session.get(f"{url}/user/{user}/lab", timeout=REQUEST_TIMEOUT)
    if lab.status_code != 200 or not urlsplit(lab.url).path.startswith(f"/user/{user}/lab"):
        raise Problem(f"JupyterLab answered {lab.status_code} at {lab.url}: {lab.text[:300]!r}")
    status = session.get(f"{url}/user/{user}/api/status", timeout=REQUEST_TIMEOUT)
    if status.status_code != 200 or "started" not in status.json():
        raise Problem(f"/user/{user}/api/status answered {status.status_code}: {status.text}")
    outcome.ready_at = time.perf_counter()
    outcome.ready_s = outcome.ready_at - started


def hub_token(url: str, outcome: Outcome, note: str) -> str:
    """A token of the signed-in person's own, with their scopes (what the sidebar's server and
    the Admin tab act with)."""
    session = outcome.session
    assert session is not None
    response = session.post(
        f"{url}/hub/api/users/{outcome.user}/tokens",
        json={"note": note},
        headers=xsrf(session),
        timeout=REQUEST_TIMEOUT,
    )
    if response.status_code != 201:
        raise Problem(f"token for {outcome.user}: {response.status_code} {response.text[:200]}")
    return str(response.json()["token"])


def create_small_profile(url: str) -> str:
    """The benchmark's admin signs in and creates ``SMALL_PROFILE`` through the platform's admin
    API, as the Admin tab would; returns its slug for everyone to spawn.

    Why not a higher allocation ratio or a bypass: the capacity check is what the product does
    for any profile; a profile with a smaller guarantee is how an admin fits more people on one
    machine."""
    admin = Outcome(ADMIN)
    sign_in(url, admin)
    token = hub_token(url, admin, "spawn benchmark: the small profile")
    assert admin.session is not None
    admin.session.close()
    seed = yaml.safe_load((ROOT / "hub_config" / "profiles.yaml").read_text())["profiles"]
    fields = dict(next(p for p in seed if p["slug"] == "cpu-small"))
    fields.update(SMALL_PROFILE)
    fields.update(
        display_name="Benchmark small CPU",
        description="Made by a benchmark run: cpu-small with a quarter of its guarantees.",
        default=False,
        order=99,
    )
    response = requests.post(
        f"{url}/services/mlplat/api/v1/profiles",
        json=fields,
        headers={"Authorization": f"token {token}"},
        timeout=REQUEST_TIMEOUT,
    )
    if response.status_code != 201:
        raise Problem(f"creating the small profile: {response.status_code} {response.text[:300]}")
    return str(SMALL_PROFILE["slug"])


def attempt(outcome: Outcome, step: Callable[[], None]) -> None:
    try:
        step()
    except Problem as problem:
        outcome.error = str(problem)
    except Exception as error:  # a timeout, a refused connection: the person's failure
        outcome.error = f"{type(error).__name__}: {error}"


def stop_servers(url: str, outcomes: list[Outcome], timeout: float = 300) -> float:
    """Everyone stops their server at once (the hub's API), until the hub lists none."""
    sessions = [(o.user, o.session) for o in outcomes if o.session is not None]

    def stop(user: str, session: requests.Session) -> str:
        try:
            try:
                session.delete(
                    f"{url}/hub/api/users/{user}/server",
                    headers=xsrf(session),
                    timeout=REQUEST_TIMEOUT,
                )
            except requests.ConnectionError:
                # the proxy closes keep-alive connections idle for 5 s; requests does not retry
                # on a reused one it finds closed (a browser does), so ask once more
                session.delete(
                    f"{url}/hub/api/users/{user}/server",
                    headers=xsrf(session),
                    timeout=REQUEST_TIMEOUT,
                )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                model = session.get(
                    f"{url}/hub/api/users/{user}", headers=xsrf(session), timeout=REQUEST_TIMEOUT
                )
                if "" not in model.json().get("servers", {}):
                    return ""
                time.sleep(0.5)
            return f"{user}'s server did not stop in {timeout:.0f} s"
        except Exception as error:
            return f"stopping {user}'s server: {type(error).__name__}: {error}"

    started = time.perf_counter()
    with ThreadPoolExecutor(max(1, len(sessions))) as pool:
        problems = [p for p in pool.map(lambda s: stop(*s), sessions) if p]
    if problems:
        raise Problem("; ".join(problems))
    return time.perf_counter() - started


# --------------------------------------------------------------------------- where the CPU goes

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ROLES = [
    ("jupyterhub-singleuser", "single-user servers"),
    ("configurable-http-proxy", "proxy (CHP)"),
    ("mlplat-platform", "platform service"),
    ("mlplat-mlflow-gateway", "MLflow + its gateway"),
    ("mlflow", "MLflow + its gateway"),
    ("provider.mjs", "OIDC provider"),
    ("jupyterhub_idle_culler", "idle culler"),
    ("jupyterhub", "hub"),
]


@dataclass
class Proc:
    pid: int
    ppid: int
    ticks: int
    cmdline: str
    zombie: bool


def all_processes() -> dict[int, Proc]:
    procs = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
        # with the children it has waited for: each JupyterLab start runs `node` for ~0.5 CPU-s
        ticks = sum(int(f) for f in fields[11:15])
        procs[pid] = Proc(pid, int(fields[1]), ticks, cmdline, fields[0] == "Z")
    return procs


def ours(procs: dict[int, Proc], marker: str) -> list[Proc]:
    """The processes of this run: descendants of this one, or anything carrying the marker in
    its environment or working under the run's state folder (a server whose hub died)."""
    me = os.getpid()
    found: set[int] = set()
    for proc in procs.values():
        if proc.pid == me or proc.zombie or "postgres" in proc.cmdline.split(" ", 1)[0]:
            continue
        ancestor, seen = proc.ppid, 0
        while ancestor > 1 and seen < 64:
            if ancestor == me:
                found.add(proc.pid)
                break
            ancestor, seen = (procs[ancestor].ppid if ancestor in procs else 0), seen + 1
        if proc.pid in found:
            continue
        with contextlib.suppress(OSError):
            if marker.encode() in Path(f"/proc/{proc.pid}/environ").read_bytes():
                found.add(proc.pid)
                continue
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{proc.pid}/cwd").startswith(str(STATE)):
                found.add(proc.pid)
    return [procs[pid] for pid in sorted(found)]


def role(proc: Proc) -> str:
    return next((name for key, name in ROLES if key in proc.cmdline), "other")


@dataclass
class CpuSnapshot:
    ticks: dict[int, tuple[str, int]]
    machine_busy: int
    machine_total: int
    at: float


def machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


def snapshot(marker: str, me_label: str) -> CpuSnapshot:
    procs = all_processes()
    ticks = {p.pid: (role(p), p.ticks) for p in ours(procs, marker)}
    me = procs.get(os.getpid())
    if me is not None:
        ticks[me.pid] = (me_label, me.ticks)
    busy, total = machine_ticks()
    return CpuSnapshot(ticks, busy, total, time.monotonic())


@dataclass
class CpuUse:
    by_role: dict[str, float]
    machine_busy: float  # fraction of all cores
    wall: float


def cpu_between(before: CpuSnapshot, after: CpuSnapshot) -> CpuUse:
    """CPU seconds per role between two snapshots (processes that ended in between are lost)."""
    by_role: Counter[str] = Counter()
    for pid, (name, ticks) in after.ticks.items():
        earlier = before.ticks.get(pid)
        by_role[name] += (ticks - (earlier[1] if earlier and earlier[0] == name else 0)) / (
            CLOCK_TICKS
        )
    total = after.machine_total - before.machine_total
    busy = (after.machine_busy - before.machine_busy) / total if total else 0.0
    return CpuUse(dict(by_role), busy, after.at - before.at)


# --------------------------------------------------------------------------- the stacks


@dataclass
class Stack:
    name: str
    url: str
    log: Path
    config: Path
    #: extra lines about one person's server when it failed (the pod's log, say)
    explain: Callable[[str], str] = lambda user: ""
    me_label: str = "bench client"
    hub_started_s: float = 0.0


def log_size(stack: Stack) -> int:
    return stack.log.stat().st_size if stack.log.exists() else 0


def hub_tail(stack: Stack, end: int | None = None, size: int = 6000) -> str:
    """The hub's log up to ``end`` (a size noted when a run ended: the stops come after)."""
    data = stack.log.read_bytes()[:end]
    return f"--- hub log tail ({stack.log})\n{data[-size:].decode(errors='replace')}"


def about(stack: Stack, user: str, lines: int = 12) -> str:
    """What the hub said about one person's server, without the polling and XSRF noise."""
    text = stack.log.read_text(errors="replace") if stack.log.exists() else ""
    mine = [
        line[:300]
        for line in text.splitlines()
        if re.search(rf"\b{re.escape(user)}\b", line)
        and "JupyterHub" in line
        and "XSRF" not in line
        and f"GET /hub/api/users/{user} " not in line
    ]
    return "\n".join(f"    {line}" for line in mine[-lines:])


@contextlib.contextmanager
def embedded_stack(state: Path, users: list[str]) -> Iterator[Stack]:
    port = free_port_block(21000)
    url = f"http://127.0.0.1:{port}"
    client = OIDCClient("jupyterhub", secrets.token_urlsafe(24), [f"{url}/hub/oauth_callback"])
    people = [OIDCUser(u, PASSWORD.format(user=u), GROUPS) for u in users]
    people.append(OIDCUser(ADMIN, PASSWORD.format(user=ADMIN), ADMIN_GROUPS))
    started = time.monotonic()
    with OIDCProvider(people, [client]) as oidc:
        env = {
            "MLPLAT_OIDC_AUTHORIZE_URL": oidc.authorize_url,
            "MLPLAT_OIDC_TOKEN_URL": oidc.token_url,
            "MLPLAT_OIDC_USERDATA_URL": oidc.userdata_url,
            "MLPLAT_OIDC_CLIENT_ID": client.client_id,
            "MLPLAT_OIDC_CLIENT_SECRET": client.client_secret,
            "MLPLAT_PUBLIC_URL": url,
            "MLPLAT_USER_GROUPS": ",".join(GROUPS),
            "JUPYTERHUB_CRYPT_KEY": secrets.token_hex(32),
        }
        with embedded_hub(state, start=port, env=env) as workbench:
            if workbench.url != url:
                raise Problem(f"the hub's ports were taken meanwhile ({workbench.url}); run again")
            yield Stack(
                "embedded",
                url,
                workbench.log,
                ROOT / "hub_config" / "jupyterhub_config.py",
                me_label="bench client (threads)",
                hub_started_s=time.monotonic() - started,
            )


@contextlib.contextmanager
def kubernetes_stack(state: Path, users: list[str]) -> Iterator[Stack]:
    people = {user: GROUPS for user in users}
    people[ADMIN] = ADMIN_GROUPS
    started = time.monotonic()
    with cluster_hub(state, people=people, gpu_nodes=0) as hub:
        extra = extra_nodes(len(users))
        for index in range(extra):
            hub.kube.add_node(f"cpu-node-{index + 2}", cpu=str(NODE_CPU), memory=NODE_MEMORY)

        def explain(user: str) -> str:
            pods = [
                p
                for p in hub.kube.objects("Pod", NAMESPACE)
                if p["metadata"].get("annotations", {}).get("hub.jupyter.org/username") == user
            ]
            lines = []
            for pod in pods:
                name = pod["metadata"]["name"]
                status = pod.get("status", {})
                lines.append(f"pod {name}: {status.get('phase')} {status.get('conditions')}")
                lines.append(hub.kube.kubelet.log_text(NAMESPACE, name)[-2000:])
            return "\n".join(lines) or "no pod"

        yield Stack(
            "kubernetes",
            hub.url,
            hub.log,
            ROOT / "hub_config" / "jupyterhub_config_cluster.py",
            explain,
            me_label="bench client + emulated k8s API/kubelet",
            hub_started_s=time.monotonic() - started,
        )


def extra_nodes(people: int) -> int:
    """CPU nodes beyond cluster_hub's first one, so that every person's pod fits at once."""
    profile = next(
        p
        for p in load_profiles_file(str(ROOT / "hub_config" / "profiles.yaml"))
        if p.slug == PROFILE
    )
    cpu = float(cpu_cores(profile.cpu_guarantee)) * people
    memory = memory_bytes(profile.mem_guarantee) * people
    nodes = max(math.ceil(cpu / NODE_CPU), math.ceil(memory / memory_bytes(NODE_MEMORY)), 1)
    return nodes - 1


# --------------------------------------------------------------------------- one run on a stack


@dataclass
class Run:
    stack: str
    mode: str
    outcomes: list[Outcome]
    login_wall: float = 0.0
    spawn_wall: float = 0.0
    stop_wall: float | None = None
    cpu: CpuUse | None = None
    stop_busy: float | None = None
    #: the hub log's size when everyone was in (or had failed), before the stops
    log_end: int = 0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]


def storm(stack: Stack, users: list[str], timeout: float) -> Run:
    outcomes = [Outcome(u) for u in users]
    run = Run(stack.name, "storm", outcomes)
    with ThreadPoolExecutor(len(users)) as pool:
        gate = threading.Barrier(len(users))

        def at_once(step: Callable[[Outcome], None]) -> Callable[[Outcome], None]:
            def go(outcome: Outcome) -> None:
                with contextlib.suppress(threading.BrokenBarrierError):
                    gate.wait(timeout=60)
                attempt(outcome, lambda: step(outcome))

            return go

        say(f"storm: {len(users)} people sign in at once")
        started = time.perf_counter()
        list(pool.map(at_once(lambda o: sign_in(stack.url, o)), outcomes))
        run.login_wall = time.perf_counter() - started
        signed_in = [o for o in outcomes if not o.error]
        say(f"  {len(signed_in)}/{len(users)} signed in in {run.login_wall:.1f} s")

        say(f"storm: {len(signed_in)} people ask for a {PROFILE} server at once")
        gate = threading.Barrier(max(1, len(signed_in)))
        before = snapshot(MARKER, stack.me_label)
        started = time.perf_counter()
        list(pool.map(at_once(lambda o: spawn_and_open(stack.url, o, timeout)), signed_in))
        run.cpu = cpu_between(before, snapshot(MARKER, stack.me_label))
    run.spawn_wall = max((o.ready_at for o in outcomes if o.ready_at), default=started) - started
    ready = sum(1 for o in outcomes if o.ready_s is not None)
    say(f"  {ready}/{len(users)} in JupyterLab; the last after {run.spawn_wall:.1f} s")
    return run


def one_by_one(stack: Stack, users: list[str], timeout: float) -> Run:
    outcomes = [Outcome(u) for u in users]
    run = Run(stack.name, "one by one", outcomes)
    say(f"one by one: {len(users)} people sign in and spawn, each after the one before")
    before = snapshot(MARKER, stack.me_label)
    for outcome in outcomes:
        attempt(outcome, lambda o=outcome: sign_in(stack.url, o))
        run.login_wall += outcome.login_s or 0.0
        if not outcome.error:
            attempt(outcome, lambda o=outcome: spawn_and_open(stack.url, o, timeout))
        run.spawn_wall += outcome.ready_s or 0.0
    run.cpu = cpu_between(before, snapshot(MARKER, stack.me_label))
    ready = sum(1 for o in outcomes if o.ready_s is not None)
    say(f"  {ready}/{len(users)} in JupyterLab, {run.spawn_wall:.1f} s of spawning in all")
    return run


def stop_everyone(stack: Stack, run: Run) -> None:
    say(f"{run.mode}: everyone stops their server at once")
    before = snapshot(MARKER, stack.me_label)
    try:
        run.stop_wall = stop_servers(stack.url, run.outcomes)
        run.stop_busy = cpu_between(before, snapshot(MARKER, stack.me_label)).machine_busy
        say(f"  all stopped in {run.stop_wall:.1f} s (machine {run.stop_busy:.0%} busy)")
    except Problem as problem:
        say(f"  not all stopped: {problem}")
        run.outcomes.append(Outcome(f"(stop, {run.mode})", error=str(problem)))


def bench_stack(
    name: str, users: int, timeout: float, peer: bool, small: bool = False
) -> tuple[list[Run], Stack]:
    global PROFILE
    state = STATE / name
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    storm_users = [f"storm{i:02d}" for i in range(1, users + 1)]
    peer_users = [f"solo{i:02d}" for i in range(1, users + 1)] if peer else []
    everyone = ["warmup", *storm_users, *peer_users]
    start = embedded_stack if name == "embedded" else kubernetes_stack
    runs: list[Run] = []
    say(f"== {name}: starting the stack ({state})")
    with start(state, everyone) as stack:
        say(f"{name}: hub, proxy, platform and OIDC provider up in {stack.hub_started_s:.1f} s")
        if small:
            PROFILE = create_small_profile(stack.url)
            say(f"{name}: everyone spawns {PROFILE}, made by {ADMIN} through the admin API")
        warm = Outcome("warmup")
        attempt(warm, lambda: sign_in(stack.url, warm))
        if not warm.error:
            attempt(warm, lambda: spawn_and_open(stack.url, warm, timeout))
        if warm.error:
            print(f"warm-up failed: {warm.error}\n{about(stack, warm.user)}")
            print(stack.explain(warm.user))
            print(hub_tail(stack))
            raise Problem(f"the warm-up spawn failed: {warm.error}")
        say(f"warm-up: login {warm.login_s:.2f} s, spawn to JupyterLab {warm.ready_s:.1f} s")
        stop_servers(stack.url, [warm])
        warm.session.close()
        runs.append(storm(stack, storm_users, timeout))
        runs[-1].log_end = log_size(stack)
        stop_everyone(stack, runs[-1])
        if peer:
            runs.append(one_by_one(stack, peer_users, timeout))
            runs[-1].log_end = log_size(stack)
            stop_everyone(stack, runs[-1])
        for run in runs:
            for outcome in run.outcomes:
                if outcome.session is not None:
                    outcome.session.close()
        failed = [(run, o) for run in runs for o in run.failed]
        if failed:
            print(f"\n{name}: {len(failed)} failure(s)")
            for run, outcome in failed:
                print(f"  {run.mode} / {outcome.user}: {outcome.error}")
            for _, outcome in failed[:2]:
                print(f"the hub on {outcome.user}:\n{about(stack, outcome.user)}")
                if extra := stack.explain(outcome.user):
                    print(extra)
            print(hub_tail(stack, failed[0][0].log_end or None))
    say(f"{name}: stack stopped")
    return runs, stack


# --------------------------------------------------------------------------- report


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def figures(values: list[float | None]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return f"{'-':>7} {'-':>7}"
    return f"{statistics.median(present):7.2f} {p95(present):7.2f}"


def log_signs(log: Path) -> list[str]:
    """Counts of the hub's own lines that tell of slowness or failure (the embedded log also
    holds the single-user servers' output, which is not counted)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    hub_line = re.compile(r"\[[A-Z] [-0-9 :.]+ JupyterHub ")
    lines = [line for line in text.splitlines() if hub_line.match(line)]
    found = [
        f"{label}: {count}"
        for sign, label in LOG_SIGNS.items()
        if (count := sum(1 for line in lines if sign in line))
    ]
    levels = Counter(line[1] for line in lines)
    found.append(f"hub lines: {levels.get('E', 0)} errors, {levels.get('W', 0)} warnings")
    errors = [line[:200] for line in lines if line.startswith("[E ")]
    found += [f"  {line}" for line in list(dict.fromkeys(errors))[:5]]
    return found


def hub_start_times(log: Path) -> dict[str, float]:
    """What the hub measured itself: "User NAME took N seconds to start" (start + HTTP wait)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return {
        m[1]: float(m[2]) for m in re.finditer(r"User (\S+) took ([0-9.]+) seconds to start", text)
    }


def timeouts(config: Path) -> dict[str, int]:
    """start_timeout and http_timeout as the stack's hub configuration sets them."""
    text = config.read_text()
    # "= 120", or '= int(os.environ.get("MLPLAT_SPAWN_TIMEOUT", "300"))' (the default counts)
    found = re.findall(
        r'^c\.(?:Kube)?Spawner\.(start|http)_timeout = (?:int\(os\.environ\.get\("\w+", ")?(\d+)',
        text,
        re.M,
    )
    return {f"{name}_timeout": int(value) for name, value in found}


def report(results: list[tuple[list[Run], Stack]], users: int) -> None:
    print()
    when = time.strftime("%Y-%m-%d %H:%M")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(
        f"Spawn storm: {users} people, profile {PROFILE}; {when}, {os.cpu_count()} cores, "
        f"{memory:.0f} GiB (seconds)"
    )
    print(
        f"{'':<24} {'':>6} {'login':>15} {'spawn → hub ready':>19} {'spawn → JupyterLab':>19} "
        f"{'all ready':>10} {'stop all':>9}"
    )
    print(
        f"{'stack / run':<24} {'ok':>6} {'median':>7} {'p95':>7} {'median':>11} {'p95':>7} "
        f"{'median':>11} {'p95':>7} {'(wall)':>10} {'(wall)':>9}"
    )
    for runs, _ in results:
        for run in runs:
            people = [o for o in run.outcomes if not o.user.startswith("(")]
            ok = sum(1 for o in people if o.ready_s is not None)
            stop = f"{run.stop_wall:9.1f}" if run.stop_wall is not None else f"{'-':>9}"
            print(
                f"{run.stack + ' / ' + run.mode:<24} {f'{ok}/{len(people)}':>6} "
                f"{figures([o.login_s for o in people])} "
                f"    {figures([o.hub_ready_s for o in people])} "
                f"    {figures([o.ready_s for o in people])} "
                f"{run.spawn_wall:10.1f} {stop}"
            )
    print("(one by one: 'all ready' is the sum of the spawns, each waited for in turn)")

    print()
    for runs, _ in results:
        by_mode = {r.mode: r for r in runs}
        if "storm" in by_mode and "one by one" in by_mode:
            s, o = by_mode["storm"], by_mode["one by one"]
            s_med = statistics.median([x.ready_s for x in s.outcomes if x.ready_s] or [0])
            o_med = statistics.median([x.ready_s for x in o.outcomes if x.ready_s] or [0])
            if s.spawn_wall and o.spawn_wall and o_med:
                print(
                    f"{s.stack}: the storm has everyone in JupyterLab in {s.spawn_wall:.0f} s, "
                    f"{o.spawn_wall / s.spawn_wall:.1f}x sooner than one by one "
                    f"({o.spawn_wall:.0f} s); each person waits {s_med / o_med:.1f}x longer "
                    f"(median {s_med:.1f} s against {o_med:.1f} s)"
                )
    for runs, _ in results:
        for run in runs:
            people = [o for o in run.outcomes if not o.user.startswith("(")]
            ok = sum(1 for o in people if o.ready_s is not None) == len(people)
            clean = not run.failed
            verdict = "PASS" if ok and clean else "FAIL"
            print(f"{verdict} every spawn succeeds: {run.stack} / {run.mode}")

    print()
    print("Where the CPU went while the servers started (CPU seconds; processes of this run)")
    for runs, _ in results:
        for run in runs:
            if run.cpu is None:
                continue
            cpu = run.cpu
            parts = ", ".join(
                f"{name} {secs:.1f}"
                for name, secs in sorted(cpu.by_role.items(), key=lambda kv: -kv[1])
                if secs >= 0.05
            )
            ours_total = sum(cpu.by_role.values())
            cores = os.cpu_count() or 1
            print(
                f"  {run.stack} / {run.mode}: {cpu.wall:.0f} s wall, machine "
                f"{cpu.machine_busy:.0%} busy ({ours_total / (cpu.wall * cores):.0%} ours); {parts}"
            )
            if run.stop_wall is not None and run.stop_busy is not None:
                print(
                    f"    then stopping all: {run.stop_wall:.0f} s wall, machine "
                    f"{run.stop_busy:.0%} busy"
                )
    print()
    print("The hub's own start times (start + waiting for HTTP) against its limits")
    for runs, stack in results:
        took = hub_start_times(stack.log)
        limits = timeouts(stack.config)
        shown = ", ".join(f"{k} {v} s" for k, v in limits.items())
        for run in runs:
            times = [took[o.user] for o in run.outcomes if o.user in took]
            if times:
                margin = limits.get("http_timeout", 0) - max(times)
                print(
                    f"  {run.stack} / {run.mode}: median {statistics.median(times):.1f} s, "
                    f"slowest {max(times):.1f} s; {shown} ({stack.config.name}); "
                    f"{margin:.1f} s short of http_timeout"
                )
    print()
    for _, stack in results:
        signs = log_signs(stack.log)
        if signs:
            print(f"{stack.name} hub log ({stack.log}):")
            for sign in signs:
                print(f"  {sign}")


# --------------------------------------------------------------------------- the run


def ensure_postgres() -> bool:
    """MLPLAT_TEST_POSTGRES_URL, or a cluster in .state/bench-postgres; True if started here."""
    if os.environ.get("MLPLAT_TEST_POSTGRES_URL"):
        return False
    running = (PG_DIR / "postmaster.pid").exists()
    url = subprocess.run(
        [str(ROOT / "scripts" / "start-postgres"), str(PG_DIR)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    os.environ["MLPLAT_TEST_POSTGRES_URL"] = url
    say(f"PostgreSQL {url} ({'already running' if running else 'started'})")
    return not running


def leftovers(marker: str) -> list[Proc]:
    deadline = time.monotonic() + 15  # a server stopping with the hub may take a few seconds
    while True:
        left = ours(all_processes(), marker)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def end(processes: list[Proc]) -> None:
    """Stop processes of this run that outlived their stack, by their ids."""
    for proc in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
    time.sleep(3)
    for proc in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=30, help="people in the storm")
    parser.add_argument(
        "--stack", choices=["embedded", "kubernetes", "both"], default="both", help="which hub"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900,
        help="seconds a person waits at most (the hub's "
        "own start_timeout and http_timeout usually decide first)",
    )
    parser.add_argument(
        "--no-peer", action="store_true", help="skip the one-by-one run on the same hub"
    )
    parser.add_argument(
        "--small-profile",
        action="store_true",
        help="an admin creates a profile with a 0.25 GiB guarantee first, and everyone spawns "
        "it (more than ~35 people on one machine)",
    )
    args = parser.parse_args()
    stacks = ["embedded", "kubernetes"] if args.stack == "both" else [args.stack]

    pg_started = ensure_postgres() if "kubernetes" in stacks else False
    os.environ[MARKER] = secrets.token_hex(8)
    marker = f"{MARKER}={os.environ[MARKER]}"
    results: list[tuple[list[Run], Stack]] = []
    stray: list[str] = []
    failed = False
    try:
        for name in stacks:
            try:
                runs, stack = bench_stack(
                    name, args.users, args.timeout, not args.no_peer, args.small_profile
                )
            except (pytest.fail.Exception, pytest.skip.Exception, Problem) as error:
                say(f"{name}: the stack did not run: {error}")
                failed = True
                continue
            results.append((runs, stack))
            failed |= any(run.failed for run in runs)
            left = leftovers(marker)
            if left:
                stray += [f"{name}: {p.pid} {p.cmdline[:150]}" for p in left]
                end(left)
            say(f"{name}: no process of this run left" if not left else f"{name}: leftovers!")
    except BaseException:
        traceback.print_exc()
        failed = True
    finally:
        end(leftovers(marker))
        if pg_started:
            subprocess.run([str(ROOT / "scripts" / "start-postgres"), str(PG_DIR), "stop"])
            say("stopped PostgreSQL (its data stays in .state/bench-postgres)")
    if results:
        report(results, args.users)
    if stray:
        print("\nprocesses left over after their stack stopped (ended by this run):")
        print("\n".join(f"  {line}" for line in stray))
    print()
    sys.exit(1 if failed or stray else 0)


if __name__ == "__main__":
    main()
