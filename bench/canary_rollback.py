"""No failed request while a deployment's traffic shifts to a canary and rolls back, under load
(issue 13, item 5 and "Speed": "zero failed requests across a canary shift and a rollback").

The whole embedded workbench runs (the hub and its proxy, the platform with its reconciler and
local backend, MLflow, the invocations gateway), as in ``tests/gateways/test_workbench.py``;
alice registers two versions of an iris model, deploys version 1 to staging and makes an API
key. Then ``--connections`` callers send one-row requests through the hub's public URL with the
key, without pause, while alice, through the platform's API as the sidebar does:

1. steady: version 1 alone;
2. shifts 20 % to a canary of version 2 (a second model server starts; the route takes it only
   once it is ready) and waits until both answer;
3. steady with the canary;
4. rolls back (the canary's model server is drained, then stopped);
5. steady: version 1 alone again.

Every answer is counted per phase and per version; any answer that is not a 200 (or a request
that got no answer) is a failure, printed with its status and the first of its body. Figures
are printed; nothing is asserted (the same property is a test: ``tests/gateways``).

    .venv/bin/python bench/canary_rollback.py [--connections 10] [--rate 800] [--steady 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.publishing import register_versions  # noqa: E402
from tests.workbench import Hub, workbench_dir  # noqa: E402
from tests.workbench import embedded_hub as embedded_hub_running  # noqa: E402

COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
ROW = {"dataframe_split": {"columns": COLUMNS, "data": [[5.1, 3.5, 1.4, 0.2]]}}
SCOPES = [
    "access:services!service=mlplat",
    "access:services!service=mlflow",
    "access:services!service=deployments",
]


@dataclass
class Phase:
    name: str
    started: float = field(default_factory=time.monotonic)
    ended: float = 0.0
    answered: Counter[str] = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


class Load:
    """``connections`` callers without pause; each answer lands in the phase it ended in."""

    def __init__(self, url: str, secret: str, connections: int, rate: float) -> None:
        self.url, self.secret, self.connections = url, secret, connections
        #: each caller's pause between sends, so that all together stay at ``rate`` a second:
        #: the key's own limit (1000 a second at most) must not be what refuses requests
        self.interval = connections / rate
        self.phases: list[Phase] = []
        self._stop = asyncio.Event()

    def phase(self, name: str) -> None:
        if self.phases:
            self.phases[-1].ended = time.monotonic()
        self.phases.append(Phase(name))
        print(f"  {time.strftime('%H:%M:%S')} {name}", flush=True)

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(limit=self.connections)
        headers = {"Authorization": f"Bearer {self.secret}"}
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
            await asyncio.gather(*(self._caller(session) for _ in range(self.connections)))
        self.phases[-1].ended = time.monotonic()

    def stop(self) -> None:
        self._stop.set()

    async def _caller(self, session: aiohttp.ClientSession) -> None:
        timeout = aiohttp.ClientTimeout(total=30)
        due = time.perf_counter()
        while not self._stop.is_set():
            due += self.interval
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            sent = time.perf_counter()
            try:
                async with session.post(self.url, json=ROW, timeout=timeout) as answer:
                    text = await answer.text()
                    took = time.perf_counter() - sent
                    phase = self.phases[-1]
                    if answer.status == 200:
                        phase.answered[answer.headers.get("X-Model-Version", "?")] += 1
                        phase.latencies.append(took)
                    else:
                        phase.failed.append(f"{answer.status} {_reason(text)}")
            except (aiohttp.ClientError, TimeoutError) as err:
                self.phases[-1].failed.append(type(err).__name__)


def _reason(text: str) -> str:
    """An error answer by its reason (its request id differs each time)."""
    try:
        return str(json.loads(text).get("reason"))
    except (ValueError, AttributeError):
        return text[:160]


def call(method: str, url: str, token: str, body: Any = None) -> requests.Response:
    return requests.request(
        method, url, json=body, headers={"Authorization": f"token {token}"}, timeout=60
    )


async def until(platform: str, name: str, token: str, test: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while True:
        page = (
            await asyncio.to_thread(call, "GET", f"{platform}/deployments/{name}", token)
        ).json()
        if page["phase"] == "ready" and test(page):
            return dict(page)
        if page["phase"] == "failed" or time.monotonic() > deadline:
            raise SystemExit(f"the deployment did not get there: {page}")
        await asyncio.sleep(0.25)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


async def scenario(hub: Hub, connections: int, rate: float, steady: float) -> Load:
    alice = hub.token(hub.login("alice"), "alice", SCOPES)
    model, name = f"bench-{uuid.uuid4().hex[:6]}", f"cr-{uuid.uuid4().hex[:6]}"
    await asyncio.to_thread(register_versions, hub, "alice", model, 2, token=alice)
    platform = f"{hub.url}/services/mlplat/api/v1"
    body = {"name": name, "stage": "staging", "model_name": model, "version": "1"}
    made = await asyncio.to_thread(call, "POST", f"{platform}/deployments", alice, body)
    assert made.status_code == 201, made.text
    await until(platform, name, alice, lambda page: True)
    key = {"name": "bench", "deployments": [name], "rate_limit": 1000}
    secret = (await asyncio.to_thread(call, "POST", f"{platform}/apikeys", alice, key)).json()
    url = f"{hub.url}/services/deployments/api/v1/deployments/{name}/invocations"

    load = Load(url, secret["secret"], connections, rate)
    load.phase("1 steady: version 1")
    running = asyncio.create_task(load.run())
    await asyncio.sleep(steady)

    load.phase("2 shifting 20 % to a canary of version 2")
    shift = {"revision": 1, "canary": {"version": "2", "percent": 20}}
    changed = await asyncio.to_thread(
        call, "PUT", f"{platform}/deployments/{name}/traffic", alice, shift
    )
    assert changed.status_code == 200, changed.text
    shifted = await until(platform, name, alice, lambda page: len(page["route"]) == 2)

    load.phase("3 steady: version 1 and the canary")
    await asyncio.sleep(steady)

    load.phase("4 rolling back")
    back = await asyncio.to_thread(
        call,
        "POST",
        f"{platform}/deployments/{name}/rollback",
        alice,
        {"revision": shifted["revision"]},
    )
    assert back.status_code == 200, back.text
    only_v1 = [f"{name}-v1"]
    await until(platform, name, alice, lambda p: [w["name"] for w in p["workloads"]] == only_v1)

    load.phase("5 steady: version 1 alone again")
    await asyncio.sleep(steady)
    load.stop()
    await running
    revision = back.json()["revision"]
    await asyncio.to_thread(
        call, "DELETE", f"{platform}/deployments/{name}?revision={revision}", alice
    )
    return load


def report(load: Load, connections: int, rate: float) -> None:
    print(f"\n{connections} connections at {rate:.0f} requests a second in all, one row each,")
    print("through the hub's public URL and the gateway with an API key, to the model servers")
    print("the platform's local backend runs\n")
    print("| phase | seconds | req/s | answered by version | failed | p50 ms | p99 ms |")
    print("|---|--:|--:|---|--:|--:|--:|")
    failures: list[str] = []
    for phase in load.phases:
        seconds = phase.ended - phase.started
        total = sum(phase.answered.values()) + len(phase.failed)
        versions = ", ".join(f"v{v}: {n:,}" for v, n in sorted(phase.answered.items()))
        print(
            f"| {phase.name} | {seconds:.1f} | {total / seconds:,.0f} | {versions} | "
            f"{len(phase.failed)} | {percentile(phase.latencies, 0.5):.1f} | "
            f"{percentile(phase.latencies, 0.99):.1f} |"
        )
        failures += phase.failed
    canary = sum(p.answered.get("2", 0) for p in load.phases)
    print()
    for reason, count in Counter(failures).most_common(5):
        print(f"  failed {count} times: {reason}")
    verdict = "PASS" if not failures and canary > 0 else "MISS"
    print(
        f"{verdict}  zero failed requests across a canary shift and a rollback under load: "
        f"{len(failures)} failed, the canary answered {canary:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument(
        "--rate", type=float, default=800.0, help="requests a second in all (the key allows 1000)"
    )
    parser.add_argument("--steady", type=float, default=5.0, help="seconds of each steady phase")
    args = parser.parse_args()
    with (
        workbench_dir("bench-canary") as data_dir,
        embedded_hub_running(data_dir, start=19500) as workbench,
    ):
        load = asyncio.run(scenario(Hub(workbench), args.connections, args.rate, args.steady))
    report(load, args.connections, args.rate)


if __name__ == "__main__":
    main()
