"""The Catalog tab: search, a model's page and its alias history, read from the platform as
the person (every signed-in person may read the whole catalog)."""

from __future__ import annotations

import tornado.web

from jupyterlab_mlplat.api.catalog import (
    NAME_PATH,
    SEARCH_QUERY,
    AliasHistory,
    CatalogModel,
    CatalogSearchPage,
    SearchArguments,
)
from jupyterlab_mlplat.api.openapi import operation

from .base import SidebarHandler


class CatalogSearchHandler(SidebarHandler):
    @operation(
        "Search the catalog: words of names, descriptions, cards and tags in Russian or "
        "English, facets, sorting and paging.",
        {200: (CatalogSearchPage, "One page of hits with every facet's counts.")},
        query=SEARCH_QUERY,
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        search = SearchArguments.read(self.request.query_arguments, self.int_argument)
        self.write_model(await self.client.catalog_search(search))


class CatalogModelHandler(SidebarHandler):
    @operation(
        "A catalog model's page: card, versions, metrics, lineage, alias history, deployments "
        "and the code that loads it in a notebook.",
        {200: (CatalogModel, "The model.")},
        path=NAME_PATH,
    )
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        self.write_model(await self.client.catalog_model(name))


class CatalogAliasHistoryHandler(SidebarHandler):
    @operation(
        "Every move of the model's aliases, newest first.",
        {200: (AliasHistory, "The moves.")},
        path=NAME_PATH,
    )
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        self.write_model(await self.client.catalog_alias_history(name))


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("catalog/search", CatalogSearchHandler),
    ("catalog/models/(?P<name>[^/]+)", CatalogModelHandler),
    ("catalog/models/(?P<name>[^/]+)/alias-history", CatalogAliasHistoryHandler),
]
