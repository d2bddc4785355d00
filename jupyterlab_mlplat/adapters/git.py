"""git, run as a subprocess in the user's server.

Credentials reach git through an askpass helper that reads the token from the environment of
that one process, so it never lands in a URL, ``.git/config``, a credential store or the
command line (which other users could read in /proc). Every run disables credential helpers and
terminal prompts, so git fails with a message rather than hanging or storing anything.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import tempfile
import weakref
from pathlib import Path

from jupyterlab_mlplat.core.git.ports import GitRunner
from jupyterlab_mlplat.core.git.records import GitResult
from jupyterlab_mlplat.core.git.rules import GitNotRunnable, GitTimedOut
from jupyterlab_mlplat.core.kernel.errors import Unavailable

GIT_TIMEOUT = 10.0
#: pushes and pulls of large notebooks over a slow link
REMOTE_TIMEOUT = 300.0
TOKEN_VARIABLE = "MLPLAT_GIT_TOKEN"  # noqa: S105  (a variable name, not a secret)

_ASKPASS = f"""#!/bin/sh
# git asks for a username, then a password: GitLab takes any name with a token as password
case "$1" in
  Username*) echo oauth2 ;;
  *) printf '%s\\n' "${TOKEN_VARIABLE}" ;;
esac
"""


async def head_commit(folder: Path | None, within: Path) -> str | None:
    """The commit checked out in ``folder``'s repository when that repository lies within
    ``within`` (the person's own files), else None (also without git). A person's folder may
    sit inside someone else's checkout, whose commit says nothing of the person's work."""
    if folder is None:
        return None
    try:
        result = await CliGit().run(folder, "rev-parse", "--show-toplevel", "--verify", "HEAD")
    except Unavailable:
        return None
    lines = result.text.splitlines()
    if result.code != 0 or len(lines) != 2:
        return None
    top, commit = lines
    if not Path(os.path.realpath(top)).is_relative_to(os.path.realpath(within)):  # noqa: ASYNC240
        return None
    return commit


class CliGit(GitRunner):
    """``core.git.ports.GitRunner`` on the git command line."""

    def __init__(self, *, timeout: float = GIT_TIMEOUT) -> None:
        self._timeout = timeout
        self._askpass: Path | None = None

    def _askpass_script(self) -> Path:
        if self._askpass is None or not self._askpass.exists():
            folder = Path(tempfile.mkdtemp(prefix="mlplat-git-"))  # 0700
            script = folder / "askpass.sh"
            script.write_text(_ASKPASS)
            script.chmod(stat.S_IRWXU)
            self._askpass = script
            # gone with the runner (or the server's exit): one folder per server, never left over
            weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        return self._askpass

    def _environment(self, token: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}
        env.update(
            GIT_TERMINAL_PROMPT="0",
            GCM_INTERACTIVE="never",
            LC_ALL="C",  # messages are parsed in English
        )
        env.pop("GIT_ASKPASS", None)
        env.pop("SSH_ASKPASS", None)
        if token:
            env["GIT_ASKPASS"] = str(self._askpass_script())
            env[TOKEN_VARIABLE] = token
        return env

    async def run(
        self, folder: Path, *args: str, stdin: bytes | None = None, token: str | None = None
    ) -> GitResult:
        command = [
            "git",
            "-c",
            "credential.helper=",  # never store or look up credentials anywhere
            "-c",
            "core.askPass=",
            "-c",
            "core.quotePath=false",
            *args,
        ]
        remote = token is not None
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                cwd=folder,
                env=self._environment(token),
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as failure:
            raise GitNotRunnable(
                f"git cannot run here ({failure.strerror}).",
                params={"detail": failure.strerror or ""},
            ) from None
        try:
            out, err = await asyncio.wait_for(
                process.communicate(stdin), timeout=REMOTE_TIMEOUT if remote else self._timeout
            )
        except TimeoutError:
            process.kill()
            await process.wait()
            raise GitTimedOut(
                f"git {args[0]} took too long and was stopped.", params={"command": args[0]}
            ) from None
        return GitResult(process.returncode or 0, out, err.decode(errors="replace"))
