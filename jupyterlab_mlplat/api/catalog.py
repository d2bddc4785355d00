"""Wire models of the catalog: a search page with its facet counts, and a model's page.

The same models answer the platform's public read API (``/api/v1/catalog/...``) and the
sidebar's Catalog tab, so an external system and the tab read one shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from urllib.parse import urlencode

from pydantic import Field

from jupyterlab_mlplat.core.catalog.records import (
    FACETS,
    AliasMove,
    CatalogModelPage,
    CatalogVersion,
    FacetCount,
    SearchHit,
    SearchResult,
)
from jupyterlab_mlplat.core.catalog.rules import (
    CONTROLS,
    MAX_FACET_VALUE,
    MAX_FACET_VALUES,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_QUERY,
    PAGE_SIZE,
    Sort,
    notebook_snippet,
)
from jupyterlab_mlplat.core.deployments.records import Phase, Stage, Traffic
from jupyterlab_mlplat.core.models.card import ModelCard

from .base import FromCore, Wire
from .openapi import Query

State = Literal["published", "deprecated"]

#: the query parameters of a search, shared by the platform's route and the sidebar's
SEARCH_QUERY = [
    Query(
        "q",
        'Words and "quoted phrases" to look for in names, descriptions, cards and tags; '
        "-word excludes. Russian and English words match in any of their forms.",
        pattern=f"^[^{CONTROLS}]{{0,{MAX_QUERY}}}$",
    ),
    *(
        Query(
            facet,
            f"Only entries with one of these values of {facet}.",
            repeated=True,
            max_items=MAX_FACET_VALUES,
            pattern=f"^[^{CONTROLS}]{{0,{MAX_FACET_VALUE}}}$",
        )
        for facet in ("task", "framework", "team", "license", "status")
    ),
    Query(
        "sort",
        "relevance (newest first without q), updated (newest first) or name.",
        enum=tuple(s.value for s in Sort),
    ),
    Query(
        "page",
        "One-based. Pages past the first 10,000 matches are empty.",
        type="integer",
        minimum=1,
        maximum=MAX_PAGE,
    ),
    Query(
        "page_size",
        f"Hits a page (default {PAGE_SIZE}).",
        type="integer",
        minimum=1,
        maximum=MAX_PAGE_SIZE,
    ),
]


@dataclass(frozen=True)
class SearchArguments:
    """A search as a query string carries it: read once for both APIs (the sidebar forwards
    exactly what it read to the platform), and checked by the catalog's rules, not here."""

    text: str = ""
    facets: dict[str, list[str]] = field(default_factory=dict)
    sort: str | None = None
    page: int = 1
    page_size: int = PAGE_SIZE

    @classmethod
    def read(
        cls,
        query: Mapping[str, list[bytes]],
        integer: Callable[[str, int], int],
    ) -> SearchArguments:
        """From a request's query arguments as sent, and ``integer(name, default)``: a whole
        number within the bounds the document declares. Text is read as sent, not through
        tornado's ``get_argument``, which turns control characters into spaces: the rules
        refuse them, as the document says."""

        def many(name: str) -> list[str]:
            return [v.decode("utf-8", "replace") for v in query.get(name, [])]

        def one(name: str) -> str | None:
            values = many(name)
            return values[-1] if values else None

        return cls(
            text=one("q") or "",
            facets={f: values for f in FACETS if (values := many(f))},
            sort=one("sort"),
            page=integer("page", 1),
            page_size=integer("page_size", PAGE_SIZE),
        )

    def query_string(self) -> str:
        pairs: list[tuple[str, str | int]] = [("q", self.text)] if self.text else []
        pairs += [(f, v) for f, values in self.facets.items() for v in values]
        if self.sort is not None:
            pairs.append(("sort", self.sort))
        pairs += [("page", self.page), ("page_size", self.page_size)]
        return urlencode(pairs)


#: a catalog name (a DNS-1123 label), as the path names it
NAME_PATH = {"name": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"}


class CatalogHit(FromCore):
    name: str = Field(description="The catalog name (a DNS-1123 label).")
    mlflow_name: str = Field(description="The registered model in MLflow, `catalog.<name>`.")
    description: str
    tags: list[str]
    task: str
    framework: str
    team: str = Field(description="The hub group of the model's author.")
    license: str
    status: State
    aliases: dict[str, int] = Field(description='Where each alias points (`{"champion": 3}`).')
    latest_version: int | None
    updated_at: datetime
    rank: float = Field(description="Relevance to `q`; comparable within one answer only.")

    @classmethod
    def of(cls, hit: SearchHit) -> CatalogHit:
        return cls.model_validate(hit)


class CatalogFacetCount(FromCore):
    value: str
    count: int


class CatalogFacets(Wire):
    """Per facet, each value's number of matches with that facet's own filter lifted (the 50
    most frequent values)."""

    task: list[CatalogFacetCount]
    framework: list[CatalogFacetCount]
    team: list[CatalogFacetCount]
    license: list[CatalogFacetCount]
    status: list[CatalogFacetCount]


class CatalogSearchPage(Wire):
    hits: list[CatalogHit]
    total: int = Field(description="How many entries match in all (every page).")
    facets: CatalogFacets
    page: int = Field(description="One-based.")
    page_size: int
    words: list[str] = Field(
        default_factory=list,
        description="How the words found begin: each searched word (lower case, “ё” "
        "without its dots) and its stem, as the search looks words up; a phrase's words of "
        "fewer than three letters are left out. A client marks the words of a hit's text "
        "that start with one.",
    )

    @classmethod
    def of(cls, found: SearchResult) -> CatalogSearchPage:
        def counts(facet: str) -> list[CatalogFacetCount]:
            values: tuple[FacetCount, ...] = found.facets.get(facet, ())
            return [CatalogFacetCount.model_validate(v) for v in values]

        return cls(
            hits=[CatalogHit.of(h) for h in found.hits],
            total=found.total,
            facets=CatalogFacets(
                task=counts("task"),
                framework=counts("framework"),
                team=counts("team"),
                license=counts("license"),
                status=counts("status"),
            ),
            page=found.page,
            page_size=found.page_size,
            words=list(found.words),
        )


class CatalogLineage(FromCore):
    """Where a version came from, as recorded when it was published."""

    source_model: str = Field(description="The author's registered model it was copied from.")
    source_version: int
    run_id: str
    run_name: str
    experiment_id: str
    commit: str
    repository_url: str
    notebook: str
    params: dict[str, str]


class CatalogVersionBody(FromCore):
    version: int = Field(description="The version of `catalog.<name>`.")
    publication_id: int
    published_at: datetime
    published_by: str
    lineage: CatalogLineage
    state: State
    metrics: dict[str, float] = Field(description="The key metrics the card picked.")
    deprecated_at: datetime | None

    @classmethod
    def of(cls, version: CatalogVersion) -> CatalogVersionBody:
        return cls.model_validate(version)


class AliasMoveBody(FromCore):
    alias: str
    from_version: int | None
    to_version: int
    moved_by: str
    moved_at: datetime
    publication_id: int | None = Field(
        description="The publication that moved it; null when moved back by hand."
    )
    comment: str


class CatalogDeployment(FromCore):
    """A deployment serving a version of the model, one a served version (a canary's
    deployment is listed once for each of its two). Only those the caller may see: their own,
    or every one for an admin; an API key sees none."""

    name: str
    version: int
    stage: Stage
    status: Phase = Field(description="The deployment's phase as a whole.")
    traffic: Traffic = Field(description="What this version does with the live traffic.")


class AliasHistory(Wire):
    moves: list[AliasMoveBody] = Field(description="Newest first.")

    @classmethod
    def of(cls, moves: tuple[AliasMove, ...]) -> AliasHistory:
        return cls(moves=[AliasMoveBody.model_validate(m) for m in moves])


class CatalogModel(Wire):
    """A catalog model's page: card, versions with their metrics and lineage, the alias
    history, deployments, and the code that loads it in a notebook."""

    name: str
    mlflow_name: str
    description: str
    tags: list[str]
    task: str
    framework: str
    team: str
    license: str
    status: State
    card: ModelCard = Field(description="The model card as last published.")
    aliases: dict[str, int]
    champion_version: int | None = Field(description="The version the champion alias loads.")
    created_at: datetime
    updated_at: datetime
    versions: list[CatalogVersionBody] = Field(description="Newest first.")
    alias_history: list[AliasMoveBody] = Field(description="Newest first.")
    deployments: list[CatalogDeployment]
    snippet: str = Field(description="Python that loads the champion in a notebook.")

    @classmethod
    def of(cls, page: CatalogModelPage, champion_alias: str) -> CatalogModel:
        entry = page.entry
        card = entry.card
        return cls(
            name=card.name,
            mlflow_name=card.mlflow_name,
            description=card.description,
            tags=list(card.tags),
            task=card.task,
            framework=card.framework,
            team=card.team,
            license=card.license,
            status=entry.status.value,
            card=ModelCard.model_validate(dict(card.card)),
            aliases=dict(entry.aliases),
            champion_version=entry.aliases.get(champion_alias),
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            versions=[CatalogVersionBody.of(v) for v in entry.versions],
            alias_history=[AliasMoveBody.model_validate(m) for m in entry.alias_history],
            deployments=[CatalogDeployment.model_validate(d) for d in page.deployments],
            snippet=notebook_snippet(card.mlflow_name, champion_alias),
        )
