"""The reviews room's registry port (``core/reviews/ports.py::Registry``) on the platform's
MLflow registry: what a submission snapshots, read as its author, and publishing into the
catalog as the platform's own identity."""

from __future__ import annotations

import asyncio

from jupyterlab_mlplat.core.models.records import ModelVersion
from jupyterlab_mlplat.core.reviews.ports import Registry as ReviewsRegistry
from jupyterlab_mlplat.core.reviews.records import PublishedCopy, VersionFacts

from .registry import PlatformMlflowRegistry


class CatalogPublisher(ReviewsRegistry):
    """Each publishing step may be retried: the copy is found by its publication tag, the card
    is written again, the alias moved again."""

    def __init__(self, registry: PlatformMlflowRegistry) -> None:
        self.registry = registry

    async def version_facts(self, author: str, model_name: str, version: str) -> VersionFacts:
        """What reviewers judge, read as the author: never more than the author could read."""
        reader = self.registry.as_author(author)
        found = await reader.get_version(model_name, version)
        model, run, logged = await asyncio.gather(
            reader.get_registered_model(model_name),
            reader.get_run(found.run_id) if found.run_id else _none(),
            reader.version_model(found),
        )
        return VersionFacts(
            model_name=found.name,
            version=found.version,
            source=found.source,
            owner=model.created_by or None,
            run_id=found.run_id or None,
            run_name=run.name if run else None,
            experiment_id=run.experiment_id if run else None,
            signature=dict(logged.signature) if logged and logged.signature else None,
            input_example=(logged.input_example or None) if logged else None,
            flavors=logged.flavour.flavours if logged else (),
            framework=(logged.flavour.framework or None) if logged else None,
            task=(logged.flavour.task or None) if logged else None,
            params=dict(run.params) if run else {},
            metrics=dict(run.metrics) if run else {},
            notebook=(run.notebook or None) if run else None,
            commit=(run.commit or None) if run else None,
            repository=(run.repository or None) if run else None,
        )

    async def publish_copy(
        self,
        facts: VersionFacts,
        *,
        author: str,
        catalog_model: str,
        publication_id: int,
        card_markdown: str,
        alias: str,
    ) -> PublishedCopy:
        """Each step may be retried: the copy is found by its publication tag, the card is
        overwritten, the alias moved again."""
        source = ModelVersion(
            name=facts.model_name,
            version=facts.version,
            run_id=facts.run_id or "",
            source=facts.source,
            created_by=facts.owner or "",
            created_at=None,
            status="READY",
        )
        copy = await self.registry.copy_to_catalog(
            source, catalog_model, publication_id=str(publication_id)
        )
        await self.registry.write_card(
            source, card_markdown, author=facts.owner or self.registry.identity
        )
        await self.registry.set_alias(catalog_model, alias, copy.version)
        return PublishedCopy(catalog_model=catalog_model, catalog_version=copy.version, alias=alias)

    async def move_alias(self, catalog_model: str, alias: str, version: str) -> None:
        await self.registry.set_alias(catalog_model, alias, version)

    async def deprecate_copy(self, catalog_model: str, version: str) -> None:
        await self.registry.deprecate(catalog_model, version)


async def _none() -> None:
    return None
