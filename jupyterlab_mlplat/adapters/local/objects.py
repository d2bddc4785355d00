"""The object store of the embedded workbench: a folder on the local disk.

Keys are canonicalised and then required to stay inside the root (never string-filtered), so a
key built from user text cannot reach another file on the machine.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from jupyterlab_mlplat.core.kernel.errors import InvalidInput, NotFound, Unavailable
from jupyterlab_mlplat.core.kernel.naming import object_key
from jupyterlab_mlplat.core.kernel.storage import ObjectStore, ObjectStoreSettings


class LocalObjectStore(ObjectStore):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_settings(cls, settings: ObjectStoreSettings) -> LocalObjectStore:
        return cls(settings.folder)

    def _path(self, key: str) -> Path:
        path = (self.root / object_key(key)).resolve()
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

    def keys(self, prefix: str, *, start_after: str = "") -> list[str]:
        canonical = object_key(prefix, prefix=True)
        # the folder holding the prefix's last part, then a filter on the whole key: a prefix
        # need not end at a folder (``drift/churn/3/2026-``)
        folder = self.root / canonical.rpartition("/")[0]
        if not folder.resolve().is_relative_to(self.root) or not folder.is_dir():
            return []
        found = []
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith(".incoming-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(canonical) and key > start_after:
                    found.append(key)
        return sorted(found)

    def ping(self) -> None:
        if not os.access(self.root, os.W_OK):
            raise Unavailable(f"the object store folder {self.root} is not writable")
