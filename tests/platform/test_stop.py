"""Stopping: the hub stops its services, and Kubernetes its pods, with SIGTERM. The platform then
stops as on ^C: its jobs end, its connections close, it says so and exits 0."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import tornado.ioloop

from jupyterlab_mlplat.platform.app import PlatformApp


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        (signal.SIGTERM, "asked to stop (SIGTERM); stopping"),
        (signal.SIGINT, "asked to stop (SIGINT); stopping"),
    ],
)
def test_a_stop_signal_is_an_orderly_stop(tmp_path: Path, sent: signal.Signals, said: str) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab_mlplat.platform",
            f"--data-dir={tmp_path}",
            f"--PlatformApp.port={port}",
            "--log-level=INFO",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                    break
            except OSError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the platform did not answer in 60 s"
                time.sleep(0.1)
        process.send_signal(sent)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0, err
    assert said in err
    assert err.rstrip().endswith("stopped")
    assert "Traceback" not in err
    assert "Unclosed" not in err
    # said once, however many rooms ask for the platform's MLflow
    assert err.count("no MLflow for the platform") == 1


def test_signals_after_the_first_do_not_stop_the_stop() -> None:
    """The stop runs the loop again (jobs end their pass, replicas drain); the hub's SIGTERM
    that follows its SIGINT must not stop the loop under them."""
    before = {each: signal.getsignal(each) for each in (signal.SIGINT, signal.SIGTERM)}
    asyncio_loop = asyncio.new_event_loop()
    loop = tornado.ioloop.IOLoop.current() if False else None
    try:
        asyncio.set_event_loop(asyncio_loop)
        loop = tornado.ioloop.IOLoop.current()
        app = PlatformApp()
        for each in (signal.SIGINT, signal.SIGTERM):
            asyncio_loop.add_signal_handler(each, app._asked_to_stop, loop, each)
        app._asked_to_stop(loop, signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        for each, handler in before.items():
            signal.signal(each, handler)
        if loop is not None:
            loop.close(all_fds=False)
        asyncio.set_event_loop(None)
