"""Deployments of the embedded workbench: each replica of a workload is a local model-server
process, supervised by the platform (``core/deployments/ports.py``'s ``Deployer``).

A replica is ``python -m jupyterlab_mlplat.serving`` with the venv's Python on a free loopback
port, started under the same tether that ties the hub's services to the hub
(``python -m jupyterlab_mlplat.hub.tether --parent PLATFORM_PID``): the tether asks the kernel
for ``PR_SET_PDEATHSIG`` after any change of account, so the platform's death however it
happens (SIGKILL, a crash) stops the model server, and as a child subreaper it ends whatever
the model started. ``close()`` stops them all in a clean shutdown.

Supervision, per replica, in an asyncio task of the platform's loop:

- ``pending`` until the server answers ``GET /v2/health/ready`` with 200, then ``ready``;
- a ready replica is asked ``GET /v2/health/live`` every ``health_seconds`` (the cluster's
  liveness probe, ``adapters/kube/manifests.py``): after ``health_failures`` checks in a row
  unanswered (a model hung on a lock, a stopped process: alive, answering nothing) it is
  stopped and started again like a replica that exited, its ``last_error`` saying so;
- a replica that exits is started again after a delay that doubles from
  ``restart_delays[0]`` up to its last entry; a replica that then runs ``stable_seconds`` is
  forgiven its crashes (the delay starts over). Its exit status and the last line it wrote on
  stderr become the workload's ``last_error`` (the model server writes
  ``mlplat-serving: cannot load model: …`` when it cannot load a model);
- after ``crash_loop_after`` crashes in a row it is ``failed`` (Kubernetes' CrashLoopBackOff):
  it is still restarted at the longest delay, so a fixed dependency heals it;
- a changed workload (its source or resources) is replaced without a gap: a new generation of
  replicas starts, the old one keeps serving (its URL and its ready replicas are reported)
  until every new replica is ready, and stops ``drain_seconds`` later (a control plane may
  still route to it meanwhile). A change of the number of replicas alone adds or stops
  replicas; its labels or owner change nothing that runs;
- stopping is SIGTERM to the tether (which passes it on and gives the server the grace period),
  then SIGKILL to what is left of the replica's process tree.

Files: a version whose source is in MLflow is fetched once, as the platform, into
``deployments_dir/models/<model>/<version>/`` (``adapters/mlflow/artifacts.py``) and that
folder is the model server's ``--model-uri``: the model server never gets an MLflow
credential. A source that is a local folder is used as it is. The fetched folder is removed
once the last replica using it has stopped (after a replacement's drain, a scale-down, a
deployment's end); ``close()`` keeps them all, since a restarted platform serves them again.

Isolation. Models are code. When the platform may change accounts (root, or holding
CAP_SETUID and CAP_SETGID), every replica runs as the unprivileged ``account`` (made on first
need, like the workspaces' accounts), with no supplementary groups, no capabilities and
``no_new_privs`` (``setpriv``), in a private home, with an environment of its own (the PATH of
the venv, HOME, the thread counts — none of the platform's variables), so it reads nothing of
the platform's database, secrets or environment. Otherwise it runs as the platform's own
account, which a log line says once.

Resources. Enforced: memory as ``RLIMIT_DATA`` (``prlimit``): the private writable memory
(heap, anonymous mappings) — what a container's limit mostly counts; ``RLIMIT_AS`` would have
to be set far above the real need, since a Python with NumPy reserves ~2x its resident memory
in address space. A replica that exceeds it fails to allocate (a MemoryError the model server
reports, or an exit the supervisor restarts). CPU: only the thread pools of the numeric
libraries are sized to the CPU quantity (``OMP_NUM_THREADS`` and its kin, rounded up) and an
optional ``nice``; a CPU share is not enforced (that needs a cgroup, which containers and
laptops often lack). ``max_replicas`` (autoscaling) is a cluster feature and ignored here.
"""

from __future__ import annotations

import asyncio
import contextlib
import decimal
import itertools
import math
import os
import re
import shutil
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlparse

import aiohttp
import psutil
from traitlets import Float, Int, List, Unicode, default
from traitlets.config import LoggingConfigurable

from jupyterlab_mlplat.core.deployments.errors import LogsUnavailable
from jupyterlab_mlplat.core.deployments.records import (
    ModelSource,
    Phase,
    Resources,
    Workload,
    WorkloadStatus,
)
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, PlatformError, Unavailable
from jupyterlab_mlplat.core.kernel.telemetry import NO_TELEMETRY
from jupyterlab_mlplat.core.profiles.rules import cpu_cores, memory_bytes

from .accounts import Account, ensure_account

#: the program every replica runs (owned by the model server's package)
SERVER_MODULE = "jupyterlab_mlplat.serving"
#: the program that ties a replica to the platform's lifetime (``hub/tether.py``)
TETHER_MODULE = "jupyterlab_mlplat.hub.tether"
#: characters of one log line kept (a line longer than this is cut)
LINE_MAX = 2000
#: characters of a last error
ERROR_MAX = 500
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
#: how often a starting replica's readiness is asked, first and at most (seconds)
PROBE_FIRST, PROBE_MAX = 0.02, 0.25
CAP_SETGID, CAP_SETUID = 6, 7
T = TypeVar("T")
#: variables that size the thread pools of NumPy's BLAS, OpenMP and friends
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


class ModelFiles(Protocol):
    """Where a version's files come from (``adapters/mlflow/artifacts.MlflowModelFiles``)."""

    async def fetch(self, model_name: str, version: str, uri: str, dest: Path) -> Path: ...


def local_folder(uri: str) -> Path | None:
    """The folder a source names when it is one on this machine (``/x``, ``file:///x``)."""
    if uri.startswith("file://"):
        return Path(urlparse(uri).path)
    if uri.startswith("/"):
        return Path(uri)
    return None


def safe_segment(text: str) -> str:
    """User text (a model's name) as one folder name that cannot leave its parent."""
    segment = quote(text, safe="")
    return "%2E" + segment[1:] if segment.startswith(".") else segment


def free_port() -> int:
    """A loopback port free right now (a replica that loses the race exits and is restarted
    on another)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _can_change_account() -> bool:
    if os.geteuid() == 0:
        return True
    try:
        with open("/proc/self/status") as fh:
            effective = next(int(line.split()[1], 16) for line in fh if line.startswith("CapEff"))
    except (OSError, StopIteration, ValueError):
        return False
    return bool(effective >> CAP_SETUID & 1 and effective >> CAP_SETGID & 1)


def _clean(line: str) -> str:
    line = _CONTROL.sub("", line.rstrip("\r\n"))
    return line if len(line) <= LINE_MAX else line[:LINE_MAX] + "…"


@dataclass(eq=False)
class _Replica:
    spec: Workload
    index: int
    log: deque[str]
    port: int = 0
    process: asyncio.subprocess.Process | None = None
    ready: bool = False
    restarts: int = 0
    #: crashes since it last ran ``stable_seconds``
    streak: int = 0
    last_error: str = ""
    error_at: float = 0.0
    last_stderr: str = ""
    stop_requested: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    #: the replica's processes (tether, server, what it started) once it answered
    tree: list[psutil.Process] = field(default_factory=list)
    #: when it last became ready (the event loop's clock), None before
    ready_at: float | None = None
    #: when it last answered a health check (the event loop's clock)
    answered_at: float = 0.0
    #: why the supervisor ended a replica that stopped answering, empty otherwise
    hung: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(eq=False)
class _Workload:
    spec: Workload
    current: list[_Replica] = field(default_factory=list)
    #: the generation being replaced: it serves until every current replica is ready
    retiring: list[_Replica] = field(default_factory=list)


def _same_process(a: Workload, b: Workload) -> bool:
    """Whether replicas of ``a`` can serve as replicas of ``b``: what a process is started
    with (the files, the resources) is the same. The number of replicas, the owner and the
    labels (the traffic role a control plane writes there changes with a canary shift or a
    rollback) do not change a running process, so they never restart one."""

    def key(w: Workload) -> tuple[Any, ...]:
        return (w.deployment, w.source, w.resources.cpu, w.resources.memory)

    return key(a) == key(b)


class LocalDeployments(LoggingConfigurable):
    """Settings of the embedded deployer (``c.LocalDeployments.…``). A class of their own:
    the ``Deployer`` port's ``observe`` would shadow traitlets' ``HasTraits.observe``."""

    data_dir = Unicode(
        help="Folder of the platform's state, e.g. /var/lib/mlplat/platform. Defaults to the "
        "parent's data_dir, else $MLPLAT_DATA_DIR.",
    ).tag(config=True)

    @default("data_dir")
    def _data_dir_default(self) -> str:
        parent_dir = getattr(self.parent, "data_dir", "")
        return str(parent_dir or os.environ.get("MLPLAT_DATA_DIR") or Path.cwd())

    deployments_dir = Unicode(
        help="Folder of the model servers: the versions' files (models/<model>/<version>/) and "
        "the servers' home (home/), e.g. /var/lib/mlplat/deployments. `account` must be able "
        "to pass through its parents, so keep it out of a private folder such as the "
        "platform's data_dir when the servers run as an account of their own. Defaults to "
        "data_dir/deployments.",
    ).tag(config=True)

    @default("deployments_dir")
    def _deployments_dir_default(self) -> str:
        return str(Path(self.data_dir) / "deployments")

    account = Unicode(
        "mlplat-models",
        help="The unprivileged account model servers run as when the platform may change "
        "accounts (root, or CAP_SETUID and CAP_SETGID), e.g. mlplat-models; made on first "
        "need. Empty: they run as the platform's own account.",
    ).tag(config=True)

    python = Unicode(
        sys.executable,
        help="The Python that runs the model server (the venv's), e.g. "
        "/srv/mlplat/.venv/bin/python.",
    ).tag(config=True)

    grace_seconds = Float(
        5.0, help="Seconds a replica gets to stop after SIGTERM before it is killed, e.g. 5."
    ).tag(config=True)

    restart_delays = List(
        Float(),
        [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0],
        help="Seconds before the 1st, 2nd, … restart of a replica that exited; the last one "
        "repeats, e.g. [0.5, 1, 2, 4, 8, 16, 30].",
    ).tag(config=True)

    stable_seconds = Float(
        30.0,
        help="A replica that ran this long is forgiven its earlier crashes (the restart delay "
        "starts over), e.g. 30.",
    ).tag(config=True)

    drain_seconds = Float(
        10.0,
        help="Seconds the replicas a replacement took over from keep running once the new ones "
        "are ready, so that requests routed to them meanwhile still succeed, e.g. 10.",
    ).tag(config=True)

    health_seconds = Float(
        10.0,
        help="How often a ready replica is asked whether it is alive (GET /v2/health/live), "
        "e.g. 10; 0: never, and a server that hangs stays ready.",
    ).tag(config=True)

    health_timeout = Float(2.0, help="Seconds a health check waits for the answer, e.g. 2.").tag(
        config=True
    )

    health_failures = Int(
        3,
        help="Health checks unanswered in a row after which a replica is restarted (with the "
        "restart delays of a crash), e.g. 3.",
    ).tag(config=True)

    crash_loop_after = Int(
        3, help="Crashes in a row after which a replica is reported failed, e.g. 3."
    ).tag(config=True)

    log_lines = Int(500, help="Lines of output kept per replica for the log tail, e.g. 500.").tag(
        config=True
    )

    nice = Int(
        0,
        help="Niceness of the model servers, e.g. 5 to let the hub and the platform answer "
        "first on a busy machine. 0 by default: a lowered priority lengthens every request's "
        "wait behind busy processes (adapters/local/priority.py).",
    ).tag(config=True)


class LocalProcessDeployer:
    """The ``Deployer`` of the embedded workbench: model servers as supervised local processes.

    Built by the platform as ``LocalProcessDeployer(parent=app,
    files=MlflowModelFiles(app.platform_registry()))`` (``files=None`` without MLflow: only
    local folders can then be served); its settings are ``LocalDeployments``' traits, read
    from the parent's configuration (``data_dir`` defaults to the parent's). Every method
    must be called on the platform's event loop (the tether binds each replica to the thread
    that started it)."""

    def __init__(self, *, parent: Any = None, files: Any = None, **settings: Any) -> None:
        self.settings = LocalDeployments(parent=parent, **settings)
        self.log = self.settings.log
        #: where versions' files come from (a ``ModelFiles``); None: local folders only
        self.files: ModelFiles | None = files
        self._workloads: dict[str, _Workload] = {}
        #: every replica started and not yet stopped (a retiring one draining too): the users
        #: of the fetched files
        self._replicas: set[_Replica] = set()
        self._chores: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._account: Account | None = None
        self._warned = False
        self._folder_locks: dict[Path, asyncio.Lock] = {}
        self._closed = False
        self._closing = asyncio.Event()

    # ------------------------------------------------------------------ the port
    async def apply(self, deployment: str, workloads: Sequence[Workload]) -> None:
        if self._closed:
            raise Unavailable(
                "the deployments backend is stopping", params={"deployment": deployment}
            )
        wanted = {w.name: w for w in workloads}
        for workload in workloads:
            self._check(deployment, workload)
        if len(wanted) != len(workloads):
            raise InvalidInput(
                "two workloads of one deployment share a name",
                params={"deployment": deployment},
            )
        for name, gone in list(self._workloads.items()):
            if gone.spec.deployment == deployment and name not in wanted:
                del self._workloads[name]
                self._chore(self._stop_all([*gone.current, *gone.retiring]))
        for workload in workloads:
            state = self._workloads.get(workload.name)
            if state is None:
                state = _Workload(workload)
                self._workloads[workload.name] = state
                self._scale(state, workload)
            elif state.spec == workload:
                continue
            elif _same_process(state.spec, workload):
                state.spec = workload
                self._scale(state, workload)
            else:
                self._replace(state, workload)

    async def observe(self, deployment: str) -> list[WorkloadStatus]:
        now = datetime.now(UTC)
        return [
            self._status(state, now)
            for state in self._workloads.values()
            if state.spec.deployment == deployment
        ]

    async def logs(self, workload: str, *, tail: int = 200) -> str:
        state = self._workloads.get(workload)
        if state is None:
            raise LogsUnavailable(
                f"no workload {workload!r} runs here",
                params={"version": workload.rpartition("-v")[2][:50]},
            )
        replicas = state.current or state.retiring
        if len(replicas) == 1:
            return "\n".join(list(replicas[0].log)[-tail:] if tail > 0 else [])
        lines: list[str] = []
        for replica in replicas:
            kept = list(replica.log)[-tail:] if tail > 0 else []
            lines.extend(f"[replica {replica.index}] {line}" for line in kept)
        return "\n".join(lines)

    def running(self) -> list[tuple[Workload, list[int]]]:
        """Every workload with the pids of its replicas' processes running now (a retiring
        generation still serving too): what the usage sampler measures."""
        return [
            (
                state.spec,
                [
                    r.process.pid
                    for r in (*state.current, *state.retiring)
                    if r.process is not None and r.process.returncode is None
                ],
            )
            for state in self._workloads.values()
        ]

    async def close(self) -> None:
        """Stop every replica (SIGTERM, then SIGKILL after the grace period) and wait."""
        self._closed = True
        self._closing.set()
        replicas = [r for s in self._workloads.values() for r in (*s.current, *s.retiring)]
        self._workloads.clear()
        await self._stop_all(replicas)
        while self._chores:
            await asyncio.gather(*list(self._chores), return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ status
    def _status(self, state: _Workload, now: datetime) -> WorkloadStatus:
        current, retiring = state.current, state.retiring
        ready = [r for r in current if r.ready]
        serving = ready or [r for r in retiring if r.ready]
        errors = sorted((r for r in current if r.last_error), key=lambda r: r.error_at)
        if serving:
            phase = Phase.READY
        elif not current:
            phase = Phase.STOPPED
        elif any(r.streak >= self.settings.crash_loop_after for r in current):
            phase = Phase.FAILED
        else:
            phase = Phase.PENDING
        return WorkloadStatus(
            name=state.spec.name,
            phase=phase,
            replicas=len(current),
            # while a replacement starts, the replicas it replaces still serve: they count, so
            # that a control plane keeps routing to the URL reported
            ready_replicas=len(serving),
            restarts=sum(r.restarts for r in current),
            last_error=errors[-1].last_error if errors else "",
            url=serving[0].url if serving else None,
            observed_at=now,
        )

    # ------------------------------------------------------------------ changes
    def _check(self, deployment: str, workload: Workload) -> None:
        params = {"workload": workload.name[:100]}
        if workload.deployment != deployment:
            raise InvalidInput(
                f"workload {workload.name!r} belongs to deployment {workload.deployment!r}",
                params=params,
            )
        other = self._workloads.get(workload.name)
        if other is not None and other.spec.deployment != deployment:
            raise InvalidInput(
                f"workload {workload.name!r} is already run for another deployment", params=params
            )
        if workload.resources.replicas < 0:
            raise InvalidInput("a workload cannot have fewer than 0 replicas", params=params)
        self._limits(workload.resources)  # a quantity it cannot read is refused now
        source = workload.source
        if local_folder(source.uri) is None and self.files is None:
            raise InvalidInput(
                "this workbench has no MLflow to fetch the model's files from",
                params={**params, "location": source.uri[:200]},
            )

    def _scale(self, state: _Workload, workload: Workload) -> None:
        want = workload.resources.replicas
        while len(state.current) > want:
            self._chore(self._stop_all([state.current.pop()]))
        taken = {r.index for r in state.current}
        while len(state.current) < want:
            index = next(i for i in itertools.count() if i not in taken)
            taken.add(index)
            state.current.append(self._start_replica(workload, index))

    def _replace(self, state: _Workload, workload: Workload) -> None:
        """A new generation; the replicas that serve now go on serving until it is ready
        (those of a replacement still under way keep serving if none of its own serves)."""
        serving = [r for r in state.current if r.ready]
        if serving:
            self._chore(self._stop_all(state.retiring))
            state.retiring = serving
        self._chore(self._stop_all([r for r in state.current if not r.ready]))
        state.current = []
        state.spec = workload
        self._scale(state, workload)

    def _became_ready(self, replica: _Replica) -> None:
        state = self._workloads.get(replica.spec.name)
        if state is None or not state.retiring or replica not in state.current:
            return
        if all(r.ready for r in state.current):
            retiring, state.retiring = state.retiring, []
            self._chore(self._retire(retiring))

    async def _retire(self, replicas: Sequence[_Replica]) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), self.settings.drain_seconds)
        await self._stop_all(replicas)

    def _chore(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    # ------------------------------------------------------------------ one replica
    def _start_replica(self, workload: Workload, index: int) -> _Replica:
        replica = _Replica(workload, index, deque(maxlen=max(self.settings.log_lines, 1)))
        self._replicas.add(replica)
        replica.task = asyncio.get_running_loop().create_task(self._supervise(replica))
        return replica

    async def _supervise(self, replica: _Replica) -> None:
        loop = asyncio.get_running_loop()
        while not replica.stop_requested.is_set():
            try:
                error = await self._run_once(replica)
            except Exception as err:  # a bug of ours must not leave the replica unsupervised
                self.log.error(
                    "deployer: starting %s failed: %s", replica.spec.name, type(err).__name__
                )
                error = f"the platform could not start the model server ({type(err).__name__})"
            if replica.stop_requested.is_set():
                return
            # stable: it served a while (a server that loads slowly and then fails is not, nor
            # one that hung: it served only until its last answered health check)
            served_until = replica.answered_at if replica.hung else loop.time()
            stable = (
                replica.ready_at is not None
                and served_until - replica.ready_at >= self.settings.stable_seconds
            )
            replica.streak = 1 if stable else replica.streak + 1
            replica.ready_at = None
            replica.last_error = error[:ERROR_MAX]
            replica.error_at = time.time()
            replica.log.append(f"[deployer] {replica.last_error}")
            delays = self.settings.restart_delays or [1.0]
            delay = delays[min(replica.streak, len(delays)) - 1]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(replica.stop_requested.wait(), delay)

    async def _run_once(self, replica: _Replica) -> str:
        """Start the replica and wait for it to exit; the line that says why it stopped."""
        spec = replica.spec
        try:
            folder = await self._unless_stopped(replica, self._model_folder(spec.source))
        except PlatformError as err:
            return f"cannot fetch the model's files: {err.message}"
        except OSError as err:
            return f"cannot write the model's files: {err.strerror}"
        if folder is None or replica.stop_requested.is_set():  # stopped meanwhile
            return ""
        replica.port = free_port()
        replica.last_stderr = ""
        replica.hung = ""
        replica.tree = []
        try:
            command = self._command(spec, folder, replica.port)
            environment = self._environment(spec.resources)
        except OSError as err:  # the account or its home could not be made
            return f"cannot prepare the model server's account: {err.strerror or err}"
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment,
                # not the home: the platform enters the folder before the account changes
                cwd="/",
                # a terminal's Ctrl-C reaches the platform, which stops the replicas itself
                start_new_session=True,
            )
        except OSError as err:
            return f"cannot start the model server: {err.strerror}"
        replica.process = process
        readers = [
            asyncio.create_task(self._read(process.stdout, replica, stderr=False)),
            asyncio.create_task(self._read(process.stderr, replica, stderr=True)),
        ]
        probe = asyncio.create_task(self._probe(replica, process))
        if replica.stop_requested.is_set():
            # stopped while the process was being started: ``_stop`` found no process to
            # end and waits for this task, so the supervisor ends it (else it ran on, and
            # the platform's stop waited for it forever)
            await self._end(process)
        code = await _exited(process)
        replica.ready = False
        probe.cancel()
        # what the tether could not end (it was killed): the tree seen once the server was up
        _kill_left(replica.tree)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*readers, return_exceptions=True), 2.0)
        for reader in readers:
            reader.cancel()
        if not replica.stop_requested.is_set():
            replica.restarts += 1
        return replica.hung or self._exit_line(replica, code)

    @staticmethod
    async def _unless_stopped(replica: _Replica, step: Coroutine[Any, Any, T]) -> T | None:
        """What ``step`` returns, or None once the replica is asked to stop first (``step``
        cancelled): a stop does not wait for a model's download, which has no time limit (a
        cancelled fetch leaves no partial folder, ``adapters/mlflow/artifacts.py``)."""
        doing = asyncio.ensure_future(step)
        stopping = asyncio.ensure_future(replica.stop_requested.wait())
        try:
            await asyncio.wait({doing, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not doing.done():
                doing.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await doing
        return doing.result() if not doing.cancelled() else None

    @staticmethod
    def _exit_line(replica: _Replica, code: int) -> str:
        # the tether exits with 128 + N when its command was ended by signal N
        if code < 0 or code > 128:
            number = -code if code < 0 else code - 128
            try:
                how = f"killed by {signal.Signals(number).name}"
            except ValueError:
                how = f"exit status {code}"
        else:
            how = f"exit status {code}"
        said = replica.last_stderr
        return f"{said} ({how})" if said else f"the model server stopped ({how})"

    async def _read(
        self, stream: asyncio.StreamReader | None, replica: _Replica, *, stderr: bool
    ) -> None:
        if stream is None:
            return
        pending = b""
        while True:
            chunk = await stream.read(1 << 16)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            if len(pending) > 4 * LINE_MAX:  # a line with no end: keep its start
                lines.append(pending)
                pending = b""
            for raw in lines:
                self._line(replica, raw, stderr=stderr)
        if pending:
            self._line(replica, pending, stderr=stderr)

    @staticmethod
    def _line(replica: _Replica, raw: bytes, *, stderr: bool) -> None:
        line = _clean(raw.decode("utf-8", errors="replace"))
        replica.log.append(line)
        if stderr and line.strip():
            replica.last_stderr = line.strip()

    async def _probe(self, replica: _Replica, process: asyncio.subprocess.Process) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(force_close=True),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        url = f"{replica.url}/v2/health/ready"
        pause = PROBE_FIRST
        timeout = aiohttp.ClientTimeout(total=2.0)
        while process.returncode is None and not replica.stop_requested.is_set():
            try:
                async with self._session.get(url, timeout=timeout) as answer:
                    if answer.status == 200:
                        replica.tree = _tree(process.pid)
                        replica.ready_at = replica.answered_at = asyncio.get_running_loop().time()
                        replica.ready = True
                        self._became_ready(replica)
                        break
            except (aiohttp.ClientError, OSError, TimeoutError):
                pass
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, PROBE_MAX)
        else:
            return
        await self._watch(replica, process)

    async def _watch(self, replica: _Replica, process: asyncio.subprocess.Process) -> None:
        """Ask a ready replica whether it is alive until it exits; end it once it missed
        ``health_failures`` checks in a row (its supervisor starts it again)."""
        settings = self.settings
        if settings.health_seconds <= 0 or self._session is None:
            return
        loop = asyncio.get_running_loop()
        url = f"{replica.url}/v2/health/live"
        timeout = aiohttp.ClientTimeout(total=settings.health_timeout)
        missed = 0
        while process.returncode is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(replica.stop_requested.wait(), settings.health_seconds)
                return
            try:
                async with self._session.get(url, timeout=timeout) as answer:
                    why = "" if answer.status == 200 else f"it answered {answer.status}"
            except TimeoutError:
                why = f"no answer in {settings.health_timeout:g} s"
            except (aiohttp.ClientError, OSError) as err:
                why = f"no connection ({type(err).__name__})"
            if not why:
                missed, replica.answered_at = 0, loop.time()
                continue
            missed += 1
            if missed < max(settings.health_failures, 1):
                continue
            replica.hung = (
                f"the model server stopped answering its health checks ({missed} in a row, "
                f"{why}): restarted"
            )
            self.log.warning("deployer: %s replica %d: %s", replica.spec.name, replica.index, why)
            replica.ready = False
            await self._end(process)
            return

    async def _stop_all(self, replicas: Sequence[_Replica]) -> None:
        await asyncio.gather(*(self._stop(r) for r in replicas))
        fetched = {self._fetched_folder(r.spec.source) for r in replicas}
        for folder in sorted(f for f in fetched if f is not None):
            await self._release(folder)

    async def _release(self, folder: Path) -> None:
        """Remove a version's fetched files once no replica uses them (a platform that is
        closing keeps them: it serves them again when it starts)."""
        if self._closed:
            return
        async with self._folder_locks.setdefault(folder, asyncio.Lock()):
            if any(self._fetched_folder(r.spec.source) == folder for r in self._replicas):
                return
            if await asyncio.to_thread(_remove_fetched, folder):
                self.log.info("deployer: removed %s, which no replica serves any more", folder)

    async def _stop(self, replica: _Replica) -> None:
        replica.ready = False
        replica.stop_requested.set()
        if replica.process is not None:
            await self._end(replica.process)
        if replica.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await replica.task
        self._replicas.discard(replica)

    async def _end(self, process: asyncio.subprocess.Process) -> None:
        """SIGTERM to the tether, which passes it on and gives the server the grace period;
        SIGKILL to what is left of the replica's tree after it."""
        if process.returncode is not None:
            return
        tree = _tree(process.pid)
        # PermissionError: a platform that may not signal the servers' account (no
        # CAP_KILL) waits, and its tree ends with it by the tether's parent-death signal
        with contextlib.suppress(ProcessLookupError, PermissionError):
            process.send_signal(signal.SIGTERM)
        try:
            # the tether gives its command the grace period, then ends its tree (1 s)
            await asyncio.wait_for(_exited(process), self.settings.grace_seconds + 2.0)
        except TimeoutError:
            tree = [*tree, *_tree(process.pid)]
            with contextlib.suppress(ProcessLookupError, PermissionError):
                process.kill()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_exited(process), 5.0)
        _kill_left(tree)

    # ------------------------------------------------------------------ how a replica starts
    def _limits(self, resources: Resources) -> tuple[int, int]:
        """Bytes of memory and threads a replica gets."""
        try:
            memory = memory_bytes(resources.memory)
            cores = cpu_cores(resources.cpu)
        except (InvalidInput, decimal.InvalidOperation, ValueError):
            raise InvalidInput(
                "the workload's resources are not Kubernetes quantities (cpu 500m, memory 512Mi)",
                params={"cpu": resources.cpu[:50], "memory": resources.memory[:50]},
            ) from None
        if memory <= 0 or cores <= 0:
            raise InvalidInput(
                "a workload needs some CPU and some memory",
                params={"cpu": resources.cpu[:50], "memory": resources.memory[:50]},
            )
        return memory, max(1, math.ceil(cores))

    def _command(self, spec: Workload, folder: Path, port: int) -> list[str]:
        memory, _ = self._limits(spec.resources)
        command: list[str] = []
        account = self._run_as()
        if account is not None:
            command += [
                shutil.which("setpriv") or "setpriv",
                f"--reuid={account.uid}",
                f"--regid={account.gid}",
                "--clear-groups",
                "--inh-caps=-all",
                "--ambient-caps=-all",
                "--no-new-privs",
                "--",
            ]
        prlimit = shutil.which("prlimit")
        if prlimit:
            command += [prlimit, f"--data={memory}", "--"]
        if self.settings.nice:
            command += [shutil.which("nice") or "nice", "-n", str(self.settings.nice), "--"]
        return [
            *command,
            *(self.settings.python, "-m", TETHER_MODULE, f"--parent={os.getpid()}"),
            *(f"--grace={self.settings.grace_seconds:g}", "--"),
            *(self.settings.python, "-m", SERVER_MODULE, "--model-uri", str(folder)),
            *("--name", spec.deployment, "--version", spec.source.version),
            *("--host", "127.0.0.1", "--port", str(port)),
        ]

    def _environment(self, resources: Resources) -> dict[str, str]:
        """Only what a model server needs: nothing of the platform's own environment."""
        _, threads = self._limits(resources)
        venv_bin = str(Path(self.settings.python).parent)
        return {
            "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self._home()),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            **dict.fromkeys(THREAD_VARIABLES, str(threads)),
            **NO_TELEMETRY,
        }

    def _run_as(self) -> Account | None:
        """The models' account, or None when the platform cannot change accounts. An account
        that cannot be made raises (``OSError``) every time: never a fallback to the
        platform's own account."""
        if self._account is not None:
            return self._account
        if self.settings.account and _can_change_account():
            self._account = ensure_account(
                self.settings.account, system=True, comment="jupyterlab-mlplat model servers"
            )
            return self._account
        if not self._warned:
            self._warned = True
            self.log.warning(
                "model servers run as this platform's own account (%s): a model can read "
                "what the platform can; start the platform as root for an account of their own",
                "cannot change accounts" if self.settings.account else "no account configured",
            )
        return None

    def _home(self) -> Path:
        home = Path(self.settings.deployments_dir) / "home"
        if not home.is_dir():
            home.mkdir(parents=True, mode=0o700, exist_ok=True)
        account = self._run_as()
        if account is not None and home.stat().st_uid != account.uid:
            os.chown(home, account.uid, account.gid)
            home.chmod(0o700)
        return home

    def _fetched_folder(self, source: ModelSource) -> Path | None:
        """Where a version fetched from MLflow is kept; None for a local folder (used as it
        is, and never removed)."""
        if local_folder(source.uri) is not None:
            return None
        root = Path(self.settings.deployments_dir) / "models"
        return root / safe_segment(source.model_name) / safe_segment(source.version)

    async def _model_folder(self, source: ModelSource) -> Path:
        folder = local_folder(source.uri)
        if folder is not None:
            return folder
        dest = self._fetched_folder(source)
        assert dest is not None and self.files is not None  # _check refused such a workload
        lock = self._folder_locks.setdefault(dest, asyncio.Lock())
        async with lock:
            if not dest.is_dir():
                dest.parent.mkdir(parents=True, exist_ok=True)
                await self.files.fetch(source.model_name, source.version, source.uri, dest)
                self._share(dest.parent.parent, dest)
        return dest

    def _share(self, root: Path, dest: Path) -> None:
        """Let the model servers' account read the fetched files: folders 0755 and files 0644
        under ``deployments_dir/models`` (which holds only models, which every person may read
        in MLflow anyway), owned by the platform so that a model cannot change another's."""
        for top, dirs, files in os.walk(dest):
            for name in dirs:
                os.chmod(os.path.join(top, name), 0o755)  # noqa: S103  (readable on purpose)
            for name in files:
                os.chmod(os.path.join(top, name), 0o644)
        folder = dest
        while folder != root.parent:
            folder.chmod(0o755)
            folder = folder.parent


async def _exited(process: asyncio.subprocess.Process) -> int:
    """The exit status of ``process`` as soon as it exits. Not ``process.wait()``: Python 3.11
    answers that only once every pipe is closed, and a server whose tether was killed keeps
    them open."""
    waiting = asyncio.ensure_future(process.wait())
    try:
        while process.returncode is None:
            await asyncio.wait({waiting}, timeout=0.25)
    finally:
        waiting.cancel()
    return process.returncode


def _remove_fetched(folder: Path) -> bool:
    """Remove a version's folder, and its model's folder once it holds no other version;
    whether there was anything to remove."""
    if not folder.is_dir():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):  # not empty: another version of the model is kept
        folder.parent.rmdir()
    return True


def _tree(pid: int) -> list[psutil.Process]:
    """``pid`` and every process under it, as far as /proc shows them now."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _kill_left(tree: Sequence[psutil.Process]) -> None:
    """SIGKILL whatever of a replica's tree is still there (the tether was killed before it
    could end it). psutil checks each process's start time, so a reused pid is left alone."""
    for process in tree:
        with contextlib.suppress(psutil.Error):
            if process.is_running():
                process.kill()
