"""The catalog as a public read API: search with facets, sorting and paging; a model's page;
its alias history. Every signed-in caller may read it.

External systems call these routes with API keys (``Authorization: Bearer mlp_…``, a key with
``catalog_read``) as well as hub tokens. ``CatalogReadHandler`` is where that door opens: the
handler base recognises a key, the keys service decides whether it may read.
"""

from __future__ import annotations

from jupyterlab_mlplat.api.catalog import (
    NAME_PATH,
    SEARCH_QUERY,
    AliasHistory,
    CatalogModel,
    CatalogSearchPage,
    SearchArguments,
)
from jupyterlab_mlplat.api.openapi import declared_query, operation
from jupyterlab_mlplat.platform.base import PlatformHandler

_NOT_FOUND = {404: "No published model of that name."}


class CatalogReadHandler(PlatformHandler):
    """The base of the catalog's public reads: hub tokens, and API keys with ``catalog_read``
    (read as the key's owner)."""

    accepts_api_keys = True

    def search_arguments(self) -> SearchArguments:
        def integer(name: str, default: int) -> int:
            raw = self.get_query_argument(name, None)
            return default if raw is None else declared_query(type(self), "get", name).integer(raw)

        return SearchArguments.read(self.request.query_arguments, integer)


class CatalogSearchHandler(CatalogReadHandler):
    route_name = "catalog_search"

    @operation(
        "Search the catalog: full text in Russian and English over names, descriptions, "
        "model cards and tags, filtered by facets; one page of hits with every facet's counts.",
        {200: (CatalogSearchPage, "The page.")},
        query=SEARCH_QUERY,
    )
    async def get(self) -> None:
        a = self.search_arguments()
        found = await self.run(
            self.services.catalog.search,
            self.identity,
            a.text,
            a.facets,
            a.sort,
            a.page,
            a.page_size,
        )
        self.send_model(CatalogSearchPage.of(found))


class CatalogModelHandler(CatalogReadHandler):
    route_name = "catalog_model"

    @operation(
        "A catalog model's page: its card, versions with metrics and lineage, the alias "
        "history, deployments and the code that loads it in a notebook.",
        {200: (CatalogModel, "The model.")},
        path=NAME_PATH,
        errors=_NOT_FOUND,
    )
    async def get(self, name: str) -> None:
        catalog = self.services.catalog
        page = await self.run(catalog.model_page, self.identity, name)
        self.send_model(CatalogModel.of(page, catalog.champion_alias))


class CatalogAliasHistoryHandler(CatalogReadHandler):
    route_name = "catalog_alias_history"

    @operation(
        "Every move of the model's aliases (who, when, from which version to which, through "
        "which publication), newest first.",
        {200: (AliasHistory, "The moves.")},
        path=NAME_PATH,
        errors=_NOT_FOUND,
    )
    async def get(self, name: str) -> None:
        moves = await self.run(self.services.catalog.alias_history, self.identity, name)
        self.send_model(AliasHistory.of(moves))


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/catalog/search", CatalogSearchHandler),
    ("api/v1/catalog/models/(?P<name>[^/]+)", CatalogModelHandler),
    ("api/v1/catalog/models/(?P<name>[^/]+)/alias-history", CatalogAliasHistoryHandler),
]
