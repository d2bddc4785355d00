"""What the catalog needs from the metadata store, and from the deployments room.

``CatalogTx`` is written to inside the publishing transaction of ``core/reviews``: the
publication turns ``published``, the entry is updated and the alias history appended in one
commit, or none of it is. ``core/reviews`` may not import this module (a feature sees another's
records and errors only), so its own unit of work declares the same methods with these
signatures, and the SQL store's one transaction class implements both.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from jupyterlab_mlplat.core.kernel.audit import UnitOfWork
from jupyterlab_mlplat.core.kernel.identity import Identity

from .records import (
    AliasMove,
    CatalogEntry,
    CatalogVersion,
    EntryCard,
    SearchResult,
    ServingDeployment,
    VersionState,
)
from .rules import SearchQuery


class CatalogTx(UnitOfWork):
    @abstractmethod
    def catalog_entry_for_update(self, name: str) -> CatalogEntry | None:
        """The entry with its versions and aliases, locked until the transaction ends (two
        publications of one model at once: the second waits, then sees the first's version)."""

    @abstractmethod
    def upsert_catalog_entry(self, card: EntryCard, *, at: datetime) -> None:
        """Create the entry, or replace its card, text, tags and facets with a newer card."""

    @abstractmethod
    def add_catalog_version(self, name: str, version: CatalogVersion) -> None:
        """Append a published version to an existing entry; raises ``CatalogVersionExists``."""

    @abstractmethod
    def set_catalog_version_state(
        self, name: str, version: int, state: VersionState, *, at: datetime
    ) -> None:
        """Deprecate (or restore) a version; the entry's status follows. Raises
        ``CatalogVersionNotFound``."""

    @abstractmethod
    def record_alias_move(self, name: str, move: AliasMove) -> None:
        """Point the alias at ``move.to_version`` and append the move to the history."""


class CatalogIndex(Protocol):
    """The catalog's reads, outside any transaction (search is the busiest thing it does)."""

    def search_catalog(self, query: SearchQuery) -> SearchResult: ...

    def catalog_entry(self, name: str) -> CatalogEntry | None: ...


class Serving(Protocol):
    """Which deployments serve a registered model (the deployments room answers). The
    deployments' own rule decides what a reader sees: theirs, or every one for an admin."""

    def serving(self, who: Identity, mlflow_name: str) -> list[ServingDeployment]: ...
