"""The catalog's reads: search with facets, a model's page, its alias history.

Everything published is readable by every signed-in caller (people, and external systems
with API keys). What is not the catalog's own is not: a model's page lists only the
deployments of it the caller may see, by the deployments' rule. Whatever a caller may see is
decided here, in one place, not in the routes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from jupyterlab_mlplat.core.kernel.identity import Identity
from jupyterlab_mlplat.core.kernel.search import found_forms

from .errors import CatalogEntryNotFound
from .ports import CatalogIndex, Serving
from .records import AliasMove, CatalogEntry, CatalogModelPage, SearchResult
from .rules import PAGE_SIZE, search_query

#: the alias a catalog model is loaded by, unless the platform is configured otherwise
CHAMPION = "champion"


class CatalogService:
    def __init__(
        self,
        index: CatalogIndex,
        *,
        champion_alias: str = CHAMPION,
        serving: Serving | None = None,
    ) -> None:
        self.index = index
        self.champion_alias = champion_alias
        self.serving = serving

    def search(
        self,
        who: Identity,
        text: str = "",
        facets: Mapping[str, Sequence[str]] | None = None,
        sort: str | None = None,
        page: int = 1,
        page_size: int = PAGE_SIZE,
    ) -> SearchResult:
        query = search_query(text, facets or {}, sort, page, page_size)
        return replace(self.index.search_catalog(query), words=found_forms(query.terms))

    def entry(self, who: Identity, name: str) -> CatalogEntry:
        found = self.index.catalog_entry(name)
        if found is None:
            raise CatalogEntryNotFound(
                f"The catalog has no model named {name!r}.", params={"name": name}
            )
        return found

    def model_page(self, who: Identity, name: str) -> CatalogModelPage:
        """The entry, and the deployments serving its versions that ``who`` may see."""
        entry = self.entry(who, name)
        if self.serving is None:
            return CatalogModelPage(entry)
        return CatalogModelPage(entry, tuple(self.serving.serving(who, entry.card.mlflow_name)))

    def alias_history(self, who: Identity, name: str) -> tuple[AliasMove, ...]:
        return self.entry(who, name).alias_history
