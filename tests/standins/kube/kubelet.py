"""The scheduler, kubelet and volume provisioner of the emulated cluster, in one test helper.

Without them a pod created through :mod:`tests.standins.kube.apiserver` would stay Pending forever,
and a spawner test could only fake readiness by patching the status itself. With them the whole
path is real: the pod is scheduled against the nodes' allocatable resources (so a GPU profile on a
cluster without free GPUs really stays Pending with a ``FailedScheduling`` event), its first
container's command runs as a local process (``jupyterhub-singleuser`` answering the hub and the
proxy), and its status follows that process.

Each pod gets its own loopback address 127.0.0.N, so every single-user server can listen on the
same container port like in a cluster; the addresses are locked machine-wide (parallel test
runs share them) and one is only handed out with the container port free on it. Anything
listening on 0.0.0.0:PORT takes PORT from every pod address: give spawners a free port rather
than 8888 when something else on the machine may use 8888.

Mounted PersistentVolumeClaims map to one directory per claim under :attr:`Kubelet.work_dir`,
so data written by one pod is there for the next.

It runs on the API server's event loop and sees the store's events directly (a listener, not a
watch over HTTP): scheduling decisions are then atomic, which a test asserting on exact resource
accounting needs.

Pods a controller owns (a Deployment's replicas) restart as the real kubelet restarts them
under ``restartPolicy: Always``: the exit is kept as ``lastState.terminated`` (its message the
log's tail with ``terminationMessagePolicy: FallbackToLogsOnError``), ``restartCount`` grows
and the container waits in ``CrashLoopBackOff`` with a doubling back-off (from
:attr:`Kubelet.backoff`, shorter than the real 10 s). An ``httpGet`` readinessProbe is
followed: the container is Ready only while the probe answers 2xx/3xx.

Simplifications: a bare pod (no controller) is not restarted (a process that exits makes it
Succeeded or Failed whatever its restartPolicy, which the spawner tests rely on), only the first
container runs, liveness and startup probes are not run, probes poll at most every
``probe_period`` seconds whatever their ``periodSeconds``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import functools
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from tests.standins.kube.apiserver import ApiError, Event, Obj, field_value, now, parse_quantity

if TYPE_CHECKING:
    from tests.standins.kube.apiserver import KubeAPI

log = logging.getLogger(__name__)

#: where a container's relative command is looked up first: the venv the tests run in
BIN_DIR = Path(sys.executable).parent
#: the images' entrypoint scripts and what runs instead of them here
ALIASES = {"start-singleuser.sh": "jupyterhub-singleuser"}
DEFAULT_PORT = 8888
#: every kubelet on the machine takes a lock here for each 127.0.0.N it hands out, so parallel
#: test runs (other sessions, xdist) never give two pods the same address; fixed, not under
#: TMPDIR, because each run may have its own TMPDIR
IP_LOCKS = Path("/tmp/kube-emulator-pod-ips")


class ConfigError(Exception):
    """The container cannot be configured (a missing secret, config map or key)."""


# --- scheduling ------------------------------------------------------------------------------


def pod_requests(pod: Obj) -> dict[str, Decimal]:
    """What the scheduler reserves for a pod: the containers' requests summed (a limit stands in
    for a missing request, as API defaulting does), at least the largest init container's, plus
    the pod overhead and one ``pods`` slot."""

    def effective(container: Obj) -> dict[str, Decimal]:
        resources = container.get("resources") or {}
        merged = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
        return {name: parse_quantity(q) for name, q in merged.items()}

    spec = pod["spec"]
    total: defaultdict[str, Decimal] = defaultdict(Decimal)
    for container in spec.get("containers") or []:
        for name, quantity in effective(container).items():
            total[name] += quantity
    for init in spec.get("initContainers") or []:
        for name, quantity in effective(init).items():
            total[name] = max(total[name], quantity)
    for name, quantity in (spec.get("overhead") or {}).items():
        total[name] += parse_quantity(quantity)
    total["pods"] += 1
    return dict(total)


def tolerated(taint: Obj, tolerations: list[Obj]) -> bool:
    for toleration in tolerations:
        if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
            continue
        operator = toleration.get("operator", "Equal")
        if not toleration.get("key"):
            if operator == "Exists":
                return True
            continue
        if toleration["key"] == taint["key"] and (
            operator == "Exists" or toleration.get("value", "") == taint.get("value", "")
        ):
            return True
    return False


def _expression_matches(expression: Obj, values: dict[str, str]) -> bool:
    key, operator = expression["key"], expression["operator"]
    wanted = expression.get("values") or []
    present, value = key in values, values.get(key, "")
    with contextlib.suppress(ValueError):
        return {
            "In": lambda: present and value in wanted,
            "NotIn": lambda: not present or value not in wanted,
            "Exists": lambda: present,
            "DoesNotExist": lambda: not present,
            "Gt": lambda: present and int(value) > int(wanted[0]),
            "Lt": lambda: present and int(value) < int(wanted[0]),
        }[operator]()
    return False


def node_selected(pod: Obj, node: Obj) -> bool:
    """``nodeSelector`` and required node affinity (matchExpressions and matchFields)."""
    spec, labels = pod["spec"], node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = required.get("nodeSelectorTerms") or []
    fields = {"metadata.name": node["metadata"]["name"]}
    return not terms or any(
        all(_expression_matches(e, labels) for e in term.get("matchExpressions") or [])
        and all(_expression_matches(e, fields) for e in term.get("matchFields") or [])
        for term in terms
    )


def pick_node(pod: Obj, nodes: list[Obj], pods: list[Obj]) -> tuple[str | None, str]:
    """The first node the pod fits on, or None and the scheduler's explanation."""
    requests = pod_requests(pod)
    tolerations = pod["spec"].get("tolerations") or []
    reasons: Counter[str] = Counter()
    for node in nodes:
        name = node["metadata"]["name"]
        untolerated = [
            t
            for t in (node.get("spec") or {}).get("taints") or []
            if t.get("effect") in ("NoSchedule", "NoExecute") and not tolerated(t, tolerations)
        ]
        if (node.get("spec") or {}).get("unschedulable"):
            reasons["node(s) were unschedulable"] += 1
            continue
        if not node_selected(pod, node):
            reasons["node(s) didn't match Pod's node affinity/selector"] += 1
            continue
        if untolerated:
            taint = untolerated[0]
            shown = f"{{{taint['key']}: {taint.get('value', '')}}}"
            reasons[f"node(s) had untolerated taint {shown}"] += 1
            continue
        used: Counter[str] = Counter()
        for other in pods:
            phase = (other.get("status") or {}).get("phase")
            if other["spec"].get("nodeName") == name and phase not in ("Succeeded", "Failed"):
                used.update(pod_requests(other))
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        short = [
            resource
            for resource, wanted in requests.items()
            if wanted > 0
            and wanted > parse_quantity(allocatable.get(resource, "0")) - used[resource]
        ]
        if short:
            for resource in short:
                reasons["Too many pods" if resource == "pods" else f"Insufficient {resource}"] += 1
            continue
        return name, ""
    if not nodes:
        return None, "no nodes available to schedule pods"
    explained = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
    return None, f"0/{len(nodes)} nodes are available: {explained}."


# --- the kubelet -----------------------------------------------------------------------------


class Kubelet:
    """Schedules the API's pods onto its nodes and runs them as local processes.

    ``work_dir`` holds ``logs/NAMESPACE_POD.log`` (the container's output, also served by the
    API's ``pods/log``), ``pods/`` (each pod's own HOME and TMPDIR when no claim is mounted) and
    ``volumes/NAMESPACE/CLAIM``. Given one, it is kept; otherwise a temporary one is removed by
    :meth:`stop`. ``env`` is added to every container's environment (e.g. for coverage).
    """

    def __init__(
        self,
        api: KubeAPI,
        *,
        work_dir: str | Path | None = None,
        env: dict[str, str] | None = None,
        kill_timeout: float = 3.0,
        backoff: float = 0.5,
        max_backoff: float = 5.0,
        probe_period: float = 0.2,
    ) -> None:
        self.api, self.store = api, api.store
        self._temporary = work_dir is None
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="kubelet-"))
        self.env = dict(env or {})
        self.kill_timeout = kill_timeout
        self.backoff, self.max_backoff, self.probe_period = backoff, max_backoff, probe_period
        #: the pods' processes by pod uid (a pod re-created under the same name is another pod)
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self._started: set[str] = set()
        self._ips: dict[str, tuple[str, IO[bytes]]] = {}
        self._unschedulable: dict[str, str] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._retry_queued = False

    # -- lifecycle --

    def start(self) -> Kubelet:
        """Attach to the running API (which then stops it with itself and serves its logs)."""
        self.api.call(self._attach)
        if self.api.kubelet is None:
            self.api.kubelet = self
        return self

    def stop(self) -> None:
        """Kill every process (SIGTERM, then SIGKILL) and detach from the API."""
        if self.api.loop is not None:
            self.api.call(self._stop_async)
        if self._temporary:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def _attach(self) -> None:
        self.store.listeners.append(self._on_event)
        self.store.terminate_pod = self._on_terminate
        for pvc in self.store.select("persistentvolumeclaims"):
            self._spawn(self._bind(pvc))
        for pod in self.store.select("pods"):
            if (pod.get("status") or {}).get("phase") == "Pending":
                self._spawn(self._admit(_key(pod)))

    async def _stop_async(self) -> None:
        self._stopping = True
        with contextlib.suppress(ValueError):
            self.store.listeners.remove(self._on_event)
        if self.store.terminate_pod == self._on_terminate:
            self.store.terminate_pod = None
        await asyncio.gather(*(self._kill(p, self.kill_timeout) for p in self.processes.values()))
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for _, lock in self._ips.values():
            lock.close()
        self._ips.clear()

    # -- paths --

    def log_path(self, namespace: str, name: str) -> Path:
        return self.work_dir / "logs" / f"{namespace}_{name}.log"

    def log_text(self, namespace: str, name: str) -> str:
        path = self.log_path(namespace, name)
        return path.read_text(errors="replace")[-65536:] if path.exists() else ""

    def volume_dir(self, namespace: str, claim: str) -> Path:
        """Where the data of a PersistentVolumeClaim lives (created on first mount)."""
        return self.work_dir / "volumes" / namespace / claim

    # -- reacting to the store --

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("emulated kubelet failed", exc_info=task.exception())

    def _on_event(self, event: Event) -> None:
        """Only schedules work: the store is in the middle of a write when it calls this."""
        if self._stopping:
            return
        obj, key = event.object, _key(event.object)
        if event.plural == "pods":
            if event.type == "ADDED":
                self._spawn(self._admit(key))
            elif event.type == "DELETED":
                self._spawn(self._forget(obj["metadata"]["uid"]))
                self._queue_retry()
            elif obj.get("status", {}).get("phase") in ("Succeeded", "Failed"):
                self._queue_retry()
        elif event.plural == "nodes" and event.type != "DELETED":
            self._queue_retry()
        elif event.plural == "persistentvolumeclaims" and event.type == "ADDED":
            self._spawn(self._bind(obj))
            self._queue_retry()  # a pod may have waited for this claim

    def _on_terminate(self, pod: Obj) -> None:
        grace = pod["metadata"].get("deletionGracePeriodSeconds") or 0
        self._spawn(self._terminate(_key(pod), pod["metadata"]["uid"], grace))

    def _queue_retry(self) -> None:
        """Freed resources or a new node: try the unschedulable pods again (once per burst)."""
        if not self._retry_queued:
            self._retry_queued = True
            asyncio.get_running_loop().call_soon(self._retry)

    def _retry(self) -> None:
        self._retry_queued = False
        for pod in self.store.select("pods"):
            if not pod["spec"].get("nodeName") and "deletionTimestamp" not in pod["metadata"]:
                self._spawn(self._admit(_key(pod)))

    # -- scheduling and running --

    def _schedule(self, pod: Obj) -> bool:
        key, uid = _key(pod), pod["metadata"]["uid"]
        claims = [
            v["persistentVolumeClaim"]["claimName"]
            for v in pod["spec"].get("volumes") or []
            if v.get("persistentVolumeClaim")
        ]
        missing = [c for c in claims if not self._exists("persistentvolumeclaims", key[0], c)]
        if missing:
            node = None
            message = f"0/{len(self.store.select('nodes'))} nodes are available: "
            message += f'persistentvolumeclaim "{missing[0]}" not found.'
        else:
            node, message = pick_node(pod, self.store.select("nodes"), self.store.select("pods"))
        if node is None:
            if self._unschedulable.get(uid) != message:
                self._unschedulable[uid] = message

                def unschedulable(p: Obj) -> None:
                    p["status"]["conditions"] = [
                        _condition("PodScheduled", "False", "Unschedulable", message)
                    ]

                self.store.update("pods", *key, unschedulable)
                self._event(pod, "Warning", "FailedScheduling", message, "default-scheduler")
            return False
        self._unschedulable.pop(uid, None)

        def bind(p: Obj) -> None:
            p["spec"]["nodeName"] = node
            p["status"]["conditions"] = [_condition("PodScheduled", "True")]

        self.store.update("pods", *key, bind)
        message = f"Successfully assigned {key[0]}/{key[1]} to {node}"
        self._event(pod, "Normal", "Scheduled", message, "default-scheduler")
        return True

    async def _admit(self, key: tuple[str, str]) -> None:
        pod = self._get(key)
        if pod is None or "deletionTimestamp" in pod["metadata"]:
            return
        if not pod["spec"].get("nodeName") and not self._schedule(pod):
            return
        await self._run(key)

    async def _run(self, key: tuple[str, str]) -> None:
        pod = self._get(key)
        if pod is None or pod["metadata"]["uid"] in self._started:
            return
        uid = pod["metadata"]["uid"]
        self._started.add(uid)  # before the first await: no second process for this pod
        try:
            ip = self._allocate_ip(uid, _port(pod["spec"]["containers"][0]))
        except OSError as error:
            self._waiting(key, "RunContainerError", str(error))
            self._event(pod, "Warning", "Failed", f"Error: {error}", "kubelet")
            return
        try:
            argv, env, cwd = self._container_command(pod, ip)
        except ConfigError as error:
            self._waiting(key, "CreateContainerConfigError", str(error))
            self._event(pod, "Warning", "Failed", f"Error: {error}", "kubelet")
            return
        log_path = self.log_path(*key)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        started = now()
        try:
            with log_path.open("ab") as output:
                process = await asyncio.create_subprocess_exec(
                    *argv,
                    env=env,
                    cwd=cwd,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        except OSError as error:
            self._terminated(key, uid, 128, "StartError", str(error), started)
            self._event(pod, "Warning", "Failed", f"Error: {error}", "kubelet")
            return
        restarts = 0
        while True:
            self.processes[uid] = process
            pod = self._get(key)
            if self._stopping or pod is None or pod["metadata"]["uid"] != uid:
                await self._kill(process, 0)  # deleted or stopped while the process was starting
                return
            container = pod["spec"]["containers"][0]
            probed = bool((container.get("readinessProbe") or {}).get("httpGet"))
            running = functools.partial(
                _running,
                ip=ip,
                started=started,
                pid=process.pid,
                ready=not probed,
                restarts=restarts,
            )
            self.store.update("pods", *key, running)
            message = f"Started container {container['name']}"
            self._event(pod, "Normal", "Started", message, "kubelet")
            if probed:
                self._spawn(self._probe(key, uid, process, ip))
            code = await process.wait()
            pod = self._get(key)
            if not (
                pod
                and pod["metadata"]["uid"] == uid
                and "deletionTimestamp" not in pod["metadata"]
                and not self._stopping
            ):
                return
            exit_code = code if code >= 0 else 128 - code
            reason = "Completed" if code == 0 else "Error"
            message = ""
            if code != 0 and container.get("terminationMessagePolicy") == "FallbackToLogsOnError":
                message = _log_tail(self.log_text(*key))
            if not _restarts(pod, code):
                self._terminated(key, uid, exit_code, reason, message, started)
                return
            delay = min(self.backoff * 2**restarts, self.max_backoff)
            restarts += 1
            last = {
                "exitCode": exit_code,
                "reason": reason,
                "startedAt": started,
                "finishedAt": now(),
                **({"message": message} if message else {}),
            }
            crash = functools.partial(_crash_loop, last=last, restarts=restarts, delay=delay)
            self.store.update("pods", *key, crash)
            self._event(
                pod, "Warning", "BackOff", "Back-off restarting failed container", "kubelet"
            )
            await asyncio.sleep(delay)
            if self._stopping or (pod := self._get(key)) is None or pod["metadata"]["uid"] != uid:
                return
            started = now()
            try:
                with log_path.open("ab") as output:
                    process = await asyncio.create_subprocess_exec(
                        *argv,
                        env=env,
                        cwd=cwd,
                        stdin=subprocess.DEVNULL,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
            except OSError as error:
                self._terminated(key, uid, 128, "StartError", str(error), started)
                return

    async def _probe(
        self, key: tuple[str, str], uid: str, process: asyncio.subprocess.Process, ip: str
    ) -> None:
        """The readinessProbe's httpGet against the pod's address while the process lives:
        Ready after ``successThreshold`` answers, not Ready after ``failureThreshold`` misses."""
        pod = self._get(key)
        if pod is None:
            return
        container = pod["spec"]["containers"][0]
        probe = container["readinessProbe"]
        get = probe["httpGet"]
        port = get.get("port", _port(container))
        if isinstance(port, str) and not port.isdigit():
            named = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
            port = named.get(port, _port(container))
        url = f"{get.get('scheme', 'HTTP').lower()}://{ip}:{port}{get.get('path', '/')}"
        period = min(float(probe.get("periodSeconds", 10)), self.probe_period)
        failures_allowed = int(probe.get("failureThreshold", 3))
        ready, failures = False, 0
        timeout = aiohttp.ClientTimeout(total=float(probe.get("timeoutSeconds", 1)))
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while process.returncode is None and not self._stopping:
                try:
                    async with session.get(url, allow_redirects=False) as response:
                        ok = 200 <= response.status < 400
                except (aiohttp.ClientError, TimeoutError, OSError):
                    ok = False
                failures = 0 if ok else failures + 1
                change = (ok and not ready) or (ready and failures >= failures_allowed)
                if change:
                    ready = ok
                    current = self._get(key)
                    if current is None or current["metadata"]["uid"] != uid:
                        return
                    if process.returncode is not None:
                        return
                    self.store.update("pods", *key, functools.partial(_set_ready, ready=ready))
                await asyncio.sleep(period)

    async def _terminate(self, key: tuple[str, str], uid: str, grace: float) -> None:
        """Graceful deletion: stop the process within the grace period, then remove the pod."""
        process = self.processes.get(uid)
        pod = self._get(key)
        if process is not None and pod is not None:
            self._event(pod, "Normal", "Killing", "Stopping container", "kubelet")
            await self._kill(process, min(grace, self.kill_timeout))
        pod = self._get(key)
        if pod is not None and pod["metadata"]["uid"] == uid:
            self.store.remove("pods", *key)

    async def _forget(self, uid: str) -> None:
        """The pod is gone from the API (maybe removed at once, with grace 0): so is its process."""
        process = self.processes.get(uid)
        if process is not None:
            await self._kill(process, 0)
        self.processes.pop(uid, None)
        with contextlib.suppress(KeyError):
            self._ips.pop(uid)[1].close()  # releases the address's lock
        self._unschedulable.pop(uid, None)
        self._started.discard(uid)

    async def _kill(self, process: asyncio.subprocess.Process, grace: float) -> None:
        """SIGTERM to the pod's process group, SIGKILL after ``grace``; then also to whatever
        it left behind in its group (kernels, terminals)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM if grace else signal.SIGKILL)
        try:
            await asyncio.wait_for(process.wait(), grace or self.kill_timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    async def _bind(self, pvc: Obj) -> None:
        """Dynamic provisioning with immediate binding: every claim is Bound at once."""
        key = _key(pvc)
        if (pvc.get("status") or {}).get("phase") != "Pending":
            return

        def bound(claim: Obj) -> None:
            spec = claim["spec"]
            spec.setdefault("volumeName", f"pvc-{claim['metadata']['uid']}")
            storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
            claim["status"] = {
                "phase": "Bound",
                "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                "capacity": {"storage": storage},
            }

        with contextlib.suppress(ApiError):
            self.store.update("persistentvolumeclaims", *key, bound)

    # -- the container --

    def _container_command(self, pod: Obj, ip: str) -> tuple[list[str], dict[str, str], Path]:
        """The argv, environment and working directory of the pod's first container."""
        container = pod["spec"]["containers"][0]
        port = _port(container)
        namespace, name = _key(pod)
        pod_dir = self.work_dir / "pods" / f"{namespace}_{name}_{pod['metadata']['uid'][:8]}"
        mounts = self._mounts(pod, container, pod_dir)
        variables = self._variables(pod, container, ip)

        def local(path: str) -> str | None:
            for mount_path in sorted(mounts, key=len, reverse=True):
                if path == mount_path or path.startswith(mount_path.rstrip("/") + "/"):
                    return str(mounts[mount_path]) + path[len(mount_path.rstrip("/")) :]
            return None

        def translate(value: str) -> str:
            flag, equals, rest = value.partition("=")
            if equals and rest.startswith("/") and (mapped := local(rest)):
                return f"{flag}={mapped}"
            return local(value) or value

        claim_volumes = {
            v["name"] for v in pod["spec"].get("volumes") or [] if v.get("persistentVolumeClaim")
        }
        claims = [
            str(mounts[m["mountPath"]])
            for m in container.get("volumeMounts") or []
            if m["name"] in claim_volumes
        ]
        home = local(variables.get("HOME", "/home/jovyan")) or (
            claims[0] if claims else str(pod_dir / "home")
        )
        workdir = container.get("workingDir")
        cwd = Path((local(workdir) if workdir else None) or home)
        for directory in (Path(home), cwd, pod_dir / "tmp"):
            directory.mkdir(parents=True, exist_ok=True)

        argv = [
            expand(a, variables)
            for a in (container.get("command") or []) + (container.get("args") or [])
        ]
        argv = [translate(a) for a in argv] or ["jupyterhub-singleuser"]
        argv[0] = _executable(ALIASES.get(argv[0], argv[0]))
        if Path(argv[0]).name.startswith("jupyter"):
            argv += [f"--ip={ip}", f"--port={port}", "--ServerApp.allow_root=True"]
        env = {
            "PATH": f"{BIN_DIR}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "LANG": "C.UTF-8",
            "HOSTNAME": pod["metadata"]["name"],
            "TMPDIR": str(pod_dir / "tmp"),
            **self.env,
            **{name: translate(value) for name, value in variables.items()},
            "HOME": home,
        }
        if service_url := env.get("JUPYTERHUB_SERVICE_URL"):
            parts = urlsplit(service_url)
            env["JUPYTERHUB_SERVICE_URL"] = urlunsplit(parts._replace(netloc=f"{ip}:{port}"))
        return argv, env, cwd

    def _mounts(self, pod: Obj, container: Obj, pod_dir: Path) -> dict[str, Path]:
        """mountPath -> local directory: a claim's own directory, or one per pod for the rest."""
        volumes = {v["name"]: v for v in pod["spec"].get("volumes") or []}
        mounts = {}
        for mount in container.get("volumeMounts") or []:
            volume = volumes.get(mount["name"], {})
            if claim := volume.get("persistentVolumeClaim"):
                directory = self.volume_dir(pod["metadata"]["namespace"], claim["claimName"])
            else:
                directory = pod_dir / "volumes" / mount["name"]
            directory = directory / mount.get("subPath", "")
            directory.mkdir(parents=True, exist_ok=True)
            mounts[mount["mountPath"]] = directory
        return mounts

    def _variables(self, pod: Obj, container: Obj, ip: str) -> dict[str, str]:
        """The container's env and envFrom, with valueFrom resolved from the stored objects."""
        namespace = pod["metadata"]["namespace"]
        values: dict[str, str] = {}
        for source in container.get("envFrom") or []:
            prefix = source.get("prefix", "")
            for kind, ref in (("configmaps", "configMapRef"), ("secrets", "secretRef")):
                if ref in source:
                    data = self._data(kind, namespace, source[ref], key=None)
                    values.update({prefix + k: v for k, v in (data or {}).items()})
        for variable in container.get("env") or []:
            name = variable["name"]
            if "valueFrom" not in variable:
                values[name] = expand(variable.get("value", ""), values)
                continue
            source = variable["valueFrom"]
            if field := source.get("fieldRef"):
                values[name] = _field(pod, field["fieldPath"], ip)
            elif ref := source.get("secretKeyRef"):
                if (value := self._data("secrets", namespace, ref, ref["key"])) is not None:
                    values[name] = value
            elif ref := source.get("configMapKeyRef"):
                if (value := self._data("configmaps", namespace, ref, ref["key"])) is not None:
                    values[name] = value
            elif ref := source.get("resourceFieldRef"):
                resource_kind, _, resource = ref["resource"].partition(".")
                resources = (container.get("resources") or {}).get(resource_kind) or {}
                values[name] = str(resources.get(resource, "0"))
        return values

    def _data(self, kind: str, namespace: str, ref: Obj, key: str | None) -> Any:
        """A secret's or config map's data (all of it, or one key), decoded."""
        optional = ref.get("optional", False)
        try:
            obj = self.store.get(kind, namespace, ref["name"])
        except ApiError:
            if optional:
                return None
            raise ConfigError(f'{kind[:-1]} "{ref["name"]}" not found') from None
        data = dict(obj.get("data") or {})
        if kind == "secrets":
            data = {k: base64.b64decode(v).decode() for k, v in data.items()}
        if key is None:
            return data
        if key not in data and not optional:
            raise ConfigError(f"couldn't find key {key} in {kind[:-1]} {namespace}/{ref['name']}")
        return data.get(key)

    # -- status --

    def _waiting(self, key: tuple[str, str], reason: str, message: str) -> None:
        def waiting(pod: Obj) -> None:
            pod["status"]["containerStatuses"] = [
                _container_status(c, {"waiting": {"reason": reason, "message": message}})
                for c in pod["spec"]["containers"]
            ]

        self.store.update("pods", *key, waiting)

    def _terminated(
        self, key: tuple[str, str], uid: str, code: int, reason: str, message: str, started: str
    ) -> None:
        def terminated(pod: Obj) -> None:
            state = {
                "exitCode": code,
                "reason": reason,
                "startedAt": started,
                "finishedAt": now(),
                **({"message": message} if message else {}),
            }
            status = pod["status"]
            status["phase"] = "Succeeded" if code == 0 else "Failed"
            status["containerStatuses"] = [
                _container_status(c, {"terminated": state}) for c in pod["spec"]["containers"]
            ]
            status["conditions"] = [
                c for c in status.get("conditions", []) if c["type"] == "PodScheduled"
            ] + [_condition(t, "False", "PodCompleted") for t in ("Ready", "ContainersReady")]

        pod = self._get(key)
        if pod is not None and pod["metadata"]["uid"] == uid:
            self.store.update("pods", *key, terminated)

    # -- helpers --

    def _get(self, key: tuple[str, str]) -> Obj | None:
        try:
            return self.store.get("pods", *key)
        except ApiError:
            return None

    def _exists(self, kind: str, namespace: str, name: str) -> bool:
        try:
            self.store.get(kind, namespace, name)
        except ApiError:
            return False
        return True

    def allocate_address(self, uid: str, port: int) -> str:
        """A loopback address for ``uid`` (a pod, or a Service of the service proxy)."""
        return self._allocate_ip(uid, port)

    def release_address(self, uid: str) -> None:
        with contextlib.suppress(KeyError):
            self._ips.pop(uid)[1].close()  # releases the address's lock

    def spawn(self, coroutine: Any) -> None:
        """Run ``coroutine`` on the API's loop, stopped (cancelled) with the kubelet."""
        self._spawn(coroutine)

    def _allocate_ip(self, uid: str, port: int) -> str:
        """A loopback address of its own for the pod: locked against every other kubelet on the
        machine, and with the container port free on it (nothing else listens there, not even
        on 0.0.0.0)."""
        if uid in self._ips:
            return self._ips[uid][0]
        IP_LOCKS.mkdir(exist_ok=True)
        for n in range(2, 255):
            ip = f"127.0.0.{n}"
            lock = (IP_LOCKS / ip).open("ab")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                continue
            if _bindable(ip, port):
                self._ips[uid] = (ip, lock)
                return ip
            lock.close()
        raise OSError(f"no loopback address 127.0.0.2-254 has port {port} free")

    def _event(self, pod: Obj, type_: str, reason: str, message: str, component: str) -> None:
        meta = pod["metadata"]
        event = {
            "metadata": {"name": f"{meta['name']}.{secrets.token_hex(8)}"},
            "involvedObject": {
                "apiVersion": "v1",
                "kind": "Pod",
                "name": meta["name"],
                "namespace": meta["namespace"],
                "uid": meta["uid"],
            },
            "reason": reason,
            "message": message,
            "type": type_,
            "source": {"component": component},
            "reportingComponent": component,
            "reportingInstance": "emulated",
            "firstTimestamp": now(),
            "lastTimestamp": now(),
            "eventTime": None,
            "count": 1,
        }
        with contextlib.suppress(ApiError):  # e.g. the namespace is being deleted
            self.store.create("events", meta["namespace"], event)


def _key(obj: Obj) -> tuple[str, str]:
    return obj["metadata"].get("namespace", ""), obj["metadata"]["name"]


def expand(value: str, variables: dict[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` references in env values, command and args."""
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: variables.get(m[1], m[0]), value)


def _port(container: Obj) -> int:
    ports = [p["containerPort"] for p in container.get("ports") or []]
    return int(ports[0]) if ports else DEFAULT_PORT


def _bindable(ip: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        try:
            probe.bind((ip, port))
        except OSError:
            return False
    return True


def _executable(name: str) -> str:
    if os.path.isabs(name):
        return name
    found = BIN_DIR / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def _field(pod: Obj, path: str, ip: str) -> str:
    if match := re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path):
        return str((pod["metadata"].get(match[1]) or {}).get(match[2], ""))
    if path in ("status.podIP", "status.podIPs"):
        return ip
    if path in ("status.hostIP", "status.hostIPs"):
        return "127.0.0.1"
    return field_value(pod, path)


def _condition(type_: str, status: str, reason: str = "", message: str = "") -> Obj:
    condition = {"type": type_, "status": status, "lastTransitionTime": now()}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


def _container_status(container: Obj, state: Obj) -> Obj:
    running = "running" in state
    return {
        "name": container["name"],
        "image": container.get("image", ""),
        "imageID": "",
        "ready": running,
        "started": running,
        "restartCount": 0,
        "state": state,
    }


def _running(
    pod: Obj, ip: str, started: str, pid: int, ready: bool = True, restarts: int = 0
) -> None:
    status = pod["status"]
    status.update(
        phase="Running",
        podIP=ip,
        podIPs=[{"ip": ip}],
        hostIP="127.0.0.1",
        hostIPs=[{"ip": "127.0.0.1"}],
        startTime=started,
    )
    last = [(c.get("lastState") or {}) for c in status.get("containerStatuses") or []]
    status["conditions"] = (
        [_condition(t, "True") for t in ("PodReadyToStartContainers", "Initialized")]
        + [
            _condition(t, "True" if ready else "False", "" if ready else "ContainersNotReady")
            for t in ("ContainersReady", "Ready")
        ]
        + [_condition("PodScheduled", "True")]
    )
    status["containerStatuses"] = [
        {
            **_container_status(c, {"running": {"startedAt": started}}),
            "containerID": f"emulated://{pid}",
            "ready": ready,
            "restartCount": restarts,
            **({"lastState": last[i]} if i < len(last) and last[i] else {}),
        }
        for i, c in enumerate(pod["spec"]["containers"])
    ]


def _restarts(pod: Obj, code: int) -> bool:
    """Whether the kubelet starts the container again: only pods a controller owns here."""
    owned = any(o.get("controller") for o in pod["metadata"].get("ownerReferences") or [])
    policy = pod["spec"].get("restartPolicy", "Always")
    return owned and (policy == "Always" or (policy == "OnFailure" and code != 0))


def _log_tail(text: str) -> str:
    """What FallbackToLogsOnError keeps: the last 80 lines, at most 2048 bytes."""
    tail = "".join(text.splitlines(keepends=True)[-80:]).encode()[-2048:]
    return tail.decode(errors="replace").strip()


def _crash_loop(pod: Obj, last: Obj, restarts: int, delay: float) -> None:
    status = pod["status"]
    for container, entry in zip(
        pod["spec"]["containers"], status.get("containerStatuses") or [], strict=False
    ):
        message = (
            f"back-off {delay:g}s restarting failed container={container['name']} "
            f"pod={pod['metadata']['name']}_{pod['metadata']['namespace']}"
            f"({pod['metadata']['uid']})"
        )
        entry.update(
            state={"waiting": {"reason": "CrashLoopBackOff", "message": message}},
            lastState={"terminated": last},
            restartCount=restarts,
            ready=False,
            started=False,
        )
        entry.pop("containerID", None)
    _set_conditions(status, False)


def _set_ready(pod: Obj, ready: bool) -> None:
    for entry in pod["status"].get("containerStatuses") or []:
        entry["ready"] = ready
    _set_conditions(pod["status"], ready)


def _set_conditions(status: Obj, ready: bool) -> None:
    value = "True" if ready else "False"
    for condition in status.get("conditions") or []:
        if condition["type"] in ("Ready", "ContainersReady") and condition["status"] != value:
            condition["status"] = value
            condition["lastTransitionTime"] = now()
            if not ready:
                condition["reason"] = "ContainersNotReady"
            else:
                condition.pop("reason", None)
