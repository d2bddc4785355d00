"""Start and stop a real embedded workbench for tests: shared by tests/hub and ui-tests."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[1]

#: the hub's port and the offsets mlplat-embedded derives the others from
PORT_OFFSETS = (0, 1, 81, 101, 102, 103, 104)


@dataclass
class Workbench:
    url: str
    password: str
    data_dir: Path
    log: Path
    #: the launcher, which execs JupyterHub: the hub's own process
    hub_pid: int = 0


#: a request from the page, as the lab's own code makes it: its cookie and XSRF header
_FETCH_IN_PAGE = """async ([url, method, body]) => {
    const xsrf = (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || '';
    const answer = await fetch(url, {
        method,
        headers: {'Content-Type': 'application/json', 'X-XSRFToken': decodeURIComponent(xsrf)},
        body: body === null ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    return {status: answer.status, text};
}"""


def fetch_in_page(page: Any, url: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    """Call a Jupyter or sidebar API from a signed-in lab page (a Playwright ``Page``): the
    status and the answer's JSON (None when it has none)."""
    answer = page.evaluate(_FETCH_IN_PAGE, [url, method, body])
    text = answer["text"]
    return int(answer["status"]), (json.loads(text) if text else None)


def processes_of(data_dir: Path) -> dict[int, str]:
    """Every process of the workbench in ``data_dir`` (pid → command line), found from outside
    without any help of the workbench: its working directory lies in the data directory, or its
    command line or environment names it. Every process of a run does one of these (the hub
    and the proxy work in hub/, the services in their folders, the servers and their kernels in
    the people's homes), so a census before and after a stop shows what was left behind."""
    marker = str(data_dir).encode()
    found: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        proc = Path("/proc", entry)
        try:
            cmdline = (proc / "cmdline").read_bytes()
            if cmdline and (
                os.readlink(proc / "cwd").encode().startswith(marker)
                or marker in cmdline
                or marker in (proc / "environ").read_bytes()
            ):
                found[int(entry)] = cmdline.replace(b"\0", b" ").decode(errors="replace")[:160]
        except OSError:
            continue  # gone meanwhile
    return found


def wait_until_gone(data_dir: Path, timeout: float) -> dict[int, str]:
    """The processes of the workbench still there after ``timeout`` seconds (none, at best)."""
    deadline = time.monotonic() + timeout
    while (left := processes_of(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@contextlib.contextmanager
def workbench_dir(name: str) -> Iterator[Path]:
    """A fresh data directory for a workbench, removed afterwards.

    Not under pytest's own temporary folder: pytest keeps ``pytest-of-<user>`` at mode 0700,
    which the workspaces' and services' accounts of a workbench started as root cannot pass
    through (the launcher opens the folders above its data directory for passing only)."""
    path = Path(tempfile.mkdtemp(prefix=f"mlplat-{name}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def give_to_home_owner(path: Path, home: Path) -> None:
    """Files a test puts into a person's home become that person's, as if they had made them:
    as root the workbench runs each server as its person's own account, which cannot write to
    folders root made. Before the first spawn the home is still root's; the spawner hands all
    of it to the person then."""
    owner = home.stat()
    for entry in [path, *path.parents]:
        if entry == home:
            break
        os.chown(entry, owner.st_uid, owner.st_gid)


#: the blocks this process holds (base port → the locked file): kept until the process exits,
#: so a block handed out stays this process's, and is handed out again once its ports are free
_CLAIMED: dict[int, int] = {}


def _claim(base: int) -> bool:
    """Whether this process holds ``base``'s block: a lock on a file under the temp folder,
    which every test process of this machine takes before it uses a block."""
    if base in _CLAIMED:
        return True
    folder = Path(tempfile.gettempdir()) / "mlplat-test-ports"
    folder.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(folder / f"{base}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    _CLAIMED[base] = fd
    return True


def _ephemeral_low() -> int:
    """The first port the kernel hands out to outgoing connections and to binds of port 0: a
    block above it may be taken between the check and the hub's bind by any client's socket."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_port_block(start: int) -> int:
    """A hub port whose whole block (proxy API, hub API, platform) is free right now and no
    other test process holds.

    Two test runs starting workbenches at once used to probe the same first block and both
    take it (one proxy then failed with EADDRINUSE): each block is now claimed with a lock
    file first, and the blocks of other processes are tried in a random order, so runs rarely
    even contend. The blocks this process holds come first, in order, so asking again from a
    block's own port gives that block while it is free."""
    blocks = list(range(start, min(start + 10_000, _ephemeral_low() - max(PORT_OFFSETS)), 211))
    own = [base for base in blocks if base in _CLAIMED]
    others = [base for base in blocks if base not in _CLAIMED]
    random.shuffle(others)
    for base in own + others:
        if not _claim(base):
            continue
        try:
            for offset in PORT_OFFSETS:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no free block of ports for the workbench")


@contextlib.contextmanager
def running_workbench(
    command: list[str], data_dir: Path, port: int, *, env: dict[str, str], timeout: float
) -> Iterator[Workbench]:
    """Run ``command`` (which must start the workbench on ``port``), wait until the platform and
    MLflow answer through the hub's proxy, and stop it afterwards: the teardown fails when any
    process of the run is left (``_stop``)."""
    log = data_dir / "workbench.log"
    # the launcher prints the demo password: the log is the test's (root's) alone
    with os.fdopen(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    ready = [f"{url}/services/mlplat/api/v1/health", f"{url}/services/mlflow/health"]
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(requests.ConnectionError):
                if all(requests.get(probe, timeout=2).ok for probe in ready):
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the workbench did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.5)
        password = (data_dir / "secrets" / "demo-password").read_text().strip()
        yield Workbench(url, password, data_dir, log, process.pid)
    finally:
        _stop(process, data_dir)


class BoundedSession(requests.Session):
    """A browser-like session whose every call has a time limit unless it names its own.

    requests has none: a call to a hub that took the connection and then stalled (stopping a
    server on a loaded machine) waited forever, past the deadline a polling loop checks between
    its calls."""

    #: far above what a hub on a loaded machine takes to answer, far below a session's limit
    timeout = 60.0

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)


class Hub:
    """A running embedded hub, with the calls a test makes as a signed-in person."""

    def __init__(self, workbench: Workbench) -> None:
        self.url = workbench.url
        self.password = workbench.password
        self.log = workbench.log
        self.data_dir = workbench.data_dir

    def login(self, user: str, password: str | None = None) -> requests.Session:
        session = BoundedSession()
        session.get(f"{self.url}/hub/login")
        response = session.post(
            f"{self.url}/hub/login",
            data={
                "username": user,
                "password": password or self.password,
                "_xsrf": session.cookies.get("_xsrf", ""),
            },
            allow_redirects=False,
        )
        session.logged_in = response.status_code == 302  # type: ignore[attr-defined]
        return session

    def token(self, session: requests.Session, user: str, scopes: list[str]) -> str:
        response = session.post(
            f"{self.url}/hub/api/users/{user}/tokens",
            json={"scopes": scopes, "note": "test"},
            headers={"X-XSRFToken": session.cookies.get("_xsrf", "")},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["token"])

    def platform(self, path: str, token: str) -> requests.Response:
        return requests.get(
            f"{self.url}/services/mlplat/{path}",
            headers={"Authorization": f"token {token}"},
            timeout=10,
        )


#: seconds a workbench gets to stop everything after SIGTERM (issue: "in ≤ 10 s")
STOP_TIMEOUT = 10.0


def _stop(process: subprocess.Popen[bytes], data_dir: Path) -> None:
    """Stop the workbench as a person does (SIGTERM to the hub) and check that nothing of it is
    left: a teardown that leaves processes behind fails, after killing them, so one test's
    leftovers never slow or confuse the next."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    left = wait_until_gone(data_dir, timeout=5)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"the workbench left processes behind: {left}"


def embedded_hub(
    data_dir: Path, *, start: int, env: dict[str, str] | None = None
) -> contextlib.AbstractContextManager[Workbench]:
    """The embedded hub (hub_config/) started through its launcher, on free ports."""
    chp = os.environ.get("MLPLAT_CHP") or shutil.which("configurable-http-proxy")
    if not chp:
        if os.environ.get("CI"):
            pytest.fail("configurable-http-proxy missing under CI: scripts/test installs it")
        pytest.skip("configurable-http-proxy not installed; run through scripts/test")
    port = free_port_block(start)
    command = [
        str(Path(sys.executable).parent / "mlplat-embedded"),
        f"--data-dir={data_dir}",
        f"--config={ROOT / 'hub_config' / 'jupyterhub_config.py'}",
        f"--port={port}",
    ]
    # ~20 s on a quiet machine; past 90 s when five people's builds and tests share two cores
    return running_workbench(
        command, data_dir, port, env={"MLPLAT_CHP": chp, **(env or {})}, timeout=180
    )


async def run_in_kernel(
    url: str, headers: dict[str, str], code: str, *, user: str = "alice"
) -> str:
    """Run ``code`` in the kernel whose channels are at ``url``, as JupyterLab does; its stdout."""
    connection = await websocket_connect(HTTPRequest(url, headers=headers), max_message_size=2**28)
    msg_id = uuid.uuid4().hex
    connection.write_message(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": user,
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "content": {"code": code, "silent": False, "store_history": False},
            }
        )
    )
    out: list[str] = []
    # the reply comes on the shell channel, the output on iopub: neither waits for the other,
    # so the cell is done once both the reply and iopub's "idle" after it have come
    replied = idle = False
    try:
        while not (replied and idle):
            raw = await asyncio.wait_for(connection.read_message(), 180)
            assert raw is not None, "the kernel's channel closed"
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            if kind == "stream":
                out.append(message["content"]["text"])
            elif kind == "error":
                pytest.fail("\n".join(message["content"]["traceback"]))
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                idle = True
        return "".join(out)
    finally:
        connection.close()
