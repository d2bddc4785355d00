"""A model version's files, fetched by the platform from MLflow's artifact proxy, so that the
model server that loads them never holds an MLflow credential.

The embedded deployer runs each replica as a local process; before it starts one it asks this
module for the version's folder. The files come through MLflow's own artifact proxy
(``/api/2.0/mlflow-artifacts/artifacts``) with the platform's identity headers (the same ones
``PlatformMlflowRegistry`` sends), are written to a temporary folder beside the destination and
renamed into place only when complete, so a half-downloaded model is never loaded, and a
folder that is present is reused (a registered version's files never change).

Paths are canonicalised, never filtered: the location MLflow gives is split into segments and
refused when one is empty, ``.`` or ``..``; every name a listing returns must be one plain
segment. Files are streamed to disk, never held in memory whole (a model can be large).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import aiohttp

from jupyterlab_mlplat.core.experiments.errors import MLflowUnavailable
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, NotFound

from .registry import PROXIED, PlatformMlflowRegistry
from .rest import _pool, mlflow_error

ARTIFACTS_API = "api/2.0/mlflow-artifacts/artifacts"
#: folders below a version's root that are followed at most (a model is a few levels deep)
MAX_DEPTH = 16
#: files one version may hold at most: a listing beyond it is not a model we serve
MAX_FILES = 10_000
CHUNK = 1 << 20


def _segments(path: str) -> list[str]:
    """``path`` as its segments, refused when one would leave the folder it names."""
    parts = unquote(path).strip("/").split("/")
    if not parts or any(p in ("", ".", "..") or "\x00" in p for p in parts):
        raise InvalidInput(
            "the model version's artifact location is not a plain path",
            params={"location": path[:200]},
        )
    return parts


def _plain_name(name: str) -> str:
    """One entry of a listing: a single segment, never a path of its own."""
    base = name.rsplit("/", 1)[-1]
    if base in ("", ".", "..") or "\x00" in base or "\\" in base:
        raise InvalidInput(
            "MLflow listed a file name the platform will not write", params={"name": base[:100]}
        )
    return base


class MlflowModelFiles:
    """Downloads versions' files as the platform (``mlplat-platform``)."""

    def __init__(self, registry: PlatformMlflowRegistry, *, timeout: float = 60.0) -> None:
        self.registry = registry
        self._timeout = timeout
        self._locks: dict[Path, asyncio.Lock] = {}

    async def location(self, model_name: str, version: str, uri: str) -> str:
        """The ``mlflow-artifacts:/`` location of a version. A ``models:/`` URI (what MLflow 3
        writes as a version's source) is resolved with the registry's download URI."""
        if uri.startswith("models:/"):
            answer = await self.registry._json(
                "GET",
                "model-versions/get-download-uri",
                query={"name": model_name, "version": version},
                missing=NotFound(
                    f"version {version} of {model_name!r} does not exist",
                    params={"name": model_name[:256], "version": version},
                ),
            )
            uri = str(answer.get("artifact_uri", ""))
        if not uri.startswith(PROXIED):
            raise InvalidInput(
                "the version's files are not kept behind MLflow's artifact proxy, where the "
                "platform fetches them; register the model through the workbench's MLflow",
                params={"location": uri[:200]},
            )
        return uri

    async def fetch(self, model_name: str, version: str, uri: str, dest: Path) -> Path:
        """``dest`` holding the version's files, downloaded unless it is there already."""
        lock = self._locks.setdefault(dest, asyncio.Lock())
        async with lock:
            if dest.is_dir():  # noqa: ASYNC240  (local, cheap)
                return dest
            location = await self.location(model_name, version, uri)
            parsed = urlparse(location)
            root = _segments(parsed.path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            partial = dest.with_name(f".{dest.name}.partial-{uuid.uuid4().hex[:8]}")
            try:
                await self._download_tree(root, partial, depth=0, counted=[0])
                os.rename(partial, dest)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    shutil.rmtree(partial)
            return dest

    async def _download_tree(
        self, root: list[str], folder: Path, *, depth: int, counted: list[int]
    ) -> None:
        if depth > MAX_DEPTH:
            raise InvalidInput("the model's files are nested too deep", params={})
        folder.mkdir(mode=0o700)  # noqa: ASYNC240  (local, cheap)
        for entry in await self._list(root):
            name = _plain_name(str(entry.get("path", "")))
            counted[0] += 1
            if counted[0] > MAX_FILES:
                raise InvalidInput("the model holds too many files", params={})
            if entry.get("is_dir"):
                await self._download_tree(
                    [*root, name], folder / name, depth=depth + 1, counted=counted
                )
            else:
                await self._download_file([*root, name], folder / name)

    async def _list(self, root: list[str]) -> list[dict[str, object]]:
        body, _ = await self.registry._call("GET", ARTIFACTS_API, query={"path": "/".join(root)})
        files = json.loads(body or b"{}").get("files", [])
        return [f for f in files if isinstance(f, dict)]

    async def _download_file(self, path: list[str], target: Path) -> None:
        url = f"{self.registry.base}/{ARTIFACTS_API}/" + "/".join(quote(p, safe="") for p in path)
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self._timeout, sock_read=self._timeout
        )
        try:
            async with _pool().get(
                url,
                headers=self.registry._auth_headers(),
                allow_redirects=False,
                timeout=timeout,
            ) as response:
                if response.status >= 300:
                    raise mlflow_error(response.status, await response.read(), missing=None)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    async for chunk in response.content.iter_chunked(CHUNK):
                        out.write(chunk)
        except (TimeoutError, aiohttp.ClientError):
            raise MLflowUnavailable(
                "MLflow is not reachable right now; the workbench retries by itself."
            ) from None
