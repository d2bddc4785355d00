"""A deployment behind the invocations gateway, for ``bench/serving.py --gateway-url``.

Starts the real model server (``python -m jupyterlab_mlplat.serving``) for the benchmark's iris
model, a stand-in of the platform's two routes the gateway asks (the route feed and the key
check, the same stand-in ``tests/gateways`` uses: neither is on the path of a warm request), and
the gateway itself as its own process (``mlplat-invocations``), then prints the flags for the
benchmark and waits (Ctrl-C stops everything):

    .venv/bin/python bench/gateway_stack.py [--drift-rate 0.1] &
    .venv/bin/python bench/serving.py --servers ours --gateway-url URL --key KEY

With ``--run`` it runs that benchmark itself and stops afterwards. The key's rate limit is set
far above what the machine can send, so the bucket is exercised without refusing anything.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import NAME, make_model  # noqa: E402
from tests.gateways.conftest import SERVICE_TOKEN, ControlStandin, free_port  # noqa: E402

KEY = "mlp_benchkey_" + "k" * 40


def wait_ready(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310
            if answer.status == 200:
                return
        if process.poll() is not None:
            raise SystemExit(f"{what} exited ({process.returncode})")
        time.sleep(0.1)
    raise SystemExit(f"{what} did not get ready")


def spawn(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--drift-rate", type=float, default=0.1)
    parser.add_argument("--run", action="store_true", help="run bench/serving.py, then stop")
    parser.add_argument("--duration", default="10")
    args = parser.parse_args()

    model = make_model()
    model_port, gateway_port = free_port(), free_port()
    serving = [sys.executable, "-m", "jupyterlab_mlplat.serving", "--model-uri", str(model)]
    server = spawn([*serving, "--name", NAME, "--version", "1", "--port", str(model_port)])
    control = ControlStandin()
    runner = web.AppRunner(control.app(), access_log=None)
    await runner.setup()
    control_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", control_port).start()
    control.url = f"http://127.0.0.1:{control_port}"
    control.route(NAME, "alice", [("1", "primary", 100, f"http://127.0.0.1:{model_port}")])
    control.key(KEY, "alice", [NAME], key_id=1, rate_limit=1e6)
    objects = tempfile.mkdtemp(prefix="mlplat-gateway-bench-")
    traits = {
        "port": gateway_port,
        "ip": "127.0.0.1",
        "platform_url": f"{control.url}/services/mlplat/",
        "platform_token": SERVICE_TOKEN,
        "object_store_dir": objects,
        "drift_sample_rate": args.drift_rate,
        "hub_api_url": "",
    }
    gateway = spawn(
        [sys.executable, "-m", "jupyterlab_mlplat.gateways.invocations"]
        + [f"--InvocationsGatewayApp.{name}={value}" for name, value in traits.items()]
    )
    try:
        await asyncio.to_thread(
            wait_ready, f"http://127.0.0.1:{model_port}/v2/health/ready", server, "model server"
        )
        await asyncio.to_thread(
            wait_ready, f"http://127.0.0.1:{gateway_port}/health", gateway, "gateway"
        )
        url = f"http://127.0.0.1:{gateway_port}/api/v1/deployments/{NAME}/invocations"
        flags = ["--gateway-url", url, "--key", KEY]
        print(" ".join(flags), flush=True)
        if args.run:
            bench = [sys.executable, str(ROOT / "bench" / "serving.py"), "--servers", "ours"]
            done = await asyncio.create_subprocess_exec(
                *bench, "--duration", args.duration, *flags, cwd=ROOT
            )
            await done.wait()
        else:
            stop = asyncio.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(sig, stop.set)
            await stop.wait()
    finally:
        for process in (gateway, server):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
