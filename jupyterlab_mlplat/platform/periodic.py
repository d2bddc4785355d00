"""The platform's periodic jobs (the drift job, the usage sampler, the traffic pruning, the
deployments' reconciler) all run on this one loop, so that each keeps only what is its own: the
pass it runs and what it does with the result.

What every job needs and each once had its own copy of:
- it starts on the platform's event loop, running or not yet, and waits before its first pass
  (a platform that restarts does not rush at its database and object store), or not at all
  (the reconciler: ``first_at_most=0``);
- the interval is read at the end of each turn, so a job may be given a live setting (a
  function) as well as a number, or choose by its own state (the reconciler looks again sooner
  while a workload starts); an interval of 0 read that way pauses the job until it is set again;
- ``wake()`` runs the next pass now, from any thread (the reconciler, after each change);
- a pass that blocks (a database call) runs in the loop's executor, never on the event loop,
  where it would hold up every request;
- a pass that fails is logged in one line (the error's type, its reason code and where it
  failed: never its text, which can carry a connection string, nor a traceback), the same
  failure again only at debug level until the job heals, and it never ends the loop;
- ``stop`` ends the wait at once and gives a pass in flight ``grace`` seconds to finish (a pass
  cut short can leave half its work behind, e.g. the samples of some workloads only) before it
  is cancelled; a blocking pass cancelled that way finishes in its thread unheeded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, Self, TypeVar

from tornado.ioloop import IOLoop

from jupyterlab_mlplat.api.errors import where_it_failed
from jupyterlab_mlplat.core.kernel.errors import PlatformError

T = TypeVar("T")

#: seconds, or a function read at each turn that says them (a live setting)
Interval = float | Callable[[], float]


class PeriodicJob(Generic[T]):
    """A named job that runs one pass every interval until stopped.

    Give it ``run`` (a coroutine function) or ``run_blocking`` (a plain function, run in the
    executor); a subclass may override ``passed`` to count or log each pass's result."""

    #: while a live interval reads 0 (paused), how often the job looks at it again, in seconds
    paused_check = 60.0

    def __init__(
        self,
        name: str,
        interval: Interval,
        *,
        run: Callable[[], Awaitable[T]] | None = None,
        run_blocking: Callable[[], T] | None = None,
        from_start: bool = False,
        first_at_most: float | None = None,
        grace: float = 2.0,
        log: logging.Logger | None = None,
    ) -> None:
        if (run is None) == (run_blocking is None):
            raise ValueError("give a job either run or run_blocking")
        self.name = name
        #: seconds between two passes, or a function read at each turn that says them
        self.interval = interval
        #: whether the interval runs from one pass's start to the next (each pass stands for
        #: one interval, as a usage sample does: a slow pass shortens the wait) rather than from
        #: a pass's end to the next start (a slow pass never makes passes pile up)
        self.from_start = from_start
        #: the first pass comes after one interval, or after this many seconds if fewer
        self.first_at_most = first_at_most
        #: how long ``stop`` lets a pass in flight finish before cancelling it, in seconds
        self.grace = grace
        self.log = log or logging.getLogger(f"mlplat.{name}")
        self._run = run
        self._run_blocking = run_blocking
        self._started = False
        self._task: asyncio.Task[object] | None = None
        self._in_pass = False
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        #: the failure last logged (type, reason, place) and how often it came since
        self._failure: tuple[str, str, str] | None = None
        self._repeats = 0
        self._last_interval = 0.0
        #: passes run so far, failed ones too
        self.passes = 0

    # ------------------------------------------------------------------ what a job is given
    def passed(self, result: T) -> None:
        """What the job does with a pass's result (count it, log it): nothing by default."""

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Self:
        """Start on this thread's event loop, running or not yet. A fixed interval of 0 keeps
        the job off; a live one starts it (the setting may be turned on later)."""
        if not self._started and (callable(self.interval) or self.interval > 0):
            self._started = True
            ioloop = IOLoop.current()
            self._event_loop = getattr(ioloop, "asyncio_loop", None)
            ioloop.spawn_callback(self._loop)
        return self

    def stop(self) -> asyncio.Task[object] | None:
        """Stop: a wait ends at once, a pass in flight is cancelled after ``grace`` seconds
        unless it ended before. On a running event loop this returns at once, with the job's
        task for a caller that must know when it ended; on a stopped one (the platform shutting
        down) it runs the loop until the job has ended, so whatever the caller closes next is
        not closed under a pass."""
        self._started = False
        task, self._task = self._task, None
        if task is None or task.done():
            return task
        loop = task.get_loop()
        if not self._in_pass:
            task.cancel()
        else:
            late = loop.call_later(self.grace, task.cancel)
            task.add_done_callback(lambda _: late.cancel())
        if not loop.is_running() and not loop.is_closed():
            loop.run_until_complete(asyncio.wait({task}))
        return task

    async def aclose(self) -> None:
        """Stop, and wait until the job has ended (a pass in flight at most ``grace`` s)."""
        task = self.stop()
        if task is not None and not task.done():
            await asyncio.wait({task})

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop the job runs on, once started."""
        return self._event_loop

    def wake(self) -> None:
        """Run the next pass now (something changed that it should see): safe to call from
        any thread. Before the job's loop runs, and after it ended, nothing happens."""
        loop, wake = self._event_loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    async def _loop(self) -> None:
        if not self._started or self._task is not None:  # stopped, or started again, before
            return
        me = self._task = asyncio.current_task()
        loop = self._event_loop = asyncio.get_running_loop()
        wake = self._wake = asyncio.Event()
        # the interval read at the end of a turn sets the wait before the next pass and
        # whether it runs (0: paused), so a job's own state can choose it (a reconciler that
        # waits for a workload to start looks again sooner)
        interval = self._read_interval()
        first = interval if interval > 0 else self.paused_check
        if self.first_at_most is not None:
            first = min(first, self.first_at_most)
        next_at = loop.time() + first
        while self._task is me:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=max(0.0, next_at - loop.time()))
            if wake.is_set():  # woken: the schedule starts again from now
                wake.clear()
                next_at = min(next_at, loop.time())
            if interval > 0:
                await self.run_pass()
            interval = self._read_interval()
            base = next_at if self.from_start else loop.time()
            wait = interval if interval > 0 else self.paused_check
            next_at = max(base + wait, loop.time())

    # ------------------------------------------------------------------ one pass
    async def run_pass(self) -> T | None:
        """One pass. Nothing it meets stops the job: a failure is logged and the next pass
        tries again (None is returned for it)."""
        self._in_pass = True
        try:
            if self._run is not None:
                result = await self._run()
            else:
                assert self._run_blocking is not None
                result = await asyncio.to_thread(self._run_blocking)
            self.passed(result)
        except Exception as err:
            self._failed("pass", err)
            return None
        finally:
            self._in_pass = False
            self.passes += 1
        self._healed()
        return result

    def _read_interval(self) -> float:
        """The interval in force; a live setting that cannot be read keeps the last one."""
        if not callable(self.interval):
            return self.interval
        try:
            self._last_interval = float(self.interval())
        except Exception as err:
            self._failed("interval", err)
        return self._last_interval

    def _failed(self, what: str, err: Exception) -> None:
        kind = type(err).__name__
        reason = err.reason if isinstance(err, PlatformError) else ""
        where = where_it_failed(err.__traceback__)
        failure = (kind, reason, where)
        shown = f"{kind} ({reason})" if reason else kind
        if failure == self._failure:
            self._repeats += 1
            self.log.debug("%s %s failed again: %s at %s", self.name, what, shown, where)
            return
        self._failure, self._repeats = failure, 1
        self.log.error("%s %s failed: %s at %s", self.name, what, shown, where)

    def _healed(self) -> None:
        if self._failure is not None:
            self.log.info("%s passes work again after %d failure(s)", self.name, self._repeats)
            self._failure, self._repeats = None, 0
