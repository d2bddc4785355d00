"""Search in the database's own full-text engine, on SQLite (FTS5) and PostgreSQL (tsvector in
Russian and English): words, phrases, exclusions, facets with their counts, sorting, paging."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import sql
from sqlalchemy.dialects import postgresql, sqlite

from jupyterlab_mlplat.adapters.sql.catalog import (
    _Statements,
    one_word,
    search,
    search_statement,
)
from jupyterlab_mlplat.adapters.sql.schema import catalog_entries
from jupyterlab_mlplat.adapters.sql.store import MIGRATIONS, SqlStore, create_engine, migrate
from jupyterlab_mlplat.core.catalog.errors import (
    CatalogEntryNotFound,
    CatalogQueryInvalid,
    CatalogVersionExists,
)
from jupyterlab_mlplat.core.catalog.records import (
    FACETS,
    AliasMove,
    EntryCard,
    SearchResult,
    VersionState,
)
from jupyterlab_mlplat.core.catalog.rules import MAX_OFFSET, SearchQuery, Sort, search_query
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "модели", "абоненты" appear nowhere: "модель", "абонентов" do
        ("модели", ["churn"]),
        ("абоненты", ["churn"]),
        # English stems too: "forecasting" and "districts" are written "forecasts", "district"
        ("forecasting districts", ["traffic-jams"]),
        # an exclusion in another form excludes as well: "абонентам" is "абонентов"
        ("модель -абонентам", []),
        # the card writes "уйдёт": found without the dots of its "ё", in a phrase as well
        ("уйдет", ["churn"]),
        ('"абонент уйдет"', ["churn"]),
        ("уйдёт -уйдет", []),
        # "уйдёт" with a combining diaeresis, as text pasted from a PDF may spell it
        ("\u0443\u0439\u0434\u0435\u0308\u0442", ["churn"]),
    ],
)
def test_a_word_in_another_form_finds_the_model_in_either_database(
    catalog: SqlStore, text: str, expected: list[str]
) -> None:
    # the embedded stack (SQLite) finds what a cluster (PostgreSQL) finds
    assert names(find(catalog, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("API-ключ", ["keys"]),  # the card writes "API-ключом"
        ("staging-среда", ["keys"]),  # "staging-среде"
        ("api-ключи", ["keys"]),
        ("ключ-API", []),  # the parts in another order are another word
    ],
)
def test_a_word_written_with_hyphens_is_found_in_its_other_forms(
    catalog: SqlStore, text: str, expected: list[str]
) -> None:
    """Russian writes such compounds all the time ("API-ключ", "staging-среда"); a search for
    one found nothing on SQLite, whose phrase matched each part as written."""
    entry = card("keys", "Вызов модели по API-ключом", text="Сначала проверьте в staging-среде.")
    publish(catalog, entry, publication_id=50, at=T0 + timedelta(days=3))
    assert names(find(catalog, text)) == expected


def test_on_sqlite_every_word_is_also_a_prefix(catalog: SqlStore) -> None:
    if catalog.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL matches whole stems (tested above)")
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


def test_a_card_that_drops_the_dots_of_yo_is_found_by_a_word_typed_with_them(
    catalog: SqlStore,
) -> None:
    newer = card("churn", "Модель оттока", text="Абонент уйдет, если счет за связь вырастет.")
    publish(catalog, newer, version=2, publication_id=9, at=T0 + timedelta(days=1))
    assert names(find(catalog, "счёт уйдёт")) == ["churn"]
    assert names(find(catalog, '"уйдёт если"')) == ["churn"]


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


def _plan_nodes(node: dict[str, Any], parent: str = "") -> Iterator[tuple[dict[str, Any], str]]:
    yield node, parent
    for child in node.get("Plans", []):
        yield from _plan_nodes(child, child.get("Parent Relationship", ""))


@pytest.mark.postgres
@pytest.mark.parametrize("text", ["road", "оттока", "road photos", "оттока абонент"])
def test_whatever_plan_postgresql_keeps_a_search_reads_its_words_once(
    postgres_url: str, text: str
) -> None:
    """psycopg prepares a statement run five times, and PostgreSQL then may keep one generic
    plan for any words. Were the query parsed inside that plan, it would be parsed again for
    every match, twice (the recheck and the rank): a fifth of a common word's time at
    100,000 entries (bench/catalog_search.py). So it is parsed in an InitPlan, once: the
    words of a one-pass search, and the one word whose postings a search reads."""
    store = SqlStore.from_url(postgres_url)
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(conn: object, cursor: object, statement: str, parameters: Any, *a: object) -> None:
        if "catalog_entries" in statement:
            seen.append((statement, dict(parameters)))

    try:
        for i, entry in enumerate(CATALOG):
            publish(store, entry, publication_id=i + 1, at=T0 + timedelta(hours=i))
        sa.event.listen(store.engine, "before_cursor_execute", record)
        assert find(store, text).total >= 1
        sa.event.remove(store.engine, "before_cursor_execute", record)
        [(statement, parameters)] = seen
        names = list(parameters)
        numbered = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", statement)
        values = ", ".join(sql.Literal(v).as_string() for v in parameters.values())
        with store.engine.connect() as connection:
            connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
            connection.exec_driver_sql(f"PREPARE searching AS {numbered}")
            [[plan]] = connection.exec_driver_sql(
                f"EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE searching({values})"
            ).all()
    finally:
        store.close()
    parsing = [
        (node["Node Type"], parent)
        for node, parent in _plan_nodes(plan[0]["Plan"])
        if re.search(
            r"websearch_to_tsquery|to_tsvector\(",
            json.dumps({k: v for k, v in node.items() if k != "Plans"}),
        )
    ]
    # a scan that mentions the function calls it per row; a one-row Result under an InitPlan,
    # once a statement
    assert parsing and set(parsing) == {("Result", "InitPlan")}, parsing


def _toast_reads(store: SqlStore) -> int:
    """Buffers that ranking every entry reads beyond the rows' own pages: its vectors' TOAST."""
    with store.engine.connect() as connection:
        [[plan]] = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT sum(ts_rank(search_en, "
            "to_tsquery('english', 'congestion'))) FROM catalog_entries WHERE id > 0"
        ).all()
    top = plan[0]["Plan"]
    [scan] = top["Plans"]
    assert scan["Node Type"] == "Seq Scan"

    def read(node: dict[str, Any]) -> int:
        return int(node["Shared Hit Blocks"]) + int(node["Shared Read Blocks"])

    return read(top) - read(scan)


def _at_revision(postgres_url: str, revision: str) -> sa.Engine:
    """A database migrated only as far as ``revision``."""
    engine = create_engine(postgres_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


def _write_as_of_0013(engine: sa.Engine, entries: list[EntryCard]) -> None:
    """Entries as the code of revisions up to 0013 wrote them (later ones add columns), an
    hour apart."""
    with engine.begin() as connection:
        for i, entry in enumerate(entries):
            connection.execute(
                sa.text(
                    "INSERT INTO catalog_entries (name, mlflow_name, description, card_text, "
                    "card, tags, tags_text, task, framework, team, license, status, aliases, "
                    "latest_version, created_at, updated_at) VALUES (:name, :mlflow_name, "
                    ":description, :card_text, :card, '[]', :tags, :task, :framework, :team, "
                    ":license, 'published', '{}', 1, :at, :at)"
                ),
                {
                    **{
                        k: getattr(entry, k)
                        for k in ("name", "mlflow_name", "description", "card_text")
                    },
                    **{f: getattr(entry, f) for f in FACETS if f != "status"},
                    "card": json.dumps(dict(entry.card)),
                    "tags": " ".join(entry.tags),
                    "at": T0 + timedelta(hours=i),
                },
            )


def test_entries_indexed_before_0015_are_found_without_the_dots_of_yo(sqlite_url: str) -> None:
    """Migration 0015 indexes SQLite's catalog again with "ё" folded; an entry's later change
    takes out of the index the folded words it put there (FTS5 removes what it is told)."""
    engine = _at_revision(sqlite_url, "0014")
    store = SqlStore(engine)
    try:
        churn = card("churn", "Модель оттока", text="Абонент уйдёт в течение месяца.")
        _write_as_of_0013(engine, [churn])
        assert names(find(store, "уйдет")) == []  # as FTS5 indexed it before
        migrate(engine)
        assert names(find(store, "уйдет")) == names(find(store, "уйдёт")) == ["churn"]
        newer = card("churn", "Прогноз ухода клиентов", text="Клиент уйдёт к другому.")
        publish(store, newer, version=2, publication_id=9, at=T0 + timedelta(days=1))
        assert names(find(store, "абонент")) == []
        assert names(find(store, "клиент уйдет")) == ["churn"]
        with engine.connect() as connection:  # FTS5's own check of the index's structure
            connection.exec_driver_sql(
                "INSERT INTO catalog_fts(catalog_fts, rank) VALUES ('integrity-check', 0)"
            )
    finally:
        store.close()


@pytest.mark.postgres
def test_ranking_reads_the_vectors_of_a_long_card_from_its_row(postgres_url: str) -> None:
    """A row with a long card is wider than PostgreSQL's 2 KB threshold; by default its widest
    columns, vectors included, go to the TOAST table, and ranking each match read them from
    there (bench/catalog_search.py: a fifth of a common word's time). Migration 0013 keeps
    the vectors in the row and rewrites the rows it finds."""
    engine = _at_revision(postgres_url, "0012")
    store = SqlStore(engine)

    def long_card(i: int) -> EntryCard:
        words = " ".join(f"congestion{i}x{j} corridor{j}y{i}" for j in range(120))
        return card(f"jams-{i}", f"Traffic congestion {i}", text=words, language="en")

    def long_cards(first: int) -> None:
        for i in range(first, first + 8):
            publish(store, long_card(i), publication_id=i + 1, at=T0 + timedelta(hours=i))

    try:
        _write_as_of_0013(engine, [long_card(i) for i in range(8)])
        before = _toast_reads(store)
        migrate(engine)
        rewritten = _toast_reads(store)
        long_cards(8)
        written_after = _toast_reads(store)
    finally:
        store.close()
    assert before > 0  # the fixture is wide enough to be toasted by default
    assert rewritten == written_after == 0


def test_a_page_with_words_keeps_the_order_of_every_sort(catalog: SqlStore) -> None:
    # names in an order unlike their relevance or age; "flood" weighs more in a name or a tag
    for i, (name, tags, text) in enumerate(
        [
            ("b-flood-gauge", ("flood",), "flood flood"),
            ("e-rain", (), "rain and a flood"),
            ("a-river", ("flood",), "river"),
            ("d-flood", (), "flood"),
            ("c-storm", (), "flood flood flood"),
        ]
    ):
        entry = card(name, f"Model {name}", text=text, tags=tags, language="en")
        publish(catalog, entry, publication_id=100 + i, at=T0 + timedelta(days=2, hours=i))
    service = CatalogService(catalog)
    relevant = service.search(IVAN, "flood", {})
    ranks = [hit.rank for hit in relevant.hits]
    assert len(ranks) == 5 and ranks == sorted(ranks, reverse=True) and ranks[0] > ranks[-1]
    by_name = service.search(IVAN, "flood", {}, "name")
    assert names(by_name) == ["a-river", "b-flood-gauge", "c-storm", "d-flood", "e-rain"]
    newest = service.search(IVAN, "flood", {}, "updated")
    assert names(newest) == ["c-storm", "d-flood", "a-river", "e-rain", "b-flood-gauge"]


_DIALECTS = {"postgresql": postgresql.psycopg.dialect(), "sqlite": sqlite.pysqlite.dialect()}
_WORDS = ["road", "photos", "оттока", "жилья", "traffic-jams", '"road photos"', "-photos", "or"]


@st.composite
def _queries(draw: st.DrawFn) -> SearchQuery:
    words = draw(st.lists(st.sampled_from(_WORDS), max_size=3))
    facets = {
        facet: draw(st.lists(st.sampled_from(["a", "b", ""]), min_size=1, max_size=2, unique=True))
        for facet in draw(st.lists(st.sampled_from(FACETS), max_size=3, unique=True))
    }
    sort = draw(st.sampled_from([None, *Sort]))
    page = draw(st.sampled_from([1, 2, MAX_OFFSET // 20 + 1]))
    return search_query(" ".join(words), facets, sort, page, draw(st.integers(1, 100)))


def _compiled(dialect: str, statement: sa.Select[Any], parameters: dict[str, Any]) -> Any:
    compiled = statement.compile(dialect=_DIALECTS[dialect])
    return compiled.string, compiled.construct_params(parameters, escape_names=False)


@settings(max_examples=300, deadline=None)
@given(first=_queries(), second=_queries(), dialect=st.sampled_from(sorted(_DIALECTS)))
def test_a_statement_built_once_runs_any_query_of_its_shape_as_if_built_for_it(
    first: SearchQuery, second: SearchQuery, dialect: str
) -> None:
    """Search statements are built once per shape and run with each query's values: a value
    left in the statement instead of a parameter, or a shape that misses what changes the
    statement, would answer one query with another's words, facets or page."""
    built = _Statements()
    search_statement(dialect, first, built)
    kept, parameters = search_statement(dialect, second, built)
    fresh, own = search_statement(dialect, second, _Statements())
    assert _compiled(dialect, kept, parameters) == _compiled(dialect, fresh, own)


def test_searches_of_one_shape_one_after_another_each_find_their_own(catalog: SqlStore) -> None:
    service = CatalogService(catalog)
    assert sorted(names(find(catalog, "road", team=["transport"]))) == [
        "pothole-detector",
        "traffic-jams",
    ]
    assert names(find(catalog, "photos", team=["economics"])) == []
    assert names(find(catalog, "photos", team=["transport"])) == ["pothole-detector"]
    assert names(find(catalog, "оттока")) == ["churn"]
    assert [names(service.search(IVAN, "road", {}, "name", p, 1)) for p in (2, 1)] == [
        ["traffic-jams"],
        ["pothole-detector"],
    ]
    assert sorted(names(find(catalog, task=["regression"]))) == ["housing-prices", "traffic-jams"]
    assert names(find(catalog, task=["object-detection"])) == ["pothole-detector"]


def _counts(found: SearchResult) -> dict[str, dict[str, int]]:
    return {f: {c.value: c.count for c in v} for f, v in found.facets.items()}


@pytest.mark.postgres
def test_entries_written_before_the_facet_codes_are_counted_by_them(postgres_url: str) -> None:
    """PostgreSQL counts facets by their codes (migration 0014, bench/catalog_facet_codes.py):
    the rows already there get theirs from their text, and new values get new codes."""
    engine = _at_revision(postgres_url, "0013")
    store = SqlStore(engine)
    try:
        _write_as_of_0013(engine, CATALOG)
        migrate(engine)
        publish(store, card("bus-delays", "Bus delays by route", team="transport", license=""))
        with_words = _counts(find(store, "road", license=["Apache-2.0"]))
        without = _counts(find(store, team=["transport"]))
    finally:
        store.close()
    # "road": traffic-jams and pothole-detector, both transport's and Apache-2.0
    assert with_words["team"] == {"transport": 2}
    assert with_words["license"] == {"Apache-2.0": 2}
    assert with_words["task"] == {"regression": 1, "object-detection": 1}
    # the entry published after the migration is counted with those before it
    assert without["team"] == {"transport": 3, "data-scientists": 1, "economics": 1}
    assert without["license"] == {"Apache-2.0": 2, "": 1}
    assert without["status"] == {"published": 3}


@pytest.mark.postgres
def test_two_publications_of_one_new_facet_value_at_once_share_its_code(
    postgres_url: str,
) -> None:
    """The first publication with a new team makes the team's code; a second one at the same
    moment waits on the dictionary's unique index, then takes that code instead of failing."""
    store = SqlStore.from_url(postgres_url)
    first_wrote, second_began = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with store.transaction("mlplat-platform") as tx:
                tx.upsert_catalog_entry(card("a-model", "A", team="new-team"), at=T0)
                first_wrote.set()
                second_began.wait(10)
                time.sleep(0.3)  # the second is now waiting on this uncommitted code
        except BaseException as error:
            failures.append(error)

    def second() -> None:
        try:
            first_wrote.wait(10)
            second_began.set()
            with store.transaction("mlplat-platform") as tx:
                tx.upsert_catalog_entry(card("b-model", "B", team="new-team"), at=T0)
        except BaseException as error:
            failures.append(error)

    try:
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        with store.engine.connect() as connection:
            codes = connection.execute(
                sa.text("SELECT id FROM catalog_facet_values WHERE value = 'new-team'")
            ).all()
            used = connection.execute(
                sa.text("SELECT DISTINCT team_code FROM catalog_entries")
            ).all()
    finally:
        store.close()
    assert failures == []
    assert len(codes) == 1 and used == codes


# ------------------------------------------------------------- postings of one word (0017)

#: the cards' words in several forms and cases, words of no card, a stop word of each language
_ONE_WORDS = [
    "road", "Roads", "traffic", "photos", "potholes", "congestion", "flood", "model",
    "оттока", "Абонент", "абоненты", "жилья", "районам", "модель", "уйдёт", "уйдет",
    "nowhere", "нигде", "the", "и",
]  # fmt: skip
_ONE_WORD_SEARCHES = [
    ({}, None, 1, 20),
    ({}, None, 2, 2),
    ({"team": ["transport"]}, None, 1, 20),
    ({"team": ["transport", "economics"], "license": ["MIT"]}, None, 1, 20),
    ({"status": ["deprecated"]}, None, 1, 20),
    ({}, "name", 1, 3),
    ({}, "updated", 1, 20),
    ({"task": ["regression"]}, "updated", 2, 1),
]


def _both_ways(store: SqlStore) -> None:
    """Every one-word search answered from the postings as the statement they stand for
    answers it: the same hits in the same order with the same ranks, totals and counts."""
    with store.engine.connect() as connection:
        for word in _ONE_WORDS:
            for facets, sort, page, size in _ONE_WORD_SEARCHES:
                query = search_query(word, facets, sort, page, size)
                assert one_word(query) is not None, word
                read = search(connection, query)
                ranked = search(connection, query, postings=False)
                assert read == ranked, (word, facets, sort, page)


def _flood_cards(catalog: SqlStore) -> None:
    """Cards that share words at different weights, and ties of rank broken by age and name."""
    for i, (name, tags, text, team) in enumerate(
        [
            ("b-flood-gauge", ("flood",), "flood flood road", "transport"),
            ("e-rain", (), "rain and a flood", "economics"),
            ("a-river", ("flood",), "river model", "transport"),
            ("d-flood", (), "flood", "economics"),
            ("c-storm", (), "flood flood flood", "transport"),
            ("f-flood", (), "flood", "economics"),
        ]
    ):
        entry = card(name, f"Model {name}", text=text, tags=tags, team=team, language="en")
        publish(catalog, entry, publication_id=100 + i, at=T0 + timedelta(days=2, hours=i // 2))


@pytest.mark.postgres
def test_a_search_of_one_word_reads_its_postings_and_finds_what_ranking_finds(
    postgres_url: str,
) -> None:
    """The postings are a copy, kept by a trigger: a publication, a card published again
    (its old words gone, a new team), a deprecation each change what one word finds."""
    store = SqlStore.from_url(postgres_url)
    try:
        for i, entry in enumerate(CATALOG):
            publish(store, entry, publication_id=i + 1, at=T0 + timedelta(hours=i))
        _flood_cards(store)
        _both_ways(store)
        # "roads" a tag (weight A), "road" in a description (B), in a card's text (C)
        road = ["pothole-detector", "traffic-jams", "b-flood-gauge"]
        assert names(find(store, "road")) == road
        newer = card("traffic-jams", "Flood risk", text="river gauges", team="economics")
        publish(store, newer, version=2, publication_id=20, at=T0 + timedelta(days=3))
        with store.transaction("rita") as tx:
            tx.set_catalog_version_state(
                "pothole-detector", 1, VersionState.DEPRECATED, at=T0 + timedelta(days=4)
            )
        _both_ways(store)
        assert names(find(store, "road")) == ["pothole-detector", "b-flood-gauge"]
        assert _counts(find(store, "road"))["status"] == {"published": 1, "deprecated": 1}
        assert _counts(find(store, "flood"))["team"] == {"economics": 4, "transport": 3}
        # an alias moved changes nothing the postings hold: they are not written again
        with store.engine.connect() as connection:
            before = _postings_of(connection, "a-river")
        with store.transaction("rita") as tx:
            tx.record_alias_move(
                "a-river",
                AliasMove("staging", None, 1, "rita", T0 + timedelta(days=5), 7, "try"),
            )
        with store.engine.connect() as connection:
            assert _postings_of(connection, "a-river") == before
            gone = _postings_of(connection, "c-storm")
        assert gone and before
        with store.engine.begin() as connection:  # an entry taken out takes its postings along
            connection.execute(
                sa.delete(catalog_entries).where(catalog_entries.c.name == "c-storm")
            )
        _both_ways(store)
        with store.engine.connect() as connection:
            assert _postings_of(connection, "c-storm") == []
            # every word of every entry, each once, and nothing else
            kept = connection.execute(
                sa.text("SELECT entry_id, config, lexeme FROM catalog_postings")
            ).all()
            words = connection.execute(
                sa.text(
                    "SELECT e.id, 1, w.lexeme FROM catalog_entries e, unnest(e.search_ru) w "
                    "WHERE w.lexeme ~ '[\\u0400-\\u04ff]' UNION ALL "
                    "SELECT e.id, 2, w.lexeme FROM catalog_entries e, unnest(e.search_en) w "
                    "WHERE w.lexeme !~ '[\\u0400-\\u04ff]'"
                )
            ).all()
            assert sorted(map(tuple, kept)) == sorted(map(tuple, words))
    finally:
        store.close()


def _postings_of(connection: sa.Connection, name: str) -> list[tuple[Any, ...]]:
    """An entry's postings with the physical place of each row: a row written again moves."""
    rows = connection.execute(
        sa.text(
            "SELECT p.ctid::text, p.config, p.lexeme, p.rank FROM catalog_postings p "
            "JOIN catalog_entries e ON e.id = p.entry_id WHERE e.name = :name ORDER BY 2, 3"
        ),
        {"name": name},
    )
    return [tuple(row) for row in rows]


@pytest.mark.postgres
def test_one_word_finds_through_the_postings_on_a_database_that_keeps_capitals(
    postgres_url: str,
) -> None:
    """How a word is lower-cased is the database's locale's: with ``LC_CTYPE=C`` PostgreSQL
    lower-cases only ASCII, so "Модель" is stemmed to "Модел" in the vectors and in the
    query alike. The postings keep every word of a script, whatever its case."""
    url = sa.engine.make_url(postgres_url)
    name = f"{url.database}_c"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(
            f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8 '
            "LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    store = SqlStore.from_url(url.set(database=name).render_as_string(False))
    try:
        for i, entry in enumerate(CATALOG):
            publish(store, entry, publication_id=i + 1, at=T0 + timedelta(hours=i))
        with store.engine.connect() as connection:
            for word in ["Модель", "Оценка", "Регрессия", "оттока", "Detects", "road"]:
                query = search_query(word, {}, None, 1, 20)
                found = search(connection, query)
                assert found.total >= 1, word
                assert found == search(connection, query, postings=False), word
    finally:
        store.close()
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("text", ["2026", "ü", "x2", "traffic-jams"])
def test_a_word_of_no_one_script_is_searched_by_the_vectors(catalog: SqlStore, text: str) -> None:
    """A number or a letter of neither script is looked up in both columns: no postings are
    its, and it is answered (it failed with a 500 on PostgreSQL)."""
    assert one_word(search_query(text, {}, None, 1, 20)) is None
    assert find(catalog, text).total >= 0


@pytest.mark.postgres
def test_entries_written_before_the_postings_are_found_through_them(postgres_url: str) -> None:
    """Migration 0017 writes the postings of the entries already there."""
    engine = _at_revision(postgres_url, "0016")
    store = SqlStore(engine)
    try:
        for i, entry in enumerate(CATALOG):
            publish(store, entry, publication_id=i + 1, at=T0 + timedelta(hours=i))
        _flood_cards(store)
        migrate(engine)
        _both_ways(store)
        assert names(find(store, "оттока")) == ["churn"]
    finally:
        store.close()


@pytest.mark.postgres
def test_a_search_of_one_word_reads_no_entry_but_its_page(postgres_url: str) -> None:
    """What makes a common word cheap (bench/catalog_search.py): the matches come from the
    postings' index alone, and the entries are read only for the page's hits, by their key,
    never scanned for their vectors."""
    store = SqlStore.from_url(postgres_url)
    try:
        for i, entry in enumerate(CATALOG):
            publish(store, entry, publication_id=i + 1, at=T0 + timedelta(hours=i))
        _flood_cards(store)
        statement, parameters = search_statement(
            "postgresql", search_query("flood", {"team": ["economics"]}, None, 1, 2)
        )
        with store.engine.connect() as connection:
            connection.exec_driver_sql("SET enable_seqscan = off")  # as a large catalog plans
            [[plan]] = connection.execute(
                sa.text(f"EXPLAIN (FORMAT JSON) {_compiled_inline(statement, parameters)}")
            ).all()
    finally:
        store.close()
    scans = {
        (node.get("Relation Name"), node["Node Type"], node.get("Index Name"))
        for node, _ in _plan_nodes(plan[0]["Plan"])
        if "Relation Name" in node
    }
    entries = {s for s in scans if s[0] == "catalog_entries"}
    assert entries == {("catalog_entries", "Index Scan", "catalog_entries_pkey")}, scans
    assert ("catalog_postings", "Index Only Scan", "ix_catalog_postings_word") in scans, scans


def _compiled_inline(statement: sa.Select[Any], parameters: dict[str, Any]) -> str:
    bound = statement.params(parameters)
    inline = {"literal_binds": True}
    return str(bound.compile(dialect=_DIALECTS["postgresql"], compile_kwargs=inline))
