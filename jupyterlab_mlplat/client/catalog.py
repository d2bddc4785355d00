"""The catalog: search and a model's page, for the sidebar's Catalog tab."""

from __future__ import annotations

from urllib.parse import quote

from jupyterlab_mlplat.api.catalog import (
    AliasHistory,
    CatalogModel,
    CatalogSearchPage,
    SearchArguments,
)

from .transport import Transport


class CatalogCalls(Transport):
    async def catalog_search(self, search: SearchArguments) -> CatalogSearchPage:
        return await self._get(f"api/v1/catalog/search?{search.query_string()}", CatalogSearchPage)

    async def catalog_model(self, name: str) -> CatalogModel:
        return await self._get(f"api/v1/catalog/models/{quote(name, safe='')}", CatalogModel)

    async def catalog_alias_history(self, name: str) -> AliasHistory:
        path = f"api/v1/catalog/models/{quote(name, safe='')}/alias-history"
        return await self._get(path, AliasHistory)
