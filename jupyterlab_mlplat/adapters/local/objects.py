"""The object store of the embedded workbench: a folder on the local disk.

Keys are canonicalised and then required to stay inside the root (never string-filtered), so a
key built from user text cannot reach another file on the machine.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from jupyterlab_mlplat.core.kernel.errors import InvalidInput, NotFound, Unavailable
from jupyterlab_mlplat.core.kernel.storage import ObjectStore


class LocalObjectStore(ObjectStore):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        posix = PurePosixPath(key)
        if not key or posix.is_absolute() or ".." in posix.parts or "\x00" in key:
            raise InvalidInput(f"object key {key!r} must be a relative path without '..'", "key")
        path = (self.root / posix).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidInput(f"object key {key!r} leaves the object store", "key")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # write-then-rename: a reader never sees half an object
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError as err:
            raise NotFound(f"object {key!r} does not exist") from err

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def ping(self) -> None:
        if not os.access(self.root, os.W_OK):
            raise Unavailable(f"the object store folder {self.root} is not writable")
