# ruff: noqa: S608  (every statement here is built from this file's own constants)
"""Would facets kept as small integers make a common word's search cheaper? (issue 12)

Why: at 100,000 catalog entries what is left of a common word's search is per match, and part
of it is what PostgreSQL carries per match: the one-pass statement keeps each match's five facet
values as text in its CTE and hashes them in its grouping sets. This copies the kept fixture of
``bench/catalog_search.py`` into ``exp_codes`` (each facet also as a ``smallint`` code) with a
dictionary ``exp_dict`` of the codes, and times hand-written statements of the one-pass shape
against each other: prepared by psycopg, alternating, on the same copy, no HTTP.

    .venv/bin/python bench/catalog_facet_codes.py [--rounds 60] [--words traffic "water leaks"]

Run ``bench/catalog_search.py --entries 100000`` once first: it builds the fixture this copies.
The copy is made once and kept (``--rebuild`` remakes it). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import psycopg
from runs_table import PG_DIR, ROOT, dsn, p95, start_postgres  # (bench/ is not a package)

DATABASE = "catalog_bench_100000"
FACETS = ("task", "framework", "team", "license", "status")
#: the columns a row is written with (the two vectors are generated from them)
COLUMNS = (
    "id, name, mlflow_name, description, card_text, card, tags, tags_text, task, framework, "
    "team, license, status, aliases, latest_version, created_at, updated_at"
)

_COPY = f"""
DROP TABLE IF EXISTS exp_codes; DROP TABLE IF EXISTS exp_dict;
CREATE TABLE exp_codes (LIKE catalog_entries INCLUDING ALL EXCLUDING INDEXES);
ALTER TABLE exp_codes ALTER COLUMN search_en SET STORAGE MAIN,
    ALTER COLUMN search_ru SET STORAGE MAIN,
    {", ".join(f"ADD COLUMN {f}_c smallint" for f in FACETS)};
CREATE TABLE exp_dict AS SELECT (row_number() OVER ())::smallint AS code, facet, value FROM (
    {
    " UNION ".join(
        f"SELECT DISTINCT '{f}' AS facet, {f} AS value FROM catalog_entries" for f in FACETS
    )
}
) found;
INSERT INTO exp_codes ({COLUMNS}, {", ".join(f"{f}_c" for f in FACETS)})
SELECT {", ".join(f"e.{c}" for c in COLUMNS.split(", "))}, {
    ", ".join(f"(SELECT code FROM exp_dict WHERE facet = '{f}' AND value = e.{f})" for f in FACETS)
} FROM catalog_entries e;
CREATE INDEX ON exp_codes USING gin (search_en);
CREATE INDEX ON exp_codes USING gin (search_ru);
CREATE INDEX ON exp_codes (id);
"""

#: the words as the platform passes them: a one-row subquery, the configuration a constant
_WORDS = "(SELECT websearch_to_tsquery('english'::regconfig, %(words)s::varchar))"
_HITS = "SELECT 'hit', e.name, e.description, e.tags::text, page.rank, NULL, NULL::bigint " + (
    "FROM page JOIN exp_codes e ON e.id = page.id"
)


def _one_pass(columns: str, tie: str, counted: str) -> str:
    return (
        f"WITH matches AS (SELECT id, name, updated_at, {columns}, "
        f"ts_rank(search_en, {_WORDS}) AS rank FROM exp_codes WHERE search_en @@ {_WORDS}), "
        f"page AS (SELECT id, rank FROM matches ORDER BY rank DESC, updated_at DESC, {tie} "
        f"LIMIT 20), "
        f"grouped AS (SELECT {columns}, count(*) AS n FROM matches "
        f"GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in columns.split(', '))})) "
        f"{_HITS} UNION ALL {counted}"
    )


TEXT = ", ".join(FACETS)
CODES = ", ".join(f"{f}_c" for f in FACETS)
STATEMENTS = {
    "text facets, ties by name (the shape before 0014)": _one_pass(
        TEXT,
        "name",
        f"SELECT 'count', NULL, NULL, NULL, NULL, coalesce({TEXT}), n FROM grouped",
    ),
    "codes in the CTE and the grouping, values joined after": _one_pass(
        CODES,
        "id",
        "SELECT 'count', NULL, NULL, NULL, NULL, d.value, n FROM grouped "
        f"JOIN exp_dict d ON d.code = coalesce({CODES})",
    ),
    "text facets, ties by id": _one_pass(
        TEXT,
        "id",
        f"SELECT 'count', NULL, NULL, NULL, NULL, coalesce({TEXT}), n FROM grouped",
    ),
    "the page alone (rank, top 20; no counts)": (
        f"SELECT id, rank FROM (SELECT id, updated_at, ts_rank(search_en, {_WORDS}) AS rank "
        f"FROM exp_codes WHERE search_en @@ {_WORDS}) m ORDER BY rank DESC, updated_at DESC, id "
        "LIMIT 20"
    ),
    "counting the matches alone": f"SELECT count(*) FROM exp_codes WHERE search_en @@ {_WORDS}",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--words", nargs="+", default=["traffic", "water leaks"])
    parser.add_argument("--pg-port", type=int, default=45432)
    parser.add_argument("--rebuild", action="store_true", help="copy the fixture again")
    args = parser.parse_args()
    url, started = start_postgres(args.pg_port)
    try:
        with psycopg.connect(dsn(url, DATABASE), autocommit=True) as conn:
            found = conn.execute("SELECT to_regclass('exp_codes') IS NOT NULL").fetchone()
            if args.rebuild or not (found and found[0]):
                print("copying the fixture with facet codes (once; about a minute)")
                conn.execute(_COPY)
                conn.execute("VACUUM ANALYZE exp_codes")  # alone: not in the batch's transaction
            conn.execute("SET max_parallel_workers_per_gather = 0")
            with open("/proc/loadavg") as f:
                load = ", ".join(f.read().split()[:3])
            print(f"{args.rounds} rounds a statement, alternating; load average {load}; ms")
            for words in args.words:
                times: dict[str, list[float]] = {label: [] for label in STATEMENTS}
                for _ in range(args.rounds):
                    for label, statement in STATEMENTS.items():
                        began = time.perf_counter()
                        conn.execute(statement, {"words": words}, prepare=True).fetchall()
                        times[label].append((time.perf_counter() - began) * 1000)
                print(f"\n{words!r}")
                for label, spent in times.items():
                    print(f"  {label:<58} {statistics.median(spent):7.2f} {p95(spent):7.2f}")
    finally:
        if started:
            subprocess.run([str(ROOT / "scripts" / "start-postgres"), str(PG_DIR), "stop"])


if __name__ == "__main__":
    sys.exit(main())
