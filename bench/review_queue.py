"""Review queue benchmark: the Reviews tab's queue and a publication page with 1,000 publications.

Why: a reviewer opens the queue and then one publication after another; issue 12 asks both to
answer within 100 ms (p95) when the platform holds 1,000 publications. A publication carries a
snapshot (the version's facts and the notebook-aware code diff, up to 400 KB) that the page
shows and the queue must not drag along.

It measures, on a real platform service (its own process, PostgreSQL):

- ``GET /api/v1/publications/queue`` (every submission in review or approved, oldest first);
- ``GET /api/v1/publications/{id}`` (the page: the card, the snapshot with its diff, the steps,
  the champion beside it with the metrics compared, what the caller may do), over the
  publications in review, round-robin;
- and the same two in-process (``ReviewService`` on the store, no HTTP), to show how much is the
  database's.

The issue names no peer for this goal: MLflow has no review queue. The fixture is written by
COPY: 1,000 publications of 40 authors over 60 catalog names, 150 of them waiting (120 in
review, 30 approved and waiting for a publish retry), the rest published, deprecated, rejected or
drafts; each submitted one with a snapshot (8 params, 6 metrics, a signature, an input example
and a diff of 4-60 KB) and 3-9 steps. It is kept in ``.state/bench-postgres`` and reused;
``--rebuild`` refills.

    .venv/bin/python bench/review_queue.py [--publications 1000] [--requests 100]

Figures are printed, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from runs_table import (  # (bench/ is not a package)
    PG_DIR,
    PY,
    STATE,
    Case,
    Http,
    Managed,
    base_env,
    dsn,
    measure,
    p95,
    port_is_free,
    revive,
    say,
    services_stopped,
    start,
    start_postgres,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jupyterlab_mlplat.adapters.sql.store import SqlStore  # noqa: E402
from jupyterlab_mlplat.api.reviews import ModelCardRules  # noqa: E402
from jupyterlab_mlplat.core.kernel.identity import ROLE_ORDER, Identity  # noqa: E402
from jupyterlab_mlplat.core.reviews.service import ReviewService  # noqa: E402

#: the goal of issue 12 (p95, ms)
GOAL_P95_MS = 100.0
PREFIX = "/services/mlplat/api/v1"

#: how the 1,000 are spread over the states (the rest are drafts)
STATES = [
    ("in_review", 0.12),
    ("approved", 0.03),
    ("published", 0.45),
    ("deprecated", 0.10),
    ("rejected", 0.15),
    ("changes_requested", 0.05),
]


def diff_text(rng: random.Random, size: int) -> str:
    """A notebook-aware diff as the Git core writes it: cells changed, code and outputs."""
    lines = ["--- a/train.ipynb", "+++ b/train.ipynb"]
    words = ("df", "model", "fit", "predict", "train", "split", "score", "feature", "rmse")
    cell = 0
    while sum(len(line) + 1 for line in lines) < size:
        cell += 1
        lines.append(f"@@ cell {cell} (code) @@")
        for _ in range(rng.randint(3, 12)):
            sign = rng.choice(" +-")
            text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))
            lines.append(f"{sign}{text} = {rng.random():.4f}")
    return "\n".join(lines)


def generate(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    rows = []
    for i in range(1, count + 1):
        author = f"person{rng.randint(1, 40):02d}"
        roll, state = rng.random(), "draft"
        for name, share in STATES:
            if roll < share:
                state = name
                break
            roll -= share
        created = now - timedelta(days=rng.uniform(0, 180))
        catalog = f"model-{rng.randint(1, 60):02d}"
        keys = ("auc", "f1", "rmse", "mae", "r2", "precision")
        metrics = {k: round(rng.uniform(0.1, 0.99), 4) for k in keys}
        rows.append(
            {
                "id": i,
                "model_name": f"{author}-{catalog}",
                "version": str(rng.randint(1, 30)),
                "author": author,
                "team": f"team-{int(author[-2:]) % 8}",
                "state": state,
                "catalog": catalog,
                "created": created,
                "updated": created + timedelta(hours=rng.uniform(1, 200)),
                "round": 0 if state == "draft" else rng.randint(1, 3),
                "metrics": metrics,
                "diff": diff_text(rng, rng.randint(4_000, 60_000)),
                "steps": rng.randint(3, 9),
            }
        )
    return rows


def card(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "catalog_name": row["catalog"],
        "description": f"Predicts {row['catalog']} for the city's services. " * 4,
        "intended_use": "Planning and reporting by the department's analysts. " * 3,
        "limitations": "Trained on two years of data; seasonal effects may be missed. " * 3,
        "metrics": [{"key": k, "value": None, "note": ""} for k in ("auc", "f1", "rmse")],
        "tags": ["city", row["catalog"], row["team"]],
        "license": "mit",
        "task": "classification",
    }


def snapshot(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["state"] == "draft":
        return None
    return {
        "facts": {
            "model_name": row["model_name"],
            "version": row["version"],
            "source": f"models:/m-{row['id']:032x}",
            "owner": row["author"],
            "run_id": f"{row['id']:032x}",
            "run_name": f"run-{row['id']}",
            "experiment_id": str(row["id"] % 50),
            "signature": {
                "inputs": json.dumps([{"name": f"f{j}", "type": "double"} for j in range(12)]),
                "outputs": json.dumps([{"type": "long"}]),
            },
            "input_example": json.dumps(
                {"columns": [f"f{j}" for j in range(12)], "data": [[0.5] * 12]}
            ),
            "flavors": ["python_function", "sklearn"],
            "framework": "sklearn",
            "task": "classification",
            "params": {f"p{j}": str(j * 3) for j in range(8)},
            "metrics": row["metrics"],
            "notebook": "work/train.ipynb",
            "commit": f"{row['id']:040x}",
            "repository": "https://gitlab.example/city/models",
        },
        "diff": {
            "base_commit": f"{row['id'] + 1:040x}",
            "head_commit": f"{row['id']:040x}",
            "text": row["diff"],
            "computed_by": "author_workspace",
        },
        "taken_at": row["updated"].isoformat(),
    }


def fill(db: str, rows: list[dict[str, Any]]) -> None:
    started = time.monotonic()
    champions = {}  # one published publication per catalog name is its champion
    for row in rows:
        if row["state"] == "published":
            champions[row["catalog"]] = row["id"]
    with psycopg.connect(db) as conn:
        for table in ("notifications", "publication_steps", "publications"):
            conn.execute(f"DELETE FROM {table}")  # noqa: S608  (fixed names)
        columns = (
            "id, model_name, version, author, team, state, revision, card, catalog_name, round, "
            "snapshot, created_at, updated_at, updated_by, last_action, publish_error, "
            "catalog_version, champion"
        )
        with conn.cursor() as cur, cur.copy(f"COPY publications ({columns}) FROM STDIN") as cp:
            for row in rows:
                snap = snapshot(row)
                published = row["state"] in ("published", "deprecated")
                cp.write_row(
                    (
                        row["id"],
                        row["model_name"],
                        row["version"],
                        row["author"],
                        row["team"],
                        row["state"],
                        row["steps"] + 1,
                        json.dumps(card(row)),
                        row["catalog"],
                        row["round"],
                        None if snap is None else json.dumps(snap),
                        row["created"],
                        row["updated"],
                        "rita" if row["state"] != "draft" else row["author"],
                        {"draft": "create", "in_review": "submit", "approved": "approve"}.get(
                            row["state"], "publish"
                        ),
                        "MLflow did not answer" if row["state"] == "approved" else None,
                        str(row["id"]) if published else None,
                        champions.get(row["catalog"]) == row["id"],
                    )
                )
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('publications', 'id'), %s)", (len(rows),)
        )
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY publication_steps (publication_id, round, actor, action, state, comment, "
                "at) FROM STDIN"
            ) as cp,
        ):
            for row in rows:
                for step in range(row["steps"]):
                    action = ("create", "save_card", "submit", "request_changes", "resubmit")[
                        min(step, 4)
                    ]
                    cp.write_row(
                        (
                            row["id"],
                            max(1, row["round"]),
                            row["author"] if action != "request_changes" else "rita",
                            action,
                            "in_review",
                            "Looks good; please add the evaluation data." * (step % 3),
                            row["created"] + timedelta(hours=step),
                        )
                    )
    with psycopg.connect(db, autocommit=True) as conn:
        for table in ("publications", "publication_steps"):
            conn.execute(f"VACUUM ANALYZE {table}")
    say(f"  {len(rows):,} publications by COPY in {time.monotonic() - started:.1f} s")


def count(db: str) -> int:
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT count(*) FROM publications").fetchone()
    return int(row[0]) if row else 0


def ensure(url: str, name: str) -> str:
    with psycopg.connect(dsn(url, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


def start_platform(db_url: str, port: int, secret: str, logs: Path) -> Any:
    command = [
        *(PY, "-m", "jupyterlab_mlplat.platform"),
        f"--PlatformApp.db_url={db_url}",
        f"--PlatformApp.data_dir={STATE / 'review-platform'}",
        "--PlatformApp.ip=127.0.0.1",
        f"--PlatformApp.port={port}",
        "--PlatformApp.base_url=/services/mlplat/",
        "--PlatformApp.authenticator_class="
        "jupyterlab_mlplat.platform.auth.SharedSecretAuthenticator",
        f"--SharedSecretAuthenticator.secret={secret}",
        # a reviewer who wrote none of them (standalone: every role)
        "--SharedSecretAuthenticator.user_name=reviewer",
        "--Application.log_level=WARN",
    ]
    return start("platform", command, base_env(), logs)


def uptime() -> str:
    with open("/proc/loadavg") as f:
        return "load average " + ", ".join(f.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publications", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per call")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per call")
    parser.add_argument("--pg-port", type=int, default=45432)
    parser.add_argument("--platform-port", type=int, default=45521)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    STATE.mkdir(parents=True, exist_ok=True)
    logs = STATE / "review-logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    if not port_is_free(args.platform_port):
        sys.exit(f"port {args.platform_port} is in use; pick another (--platform-port)")
    url, pg_started = start_postgres(args.pg_port)
    say(f"PostgreSQL {url} ({'started' if pg_started else 'already running'})")
    size = args.publications
    try:
        db_url = ensure(url, f"review_bench_{size}")
        secret = uuid.uuid4().hex
        ours = Http(args.platform_port, {"Authorization": f"token {secret}"})
        platform = Managed(
            "platform",
            lambda: start_platform(db_url, args.platform_port, secret, logs),
            lambda: ours.request("GET", f"{PREFIX}/health")[0] == 200,
            60,
        )
        with services_stopped([platform]):
            say(f"platform ready (migrated) in {platform.start():.1f} s")
            db = dsn(url, f"review_bench_{size}")
            if args.rebuild or count(db) != size:
                fill(db, generate(size))
            status, data = ours.request("GET", f"{PREFIX}/publications/queue")
            if status != 200:
                sys.exit(f"the queue answered {status}: {data[:300]!r}")
            listed = json.loads(data)["publications"]
            waiting = [p["id"] for p in listed]
            in_review = [p["id"] for p in listed if p["state"] == "in_review"]
            pages = iter(in_review * (args.requests + args.warmup + 10))
            sizes = [
                len(ours.request("GET", f"{PREFIX}/publications/{i}")[1]) for i in in_review[:20]
            ]
            say(
                f"queue: {len(waiting)} waiting ({len(in_review)} in review); a page is "
                f"{statistics.median(sizes) / 1000:.0f} KB (median of 20)"
            )
            cases = [
                Case(
                    "the queue (GET …/publications/queue)",
                    lambda: ours.request("GET", f"{PREFIX}/publications/queue"),
                    len(waiting),
                    lambda d: len(json.loads(d)["publications"]),
                    [],
                ),
                Case(
                    "a publication page (GET …/publications/{id}), in review",
                    lambda: ours.request("GET", f"{PREFIX}/publications/{next(pages)}"),
                    1,
                    lambda d: int("publication" in json.loads(d)),
                    [],
                ),
            ]
            measure(cases, args.requests, args.warmup, [platform])
            revive([platform])
        store = SqlStore.from_url(db_url, upgrade=False)
        try:
            service = ReviewService(store, None, ModelCardRules())  # type: ignore[arg-type]
            reviewer = Identity("reviewer", roles=ROLE_ORDER)
            inner: dict[str, list[float]] = {"queue": [], "page": []}
            for i in range(args.requests + 5):
                started = time.perf_counter()
                service.queue(reviewer)
                if i >= 5:
                    inner["queue"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                service.page(reviewer, in_review[i % len(in_review)])
                if i >= 5:
                    inner["page"].append((time.perf_counter() - started) * 1000)
        finally:
            store.close()
    finally:
        if pg_started:
            subprocess.run([str(ROOT / "scripts" / "start-postgres"), str(PG_DIR), "stop"])
            say("stopped PostgreSQL (its data stays in .state/bench-postgres)")
    print()
    print(
        f"{size:,} publications; {args.requests} sequential requests per call after warm-up, "
        f"round-robin; {time.strftime('%Y-%m-%d %H:%M')}, {uptime()}"
    )
    print(f"{'call':<62} {'median':>8} {'p95':>8}")
    for case in cases:
        print(f"{case.label:<62} {statistics.median(case.times):8.1f} {p95(case.times):8.1f}")
    for key, spent in inner.items():
        label = f"  in-process ReviewService.{key}"
        print(f"{label:<62} {statistics.median(spent):8.1f} {p95(spent):8.1f}")
    print()
    for case in cases:
        verdict = "PASS" if p95(case.times) <= GOAL_P95_MS else "MISS"
        print(f"{verdict} {case.label}: p95 {p95(case.times):.1f} ms <= {GOAL_P95_MS:.0f} ms")


if __name__ == "__main__":
    main()
