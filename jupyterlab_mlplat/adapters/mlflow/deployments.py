"""The deployments room's registry port (``core/deployments/ports.py::ModelSources``) on the
platform's MLflow registry: a version's files and owner, read as whoever deploys it (a person's
own version) or as the platform (a catalog version), once, when the version enters a spec."""

from __future__ import annotations

import asyncio

from jupyterlab_mlplat.core.deployments.ports import ModelSources
from jupyterlab_mlplat.core.deployments.records import ModelSource, VersionFound

from .registry import PlatformMlflowRegistry

#: the flavours the model server loads natively; anything else is loaded as a pyfunc
NATIVE_FLAVOURS = ("sklearn",)


class MlflowModelSources(ModelSources):
    def __init__(self, registry: PlatformMlflowRegistry) -> None:
        self.registry = registry

    async def own_version(self, user: str, model_name: str, version: str) -> VersionFound:
        """Read as ``user``: a version they cannot read is not found, whatever its name."""
        return await self._found(self.registry.as_author(user), model_name, version)

    async def catalog_version(self, model_name: str, version: str) -> VersionFound:
        return await self._found(self.registry, model_name, version)

    @staticmethod
    async def _found(reader: PlatformMlflowRegistry, model_name: str, version: str) -> VersionFound:
        found = await reader.get_version(model_name, version)
        model, logged, location = await asyncio.gather(
            reader.get_registered_model(model_name),
            reader.version_model(found),
            reader.download_uri(found),
        )
        flavours = logged.flavour.flavours if logged else ()
        flavor = next((f for f in NATIVE_FLAVOURS if f in flavours), "python_function")
        return VersionFound(
            owner=model.created_by,
            source=ModelSource(found.name, found.version, uri=location, flavor=flavor),
            status=found.status,
        )
