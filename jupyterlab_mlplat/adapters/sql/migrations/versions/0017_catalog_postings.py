"""catalog postings (PostgreSQL): each catalog entry's words, one row a word, with the word's rank
in the entry, kept in an index in the order a search's page wants them

A search with words reads every match's row to rank it, one heap page a match: a common word
of a catalog of 100,000 entries (5,547 matches) took 18-26 ms for that, most of issue 12's
goal of 20 ms at p95 (bench/README.md). A search of one word needs only that word's rows
here: its page is the first rows of one index range (already in rank order), its facet counts
one pass over the range's index entries, none of the entries' rows read. Searches of several
words, phrases and exclusions still rank the entries' vectors, which their ``ts_rank`` needs
whole (bench/README.md: several words find fewer matches).

A row is written for each word of an entry in the configuration that stems it: the words of
``search_ru`` with a Cyrillic letter under 1 (``russian``), those of ``search_en`` without one
under 2 (``english``), as a search of one word in one script reads only that column
(``fulltext.languages``). The test is the script, not a lower-case pattern: how a word is
lower-cased is the database's locale's (with ``LC_CTYPE=C`` a Cyrillic word keeps its capitals),
and the postings must hold whatever word the database made. Its rank
is ``ts_rank`` of the entry's vector for the word alone, which is what ranking the entry for a
query of that one word computes. The entry's name, ``updated_at`` and facet codes are copied,
so the page's order and the counts need nothing else; triggers on ``catalog_entries`` write an
entry's rows again whenever what they hold of it changes (publishing, a new card, a
deprecation), in the same transaction. SQLite's FTS5 index is its own postings:
nothing changes there.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

CODES = ("task_code", "framework_code", "team_code", "license_code", "status_code")
#: (code, vector, the test of a word's script): a search of one word reads one configuration
#: (``adapters/sql/catalog.py``, ``ONE_WORD``); PostgreSQL's regular expressions read the
#: ``\\u`` escapes (standard strings keep the backslash)
CONFIGS = (
    (1, "search_ru", "~ '[\\u0400-\\u04ff]'"),
    (2, "search_en", "!~ '[\\u0400-\\u04ff]'"),
)


def _postings_of(entry: str, source: str) -> str:
    """A SELECT of the postings of ``entry`` (a row variable or a table's alias), one per
    configuration, from ``source`` (what the SELECT reads the entries from)."""
    codes = ", ".join(f"{entry}.{c}" for c in CODES)
    return " UNION ALL ".join(
        f"SELECT {config}, w.lexeme, {entry}.id, "  # noqa: S608 (constants of this module)
        f"ts_rank({entry}.{vector}, quote_literal(w.lexeme)::tsquery), "
        f"{entry}.updated_at, {entry}.name, {codes} "
        f"FROM {source}unnest({entry}.{vector}) AS w WHERE w.lexeme {script}"
        for config, vector, script in CONFIGS
    )


COLUMNS = f"config, lexeme, entry_id, rank, updated_at, name, {', '.join(CODES)}"
#: what the postings hold of an entry: a change of any of it writes them again
FOLLOWED = ("search_ru", "search_en", "updated_at", "name", *CODES)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "catalog_postings",
        sa.Column("config", sa.SmallInteger, nullable=False),
        sa.Column("lexeme", sa.Text, nullable=False),
        sa.Column(
            "entry_id",
            sa.Integer,
            sa.ForeignKey("catalog_entries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rank", sa.REAL, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        *(sa.Column(code, sa.Integer, nullable=True) for code in CODES),
    )
    op.execute(
        f"INSERT INTO catalog_postings ({COLUMNS}) {_postings_of('e', 'catalog_entries AS e, ')}"
    )
    # built after the rows they index: one sort each, not an insertion a row
    op.create_primary_key(
        "pk_catalog_postings", "catalog_postings", ["entry_id", "config", "lexeme"]
    )
    # the page's order within a word, and everything a search reads after it (index-only)
    op.execute(
        "CREATE INDEX ix_catalog_postings_word ON catalog_postings "
        "(config, lexeme, rank DESC, updated_at DESC, name) "
        f"INCLUDE (entry_id, {', '.join(CODES)})"
    )
    # the function's names resolve in the schema it was made in, whatever the search path of
    # the session that fires it (a restore runs with an empty one)
    op.execute(  # every name and expression here is a constant of this module
        f"""
        CREATE FUNCTION catalog_postings_follow() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                DELETE FROM catalog_postings WHERE entry_id = OLD.id;
            END IF;
            INSERT INTO catalog_postings ({COLUMNS}) {_postings_of("NEW", "")};
            RETURN NULL;
        END
        $$"""  # noqa: S608
    )
    new = ", ".join(f"NEW.{c}" for c in FOLLOWED)
    old = ", ".join(f"OLD.{c}" for c in FOLLOWED)
    op.execute(
        "CREATE TRIGGER catalog_postings_written AFTER INSERT ON catalog_entries "
        "FOR EACH ROW EXECUTE FUNCTION catalog_postings_follow()"
    )
    # an update that leaves the words and what the postings copy alone (an alias moved) is not
    # queued at all
    op.execute(
        "CREATE TRIGGER catalog_postings_changed AFTER UPDATE ON catalog_entries "
        f"FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) "
        "EXECUTE FUNCTION catalog_postings_follow()"
    )
    # index-only scans read no row once autovacuum has marked the new pages visible (its
    # insert threshold brings it within a minute or so); until then each one-word search also
    # reads its rows, as fast as before this migration, not faster
    op.execute("ANALYZE catalog_postings")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER catalog_postings_changed ON catalog_entries")
    op.execute("DROP TRIGGER catalog_postings_written ON catalog_entries")
    op.execute("DROP FUNCTION catalog_postings_follow()")
    op.drop_table("catalog_postings")
