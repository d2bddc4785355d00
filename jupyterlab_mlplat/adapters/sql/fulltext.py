"""Full-text search in either database, for every feature that searches (the catalog,
instructions): each database's own engine, never a scan in Python.

A searchable table carries, per dialect, machinery its migration builds outside ``schema.py``'s
metadata: on PostgreSQL two generated ``tsvector`` columns, ``search_ru`` and ``search_en``
(Russian and English stemming: "модели" finds "модель"), matched with ``websearch_to_tsquery``
and ranked with ``ts_rank``; on SQLite an external-content FTS5 table kept in step by triggers
(every word looked up by its Snowball stem as a prefix, ``core/kernel/search.py``), ranked with
``bm25``. ``FullText`` describes one table's machinery;
``include_object`` leaves all of it out of the migrations' comparison with the metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from jupyterlab_mlplat.core.kernel.search import Term, fts5_match, fts5_term

_LANGUAGES = (("russian", "search_ru"), ("english", "search_en"))
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-z]")
#: the shadow tables FTS5 makes beside each index
_FTS5_SHADOWS = ("", "_data", "_idx", "_docsize", "_config")

_MACHINERY_TABLES: set[str] = set()
_MACHINERY_COLUMNS: set[tuple[str, str]] = set()
_MACHINERY_INDEXES: set[str] = set()


def languages(terms: Sequence[Term]) -> tuple[tuple[str, str], ...]:
    """The columns a query's words are looked up in. Both columns hold every word; they differ
    in which words they stem: Russian ones in ``search_ru``, English ones in ``search_en``
    (PostgreSQL's ``russian`` configuration also stems Latin words as English, the ``english``
    one keeps Cyrillic words as written). So a query in one script reads the column that stems
    it, and matching and ranking a second column would only double the work a search does per
    match; a query mixing scripts reads both."""
    words = " ".join(w for term in terms for w in term.words)
    cyrillic, latin = bool(_CYRILLIC.search(words)), bool(_LATIN.search(words))
    if cyrillic and not latin:
        return _LANGUAGES[:1]
    if latin and not cyrillic:
        return _LANGUAGES[1:]
    return _LANGUAGES


@dataclass
class Match:
    """How one query's text narrows and ranks a table's rows, in the dialect at hand: select
    from ``source``, filter by ``where``, order by ``rank`` descending."""

    source: sa.FromClause
    where: list[sa.ColumnElement[bool]] = field(default_factory=list)
    rank: sa.ColumnElement[Any] = field(default_factory=lambda: sa.literal(0.0))


@dataclass(frozen=True)
class FullText:
    """One searchable table: its id column and its FTS5 index with the ``bm25`` weights of the
    index's columns (the first columns rank first)."""

    table: sa.Table
    fts: str
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        name = self.table.name
        _MACHINERY_TABLES.update(f"{self.fts}{suffix}" for suffix in _FTS5_SHADOWS)
        _MACHINERY_COLUMNS.update((name, column) for _, column in _LANGUAGES)
        _MACHINERY_INDEXES.update(f"ix_{name}_{column}" for _, column in _LANGUAGES)

    def match(self, dialect: str, text: str, terms: Sequence[Term]) -> Match:
        """The statement's part for these words. Every value from the words is a named
        parameter (``parameters``), so a statement built once for a ``shape`` serves every
        query of that shape."""
        if not terms:
            return Match(self.table)
        if dialect == "postgresql":
            return self._postgresql(text, terms)
        return self._fts5(terms)

    @staticmethod
    def shape(dialect: str, terms: Sequence[Term]) -> tuple[Any, ...]:
        """What, of the words, decides how ``match`` builds its part: on PostgreSQL the
        columns looked in, on SQLite whether anything is wanted or only excluded."""
        if not terms:
            return ()
        if dialect == "postgresql":
            return tuple(config for config, _ in languages(terms))
        return (bool(fts5_match(terms)),)

    @staticmethod
    def parameters(dialect: str, text: str, terms: Sequence[Term]) -> dict[str, Any]:
        """The values of the parameters ``match`` names, for these words."""
        if not terms:
            return {}
        if dialect == "postgresql":
            return {"words": text}
        expression = fts5_match(terms)
        return {"expression": expression} if expression else {"unwanted": _unwanted(terms)}

    def _postgresql(self, text: str, terms: Sequence[Term]) -> Match:
        matches: list[sa.ColumnElement[bool]] = []
        ranks: list[sa.ColumnElement[Any]] = []
        for config, column_name in languages(terms):
            column = sa.column(column_name, postgresql.TSVECTOR)
            # A one-row subquery is an InitPlan: the words are parsed once a statement, even
            # in the generic plan PostgreSQL keeps for a statement psycopg has prepared (there a
            # call would run for every match, in the recheck and the rank). The configuration
            # is a constant, never a parameter: a cast of a parameter is not folded.
            tsquery = sa.select(
                sa.func.websearch_to_tsquery(
                    sa.literal_column(f"'{config}'::regconfig", postgresql.REGCONFIG),
                    sa.bindparam("words", text, type_=sa.String),
                )
            ).scalar_subquery()
            matches.append(column.op("@@")(tsquery))
            ranks.append(sa.func.ts_rank(column, tsquery))
        return Match(self.table, [sa.or_(*matches)], sum(ranks[1:], ranks[0]))

    def _fts5(self, terms: Sequence[Term]) -> Match:
        expression = fts5_match(terms)
        fts = sa.table(self.fts)
        rowid: sa.ColumnElement[Any] = sa.literal_column("rowid")
        ids = self.table.c.id
        if not expression:  # only exclusions: everything but what they name
            unwanted = _unwanted(terms)
            excluded: sa.Select[Any] = (
                sa.select(rowid)
                .select_from(fts)
                .where(sa.text(f"{self.fts} MATCH :unwanted").bindparams(unwanted=unwanted))
            )
            return Match(self.table, [ids.not_in(excluded)])
        weights = ", ".join(str(w) for w in self.weights)
        found = (
            sa.select(
                rowid.label("rowid"),
                sa.literal_column(f"bm25({self.fts}, {weights})").label("score"),
            )
            .select_from(fts)
            .where(sa.text(f"{self.fts} MATCH :expression").bindparams(expression=expression))
            .subquery(self.fts + "_found")
        )
        return Match(self.table.join(found, found.c.rowid == ids), [], -found.c.score)


def _unwanted(terms: Sequence[Term]) -> str:
    """An FTS5 expression of what a query of exclusions only leaves out."""
    return " OR ".join(fts5_term(t) for t in terms)


def machinery_table(table: sa.Table) -> sa.Table:
    """A table of a feature's search machinery that its migration builds and keeps (by a
    trigger), described outside ``schema.py``'s metadata for its reads; ``include_object``
    leaves it out of the comparison."""
    _MACHINERY_TABLES.add(table.name)
    return table


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For Alembic's comparison: everything but the search machinery the migrations build."""
    if type_ == "table":
        return name not in _MACHINERY_TABLES
    if type_ == "column":
        return (obj.table.name, name) not in _MACHINERY_COLUMNS
    if type_ == "index":
        return (name or "") not in _MACHINERY_INDEXES
    return True
