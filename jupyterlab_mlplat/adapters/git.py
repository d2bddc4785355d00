"""git, run as a subprocess in the user's server. (Commit/push/branches arrive with the Git tab.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

GIT_TIMEOUT = 10.0


async def head_commit(folder: Path | None) -> str | None:
    """The commit checked out in ``folder``, or None outside a repository (or without git)."""
    if folder is None:
        return None
    try:
        process = await asyncio.create_subprocess_exec(
            "git",
            "-C",
            str(folder),
            "rev-parse",
            "--verify",
            "HEAD",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        out, _ = await asyncio.wait_for(process.communicate(), timeout=GIT_TIMEOUT)
    except (OSError, TimeoutError):
        return None
    commit = out.decode().strip()
    return commit if process.returncode == 0 and commit else None
