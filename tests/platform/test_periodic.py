"""The one loop every periodic job of the platform runs on (drift, usage, traffic pruning),
with real passes on a real event loop: a failing pass never ends it and is logged once, not at
every turn; stop ends a wait at once and a pass in flight after its grace at most; a blocking
pass runs in the executor, off the event loop; a live interval is read at each turn."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time

import pytest

from jupyterlab_mlplat.core.kernel.errors import Unavailable
from jupyterlab_mlplat.platform.periodic import PeriodicJob

TICK = 0.02


async def until(condition: object, seconds: float = 30.0) -> None:
    """Wait for ``condition()`` (a loaded machine is slow: no tight deadline)."""
    assert callable(condition)
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(TICK / 2)


async def close(job: PeriodicJob[int]) -> None:
    """Stop the job and wait for its end: a stop that does not stop fails here, not hangs."""
    await asyncio.wait_for(job.aclose(), timeout=30.0)


class Results(PeriodicJob[int]):
    """A job that keeps what its passes returned."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # the base's own
        self.results: list[int] = []

    def passed(self, result: int) -> None:
        self.results.append(result)


@pytest.mark.asyncio
async def test_failing_passes_never_end_the_loop_and_are_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    turns = 0

    async def flaky() -> int:
        nonlocal turns
        turns += 1
        if turns <= 3:
            raise Unavailable("the database at postgresql://secret@db is down")
        if turns == 4:
            raise RuntimeError("something else")
        return turns

    job = Results("flaky", TICK, run=flaky)
    with caplog.at_level(logging.DEBUG, "mlplat.flaky"):
        job.start()
        await until(lambda: len(job.results) >= 2)
        await close(job)
    assert job.results[:2] == [5, 6]  # the loop went on after four failed passes
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2, errors  # one line for each kind of failure, not one a pass
    place = r" at test_periodic\.py:\d+"
    assert re.fullmatch(r"flaky pass failed: Unavailable \(unavailable\)" + place, errors[0])
    assert re.fullmatch(r"flaky pass failed: RuntimeError" + place, errors[1])
    repeats = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(repeats) == 2 and all("failed again: Unavailable" in m for m in repeats)
    assert "flaky passes work again after 1 failure(s)" in caplog.text
    assert "secret" not in caplog.text and "Traceback" not in caplog.text


@pytest.mark.asyncio
async def test_a_failing_result_hook_or_interval_does_not_end_the_loop() -> None:
    reads = 0

    def interval() -> float:
        nonlocal reads
        reads += 1
        if reads == 3:
            raise OSError("settings store away")
        return TICK

    class Picky(Results):
        def passed(self, result: int) -> None:
            if result == 1:
                raise ValueError("cannot count this one")
            super().passed(result)

    count = iter(range(1, 100))
    job = Picky("picky", interval, run=lambda: asyncio.sleep(0, next(count)))
    job.start()
    await until(lambda: len(job.results) >= 3)
    await close(job)
    assert job.results[:3] == [2, 3, 4] and reads > 3


@pytest.mark.asyncio
async def test_stop_ends_the_wait_at_once_and_no_pass_runs_after() -> None:
    job = Results("steady", TICK, run=lambda: asyncio.sleep(0, 1))
    job.start()
    await until(lambda: job.passes >= 2)
    job.stop()
    passes = job.passes
    await asyncio.sleep(10 * TICK)
    assert job.passes == passes

    sleepy = Results("sleepy", 3600.0, run=lambda: asyncio.sleep(0, 1)).start()
    await asyncio.sleep(TICK)  # its loop runs and waits for an hour
    started = time.monotonic()
    await close(sleepy)
    # at once, not after its hour (seconds, not a tight bound: a loaded machine is slow)
    assert time.monotonic() - started < 10.0 and sleepy.passes == 0


@pytest.mark.asyncio
async def test_stop_waits_for_a_pass_in_flight_only_for_its_grace() -> None:
    finished: list[str] = []

    async def slow(name: str, seconds: float) -> int:
        await asyncio.sleep(seconds)
        finished.append(name)
        return 1

    quick = Results("quick", TICK, run=lambda: slow("quick", 0.2), grace=5.0).start()
    await until(lambda: quick._in_pass)
    await close(quick)
    assert finished == ["quick"] and quick.results == [1]  # it finished within its grace

    stuck = Results("stuck", TICK, run=lambda: slow("stuck", 60.0), grace=0.1).start()
    await until(lambda: stuck._in_pass)
    started = time.monotonic()
    await close(stuck)
    assert time.monotonic() - started < 10.0  # its grace, not the pass's minute
    assert finished == ["quick"] and stuck.results == []  # cancelled after the grace


@pytest.mark.asyncio
async def test_a_blocking_pass_runs_off_the_event_loop() -> None:
    threads: list[int] = []

    released = threading.Event()

    def blocking() -> int:
        threads.append(threading.get_ident())
        # a pass on the event loop would hold it here, and the loop could never release it
        return 1 if released.wait(30) else 0

    job = Results("blocking", TICK, run_blocking=blocking).start()
    await until(lambda: job._in_pass)
    released.set()  # the event loop runs while the pass blocks
    await until(lambda: job.results)
    await close(job)
    assert job.results[0] == 1
    assert threads and threading.get_ident() not in threads


@pytest.mark.asyncio
async def test_a_live_interval_is_read_at_each_turn_and_0_pauses() -> None:
    live = [TICK]
    job = Results("live", lambda: live[0], run=lambda: asyncio.sleep(0, 1))
    job.paused_check = TICK
    job.start()
    await until(lambda: job.passes >= 2)
    live[0] = 0.0
    await asyncio.sleep(3 * TICK)
    paused = job.passes
    await asyncio.sleep(10 * TICK)
    assert job.passes == paused  # paused while the setting says 0
    live[0] = TICK
    await until(lambda: job.passes >= paused + 2)
    await close(job)


@pytest.mark.asyncio
async def test_wake_runs_the_next_pass_now_from_any_thread() -> None:
    job = Results("woken", 3600.0, run=lambda: asyncio.sleep(0, 1), first_at_most=0.0)
    job.wake()  # before the loop runs: nothing to wake
    job.start()
    await until(lambda: job.passes == 1)  # the first pass at once, then an hour's wait
    threading.Thread(target=job.wake).start()  # as the service's changes do, from a pool
    await until(lambda: job.passes == 2, seconds=2.0)
    await asyncio.sleep(5 * TICK)
    assert job.passes == 2
    await close(job)
    job.wake()  # after the end: nothing happens


@pytest.mark.asyncio
@pytest.mark.parametrize("from_start", [False, True])
async def test_the_interval_runs_from_the_end_or_from_the_start(from_start: bool) -> None:
    interval = 0.1
    times: list[tuple[float, float]] = []

    async def timed() -> int:
        begin = time.monotonic()
        await asyncio.sleep(2 * interval)  # longer than the interval
        times.append((begin, time.monotonic()))
        return 1

    job = Results("paced", interval, run=timed, from_start=from_start).start()
    await until(lambda: len(times) >= 3)
    await close(job)
    gaps = [times[i + 1][0] - times[i][1] for i in range(2)]
    if from_start:  # behind time: the next pass starts at once
        assert all(gap < interval for gap in gaps), gaps
    else:  # a whole interval after each pass's end
        assert all(gap >= interval for gap in gaps), gaps


def test_stop_on_a_stopped_loop_lets_the_pass_in_flight_finish() -> None:
    """The platform's shutdown: its event loop has stopped, then it stops the jobs and closes
    the database; a pass in flight ends before."""
    finished: list[int] = []

    async def pass_() -> int:
        await asyncio.sleep(0.2)
        finished.append(1)
        return 1

    async def start_and_wait() -> Results:
        job = Results("closing", TICK, run=pass_).start()
        await until(lambda: job._in_pass)
        return job

    loop = asyncio.new_event_loop()
    try:
        job = loop.run_until_complete(start_and_wait())
        job.stop()  # the loop is not running: this runs it until the job has ended
        assert finished == [1] and job.results == [1]
        assert not [t for t in asyncio.all_tasks(loop) if not t.done()]
    finally:
        loop.close()


def test_a_job_with_an_interval_of_0_never_starts_and_needs_one_way_to_run() -> None:
    job = Results("off", 0.0, run=lambda: asyncio.sleep(0, 1))
    assert job.start() is job and job._task is None and not job._started
    with pytest.raises(ValueError, match="either run or run_blocking"):
        PeriodicJob("neither", 1.0)
