"""An MLflow run context provider: every run started in a notebook kernel names its notebook
and the git commit of the notebook's folder.

MLflow asks every installed provider (entry point ``mlflow.run_context_provider``) for tags when
a run starts, autologged ones included, so no code in the notebook has to remember to do it.
Jupyter Server tells each kernel its notebook in ``JPY_SESSION_NAME``; the workbench's server
extension exports its root folder as ``MLPLAT_SERVER_ROOT`` so the path can be shown and opened.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from mlflow.tracking.context.abstract_context import RunContextProvider

from jupyterlab_mlplat.core.experiments.records import ROOT_ENV, TAG_GIT_COMMIT, TAG_SOURCE_NOTEBOOK


def notebook_path(session_name: str, root: str | None) -> str:
    """The notebook relative to the server's root when inside it, else as given."""
    path = Path(session_name)
    for base in (root, os.environ.get("HOME")):
        if base and path.is_absolute() and path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


def folder_commit(folder: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--verify", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None


class NotebookRunContext(RunContextProvider):
    def in_context(self) -> bool:
        return bool(os.environ.get("JPY_SESSION_NAME"))

    def tags(self) -> dict[str, str]:
        session = os.environ["JPY_SESSION_NAME"]
        tags = {TAG_SOURCE_NOTEBOOK: notebook_path(session, os.environ.get(ROOT_ENV))}
        commit = folder_commit(Path(session).parent)
        if commit:
            tags[TAG_GIT_COMMIT] = commit
        return tags
