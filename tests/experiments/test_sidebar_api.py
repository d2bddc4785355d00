"""The Experiments tab's API (server extension → the hub's MLflow gateway → MLflow), as alice.

Given runs logged by alice and rita through the real gateway, the sidebar's calls page, sort,
pick columns, show a run with its history and artifacts, compare runs and attach a notebook.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param
from tornado.httpclient import HTTPClientError

from jupyterlab_mlplat.core.experiments.service import PAGE_TOKEN
from tests.workbench import Hub

MLFLOW_SCOPES = ["access:services!service=mlflow"]


@dataclass
class Seeded:
    experiment: str
    runs: dict[str, str]  # name → id
    ritas_experiment: str
    ritas_run: str
    tokens: dict[str, str]
    tracking_uri: str


def _as(token: str) -> Any:
    os.environ["MLFLOW_TRACKING_TOKEN"] = token


@pytest.fixture(scope="module")
def seeded(embedded_hub: Hub) -> Iterator[Seeded]:
    tokens = {
        user: embedded_hub.token(embedded_hub.login(user), user, MLFLOW_SCOPES)
        for user in ("alice", "rita")
    }
    uri = f"{embedded_hub.url}/services/mlflow"
    mlflow = MlflowClient(tracking_uri=uri)
    before = os.environ.get("MLFLOW_TRACKING_TOKEN")
    try:
        _as(tokens["alice"])
        experiment = mlflow.create_experiment(f"alice/sidebar-{uuid.uuid4().hex[:6]}")
        runs = {}
        for name, alpha, rmse in (("low", "0.1", 0.9), ("mid", "0.5", 0.5), ("high", "0.9", 0.2)):
            run = mlflow.create_run(experiment, run_name=name)
            mlflow.log_batch(
                run.info.run_id,
                metrics=[
                    Metric("rmse", rmse + 0.2 * (2 - step), 1_700_000_000_000 + step, step)
                    for step in range(3)
                ]
                + [Metric("val/loss: top 5", rmse * 2, 1_700_000_000_000, 0)],
                params=[Param("alpha", alpha), Param("solver", "lbfgs")],
            )
            mlflow.set_terminated(run.info.run_id)
            runs[name] = run.info.run_id
        mlflow.log_text(runs["high"], "fine\n", "notes/summary.txt")
        mlflow.log_text(runs["high"], "<script>alert(1)</script>", "report.html")
        _as(tokens["rita"])
        ritas_experiment = mlflow.create_experiment(f"rita/other-{uuid.uuid4().hex[:6]}")
        ritas_run = mlflow.create_run(ritas_experiment).info.run_id
        yield Seeded(experiment, runs, ritas_experiment, ritas_run, tokens, uri)
    finally:
        if before is None:
            os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
        else:
            os.environ["MLFLOW_TRACKING_TOKEN"] = before


@pytest.fixture
def extension_config(seeded: Seeded, embedded_hub: Hub) -> dict[str, Any]:
    return {
        "mlflow_url": seeded.tracking_uri,
        "mlflow_token": seeded.tokens["alice"],
        "mlflow_ui_url": "/services/mlflow/",
        "user_name": "alice",
    }


async def get(jp_fetch: Any, *parts: str, params: Any = None) -> Any:
    response = await jp_fetch("jupyterlab-mlplat", "mlflow", *parts, params=params or {})
    return json.loads(response.body)


async def refused(jp_fetch: Any, *parts: str, params: Any = None, **kwargs: Any) -> tuple[int, str]:
    code, body = await refusal(jp_fetch, *parts, params=params, **kwargs)
    return code, body["message"]


async def refusal(
    jp_fetch: Any, *parts: str, params: Any = None, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """The status and the whole error body (message, reason, params, request id)."""
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyterlab-mlplat", "mlflow", *parts, params=params or {}, **kwargs)
    assert caught.value.response is not None
    return caught.value.code, json.loads(caught.value.response.body)


async def test_experiments_are_searched_by_name_with_their_owner(
    jp_fetch: Any, seeded: Seeded
) -> None:
    body = await get(jp_fetch, "experiments", params={"filter": "sidebar-"})
    mine = next(e for e in body["experiments"] if e["id"] == seeded.experiment)
    assert mine["owner"] == "alice"
    assert mine["can_write"] is True
    assert all("sidebar-" in e["name"] for e in body["experiments"])

    others = await get(jp_fetch, "experiments", params={"filter": "rita/other"})
    ritas = next(e for e in others["experiments"] if e["id"] == seeded.ritas_experiment)
    assert (ritas["owner"], ritas["can_write"]) == ("rita", False)


async def test_runs_table_sorts_by_a_metric_and_shows_only_chosen_columns(
    jp_fetch: Any, seeded: Seeded
) -> None:
    params = [
        ("sort", "metric:rmse"),
        ("sort_dir", "asc"),
        ("column", "metric:rmse"),
        ("column", "param:alpha"),
    ]
    body = await get(jp_fetch, "experiments", seeded.experiment, "runs", params=params)
    assert [run["name"] for run in body["runs"]] == ["high", "mid", "low"]
    high = body["runs"][0]
    assert high["params"] == {"alpha": "0.9"}
    assert high["metrics"] == {"rmse": pytest.approx(0.2)}
    assert high["user"] == "alice"
    assert high["can_write"] is True
    assert high["duration_ms"] is not None
    assert body["columns"] == {
        "params": ["alpha", "solver"],
        "metrics": ["rmse", "val/loss: top 5"],
    }
    assert body["active"] is False


async def test_a_metric_with_odd_characters_sorts_too(jp_fetch: Any, seeded: Seeded) -> None:
    params = [("sort", "metric:val/loss: top 5"), ("sort_dir", "desc")]
    body = await get(jp_fetch, "experiments", seeded.experiment, "runs", params=params)
    assert [run["name"] for run in body["runs"]] == ["low", "mid", "high"]


async def test_runs_are_paged_on_the_server(jp_fetch: Any, seeded: Seeded) -> None:
    first = await get(
        jp_fetch, "experiments", seeded.experiment, "runs", params={"max_results": "2"}
    )
    assert len(first["runs"]) == 2
    assert first["next_page_token"]
    second = await get(
        jp_fetch,
        "experiments",
        seeded.experiment,
        "runs",
        params={"max_results": "2", "page_token": first["next_page_token"]},
    )
    ids = [r["id"] for r in first["runs"] + second["runs"]]
    assert sorted(ids) == sorted(seeded.runs.values())


async def test_page_tokens_are_the_ones_handed_out_and_others_a_400(
    jp_fetch: Any, seeded: Seeded
) -> None:
    """A made-up page token is the client's mistake about ``page_token``, never MLflow's 500
    passed on as a 503; a token past the end is an empty page."""
    first = await get(jp_fetch, "experiments", params={"max_results": "1"})
    assert re.fullmatch(PAGE_TOKEN, first["next_page_token"])
    second = await get(
        jp_fetch,
        "experiments",
        params={"max_results": "1", "page_token": first["next_page_token"]},
    )
    assert second["experiments"] and second["experiments"] != first["experiments"]
    beyond = await get(
        jp_fetch, "experiments", seeded.experiment, "runs", params={"page_token": "999999999"}
    )
    assert (beyond["runs"], beyond["next_page_token"]) == ([], None)
    # MLflow's own spelling of a token, garbage, what MLflow answered 500 to, and a zero
    for token in ("eyJvZmZzZXQiOiAxfQ==", "x", "MQ==", "0", "-1", "1" * 10, ""):
        for parts in (("experiments",), ("experiments", seeded.experiment, "runs")):
            code, body = await refusal(jp_fetch, *parts, params={"page_token": token})
            assert (code, body["reason"], body["params"]) == (
                400,
                "page_token_invalid",
                {"field": "page_token"},
            ), (parts, token)


async def test_an_experiment_id_that_is_no_number_is_a_400_and_a_large_one_not_found(
    jp_fetch: Any, seeded: Seeded
) -> None:
    for experiment in ("abc", "1.5", "-1"):
        code, body = await refusal(jp_fetch, "experiments", experiment, "runs")
        assert (code, body["reason"]) == (400, "experiment_id_invalid"), experiment
        code, body = await refusal(
            jp_fetch,
            "experiments",
            experiment,
            "private",
            method="POST",
            body=json.dumps({"private": True}),
        )
        assert (code, body["reason"]) == (400, "experiment_id_invalid"), experiment
    code, body = await refusal(jp_fetch, "experiments", "9" * 19, "runs")
    assert (code, body["reason"]) == (404, "experiment_not_found")


async def test_a_run_page_has_everything_and_a_link_to_the_mlflow_ui(
    jp_fetch: Any, seeded: Seeded
) -> None:
    run_id = seeded.runs["mid"]
    run = (await get(jp_fetch, "runs", run_id))["run"]
    assert run["params"] == {"alpha": "0.5", "solver": "lbfgs"}
    assert set(run["metrics"]) == {"rmse", "val/loss: top 5"}
    assert run["tags"]["mlflow.user"] == "alice"
    assert run["ui_url"] == f"/services/mlflow/#/experiments/{seeded.experiment}/runs/{run_id}"

    history = await get(jp_fetch, "runs", run_id, "metric-history", params={"key": "rmse"})
    assert [p["step"] for p in history["history"]] == [0, 1, 2]
    assert history["history"][-1]["value"] == pytest.approx(0.5)


async def test_a_run_page_gets_every_history_it_charts_in_one_request(
    jp_fetch: Any, seeded: Seeded
) -> None:
    """The run page asks once, together with the run: one round trip to its first chart."""
    run_id = seeded.runs["mid"]
    answer = await get(jp_fetch, "runs", run_id, "metric-histories")
    assert answer["total"] == 2
    assert sorted(answer["histories"]) == ["rmse", "val/loss: top 5"]
    assert [p["step"] for p in answer["histories"]["rmse"]] == [0, 1, 2]
    assert answer["histories"]["rmse"][-1]["value"] == pytest.approx(0.5)
    code, body = await refusal(jp_fetch, "runs", "no.such.run", "metric-histories")
    assert (code, body["reason"]) == (400, "run_id_invalid")


async def test_a_run_page_s_two_requests_ask_mlflow_for_each_history_once(
    jp_fetch: Any, embedded_hub: Hub, seeded: Seeded
) -> None:
    """The run page asks for the run and its histories at once, through the hub to a real
    MLflow: each history is read once, and the run at most once per request (once when the
    two are under way together, which the scheduler decides: tests/experiments/test_service.py
    holds the tracker to show they then share one call). Read from MLflow's own access log."""
    run_id = seeded.runs["high"]
    before = embedded_hub.log.stat().st_size
    run, histories = await asyncio.gather(
        get(jp_fetch, "runs", run_id), get(jp_fetch, "runs", run_id, "metric-histories")
    )
    assert run["run"]["id"] == run_id
    assert sorted(histories["histories"]) == sorted(run["run"]["metrics"])

    def asked(path: str) -> int:
        with embedded_hub.log.open("rb") as log:
            log.seek(before)
            text = log.read().decode(errors="replace")
        return len(re.findall(rf"\"GET /services/mlflow/[a-z-]+/2\.0/mlflow/{path}\?", text))

    for _ in range(50):  # MLflow's access log reaches the file a moment later
        if asked("metrics/get-history") >= 2:
            break
        await asyncio.sleep(0.2)
    assert asked("metrics/get-history") == 2  # one per metric
    assert 1 <= asked("runs/get") <= 2


async def test_artifacts_are_listed_previewed_and_html_is_never_rendered(
    jp_fetch: Any, seeded: Seeded
) -> None:
    run_id = seeded.runs["high"]
    root = await get(jp_fetch, "runs", run_id, "artifacts")
    assert {f["path"]: f["is_dir"] for f in root["files"]} == {
        "notes": True,
        "report.html": False,
    }
    notes = await get(jp_fetch, "runs", run_id, "artifacts", params={"path": "notes"})
    assert [f["path"] for f in notes["files"]] == ["notes/summary.txt"]

    text = await jp_fetch(
        "jupyterlab-mlplat",
        "mlflow",
        "runs",
        run_id,
        "artifact",
        params={"path": "notes/summary.txt"},
    )
    assert text.body == b"fine\n"
    assert text.headers["Content-Type"].startswith("text/plain")

    html = await jp_fetch(
        "jupyterlab-mlplat", "mlflow", "runs", run_id, "artifact", params={"path": "report.html"}
    )
    assert html.headers["Content-Type"] == "application/octet-stream"
    assert html.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in html.headers["Content-Security-Policy"]


async def test_comparing_runs_lines_up_params_metrics_and_histories(
    jp_fetch: Any, seeded: Seeded
) -> None:
    ids = [seeded.runs["low"], seeded.runs["high"]]
    body = await get(jp_fetch, "compare", params=[("run_id", i) for i in ids])
    assert [r["id"] for r in body["runs"]] == ids
    assert body["param_keys"] == ["alpha", "solver"]
    assert body["metric_keys"] == ["rmse", "val/loss: top 5"]
    assert {rid: len(points) for rid, points in body["histories"]["rmse"].items()} == {
        ids[0]: 3,
        ids[1]: 3,
    }

    code, message = await refused(jp_fetch, "compare", params=[("run_id", ids[0])])
    assert code == 400
    assert "compare 2 to 5" in message


async def test_a_comparison_asks_mlflow_once_per_metric_not_per_run_and_metric(
    jp_fetch: Any, embedded_hub: Hub, seeded: Seeded
) -> None:
    """MLflow serves requests one at a time per worker: a comparison of five runs of ten
    metrics used to be fifty history requests. What reached MLflow is read from its own access
    log (the workbench's log), not from our code."""
    ids = [seeded.runs["low"], seeded.runs["mid"], seeded.runs["high"]]
    before = embedded_hub.log.stat().st_size
    body = await get(jp_fetch, "compare", params=[("run_id", i) for i in ids])
    rmse = body["histories"]["rmse"]
    assert {rid: [p["value"] for p in points] for rid, points in rmse.items()} == {
        seeded.runs["low"]: pytest.approx([1.3, 1.1, 0.9]),
        seeded.runs["mid"]: pytest.approx([0.9, 0.7, 0.5]),
        seeded.runs["high"]: pytest.approx([0.6, 0.4, 0.2]),
    }
    assert {rid: len(points) for rid, points in body["histories"]["val/loss: top 5"].items()} == {
        rid: 1 for rid in ids
    }

    def asked(path: str) -> int:
        with embedded_hub.log.open("rb") as log:
            log.seek(before)
            text = log.read().decode(errors="replace")
        return len(re.findall(rf"\"GET /services/mlflow/[a-z-]+/2\.0/mlflow/{path}\?", text))

    for _ in range(50):  # MLflow's access log reaches the file a moment later
        if asked("metrics/get-history-bulk") >= 2:
            break
        await asyncio.sleep(0.2)
    assert asked("metrics/get-history-bulk") == 2  # two metrics
    assert asked("metrics/get-history") == 0
    assert asked("runs/get") == 3


async def test_log_notebook_attaches_the_saved_file_and_the_folders_commit(
    jp_fetch: Any, seeded: Seeded, jp_root_dir: Path
) -> None:
    project = jp_root_dir / "churn"
    project.mkdir()
    (project / "train.ipynb").write_text(
        json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}})
    )
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    commit = subprocess.run(
        [*git[:3], "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()

    run_id = seeded.runs["low"]
    response = await jp_fetch(
        "jupyterlab-mlplat",
        "mlflow",
        "runs",
        run_id,
        "notebook",
        method="POST",
        body=json.dumps({"path": "churn/train.ipynb"}),
    )
    assert json.loads(response.body) == {
        "artifact_path": "notebook/train.ipynb",
        "git_commit": commit,
    }
    run = (await get(jp_fetch, "runs", run_id))["run"]
    assert run["source_notebook"] == "churn/train.ipynb"
    assert run["git_commit"] == commit
    files = await get(jp_fetch, "runs", run_id, "artifacts", params={"path": "notebook"})
    assert [f["path"] for f in files["files"]] == ["notebook/train.ipynb"]

    code, message = await refused(
        jp_fetch,
        "runs",
        seeded.ritas_run,
        "notebook",
        method="POST",
        body=json.dumps({"path": "churn/train.ipynb"}),
    )
    assert code == 403
    assert "belongs to rita" in message


@pytest.mark.parametrize(
    ("parts", "params", "status", "says"),
    [
        (("runs", "0123456789abcdef0123456789abcdef"), {}, 404, "does not exist"),
        (("runs", "../../etc"), {}, 404, ""),
        (("experiments", "1", "runs"), {"sort": "magic:x"}, 400, "sort"),
        (("experiments", "1", "runs"), {"column": "rmse"}, 400, "metric:<name>"),
        (("experiments", "1", "runs"), {"max_results": "9999"}, 400, "max_results"),
        (("runs", "abc", "artifact"), {"path": "../secrets"}, 400, "without '..'"),
        # what MLflow would refuse as "Invalid path" is refused first, naming the rule
        (("runs", "abc", "artifact"), {"path": "a/%2e%2e/secrets"}, 400, "without '..'"),
        (("runs", "abc", "artifact"), {"path": "notes#1.txt"}, 400, "'#'"),
        (("runs", "abc", "artifact"), {"path": "c:/secrets"}, 400, "':'"),
    ],
)
async def test_bad_requests_get_a_clear_4xx(
    jp_fetch: Any,
    seeded: Seeded,
    parts: tuple[str, ...],
    params: dict[str, str],
    status: int,
    says: str,
) -> None:
    code, message = await refused(jp_fetch, *parts, params=params)
    assert code == status
    assert says in message


def test_runs_started_in_a_notebook_kernel_name_their_notebook_and_commit(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "home" / "fraud"
    project.mkdir(parents=True)
    subprocess.run(["git", "-C", str(project), "init", "-q"], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(project),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "start",
        ],
        check=True,
    )
    code = (
        "import mlflow\n"
        f"mlflow.set_experiment(experiment_id={seeded.experiment!r})\n"
        "with mlflow.start_run() as run:\n"
        "    print('RUN_ID=' + run.info.run_id)\n"
    )
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": seeded.tracking_uri,
        "MLFLOW_TRACKING_TOKEN": seeded.tokens["alice"],
        "JPY_SESSION_NAME": str(project / "model.ipynb"),
        "MLPLAT_SERVER_ROOT": str(tmp_path / "home"),
        "HOME": str(tmp_path / "home"),  # the repository is the person's: inside their home
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    run_id = next(
        line.removeprefix("RUN_ID=") for line in out.stdout.splitlines() if "RUN_ID=" in line
    )
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", seeded.tokens["alice"])
    tags = MlflowClient(tracking_uri=seeded.tracking_uri).get_run(run_id).data.tags
    assert tags["mlplat.source_notebook"] == "fraud/model.ipynb"
    assert len(tags["mlflow.source.git.commit"]) == 40


async def test_the_owner_makes_an_experiment_private_and_nobody_else_can(
    jp_fetch: Any, seeded: Seeded
) -> None:
    async def set_private(experiment: str, private: bool) -> Any:
        return await jp_fetch(
            "jupyterlab-mlplat",
            "mlflow",
            "experiments",
            experiment,
            "private",
            method="POST",
            body=json.dumps({"private": private}),
        )

    await set_private(seeded.experiment, True)
    listed = await get(jp_fetch, "experiments", params={"filter": "sidebar-"})
    assert next(e for e in listed["experiments"] if e["id"] == seeded.experiment)["private"]
    await set_private(seeded.experiment, False)
    listed = await get(jp_fetch, "experiments", params={"filter": "sidebar-"})
    assert not next(e for e in listed["experiments"] if e["id"] == seeded.experiment)["private"]

    code, _ = await refused(
        jp_fetch,
        "experiments",
        seeded.ritas_experiment,
        "private",
        method="POST",
        body=json.dumps({"private": True}),
    )
    assert code == 403
    code, message = await refused(
        jp_fetch, "experiments", seeded.experiment, "private", method="POST", body="{}"
    )
    assert code == 400
    assert "private" in message


async def test_a_repeated_first_page_stays_exact_as_runs_arrive_and_leave(
    jp_fetch: Any, embedded_hub: Hub, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first page is re-asked with a bound after the first time; it must never differ from
    what the full query would say, whatever happens to the runs in between."""
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", seeded.tokens["alice"])
    mlflow = MlflowClient(tracking_uri=seeded.tracking_uri)
    experiment = mlflow.create_experiment(f"alice/bounded-{uuid.uuid4().hex[:6]}")
    for value in (0.5, 0.4, 0.3, 0.2):
        run = mlflow.create_run(experiment, run_name=f"r{value}")
        mlflow.log_metric(run.info.run_id, "rmse", value)
    params = [
        ("sort", "metric:rmse"),
        ("sort_dir", "asc"),
        ("max_results", "2"),
        ("column", "metric:rmse"),
    ]

    async def first_page() -> list[str]:
        body = await get(jp_fetch, "experiments", experiment, "runs", params=params)
        assert body["next_page_token"]
        return [run["name"] for run in body["runs"]]

    assert await first_page() == ["r0.2", "r0.3"]
    assert await first_page() == ["r0.2", "r0.3"]  # now asked with a bound

    better = mlflow.create_run(experiment, run_name="r0.1")
    mlflow.log_metric(better.info.run_id, "rmse", 0.1)
    assert await first_page() == ["r0.1", "r0.2"]

    best = next(r for r in mlflow.search_runs([experiment]) if r.info.run_name == "r0.1")
    mlflow.delete_run(best.info.run_id)
    assert await first_page() == ["r0.2", "r0.3"]


async def test_refusals_carry_a_reason_and_params_the_sidebar_translates(
    jp_fetch: Any, seeded: Seeded
) -> None:
    missing = "0123456789abcdef0123456789abcdef"
    code, body = await refusal(jp_fetch, "runs", missing)
    assert (code, body["reason"], body["params"]) == (404, "run_not_found", {"run_id": missing})
    assert body["request_id"]

    one = [("run_id", seeded.runs["low"])]
    code, body = await refusal(jp_fetch, "compare", params=one)
    assert (code, body["reason"], body["params"]) == (
        400,
        "too_few_runs_to_compare",
        {"minimum": 2},
    )
    six = [("run_id", f"{i:032x}") for i in range(6)]
    code, body = await refusal(jp_fetch, "compare", params=six)
    assert (code, body["reason"], body["params"]) == (400, "too_many_runs_to_compare", {"limit": 5})

    params = {"sort": "password"}
    code, body = await refusal(jp_fetch, "experiments", seeded.experiment, "runs", params=params)
    assert (code, body["reason"]) == (400, "run_sort_invalid")
    assert body["params"] == {"field": "sort", "value": "password"}

    code, body = await refusal(
        jp_fetch, "runs", seeded.runs["high"], "artifact", params={"path": "../secrets"}
    )
    assert (code, body["reason"], body["params"]) == (
        400,
        "artifact_path_outside_run",
        {"path": "../secrets"},
    )

    code, body = await refusal(
        jp_fetch,
        "runs",
        seeded.ritas_run,
        "notebook",
        method="POST",
        body=json.dumps({"path": "churn/train.ipynb"}),
    )
    assert (code, body["reason"]) == (403, "not_your_run")
    assert body["params"] == {"run_id": seeded.ritas_run, "owner": "rita"}

    code, body = await refusal(
        jp_fetch,
        "experiments",
        seeded.ritas_experiment,
        "private",
        method="POST",
        body=json.dumps({"private": True}),
    )
    assert (code, body["reason"]) == (403, "not_your_experiment")
    assert body["params"] == {"experiment_id": seeded.ritas_experiment}


async def test_every_mlflow_route_is_in_the_sidebar_openapi_document(jp_fetch: Any) -> None:
    response = await jp_fetch("jupyterlab-mlplat", "openapi.json")
    document = json.loads(response.body)
    paths = document["paths"]
    assert set(paths["/mlflow/runs/{run_id}/artifact"]["get"]["responses"]["200"]["content"]) == {
        "application/octet-stream"
    }
    runs = paths["/mlflow/experiments/{experiment_id}/runs"]["get"]
    assert runs["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RunsPageBody"
    }
    schemas = document["components"]["schemas"]
    assert set(schemas["RunDetailBody"]["properties"]) >= {"tags", "artifact_uri", "ui_url"}
    reasons = set(schemas["ErrorBody"]["properties"]["reason"]["enum"])
    assert {"run_not_found", "not_your_run", "mlflow_unavailable"} <= reasons
