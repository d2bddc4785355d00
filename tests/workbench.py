"""Start and stop a real embedded workbench for tests: shared by tests/hub_config and ui-tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

#: the hub's port and the offsets mlplat-embedded derives the others from
PORT_OFFSETS = (0, 1, 81, 101)


@dataclass
class Workbench:
    url: str
    password: str
    data_dir: Path
    log: Path


def free_port_block(start: int) -> int:
    """A hub port whose whole block (proxy API, hub API, platform) is free right now."""
    for base in range(start, start + 10_000, 211):
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
    """Run ``command`` (which must start the workbench on ``port``), wait until the platform
    answers through the hub's proxy, and stop the whole process group afterwards."""
    log = data_dir / "workbench.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{url}/services/mlplat/api/v1/health", timeout=2).ok:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the workbench did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.5)
        password = (data_dir / "secrets" / "demo-password").read_text().strip()
        yield Workbench(url, password, data_dir, log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the hub, its proxy, the platform and the user servers together."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
