"""Search in the database's own full-text engine, on SQLite (FTS5) and PostgreSQL (tsvector in
Russian and English): words, phrases, exclusions, facets with their counts, sorting, paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.catalog.errors import (
    CatalogEntryNotFound,
    CatalogQueryInvalid,
    CatalogVersionExists,
)
from jupyterlab_mlplat.core.catalog.records import AliasMove, SearchResult, VersionState
from jupyterlab_mlplat.core.catalog.rules import MAX_OFFSET, search_query
from jupyterlab_mlplat.core.catalog.service import CatalogService
from jupyterlab_mlplat.core.kernel.identity import Identity

from .conftest import CATALOG, T0, card, publish

IVAN = Identity("ivan")


def find(store: SqlStore, text: str = "", **facets: list[str]) -> SearchResult:
    return CatalogService(store).search(IVAN, text, facets)


def names(found: SearchResult) -> list[str]:
    return [hit.name for hit in found.hits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("оттока", ["churn"]),  # a word of the description, as written
        ("абонент", ["churn"]),  # of the card's text
        ("телеком", ["churn"]),  # a tag
        ("congestion", ["traffic-jams"]),
        ("Potholes", ["pothole-detector"]),  # any case
        ("traffic-jams", ["traffic-jams"]),  # the name
        ('"road photos"', ["pothole-detector"]),  # a phrase
        ("road -photos", ["traffic-jams"]),  # a word excluded
        ("жилья районам", ["housing-prices"]),  # every word must match
        ("жилья телеком", []),
    ],
)
def test_words_of_names_descriptions_cards_and_tags_find_their_model(
    catalog: SqlStore, text: str, expected: list[str]
) -> None:
    assert names(find(catalog, text)) == expected


@pytest.mark.postgres
def test_a_russian_word_in_another_form_finds_the_model_on_postgresql(postgres_url: str) -> None:
    store = SqlStore.from_url(postgres_url)
    try:
        publish(store, CATALOG[0])
        publish(store, CATALOG[1], publication_id=2)
        # "модели", "абоненты", "уходят" appear nowhere: "модель", "абонентов", "уйдёт" do
        assert names(find(store, "модели")) == ["churn"]
        assert names(find(store, "абоненты")) == ["churn"]
        # English stems too: "forecasting" and "districts" are written "forecasts", "district"
        assert names(find(store, "forecasting districts")) == ["traffic-jams"]
    finally:
        store.close()


def test_on_sqlite_every_word_is_a_prefix(catalog: SqlStore) -> None:
    if catalog.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL stems words instead (tested above)")
    assert names(find(catalog, "абонен")) == ["churn"]
    assert names(find(catalog, "congest")) == ["traffic-jams"]


def test_better_matches_rank_first(catalog: SqlStore) -> None:
    # "road" names no model, but is in two descriptions; "traffic" also in one name and tag
    found = find(catalog, "road traffic")
    assert names(found) == ["traffic-jams"]
    found = find(catalog, "road")
    assert set(names(found)) == {"traffic-jams", "pothole-detector"}
    assert found.hits[0].rank >= found.hits[1].rank > 0


@pytest.mark.parametrize(
    "text",
    ['"', '" OR 1=1 --', "NEAR(a b)", "churn*", "a:b", "'; DROP TABLE catalog_entries; --", "*"],
)
def test_query_syntax_of_either_engine_is_only_words(catalog: SqlStore, text: str) -> None:
    found = find(catalog, text)
    assert found.total == len(found.hits) <= len(CATALOG)
    with catalog.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM catalog_entries")).scalar() == 4


def test_facets_count_each_value_with_their_own_filter_lifted(catalog: SqlStore) -> None:
    found = find(catalog, team=["transport"])
    assert sorted(names(found)) == ["pothole-detector", "traffic-jams"]
    assert found.total == 2
    counts = {f: {c.value: c.count for c in v} for f, v in found.facets.items()}
    # the team facet still shows every team, so a person sees what another choice would give
    assert counts["team"] == {"transport": 2, "data-scientists": 1, "economics": 1}
    # the others count within the chosen team
    assert counts["task"] == {"regression": 1, "object-detection": 1}
    assert counts["license"] == {"Apache-2.0": 2}
    assert counts["status"] == {"published": 2}


def test_values_of_one_facet_are_alternatives_and_facets_combine(catalog: SqlStore) -> None:
    found = find(catalog, task=["regression", "object-detection"], license=["MIT"])
    assert names(found) == ["housing-prices"]
    assert find(catalog, "road", task=["regression"]).total == 1


def test_a_card_without_a_license_is_counted_and_found_by_the_empty_value(
    catalog: SqlStore,
) -> None:
    publish(catalog, card("unlicensed", "Без лицензии", license=""), publication_id=9)
    counts = {c.value: c.count for c in find(catalog).facets["license"]}
    assert counts[""] == 1
    # the sidebar's "No license" sends the value the facet counted: it narrows to those
    assert names(find(catalog, license=[""])) == ["unlicensed"]
    assert sorted(names(find(catalog, license=["", "MIT"]))) == [
        "churn",
        "housing-prices",
        "unlicensed",
    ]


def test_without_words_the_newest_come_first_and_other_sorts_apply(catalog: SqlStore) -> None:
    newest_first = [e.name for e in reversed(CATALOG)]
    assert names(find(catalog)) == newest_first
    service = CatalogService(catalog)
    assert names(service.search(IVAN, "", {}, "name")) == sorted(e.name for e in CATALOG)
    assert names(service.search(IVAN, "road", {}, "updated")) == [
        "pothole-detector",
        "traffic-jams",
    ]


def test_pages_split_the_matches_and_the_total_counts_them_all(catalog: SqlStore) -> None:
    service = CatalogService(catalog)
    pages = [service.search(IVAN, "", {}, "name", page, 3) for page in (1, 2, 3)]
    assert [names(p) for p in pages] == [
        ["churn", "housing-prices", "pothole-detector"],
        ["traffic-jams"],
        [],
    ]
    assert {p.total for p in pages} == {4}
    beyond = service.search(IVAN, "", {}, "name", MAX_OFFSET + 1, 1)
    assert beyond.hits == () and beyond.total == 4


def test_deprecating_every_version_deprecates_the_entry_and_its_facet(catalog: SqlStore) -> None:
    publish(catalog, CATALOG[0], version=2, publication_id=9, at=T0 + timedelta(days=1))
    with catalog.transaction("rita") as tx:
        for version in (1, 2):
            tx.set_catalog_version_state(
                "churn", version, VersionState.DEPRECATED, at=T0 + timedelta(days=2)
            )
    assert names(find(catalog, status=["deprecated"])) == ["churn"]
    assert find(catalog).facets["status"][1].value == "deprecated"
    entry = CatalogService(catalog).entry(IVAN, "churn")
    assert [v.state for v in entry.versions] == [VersionState.DEPRECATED] * 2


def test_a_republished_card_replaces_the_searchable_text(catalog: SqlStore) -> None:
    newer = card("churn", "Прогноз ухода клиентов", tags=("клиенты",))
    publish(catalog, newer, version=2, publication_id=9, at=T0 + timedelta(days=1))
    assert names(find(catalog, "оттока")) == []
    assert names(find(catalog, "клиенты")) == ["churn"]
    assert names(find(catalog))[0] == "churn"  # updated most recently


def test_the_page_keeps_versions_and_every_alias_move(catalog: SqlStore) -> None:
    publish(catalog, CATALOG[0], version=2, publication_id=9, at=T0 + timedelta(days=1))
    with catalog.transaction("rita") as tx:
        tx.record_alias_move(
            "churn",
            AliasMove(
                "champion", 2, 1, "rita", T0 + timedelta(days=2), None, "v2 drifts on weekends"
            ),
        )
    entry = CatalogService(catalog).entry(IVAN, "churn")
    assert entry.aliases == {"champion": 1}
    assert [v.version for v in entry.versions] == [2, 1]
    assert entry.versions[0].lineage.repository_url.endswith("/alice/churn")
    assert entry.versions[0].metrics == {"auc": 0.9}
    assert [
        (m.from_version, m.to_version, m.moved_by, m.publication_id) for m in entry.alias_history
    ] == [(2, 1, "rita", None), (1, 2, "mlplat-platform", 9), (None, 1, "mlplat-platform", 1)]
    assert entry.alias_history[0].comment == "v2 drifts on weekends"


def test_a_version_is_listed_once(catalog: SqlStore) -> None:
    with pytest.raises(CatalogVersionExists):
        publish(catalog, CATALOG[0], version=1, publication_id=9)
    assert len(CatalogService(catalog).entry(IVAN, "churn").versions) == 1


def test_an_unknown_name_is_its_own_not_found(catalog: SqlStore) -> None:
    with pytest.raises(CatalogEntryNotFound) as caught:
        CatalogService(catalog).entry(IVAN, "nope")
    assert caught.value.params == {"name": "nope"}


@pytest.mark.parametrize(
    ("text", "facets", "sort", "rule"),
    [
        ("x" * 201, {}, None, "too_long"),
        ("a\x00b", {}, None, "control"),
        ("", {"team": ["a\nb"]}, None, "control"),
        ("", {"team": [str(i) for i in range(21)]}, None, "too_many"),
        ("", {"license": ["MIT", "MIT"]}, None, "duplicate"),
        ("", {}, "popularity", "sort"),
        ("", {}, "", "sort"),
    ],
)
def test_a_search_out_of_bounds_says_which_rule(
    text: str, facets: dict[str, list[str]], sort: str | None, rule: str
) -> None:
    with pytest.raises(CatalogQueryInvalid) as caught:
        search_query(text, facets, sort, 1, 20)
    assert caught.value.params["rule"] == rule


def test_counts_kept_for_searches_without_words_follow_every_publication(
    catalog: SqlStore,
) -> None:
    def teams() -> dict[str, int]:
        return {c.value: c.count for c in find(catalog).facets["team"]}

    def statuses(**facets: list[str]) -> dict[str, int]:
        return {c.value: c.count for c in find(catalog, **facets).facets["status"]}

    assert teams()["transport"] == 2
    assert statuses(team=["transport"]) == {"published": 2}
    later = T0 + timedelta(days=1)
    publish(catalog, card("bus-delays", "Bus delays", team="transport"), at=later)
    assert teams()["transport"] == 3
    with catalog.transaction("rita") as tx:
        tx.set_catalog_version_state("bus-delays", 1, VersionState.DEPRECATED, at=later)
    assert statuses(team=["transport"]) == {"published": 2, "deprecated": 1}
    assert find(catalog).total == 5


def test_with_words_the_counts_lift_their_own_filter_and_pages_split_the_matches(
    catalog: SqlStore,
) -> None:
    # on PostgreSQL this is the one-statement search (page and counts from one pass)
    found = find(catalog, "road", task=["regression"])
    assert names(found) == ["traffic-jams"] and found.total == 1
    counts = {f: {c.value: c.count for c in v} for f, v in found.facets.items()}
    assert counts["task"] == {"regression": 1, "object-detection": 1}
    assert counts["team"] == {"transport": 1}
    assert counts["status"] == {"published": 1}
    service = CatalogService(catalog)
    pages = [service.search(IVAN, "road", {}, "name", page, 1) for page in (1, 2, 3)]
    assert [names(p) for p in pages] == [["pothole-detector"], ["traffic-jams"], []]
    assert {p.total for p in pages} == {2}
    nothing = find(catalog, "жилья телеком")
    assert nothing.total == 0 and all(not v for v in nothing.facets.values())


@pytest.mark.postgres
def test_a_search_with_words_is_one_trip_to_postgresql(postgres_url: str) -> None:
    """Two statements read every match twice (most of a common word's time at 100,000
    entries, bench/catalog_search.py) and could see two states of the catalog."""
    store = SqlStore.from_url(postgres_url)
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    try:
        for i, entry in enumerate(CATALOG):
            publish(store, entry, publication_id=i + 1, at=T0 + timedelta(hours=i))
        sa.event.listen(store.engine, "before_cursor_execute", seen)
        found = find(store, "road", team=["transport"])
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", seen)
        store.close()
    assert found.total == 2 and len(found.hits) == 2
    assert len([s for s in statements if "catalog_entries" in s]) == 1, statements
