"""Operating-system accounts of the embedded workbench, kept the way The Littlest JupyterHub
keeps them: when the hub runs as root, every person's workspace runs as an account of its own
(``mlplat-alice``, no password, no login shell) with a home only it can enter, and the services
(proxy, platform, MLflow and its gateway) run as one unprivileged service account. A workspace
then reads nothing of the hub's, the services' or another person's: the kernel enforces it, not
our code.

Only the launcher and the spawner, both running as root, call this module.
"""

from __future__ import annotations

import logging
import os
import pwd
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tenacity import retry, retry_if_result, stop_after_delay, wait_random

log = logging.getLogger("mlplat.accounts")

#: the account the hub's services run as
SERVICE_ACCOUNT = "mlplat"
NO_LOGIN = "/usr/sbin/nologin"

# useradd takes a lock on /etc/passwd and gives up when it is held: thirty people signing in at
# once would fail each other's first spawn, so one account is made at a time in this process;
# another process (a second hub on the machine, or a deployer) may still hold the file's lock,
# so a refused useradd is tried again for a few seconds before it is an error
_lock = threading.Lock()


@retry(
    stop=stop_after_delay(10),
    wait=wait_random(0.05, 0.3),
    # only a held lock ("cannot lock /etc/passwd; try again later"): any other refusal (a name
    # useradd does not take) is said at once
    retry=retry_if_result(lambda failure: "lock" in failure),
    retry_error_callback=lambda state: state.outcome.result() if state.outcome else "",
)
def _useradd(command: list[str], name: str) -> str:
    """Why ``useradd`` failed ("" when the account exists afterwards, made here or not)."""
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode and not _exists(name):
        return run.stderr.strip() or f"useradd exited {run.returncode}"
    return ""


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int


def privileged() -> bool:
    """Whether this process may make accounts and hand files to them (it runs as root)."""
    return os.geteuid() == 0


def unreachable_interpreter() -> Path | None:
    """The folder that keeps other accounts from running this Python, if any. A Python built
    under a private home (pyenv in /root, mode 0700) cannot run as a workspace's account, and
    opening /root to everyone would expose what else lives there, so the workbench then stays
    single-trust and says why (scripts/bootstrap builds the venv on a reachable Python)."""
    base = Path(os.path.realpath(sys.base_prefix))
    for folder in [base, *base.parents]:
        if not folder.stat().st_mode & 0o001:
            return folder
    return None


def separate_accounts_possible() -> bool:
    """Root, and a Python every account can run: what an account per person needs."""
    return privileged() and unreachable_interpreter() is None


def ensure_account(name: str, *, system: bool, comment: str) -> Account:
    """The account ``name``, made on first need. Its passwd home is a path that does not exist:
    one account serves every data directory a machine runs (tests run several), so the home a
    process gets is set where it starts (``HOME``), never read from /etc/passwd."""
    with _lock:
        if not _exists(name):
            command = ["useradd", "--user-group", "--no-create-home", "--home-dir", "/nonexistent"]
            command += ["--shell", NO_LOGIN, "--comment", comment]
            command += ["--system"] if system else []
            failure = _useradd([*command, name], name)
            if failure:
                raise OSError(f"useradd {name} failed: {failure}")
            log.info("made the account %s", name)
        entry = pwd.getpwnam(name)
    return Account(name, entry.pw_uid, entry.pw_gid)


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def hand_over(path: Path, account: Account, mode: int = 0o700) -> None:
    """Make ``path`` (created if missing) and everything under it the account's, and ``path``
    itself ``mode``. The walk happens only when ``path`` is not the account's yet (a first
    start, or a data directory from before accounts existed), so a large home costs nothing on
    later starts."""
    path.mkdir(parents=True, exist_ok=True)
    stat = path.stat()
    if (stat.st_uid, stat.st_gid) != (account.uid, account.gid):
        for top, dirs, files in os.walk(path):
            for name in (*dirs, *files):
                os.lchown(os.path.join(top, name), account.uid, account.gid)
        os.chown(path, account.uid, account.gid)
    path.chmod(mode)


def keep_private(paths: Iterable[Path], mode: int = 0o700) -> None:
    """Folders the hub alone (root) reads: its database, its secrets."""
    for path in paths:
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(mode)


def make_traversable(paths: Iterable[Path]) -> list[Path]:
    """Let every account pass through (not list) the folders above ``paths``: the workspaces
    must reach their homes and the venv, the services the code and their data. A clean clone
    in ``mktemp -d`` (mode 0700) needs this; nothing becomes readable that was not. Returns
    what was changed, for the launcher to say."""
    changed: list[Path] = []
    for path in paths:
        start = path.resolve()
        for folder in [start, *start.parents] if start.is_dir() else start.parents:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                folder.chmod((mode & 0o7777) | 0o001)
                changed.append(folder)
    return changed
