"""A pytest session that hangs still says where: CI stops a run that outlasts its limit and keeps
only the end of its output, so a hang would otherwise leave nothing to read.

``scripts/test`` names a file in MLPLAT_TEST_STACKS for each session. Into it go every thread's
stack when the session is ended from outside (SIGTERM: its time limit ran out), and when the
process is still alive ``EXIT_GRACE`` seconds after pytest finished (a non-daemon thread, or a
child waited for at exit, holds it: it is then ended, exit status 1). A single test that hangs is
pytest-timeout's (``timeout`` in pyproject.toml), whose report names the test and its stacks.

The file is written by the interpreter's fault handler rather than to the terminal because pytest
captures the terminal's file descriptors during the run; without the variable nothing is set up.
"""

from __future__ import annotations

import faulthandler
import os
import signal
from typing import IO

import pytest

#: seconds a finished session may take to exit before its threads are dumped and it is ended
EXIT_GRACE = 120

_stacks: IO[str] | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _stacks
    path = os.environ.get("MLPLAT_TEST_STACKS")
    if not path or _stacks is not None:
        return
    _stacks = open(path, "w", encoding="utf-8")  # noqa: SIM115  # the fault handler holds it
    # chain: after the dump the default action runs and the process ends as asked
    faulthandler.register(signal.SIGTERM, file=_stacks, all_threads=True, chain=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _stacks is not None:
        faulthandler.dump_traceback_later(EXIT_GRACE, exit=True, file=_stacks)
