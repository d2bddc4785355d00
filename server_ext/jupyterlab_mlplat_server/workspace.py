"""``core.experiments.ports.Workspace`` on the Jupyter Server's contents manager: the files the
person sees in JupyterLab, with the contents manager's own checks that a path stays inside the
server root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.utils import ensure_async

from jupyterlab_mlplat.adapters.git import head_commit
from jupyterlab_mlplat.core.experiments.errors import NotebookNotFound, NotebookUnreadable


class JupyterWorkspace:
    def __init__(self, contents_manager: Any) -> None:
        self._contents = contents_manager

    async def read_file(self, path: str) -> bytes:
        try:
            model = await ensure_async(
                self._contents.get(path, content=True, type="file", format="text")
            )
        except tornado.web.HTTPError as err:
            if err.status_code == 404:
                raise NotebookNotFound(
                    f"{path!r} does not exist; save it first", params={"path": path[:500]}
                ) from None
            raise NotebookUnreadable(
                f"{path!r} cannot be read: {err.log_message}", "path", params={"path": path[:500]}
            ) from None
        return str(model["content"]).encode()

    async def commit_of(self, path: str) -> str | None:
        return await head_commit(self._folder_inside_root(path), Path(self._contents.root_dir))

    def _folder_inside_root(self, path: str) -> Path | None:
        root = Path(self._contents.root_dir).resolve()
        folder = (root / path).resolve().parent
        return folder if folder.is_relative_to(root) else None
