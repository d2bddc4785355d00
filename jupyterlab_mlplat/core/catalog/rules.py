"""Pure decisions of the catalog: what a search may ask for (its text is read by
``core/kernel/search.py``, shared with the instructions' search).

The same parsed query feeds both databases: PostgreSQL reads ``text`` with
``websearch_to_tsquery`` in Russian and English, SQLite's FTS5 gets ``fts5_match(terms)``. The
limits keep one search's work bounded whatever a caller sends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from jupyterlab_mlplat.core.kernel.search import Term, parse_terms, search_text

from .errors import CatalogQueryInvalid
from .records import FACETS


class Sort(StrEnum):
    #: best match first (newest first without a query)
    RELEVANCE = "relevance"
    #: most recently published first
    UPDATED = "updated"
    NAME = "name"


#: the longest query text, in characters: it bounds the words a query can have
MAX_QUERY = 200
#: the most values one facet filter may name, and the longest value
MAX_FACET_VALUES = 20
MAX_FACET_VALUE = 100
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: how deep paging may reach: deeper pages cost the database more and help nobody, so a page
#: that starts further answers no hits (the total and the facets are still counted)
MAX_OFFSET = 10_000
MAX_PAGE = MAX_OFFSET + 1
#: what no query text or facet value may hold: C0 and C1 control characters
CONTROLS = r"\x00-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{CONTROLS}]")


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    terms: tuple[Term, ...] = ()
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def beyond_reach(self) -> bool:
        return self.offset >= MAX_OFFSET

    @property
    def has_text(self) -> bool:
        return any(not t.exclude for t in self.terms)


def _checked(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise CatalogQueryInvalid(
            f"{field} may be at most {limit} characters.",
            field,
            params={"rule": "too_long", "field": field, "limit": limit},
        )
    if _CONTROL.search(value):
        raise CatalogQueryInvalid(
            f"{field} may not contain control characters.",
            field,
            params={"rule": "control", "field": field},
        )
    return value


def search_query(
    text: str,
    facets: Mapping[str, Sequence[str]],
    sort: str | None,
    page: int,
    page_size: int,
) -> SearchQuery:
    """A search as the caller asked it, or ``CatalogQueryInvalid`` naming what is wrong. Every
    refusal is a rule the API's document states of one parameter, so a search valid by the
    document is answered."""
    text = search_text(_checked(text, "q", MAX_QUERY))
    chosen: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        given = facets.get(facet, ())
        if len(given) > MAX_FACET_VALUES:
            raise CatalogQueryInvalid(
                f"{facet} may name at most {MAX_FACET_VALUES} values.",
                facet,
                params={"rule": "too_many", "field": facet, "limit": MAX_FACET_VALUES},
            )
        if len(set(given)) != len(given):
            raise CatalogQueryInvalid(
                f"{facet} names a value twice.",
                facet,
                params={"rule": "duplicate", "field": facet},
            )
        # an empty value is one the facet counts (a card with no license): it picks those
        values = tuple(_checked(v, facet, MAX_FACET_VALUE) for v in given)
        if values:
            chosen[facet] = values
    try:
        order = Sort(Sort.RELEVANCE if sort is None else sort)
    except ValueError:
        raise CatalogQueryInvalid(
            "Sort by relevance, updated or name.", "sort", params={"rule": "sort", "field": "sort"}
        ) from None
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    page = min(max(page, 1), MAX_PAGE)
    return SearchQuery(text, parse_terms(text), chosen, order, page, page_size)


def notebook_snippet(mlflow_name: str, alias: str) -> str:
    """What a person pastes into a notebook to load the model through the gateway. It runs as
    it stands in a fresh kernel: the call to ``predict`` names data the notebook does not have
    yet, so it stays a comment under the input schema that says what the data must be."""
    return (
        "import mlflow\n\n"
        f'model = mlflow.pyfunc.load_model("models:/{mlflow_name}@{alias}")\n'
        "print(model.metadata.get_input_schema())  # what predict() takes\n"
        "# predictions = model.predict(data)\n"
    )
