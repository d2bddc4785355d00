"""The drift sampler's loop ends when the gateway stops it, even when a batch filled up in the
same moment. Python 3.11's ``asyncio.wait_for`` returned the wait's result instead of raising
when the task was cancelled just as the event it waited on was set, so the loop went on and
the gateway's stop, which awaits it, never returned."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from jupyterlab_mlplat.adapters.local.objects import LocalObjectStore
from jupyterlab_mlplat.gateways.invocations import DriftSampler, GatewayMetrics

pytestmark = pytest.mark.asyncio


async def test_a_stop_that_meets_a_full_batch_ends_the_loop(tmp_path: Path) -> None:
    sampler = DriftSampler(
        LocalObjectStore(tmp_path), GatewayMetrics(), rate=1.0, rows=1, seconds=3600
    )
    for _ in range(20):  # each round: the loop waits, a batch fills, the stop comes at once
        loop = asyncio.create_task(sampler.run())
        await asyncio.sleep(0.01)  # the loop is waiting for a full batch
        sampler.offer("churn", "1", "mlflow", b'{"inputs": [1]}', "rid")
        loop.cancel()
        done, _ = await asyncio.wait({loop}, timeout=5)
        assert done == {loop}, "the sampler's loop went on after it was stopped"
        assert loop.cancelled()
