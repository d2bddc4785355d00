"""The catalog in the metadata database: entries, versions, the alias history, and search.

Search is each database's own full-text engine, never a scan in Python: PostgreSQL matches the
two generated ``tsvector`` columns of migration 0004 with ``websearch_to_tsquery`` in Russian
and English (stemmed: "модели" finds "модель") and ranks with ``ts_rank``; SQLite matches its
FTS5 index (every word's stem a prefix) and ranks with ``bm25``. Facets are plain indexed
columns, counted with ``GROUP BY`` over the same matches, each with its own filter lifted, so a
person sees what choosing another value would give. On PostgreSQL the counting keeps and
groups each facet's integer code (``catalog_facet_values``, migration 0014), not its text, and
turns the few groups back into values at the end: less work per match (bench/README.md: 6-12 %
of a search with words at 100,000 entries). A search of one plain word on PostgreSQL reads the
word's postings instead (``catalog_postings``, migration 0017): its page and counts from one
index range, no entry's row read but the page's own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from cachetools import LRUCache, TTLCache
from sqlalchemy.dialects import postgresql, sqlite

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.catalog.errors import CatalogVersionExists, CatalogVersionNotFound
from jupyterlab_mlplat.core.catalog.ports import CatalogTx
from jupyterlab_mlplat.core.catalog.records import (
    FACETS,
    AliasMove,
    CatalogEntry,
    CatalogVersion,
    EntryCard,
    EntryStatus,
    FacetCount,
    Lineage,
    SearchHit,
    SearchResult,
    VersionState,
)
from jupyterlab_mlplat.core.catalog.rules import SearchQuery, Sort

from .fulltext import FullText, languages, machinery_table
from .fulltext import include_object as include_object
from .schema import catalog_alias_moves, catalog_entries, catalog_facet_values, catalog_versions

#: the search machinery of migration 0004 (``fulltext.py``); FTS5's bm25 weights are in the
#: order of the index's columns: name, tags, description, card
SEARCH = FullText(catalog_entries, "catalog_fts", (10.0, 10.0, 4.0, 1.0))

#: how many values of one facet a search reports, most frequent first
FACET_VALUES = 50

#: PostgreSQL's postings of the entries' words (migration 0017, kept by a trigger there, so not
#: in ``schema.py``'s metadata): a row per entry and word, the word's rank in the entry, and
#: what a search's page order and facet counts read, in one index in the page's order
catalog_postings = machinery_table(
    sa.Table(
        "catalog_postings",
        sa.MetaData(),
        sa.Column("config", sa.SmallInteger),
        sa.Column("lexeme", sa.Text),
        sa.Column("entry_id", sa.Integer),
        sa.Column("rank", sa.REAL),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("name", sa.String(63)),
        *(sa.Column(f"{facet}_code", sa.Integer) for facet in FACETS),
    )
)
#: each configuration's code in ``catalog_postings``, and what a typed word must be (lower-cased)
#: to be looked up there: letters of the one script it stems (migration 0017 keeps every word of
#: that script, however the database lower-cased it)
ONE_WORD = {
    "russian": (1, re.compile("[\u0430-\u044f\u0451]+")),
    "english": (2, re.compile("[a-z]+")),
}


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _entry_values(card: EntryCard) -> dict[str, Any]:
    return {
        "mlflow_name": card.mlflow_name,
        "description": card.description,
        "card_text": card.card_text,
        "card": dict(card.card),
        "tags": list(card.tags),
        "tags_text": " ".join(card.tags),
        "task": card.task,
        "framework": card.framework,
        "team": card.team,
        "license": card.license,
    }


def _code(conn: sa.Connection, facet: str, value: str) -> int:
    """The code of a facet's value, made the first time the value is published. Two
    transactions making the same new value at once: the second waits on the unique index for
    the first, then finds its row (read committed), so both get one code."""
    values = catalog_facet_values
    found = sa.select(values.c.id).where(values.c.facet == facet, values.c.value == value)
    code = conn.execute(found).scalar()
    if code is None:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(insert(values).values(facet=facet, value=value).on_conflict_do_nothing())
        code = conn.execute(found).scalar_one()
    return int(code)


def _codes(conn: sa.Connection, card: EntryCard) -> dict[str, int]:
    return {
        f"{facet}_code": _code(conn, facet, getattr(card, facet))
        for facet in FACETS
        if facet != "status"
    }


def _card(row: Any) -> EntryCard:
    return EntryCard(
        name=row["name"],
        mlflow_name=row["mlflow_name"],
        description=row["description"],
        card_text=row["card_text"],
        tags=tuple(row["tags"]),
        task=row["task"],
        framework=row["framework"],
        team=row["team"],
        license=row["license"],
        card=dict(row["card"]),
    )


def _lineage(data: Mapping[str, Any]) -> Lineage:
    return Lineage(
        source_model=str(data.get("source_model", "")),
        source_version=int(data.get("source_version", 0)),
        run_id=str(data.get("run_id", "")),
        run_name=str(data.get("run_name", "")),
        experiment_id=str(data.get("experiment_id", "")),
        commit=str(data.get("commit", "")),
        repository_url=str(data.get("repository_url", "")),
        notebook=str(data.get("notebook", "")),
        params={str(k): str(v) for k, v in dict(data.get("params", {})).items()},
    )


def _lineage_json(lineage: Lineage) -> dict[str, Any]:
    return {
        "source_model": lineage.source_model,
        "source_version": lineage.source_version,
        "run_id": lineage.run_id,
        "run_name": lineage.run_name,
        "experiment_id": lineage.experiment_id,
        "commit": lineage.commit,
        "repository_url": lineage.repository_url,
        "notebook": lineage.notebook,
        "params": dict(lineage.params),
    }


def _version(row: Any) -> CatalogVersion:
    return CatalogVersion(
        version=row["version"],
        publication_id=row["publication_id"],
        published_at=_utc(row["published_at"]) or row["published_at"],
        published_by=row["published_by"],
        lineage=_lineage(row["lineage"]),
        state=VersionState(row["state"]),
        metrics={str(k): float(v) for k, v in dict(row["metrics"]).items()},
        deprecated_at=_utc(row["deprecated_at"]),
    )


def _move(row: Any) -> AliasMove:
    return AliasMove(
        alias=row["alias"],
        from_version=row["from_version"],
        to_version=row["to_version"],
        moved_by=row["moved_by"],
        moved_at=_utc(row["moved_at"]) or row["moved_at"],
        publication_id=row["publication_id"],
        comment=row["comment"],
    )


def read_entry(conn: sa.Connection, name: str, *, lock: bool = False) -> CatalogEntry | None:
    """The whole entry: its card, versions (newest first) and alias history (newest first)."""
    query = sa.select(catalog_entries).where(catalog_entries.c.name == name)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        return None
    versions = conn.execute(
        sa.select(catalog_versions)
        .where(catalog_versions.c.entry_id == row["id"])
        .order_by(catalog_versions.c.version.desc())
    ).mappings()
    moves = conn.execute(
        sa.select(catalog_alias_moves)
        .where(catalog_alias_moves.c.entry_id == row["id"])
        .order_by(catalog_alias_moves.c.id.desc())
    ).mappings()
    return CatalogEntry(
        card=_card(row),
        status=EntryStatus(row["status"]),
        created_at=_utc(row["created_at"]) or row["created_at"],
        updated_at=_utc(row["updated_at"]) or row["updated_at"],
        aliases={str(k): int(v) for k, v in dict(row["aliases"]).items()},
        versions=tuple(_version(v) for v in versions),
        alias_history=tuple(_move(m) for m in moves),
    )


class SqlCatalogTx(CatalogTx):
    """The catalog's writes, inherited by the store's one transaction class."""

    _conn: sa.Connection

    def _entry_id(self, name: str) -> int:
        found = self._conn.execute(
            sa.select(catalog_entries.c.id).where(catalog_entries.c.name == name)
        ).scalar()
        if found is None:
            raise CatalogVersionNotFound(
                f"The catalog has no model {name!r}.", params={"name": name, "version": 0}
            )
        return int(found)

    def catalog_entry_for_update(self, name: str) -> CatalogEntry | None:
        return read_entry(self._conn, name, lock=True)

    def upsert_catalog_entry(self, card: EntryCard, *, at: datetime) -> None:
        values = {**_entry_values(card), **_codes(self._conn, card), "updated_at": at}
        updated = self._conn.execute(
            sa.update(catalog_entries).where(catalog_entries.c.name == card.name).values(values)
        )
        if updated.rowcount == 0:
            self._conn.execute(
                sa.insert(catalog_entries).values(
                    name=card.name,
                    status=EntryStatus.PUBLISHED.value,
                    status_code=_code(self._conn, "status", EntryStatus.PUBLISHED.value),
                    aliases={},
                    latest_version=None,
                    created_at=at,
                    **values,
                )
            )

    def add_catalog_version(self, name: str, version: CatalogVersion) -> None:
        entry_id = self._entry_id(name)
        taken = self._conn.execute(
            sa.select(catalog_versions.c.version).where(
                catalog_versions.c.entry_id == entry_id,
                catalog_versions.c.version == version.version,
            )
        ).first()
        if taken is not None:
            raise CatalogVersionExists(
                f"{name} already lists version {version.version}.",
                params={"name": name, "version": version.version},
            )
        self._conn.execute(
            sa.insert(catalog_versions).values(
                entry_id=entry_id,
                version=version.version,
                publication_id=version.publication_id,
                published_at=version.published_at,
                published_by=version.published_by,
                state=version.state.value,
                deprecated_at=version.deprecated_at,
                metrics=dict(version.metrics),
                lineage=_lineage_json(version.lineage),
            )
        )
        self._refresh(entry_id, version.published_at)

    def set_catalog_version_state(
        self, name: str, version: int, state: VersionState, *, at: datetime
    ) -> None:
        entry_id = self._entry_id(name)
        changed = self._conn.execute(
            sa.update(catalog_versions)
            .where(catalog_versions.c.entry_id == entry_id, catalog_versions.c.version == version)
            .values(
                state=state.value,
                deprecated_at=at if state is VersionState.DEPRECATED else None,
            )
        )
        if changed.rowcount == 0:
            raise CatalogVersionNotFound(
                f"{name} has no version {version}.", params={"name": name, "version": version}
            )
        self._refresh(entry_id, at)

    def record_alias_move(self, name: str, move: AliasMove) -> None:
        entry_id = self._entry_id(name)
        aliases = self._conn.execute(
            sa.select(catalog_entries.c.aliases).where(catalog_entries.c.id == entry_id)
        ).scalar_one()
        self._conn.execute(
            sa.update(catalog_entries)
            .where(catalog_entries.c.id == entry_id)
            .values(aliases={**dict(aliases), move.alias: move.to_version})
        )
        self._conn.execute(
            sa.insert(catalog_alias_moves).values(
                entry_id=entry_id,
                alias=move.alias,
                from_version=move.from_version,
                to_version=move.to_version,
                moved_by=move.moved_by,
                moved_at=move.moved_at,
                publication_id=move.publication_id,
                comment=move.comment,
            )
        )

    def _refresh(self, entry_id: int, at: datetime) -> None:
        """The entry's status and newest version follow its versions."""
        published = (
            sa.select(sa.func.count())
            .select_from(catalog_versions)
            .where(
                catalog_versions.c.entry_id == entry_id,
                catalog_versions.c.state == VersionState.PUBLISHED.value,
            )
            .scalar_subquery()
        )
        latest = (
            sa.select(sa.func.max(catalog_versions.c.version))
            .where(catalog_versions.c.entry_id == entry_id)
            .scalar_subquery()
        )
        codes = {s: _code(self._conn, "status", s.value) for s in EntryStatus}
        self._conn.execute(
            sa.update(catalog_entries)
            .where(catalog_entries.c.id == entry_id)
            .values(
                status=sa.case(
                    (published > 0, EntryStatus.PUBLISHED.value),
                    else_=EntryStatus.DEPRECATED.value,
                ),
                status_code=sa.case(
                    (published > 0, codes[EntryStatus.PUBLISHED]),
                    else_=codes[EntryStatus.DEPRECATED],
                ),
                latest_version=latest,
                updated_at=at,
            )
        )


# ---------------------------------------------------------------------------------- search


class _Match:
    """How one query's text narrows and ranks the entries, in the dialect at hand."""

    def __init__(self, dialect: str, query: SearchQuery) -> None:
        found = SEARCH.match(dialect, query.text, query.terms)
        self.where: list[sa.ColumnElement[bool]] = found.where
        self.rank: sa.ColumnElement[Any] = found.rank
        self.source: sa.FromClause = found.source


def _facet_filters(
    query: SearchQuery, *, lifted: str | None = None, source: sa.FromClause = catalog_entries
) -> list[Any]:
    return [
        source.c[facet].in_(sa.bindparam(f"facet_{facet}", list(values), expanding=True))
        for facet, values in query.facets.items()
        if facet != lifted
    ]


def _code_filters(
    query: SearchQuery, *, lifted: str | None = None, source: sa.FromClause
) -> list[Any]:
    """``_facet_filters`` on the facets' codes (PostgreSQL's searches keep codes, not text):
    each chosen value's code is looked up once a statement, in an uncorrelated subquery."""
    values = catalog_facet_values
    return [
        source.c[f"{facet}_code"].in_(
            sa.select(values.c.id).where(
                values.c.facet == facet,
                values.c.value.in_(sa.bindparam(f"facet_{facet}", list(chosen), expanding=True)),
            )
        )
        for facet, chosen in query.facets.items()
        if facet != lifted
    ]


def _order(
    query: SearchQuery, rank: sa.ColumnElement[Any], source: sa.FromClause = catalog_entries
) -> list[Any]:
    name, updated = source.c.name, source.c.updated_at
    if query.sort is Sort.NAME:
        return [name]
    if query.sort is Sort.UPDATED or not query.has_text:
        return [updated.desc(), name]
    return [rank.desc(), updated.desc(), name]


_HIT_COLUMNS = (
    "name",
    "mlflow_name",
    "description",
    "tags",
    "task",
    "framework",
    "team",
    "license",
    "status",
    "aliases",
    "latest_version",
    "updated_at",
)
_CODE_COLUMNS = tuple(catalog_entries.c[f"{f}_code"] for f in FACETS)


#: facet counts are a function of the query and of the catalog's content; the catalog changes
#: only when something is published or deprecated, so counts of searches without words (the
#: tab's first page, a click on a facet: each a pass over every entry) are kept until then
FacetCounts = dict[str, list[FacetCount]]
_CACHE_SIZE = 256
#: a change the generation probe cannot see (a clock set back) still shows within this time
_CACHE_SECONDS = 60.0


class FacetCache:
    """Counts of searches without words, valid while the catalog's generation stays."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe
        self._entries: TTLCache[tuple[Any, ...], tuple[Any, FacetCounts]] = TTLCache(
            maxsize=_CACHE_SIZE, ttl=_CACHE_SECONDS
        )

    def get(self, key: tuple[Any, ...], generation: Any) -> FacetCounts | None:
        with self._lock:
            found = self._entries.get(key)
        return found[1] if found is not None and found[0] == generation else None

    def put(self, key: tuple[Any, ...], generation: Any, counts: FacetCounts) -> None:
        with self._lock:
            self._entries[key] = (generation, counts)


_GENERATION = sa.select(
    sa.func.max(catalog_entries.c.updated_at), sa.func.max(catalog_entries.c.id)
)


def _generation(conn: sa.Connection) -> tuple[Any, ...]:
    """What changes whenever an entry is added or its card, versions or status change: the
    newest ``updated_at`` and the highest id, each one step down an index."""
    return tuple(conn.execute(_GENERATION).one())


class _Statements:
    """Search statements built once per shape, run with each query's values as parameters.

    Building a search's statement (its CTEs, grouping sets and union, and the cache key
    SQLAlchemy derives from them) took ~1.1 ms of Python a search, more than PostgreSQL's own
    work for a word at 2,000 entries (issue 12's benchmark). A shape is everything that decides
    how a statement is built: the dialect, what the words need (``FullText.shape``), the sort,
    and which facets are filtered; every other value of the query is a named parameter
    (``_parameters``). The shapes are few: the sorts, times the kinds of words, times the
    subsets of five facets."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self._lock = threading.Lock()
        self._built: LRUCache[tuple[Any, ...], sa.Select[Any]] = LRUCache(maxsize=size)

    def get(self, shape: tuple[Any, ...], build: Callable[[], sa.Select[Any]]) -> sa.Select[Any]:
        with self._lock:
            statement = self._built.get(shape)
        if statement is None:
            statement = build()  # outside the lock: two threads may build one shape, both right
            with self._lock:
                self._built[shape] = statement
        return statement


_STATEMENTS = _Statements()


def _shape(kind: str, dialect: str, query: SearchQuery) -> tuple[Any, ...]:
    return (
        kind,
        dialect,
        SEARCH.shape(dialect, query.terms),
        query.sort,
        query.has_text,
        tuple(sorted(query.facets)),
    )


def _parameters(dialect: str, query: SearchQuery) -> dict[str, Any]:
    """The values of every parameter a search statement names, for this query."""
    return {
        **SEARCH.parameters(dialect, query.text, query.terms),
        **{f"facet_{facet}": list(values) for facet, values in query.facets.items()},
        "page_limit": query.page_size,
        "page_offset": query.offset,
    }


def _is_one_pass(dialect: str, query: SearchQuery) -> bool:
    return dialect == "postgresql" and bool(query.terms) and not query.beyond_reach


def one_word(query: SearchQuery) -> str | None:
    """The configuration whose postings answer this query, if it is one plain word: typed
    alone, letters of one script. Then ``websearch_to_tsquery`` makes of it exactly the one
    lexeme ``to_tsvector`` does (or none, a stop word, which finds nothing either way), and
    ranking an entry for it is the word's own rank in the entry. A phrase, an exclusion, a
    word with a digit or a hyphen (which the parser may split) or several words are not."""
    if len(query.terms) != 1:
        return None
    [term] = query.terms
    if term.exclude or term.phrase or query.text.lower() != term.words[0]:
        return None
    # a word of no script's letters ("2026", "ü") is read in both columns: not one word's
    found = languages(query.terms)
    if len(found) != 1:
        return None
    [(config, _)] = found
    return config if ONE_WORD[config][1].fullmatch(term.words[0]) else None


def search_statement(
    dialect: str,
    query: SearchQuery,
    built: _Statements = _STATEMENTS,
    *,
    postings: bool = True,
) -> tuple[sa.Select[Any], dict[str, Any]]:
    """The statement of this query's shape (built once) and this query's values for it: on
    PostgreSQL with one plain word the postings' statement (unless not ``postings``: the
    statement it stands for, which tests compare it with), with other words the one-pass
    statement, otherwise the page's hits."""
    config = one_word(query) if postings and _is_one_pass(dialect, query) else None
    if config is not None:
        statement = built.get(_shape("postings", dialect, query), lambda: _postings(query, config))
    elif _is_one_pass(dialect, query):
        statement = built.get(_shape("one pass", dialect, query), lambda: _one_pass(dialect, query))
    else:
        statement = built.get(_shape("hits", dialect, query), lambda: _hits(dialect, query))
    return statement, _parameters(dialect, query)


def _hits(dialect: str, query: SearchQuery) -> sa.Select[Any]:
    match = _Match(dialect, query)
    return (
        sa.select(*(catalog_entries.c[c] for c in _HIT_COLUMNS), match.rank.label("rank"))
        .select_from(match.source)
        .where(*match.where, *_facet_filters(query))
        .order_by(*_order(query, match.rank))
        .limit(sa.bindparam("page_limit", query.page_size))
        .offset(sa.bindparam("page_offset", query.offset))
    )


def search(
    conn: sa.Connection,
    query: SearchQuery,
    cache: FacetCache | None = None,
    *,
    postings: bool = True,
) -> SearchResult:
    """One page of matches, how many in all, and the facet counts: on PostgreSQL a search
    with words is one statement over one pass of its matches (a plain word's postings, unless
    not ``postings``); otherwise two statements, or one when the counts of a search without
    words are known."""
    dialect = conn.dialect.name
    if _is_one_pass(dialect, query):
        statement, parameters = search_statement(dialect, query, postings=postings)
        return _result(query, *_parts(conn.execute(statement, parameters).mappings()))
    rows: Sequence[sa.RowMapping] = []
    if not query.beyond_reach:
        statement, parameters = search_statement(dialect, query)
        rows = conn.execute(statement, parameters).mappings().all()
    if cache is not None and not query.terms:
        key = tuple(sorted(query.facets.items()))
        generation = _generation(conn)
        kept = cache.get(key, generation)
        if kept is None:
            kept = _facet_counts(conn, query, _Match(dialect, query))
            cache.put(key, generation, kept)
        return _result(query, rows, kept)
    return _result(query, rows, _facet_counts(conn, query, _Match(dialect, query)))


def _result(query: SearchQuery, rows: Sequence[sa.RowMapping], facets: FacetCounts) -> SearchResult:
    hits = [
        SearchHit(
            name=row["name"],
            mlflow_name=row["mlflow_name"],
            description=row["description"],
            tags=tuple(row["tags"]),
            task=row["task"],
            framework=row["framework"],
            team=row["team"],
            license=row["license"],
            status=EntryStatus(row["status"]),
            aliases={str(k): int(v) for k, v in dict(row["aliases"]).items()},
            latest_version=row["latest_version"],
            updated_at=_utc(row["updated_at"]) or row["updated_at"],
            rank=float(row["rank"] or 0.0),
        )
        for row in rows
    ]
    # the status facet is counted with every other filter applied: its selected values add
    # up to the total, which saves counting the matches once more
    chosen = query.facets.get("status")
    total = sum(c.count for c in facets["status"] if not chosen or c.value in chosen)
    return SearchResult(
        hits=tuple(hits),
        total=total,
        facets={f: tuple(counts[:FACET_VALUES]) for f, counts in facets.items()},
        page=query.page,
        page_size=query.page_size,
    )


def _facet_counts(conn: sa.Connection, query: SearchQuery, match: _Match) -> FacetCounts:
    if conn.dialect.name == "postgresql":
        grouped = _grouping_sets(
            query,
            sa.select(*_CODE_COLUMNS)
            .select_from(match.source)
            .where(*match.where)
            .subquery("matches"),
        )
        return _counts(conn.execute(grouped).mappings())
    return _counts(conn.execute(_union_of_groups(query, match)).mappings())


def _counts(rows: Iterable[sa.RowMapping]) -> FacetCounts:
    counts: FacetCounts = {facet: [] for facet in FACETS}
    for row in rows:
        if row["n"]:
            counts[row["facet"]].append(FacetCount(value=row["value"], count=int(row["n"])))
    for values in counts.values():
        values.sort(key=lambda c: (-c.count, c.value))
    return counts


def _grouping_sets(query: SearchQuery, matches: sa.FromClause) -> sa.Select[Any]:
    """Every facet's counts in one pass over the matches (PostgreSQL): one grouping set per
    facet's code, each counting only the rows its own lifted filter lets through; the codes
    are turned back into their facet and value once, for the few groups, not per match."""
    codes = [matches.c[f"{f}_code"] for f in FACETS]
    counted = []
    for facet in FACETS:
        others = _code_filters(query, lifted=facet, source=matches)
        count = sa.func.count()
        counted.append((count.filter(sa.and_(*others)) if others else count).label(f"n_{facet}"))
    grouped = (
        sa.select(*codes, *counted)
        .group_by(sa.func.grouping_sets(*(sa.tuple_(c) for c in codes)))
        .subquery("grouped")
    )
    # each row belongs to one grouping set: the one code that is not null (none is)
    code = sa.func.coalesce(*(grouped.c[f"{f}_code"] for f in FACETS))
    n = sa.case(
        *((grouped.c[f"{f}_code"].is_not(None), grouped.c[f"n_{f}"]) for f in FACETS), else_=0
    )
    values = catalog_facet_values
    return sa.select(
        values.c.facet.label("facet"), values.c.value.label("value"), n.label("n")
    ).select_from(grouped.join(values, values.c.id == code))


def _one_pass(dialect: str, query: SearchQuery) -> sa.Select[Any]:
    """A search with words on PostgreSQL, as one statement: the matches are found, read and
    ranked once (a CTE used twice, so materialized), and both the page and the facet counts
    come from them. Two statements read every match from the table twice, which is most of a
    common word's time (issue 12's benchmark: 5,547 matches in 100,000 entries), and take two
    trips to the database; one statement also sees one snapshot, so the page and the counts
    always agree."""
    match = _Match(dialect, query)
    matches = (
        sa.select(
            catalog_entries.c.id,
            catalog_entries.c.name,
            catalog_entries.c.updated_at,
            *_CODE_COLUMNS,
            match.rank.label("rank"),
        )
        .select_from(match.source)
        .where(*match.where)
        .cte("matches")
    )
    return _page_and_counts(query, matches)


def _postings(query: SearchQuery, config: str) -> sa.Select[Any]:
    """A search of one plain word on PostgreSQL (``one_word``), from the word's postings: the
    same page and counts as ``_one_pass``'s, but its matches are one range of the postings'
    index, in the page's order, each carrying its rank, name, age and facet codes. So the page
    is the range's first rows that pass the filters, and the counts one pass over the range;
    only the page's 20 entries are read. ``matches`` is a plain subquery, which PostgreSQL
    reads twice (the page stops early; a CTE would read the whole range first)."""
    postings = catalog_postings
    code, _ = ONE_WORD[config]
    # the word's lexeme, made once a statement (an InitPlan) as the vectors' words were
    lexeme = sa.select(
        sa.func.tsvector_to_array(
            sa.func.to_tsvector(
                sa.literal_column(f"'{config}'::regconfig", postgresql.REGCONFIG),
                sa.bindparam("words", type_=sa.String),
            ),
            type_=postgresql.ARRAY(sa.Text),
        )[1]
    ).scalar_subquery()
    matches = (
        sa.select(
            postings.c.entry_id.label("id"),
            postings.c.name,
            postings.c.updated_at,
            *(postings.c[f"{f}_code"] for f in FACETS),
            postings.c.rank,
        )
        .where(postings.c.config == sa.literal_column(str(code)), postings.c.lexeme == lexeme)
        .subquery("matches")
    )
    return _page_and_counts(query, matches)


def _page_and_counts(query: SearchQuery, matches: sa.FromClause) -> sa.Select[Any]:
    """The page's hits and the facet counts of ``matches`` (each with its id, name,
    ``updated_at``, facet codes and rank), as one statement's rows: the hits' (``part`` =
    "hit") in the page's order, then the counts'."""
    page = (
        sa.select(matches.c.id, matches.c.rank)
        .where(*_code_filters(query, source=matches))
        .order_by(*_order(query, matches.c.rank, matches))
        .limit(sa.bindparam("page_limit", query.page_size))
        .offset(sa.bindparam("page_offset", query.offset))
        .cte("page")
    )
    grouped = _grouping_sets(query, matches).subquery("counted")
    hit_columns = [catalog_entries.c[c] for c in _HIT_COLUMNS]
    hits = sa.select(
        sa.literal("hit").label("part"),
        *hit_columns,
        page.c.rank,
        sa.cast(sa.null(), sa.Text).label("facet"),
        sa.cast(sa.null(), sa.Text).label("value"),
        sa.cast(sa.null(), sa.BigInteger).label("n"),
    ).select_from(page.join(catalog_entries, catalog_entries.c.id == page.c.id))
    counts = sa.select(
        sa.literal("count").label("part"),
        *(sa.cast(sa.null(), c.type).label(c.name) for c in hit_columns),
        sa.cast(sa.null(), sa.Float),
        grouped.c.facet,
        grouped.c.value,
        grouped.c.n,
    )
    # the page's order is applied again to its 20 rows, after the join: the page itself is
    # a bounded top-N sort of the matches, which a numbering of every match would make whole
    both = sa.union_all(hits, counts).subquery("both")
    return sa.select(both).order_by(both.c.part, *_order(query, both.c.rank, both))


def _parts(rows: Iterable[sa.RowMapping]) -> tuple[list[sa.RowMapping], FacetCounts]:
    """The one-pass statement's rows, split into the page's hits and the facet counts."""
    parts: dict[str, list[sa.RowMapping]] = {"hit": [], "count": []}
    for row in rows:
        parts[row["part"]].append(row)
    return parts["hit"], _counts(parts["count"])


def _union_of_groups(query: SearchQuery, match: _Match) -> sa.CompoundSelect[Any]:
    """The same counts as one GROUP BY per facet (SQLite has no grouping sets)."""
    return sa.union_all(
        *(
            sa.select(
                sa.literal(facet).label("facet"),
                catalog_entries.c[facet].label("value"),
                sa.func.count().label("n"),
            )
            .select_from(match.source)
            .where(*match.where, *_facet_filters(query, lifted=facet))
            .group_by(catalog_entries.c[facet])
            for facet in FACETS
        )
    )


class SqlCatalogIndex(StorePart):
    """The catalog's reads for the SQL store (``CatalogIndex``); mixed into ``SqlStore``."""

    _facet_cache: FacetCache | None = None

    def search_catalog(self, query: SearchQuery) -> SearchResult:
        if self._facet_cache is None:
            self._facet_cache = FacetCache()
        with self._reading() as connection:
            return search(connection, query, self._facet_cache)

    def catalog_entry(self, name: str) -> CatalogEntry | None:
        with self._reading() as connection:
            return read_entry(connection, name)
