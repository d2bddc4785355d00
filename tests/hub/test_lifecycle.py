"""The embedded workbench stops whole, whatever stops it.

Each test starts the real workbench through its launcher (as root when the suite runs as root:
services as their account, the person's server as theirs), starts alice's server with a kernel
in it — the deepest process tree a person makes — and stops the hub: by Ctrl-C or SIGTERM (what
a terminal and a service manager send) everything must be gone within ten seconds with no
traceback in the log; with SIGKILL (or a crash, which the hub cannot clean up after either)
nothing may be left. Processes are counted from outside by the data directory they work in or
name (``processes_of``), so the census does not rely on the mechanism under test.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.workbench import (
    ROOT,
    STOP_TIMEOUT,
    Hub,
    Workbench,
    embedded_hub,
    processes_of,
    wait_until_gone,
    workbench_dir,
)

SCOPES = ["access:servers!user=alice", "servers!user=alice", "read:users!user=alice"]


@pytest.fixture
def workbench() -> Iterator[Workbench]:
    with workbench_dir("lifecycle") as data_dir, embedded_hub(data_dir, start=24000) as running:
        yield running


def _server_with_a_kernel(workbench: Workbench) -> None:
    """alice signs in, starts her server and opens a kernel in it."""
    hub = Hub(workbench)
    token = hub.token(hub.login("alice"), "alice", SCOPES)
    headers = {"Authorization": f"token {token}"}
    started = requests.post(
        f"{hub.url}/hub/api/users/alice/server", json={}, headers=headers, timeout=30
    )
    assert started.status_code in (201, 202), started.text
    deadline = time.monotonic() + 180
    while True:
        model = requests.get(f"{hub.url}/hub/api/users/alice", headers=headers, timeout=10)
        if model.json().get("servers", {}).get("", {}).get("ready"):
            break
        if time.monotonic() > deadline:
            pytest.fail(f"alice's server did not start:\n{workbench.log.read_text()[-3000:]}")
        time.sleep(0.5)
    kernels = f"{hub.url}/user/alice/api/kernels"
    kernel = requests.post(kernels, json={"name": "python3"}, headers=headers, timeout=60)
    assert kernel.status_code == 201, kernel.text
    # as after some use: the kernel has answered (one stopped while it still imports is
    # interrupted by Jupyter's shutdown, and says so with a KeyboardInterrupt traceback)
    asyncio.run(_kernel_info(f"{kernels}/{kernel.json()['id']}/channels", headers))


async def _kernel_info(channels: str, headers: dict[str, str]) -> None:
    request = HTTPRequest(channels.replace("http", "ws", 1), headers=headers)
    connection = await websocket_connect(request)
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "kernel_info_request", "username": "alice"}
    header |= {"session": uuid.uuid4().hex, "version": "5.3"}
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": {}}
    connection.write_message(json.dumps({**message, "channel": "shell"}))
    try:
        while True:
            raw = await asyncio.wait_for(connection.read_message(), 180)
            assert raw is not None, "the kernel's channel closed"
            reply = json.loads(raw)
            mine = reply.get("parent_header", {}).get("msg_id") == msg_id
            if mine and reply["header"]["msg_type"] == "kernel_info_reply":
                return
    finally:
        connection.close()


def _census(data_dir: Path) -> dict[int, str]:
    """The run's processes, with what must be among them before the hub is stopped."""
    running = processes_of(data_dir)
    commands = "\n".join(running.values())
    for part in ("hub.app", "mlplat-platform", "uvicorn", "jupyterhub-singleuser", "ipykernel"):
        assert part in commands, f"no {part} among the workbench's processes:\n{commands}"
    return running


def _ctrl_c(pid: int) -> None:
    """What a terminal does on Ctrl-C: SIGINT to its foreground process group, the launcher's."""
    os.killpg(pid, signal.SIGINT)


def _sigterm(pid: int) -> None:
    """What a service manager (systemd, a supervisor) does."""
    os.kill(pid, signal.SIGTERM)


@pytest.mark.parametrize("stop", [_sigterm, _ctrl_c], ids=["sigterm", "ctrl-c"])
def test_a_stop_ends_everything_within_ten_seconds_without_a_traceback(
    workbench: Workbench, stop: Callable[[int], None]
) -> None:
    _server_with_a_kernel(workbench)
    before = _census(workbench.data_dir)
    began = time.monotonic()
    stop(workbench.hub_pid)
    left = wait_until_gone(workbench.data_dir, timeout=STOP_TIMEOUT)
    took = time.monotonic() - began
    log = workbench.log.read_text()
    stopping = log[log.find("Received signal") :]
    assert not left, f"still running {STOP_TIMEOUT:g} s after the stop: {left}\n{stopping}"
    assert "Traceback" not in log, log[log.index("Traceback") - 2000 :][:5000]
    print(f"{len(before)} processes stopped in {took:.1f} s (load {os.getloadavg()[0]:.1f})")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGSEGV], ids=["sigkill", "crash"])
def test_a_hub_killed_or_crashed_leaves_no_process_behind(
    workbench: Workbench, how: signal.Signals
) -> None:
    """The launcher execs the hub, so killing the launcher is killing the hub: one process
    (checked here), and no second way in which it can die."""
    _server_with_a_kernel(workbench)
    cmdline = Path(f"/proc/{workbench.hub_pid}/cmdline").read_bytes()
    assert b"jupyterlab_mlplat.hub.app" in cmdline, "the launcher's process is the hub's"
    before = _census(workbench.data_dir)
    began = time.monotonic()
    os.kill(workbench.hub_pid, how)
    left = wait_until_gone(workbench.data_dir, timeout=STOP_TIMEOUT)
    assert not left, f"left behind by a hub stopped with {how.name}: {left} (of {before})"
    took = time.monotonic() - began
    print(f"{len(before)} processes gone in {took:.1f} s (load {os.getloadavg()[0]:.1f})")


def test_the_tether_ends_a_tree_that_escaped_into_its_own_session(tmp_path: Path) -> None:
    """What the workbench tests above rely on, on its own and in a second: a command whose
    child moved to a session of its own and ignores SIGTERM is still ended when the process
    that started the tether dies by SIGKILL."""
    marker = tmp_path / "escaped"
    mark = f"exec env MLPLAT_TEST_MARK={marker}"
    script = f"setsid sh -c 'trap \"\" TERM; {mark} sleep 300' & {mark} sleep 301"
    parent = subprocess.Popen(  # the hub's part: start the tether, then die without a word
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys, time; from jupyterlab_mlplat.hub.tether import tethered;"
            f"subprocess.Popen(tethered(['sh', '-c', {script!r}], parent=os.getpid()));"
            "time.sleep(300)",
        ],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while not any(cmd.startswith("sleep 300") for cmd in processes_of(marker).values()):
            assert time.monotonic() < deadline, "the tethered command did not start"
            time.sleep(0.1)
    finally:
        parent.kill()
        parent.wait()
    left = wait_until_gone(marker, timeout=5)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left
