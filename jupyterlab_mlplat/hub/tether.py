"""Tie a process started by the embedded hub — a service, the proxy, a person's server — and
everything it starts to the hub's lifetime.

JupyterHub starts each of them in a session of its own, so a hub that dies without cleaning up
(SIGKILL, a crash, the OOM killer) leaves them running, and even a clean stop reaches only the
first process: MLflow's ``uvicorn`` child and the kernels of a server (each in a session of
its own again) stayed behind. The hub therefore starts every such command through this small
supervisor (``python -m jupyterlab_mlplat.hub.tether --parent HUB_PID -- COMMAND…``), which

- asks the kernel for ``PR_SET_PDEATHSIG`` = SIGTERM: the hub's death, however it happens, is a
  stop request. It is set here, in the program the hub executes, after any change of account
  the hub's preexec made (a change of credentials clears it), and the hub starts its children
  from its main thread, so the death of that thread is the death of the hub;
- is a child subreaper (``PR_SET_CHILD_SUBREAPER``): whatever its command starts and abandons,
  in whichever session, is re-parented to it rather than to init, so it can still find it;
- turns any stop request (SIGINT, SIGTERM, SIGHUP, the hub's death) into SIGTERM for its
  command: JupyterHub asks with SIGINT first, which a Jupyter server without a terminal answers
  by asking for confirmation (ignoring it) and the MLflow gateway with a KeyboardInterrupt
  traceback; SIGTERM means stop to all of them;
- once the command has exited or ``--grace`` seconds have passed, ends every process left
  under it (SIGTERM, one second, then SIGKILL), and exits with the command's status.

Why not ``tini`` or ``dumb-init``: they forward signals and reap, but leave the rest of the
tree alone when their child exits, and the leftovers were processes in sessions of their own.
A cgroup would hold the tree too, but needs a writable cgroup hierarchy, which containers and
laptops often lack. Only the standard library is imported, because this runs before every
service and server start. What escapes it: a process that SIGKILLs its own tether (a person can
do that to their own only) is re-parented to init.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Sequence

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
#: seconds a command gets to stop after SIGTERM before what is left of its tree is ended
DEFAULT_GRACE = 4.0
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT}


def tethered(command: Sequence[str], *, parent: int, grace: float = DEFAULT_GRACE) -> list[str]:
    """``command`` started through the tether, tied to the process ``parent`` (the hub)."""
    return [
        sys.executable,
        "-m",
        "jupyterlab_mlplat.hub.tether",
        f"--parent={parent}",
        f"--grace={grace:g}",
        "--",
        *command,
    ]


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl({option}): {os.strerror(errno)}")


def descendants(root: int) -> list[int]:
    """Every process under ``root``, read from /proc (parents before their children)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue  # gone meanwhile
        # the command name may hold spaces and parentheses: the fields follow the last ')'
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    queue = list(children.get(root, []))
    while queue:
        pid = queue.pop(0)
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


#: the wait status of every child collected so far (ours, or re-parented to us)
_reaped: dict[int, int] = {}


def _reap() -> None:
    """Collect every exited child, so that none stays a zombie."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _reaped[pid] = status


def _signal_all(pids: Sequence[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def end_tree(wait: float = 1.0) -> None:
    """End every process left under this one: SIGTERM, up to ``wait`` seconds, SIGKILL."""
    me = os.getpid()
    left = descendants(me)
    if not left:
        return
    _signal_all(left, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        _reap()
        left = descendants(me)
    _signal_all(left, signal.SIGKILL)
    deadline = time.monotonic() + 2.0
    while descendants(me) and time.monotonic() < deadline:
        time.sleep(0.02)
        _reap()


def run(command: Sequence[str], *, parent: int | None, grace: float) -> int:
    """Run ``command`` tied to ``parent``; the exit code to leave with."""
    watched = {*STOP_SIGNALS, signal.SIGCHLD}
    signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if parent is not None and os.getppid() != parent:
        return 128 + signal.SIGTERM  # the hub died before we could watch it: start nothing
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    try:
        child = os.posix_spawnp(
            command[0],
            list(command),
            dict(os.environ),
            setsigmask=(),
            # Python ignores SIGPIPE and SIGXFSZ; the command starts with the defaults
            setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, *STOP_SIGNALS),
        )
    except OSError as err:
        sys.stderr.write(f"mlplat tether: cannot start {command[0]}: {err.strerror}\n")
        return 127
    status: int | None = None
    deadline: float | None = None
    while status is None:
        if deadline is None:
            info: signal.struct_siginfo | None = signal.sigwaitinfo(watched)
        else:
            remaining = deadline - time.monotonic()
            info = signal.sigtimedwait(watched, remaining) if remaining > 0 else None
        if info is None:
            break  # the command did not stop in time: end_tree ends it
        if info.si_signo == signal.SIGCHLD:
            _reap()
            status = _reaped.get(child)
        elif deadline is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)
            deadline = time.monotonic() + grace
    end_tree()
    _reap()
    code = os.waitstatus_to_exitcode(_reaped.get(child, 0))
    return 128 - code if code < 0 else code


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jupyterlab_mlplat.hub.tether")
    parser.add_argument("--parent", type=int, help="the process whose death stops COMMAND")
    parser.add_argument("--grace", type=float, default=DEFAULT_GRACE)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    sys.exit(run(command, parent=args.parent, grace=args.grace))


if __name__ == "__main__":
    main()
