"""The launcher opens folders for passage only: never a file, never reading or listing."""

from __future__ import annotations

import os
import pwd
import subprocess
import threading
import uuid
from pathlib import Path

import pytest

from jupyterlab_mlplat.adapters.local.accounts import ensure_account, make_traversable


def test_only_folders_above_a_path_are_opened_and_only_for_passage(tmp_path: Path) -> None:
    private = tmp_path / "private"
    code = private / "pkg" / "launcher.py"
    code.parent.mkdir(parents=True)
    code.write_text("")
    code.chmod(0o644)
    private.chmod(0o700)
    opened = make_traversable([code])
    assert private in opened and code not in opened
    assert private.stat().st_mode & 0o777 == 0o701  # passable, not listable
    assert code.stat().st_mode & 0o777 == 0o644  # a file never becomes executable
    assert make_traversable([code]) == []  # already passable: nothing to say


@pytest.mark.skipif(os.geteuid() != 0, reason="making accounts needs root")
def test_an_account_is_made_while_another_process_holds_the_passwd_lock() -> None:
    """useradd gives up at once when another process holds /etc/passwd's lock (a second hub
    on the machine making its own accounts): the account is made once the lock is free."""
    name = f"mlplat-t{uuid.uuid4().hex[:8]}"
    lock = Path("/etc/passwd.lock")
    assert not lock.exists(), "another useradd is running; try again"
    holder = subprocess.Popen(["sleep", "2"])
    lock.write_text(f"{holder.pid}\0")  # shadow-utils' lock: the holder's pid, alive
    try:
        refused = subprocess.run(["useradd", "--system", name], capture_output=True, check=False)
        assert refused.returncode != 0, "useradd did not see the lock; the test proves nothing"
        threading.Timer(1.0, lambda: lock.unlink(missing_ok=True)).start()
        made = ensure_account(name, system=True, comment="lock test")
        assert made.name == name and pwd.getpwnam(name).pw_uid == made.uid
    finally:
        lock.unlink(missing_ok=True)
        holder.kill()
        holder.wait()
        subprocess.run(["userdel", name], capture_output=True, check=False)
