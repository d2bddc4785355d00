"""What the catalog keeps of a published model, and what a search answers.

Publishing (``core/reviews``) writes these through ``CatalogTx`` in its own transaction; the
catalog's pages and its public API read them back. Lineage and metrics are copied at
publication, so the catalog never needs to read the author's runs or repository again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class VersionState(StrEnum):
    PUBLISHED = "published"
    DEPRECATED = "deprecated"


class EntryStatus(StrEnum):
    """``published`` while any version is; ``deprecated`` once every version is."""

    PUBLISHED = "published"
    DEPRECATED = "deprecated"


#: the facets a search counts and filters on; each is one indexed column of an entry
FACETS = ("task", "framework", "team", "license", "status")


@dataclass(frozen=True)
class Lineage:
    """Where a published version came from, as recorded when it was published."""

    source_model: str
    source_version: int
    run_id: str = ""
    run_name: str = ""
    experiment_id: str = ""
    commit: str = ""
    repository_url: str = ""
    notebook: str = ""
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EntryCard:
    """An entry's searchable and faceted text, written by every publication of the model.

    ``card`` is the model card's fields as published (``core/models/card.py`` owns their
    shape); ``card_text`` is the same card flattened to the text search reads."""

    name: str
    mlflow_name: str
    description: str
    card_text: str
    tags: tuple[str, ...]
    task: str
    framework: str
    team: str
    license: str
    card: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CatalogVersion:
    version: int
    """The version of the catalog's registered model (``catalog.<name>``)."""
    publication_id: int
    published_at: datetime
    published_by: str
    lineage: Lineage
    state: VersionState = VersionState.PUBLISHED
    #: the key metrics the card picked from the run, with their values
    metrics: Mapping[str, float] = field(default_factory=dict)
    deprecated_at: datetime | None = None


@dataclass(frozen=True)
class AliasMove:
    """One move of an alias of a catalog model; MLflow keeps no history of them, we do."""

    alias: str
    from_version: int | None
    to_version: int
    moved_by: str
    moved_at: datetime
    #: the publication that moved it (None for a reviewer moving the champion back by hand)
    publication_id: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class CatalogEntry:
    card: EntryCard
    status: EntryStatus
    created_at: datetime
    updated_at: datetime
    #: where each alias points now (``{"champion": 3}``)
    aliases: Mapping[str, int]
    versions: tuple[CatalogVersion, ...] = ()
    alias_history: tuple[AliasMove, ...] = ()

    @property
    def name(self) -> str:
        return self.card.name


@dataclass(frozen=True)
class ServingDeployment:
    """A deployment serving a version of a catalog model, one row a served version (a canary
    serves two)."""

    name: str
    version: int
    stage: str
    #: its phase as a whole (``ready``, ``pending``, ``failed``, ``stopped``)
    status: str
    #: what the version does with the live traffic (``primary``, ``canary``, ``shadow``)
    traffic: str


@dataclass(frozen=True)
class CatalogModelPage:
    """A catalog model's page: its entry, and the deployments of it that the reader may see."""

    entry: CatalogEntry
    deployments: tuple[ServingDeployment, ...] = ()


@dataclass(frozen=True)
class SearchHit:
    name: str
    mlflow_name: str
    description: str
    tags: tuple[str, ...]
    task: str
    framework: str
    team: str
    license: str
    status: EntryStatus
    aliases: Mapping[str, int]
    latest_version: int | None
    updated_at: datetime
    #: relevance to the query (0 without one); comparable within one answer only
    rank: float = 0.0


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    #: how many entries match in all (every page)
    total: int
    #: per facet, how many matches each value would have with that facet's own filter lifted
    facets: Mapping[str, tuple[FacetCount, ...]]
    page: int
    page_size: int
    #: how the words found begin (``core/kernel/search.py`` ``found_forms``), for the marks
    words: tuple[str, ...] = ()
