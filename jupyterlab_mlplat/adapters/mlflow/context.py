"""An MLflow run context provider: every run started in a notebook kernel names its notebook
and the git commit of the person's repository that holds it.

MLflow asks every installed provider (entry point ``mlflow.run_context_provider``) for tags when
a run starts, autologged ones included, so no code in the notebook has to remember to do it.

The notebook is asked of the Jupyter server at the moment the run starts: a notebook renamed
after its kernel started keeps its kernel, and only the server's session learns the new name
(``JPY_SESSION_NAME`` is the name at the kernel's start, MLflow's own provider caches the first
answer for the kernel's life). The server that started the kernel is ``JPY_PARENT_PID``; its
info file in the runtime directory gives its URL and token, as ``jupyter server list`` reads it.
The workbench's server extension exports its root folder as ``MLPLAT_SERVER_ROOT`` so the path
can be shown and opened.

A commit is recorded only from a repository inside the person's home: a home may sit inside
someone else's checkout (the workbench's own, on a laptop), whose commit says nothing of the
person's work. MLflow's own git provider looks at the interpreter's file, not the notebook, and
would name whatever checkout the interpreter sits in; this provider's tags are resolved after
MLflow's, so it always sets the git tags, empty when there is no such repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_runtime_dir
from mlflow.tracking.context.abstract_context import RunContextProvider
from mlflow.utils.mlflow_tags import MLFLOW_GIT_BRANCH, MLFLOW_SOURCE_NAME

from jupyterlab_mlplat.core.experiments.records import (
    ROOT_ENV,
    TAG_GIT_COMMIT,
    TAG_GIT_REPO,
    TAG_SOURCE_NOTEBOOK,
)

#: how long a run's start may wait for the server's answer before the launch-time name is used
SESSIONS_TIMEOUT = 5.0


def notebook_path(session_name: str, root: str | None) -> str:
    """The notebook relative to the server's root when inside it, else as given."""
    path = Path(session_name)
    for base in (root, os.environ.get("HOME")):
        if base and path.is_absolute() and path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


def _kernel_id() -> str | None:
    if "ipykernel" not in sys.modules:  # not in a kernel: the launch-time name serves
        return None
    try:
        from ipykernel.connect import get_connection_file

        name = Path(get_connection_file()).stem  # kernel-<id>
    except (ImportError, RuntimeError):
        return None
    return name.split("-", 1)[1] if name.startswith("kernel-") else None


def _server_info() -> dict[str, Any] | None:
    parent = os.environ.get("JPY_PARENT_PID", "")
    if not parent.isdigit():
        return None
    try:
        info = json.loads((Path(jupyter_runtime_dir()) / f"jpserver-{parent}.json").read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def current_session_path() -> Path | None:
    """The notebook the server's session of this kernel names now, as an absolute path; None
    when the server cannot be asked (no kernel, no server, no answer in time)."""
    kernel = _kernel_id()
    info = _server_info()
    if kernel is None or info is None or not info.get("url") or not info.get("root_dir"):
        return None
    token = info.get("token") or os.environ.get("JUPYTERHUB_API_TOKEN", "")
    request = urllib.request.Request(  # noqa: S310  (the server's own http URL)
        f"{str(info['url']).rstrip('/')}/api/sessions",
        headers={"Authorization": f"token {token}"} if token else {},
    )
    try:
        with urllib.request.urlopen(request, timeout=SESSIONS_TIMEOUT) as response:  # noqa: S310
            sessions = json.load(response)
    except (OSError, ValueError):
        return None
    for session in sessions if isinstance(sessions, list) else []:
        if (session.get("kernel") or {}).get("id") == kernel and session.get("path"):
            return Path(info["root_dir"]) / str(session["path"]).lstrip("/")
    return None


def own_repository(folder: Path, home: str | None) -> tuple[str, str | None] | None:
    """The commit and branch checked out in the repository holding ``folder``, when that
    repository lies inside ``home``; None otherwise (or without git)."""
    if not home:
        return None
    home_path = Path(os.path.realpath(home))
    if not Path(os.path.realpath(folder)).is_relative_to(home_path):
        return None
    # git does not even look above the home: a checkout around it is not the person's
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(home_path.parent), "LC_ALL": "C"}
    try:
        result = subprocess.run(
            [
                "git",
                "-C",
                str(folder),
                "rev-parse",
                "--show-toplevel",
                "HEAD",
                "--abbrev-ref",
                "HEAD",
            ],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != 3:
        return None
    top, commit, branch = lines
    if not Path(os.path.realpath(top)).is_relative_to(home_path):
        return None
    return commit, None if branch == "HEAD" else branch


class NotebookRunContext(RunContextProvider):
    def in_context(self) -> bool:
        return bool(os.environ.get("JPY_SESSION_NAME"))

    def tags(self) -> dict[str, str]:
        current = current_session_path()
        session = str(current) if current else os.environ["JPY_SESSION_NAME"]
        path = notebook_path(session, os.environ.get(ROOT_ENV))
        repository = own_repository(Path(session).parent, os.environ.get("HOME"))
        commit, branch = repository or ("", None)
        return {
            TAG_SOURCE_NOTEBOOK: path,
            MLFLOW_SOURCE_NAME: path,
            TAG_GIT_COMMIT: commit,
            MLFLOW_GIT_BRANCH: branch or "",
            TAG_GIT_REPO: "",
        }
