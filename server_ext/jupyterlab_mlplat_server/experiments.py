"""The Experiments tab: each verb reads its query or body, calls the person's ExperimentService
once and writes an ``api.experiments`` model. MLflow is called as the person, with the server's
hub token (MLFLOW_TRACKING_TOKEN), through the hub's MLflow gateway."""

from __future__ import annotations

from urllib.parse import quote

import tornado.web

from jupyterlab_mlplat.api.experiments import (
    ArtifactListing,
    ExperimentPage,
    ExperimentPrivacy,
    LoggedNotebook,
    MetricHistoriesBody,
    MetricHistory,
    MlflowConfig,
    NotebookBody,
    PrivacyBody,
    RunAnswer,
    RunComparison,
    RunsPageBody,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.core.experiments.records import (
    MAX_COMPARE,
    MAX_PAGE,
    MIN_COMPARE,
    SORT_SPEC,
    Columns,
    Sort,
)
from jupyterlab_mlplat.core.experiments.rules import artifact_delivery
from jupyterlab_mlplat.core.experiments.service import (
    ARTIFACT_FILE,
    ARTIFACT_FOLDER,
    EXPERIMENT_ID,
    PAGE_TOKEN,
    RUN_ID,
)

from .base import SidebarHandler

_PAGE_TOKEN = Query(
    "page_token",
    "The `next_page_token` of the previous page; any other value is refused "
    "(`page_token_invalid`).",
    pattern=f"^{PAGE_TOKEN}$",
)
#: the run ids the service takes, as the document states them
_RUN_PATH = {"run_id": f"^{RUN_ID}$"}
_EXPERIMENT_PATH = {"experiment_id": f"^{EXPERIMENT_ID}$"}
_BINARY = ("application/octet-stream", {"type": "string", "format": "binary"})


class ConfigHandler(SidebarHandler):
    @operation(
        "Whether MLflow is configured, where its UI is and whom runs are recorded as.",
        {200: (MlflowConfig, "The configuration.")},
    )
    @tornado.web.authenticated
    def get(self) -> None:
        services = self.services
        self.write_model(
            MlflowConfig(
                enabled=services.experiments_service is not None,
                ui_url=services.mlflow_ui_url,
                user=services.user,
            )
        )


class ExperimentListHandler(SidebarHandler):
    @operation(
        "Experiments whose name contains `filter`, most recently changed first, one page.",
        {200: (ExperimentPage, "One page of experiments, each saying whether it is yours.")},
        query=[
            Query("filter", "Part of the experiment's name (any case)."),
            Query("max_results", "50 by default.", type="integer", minimum=1, maximum=MAX_PAGE),
            _PAGE_TOKEN,
        ],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        page = self.services.experiments.experiments(
            self.get_argument("filter", "", strip=False),
            max_results=self.int_argument("max_results", 50),
            page_token=self.get_argument("page_token", None, strip=False),
        )
        self.write_model(ExperimentPage.of(await page))


class PrivacyHandler(SidebarHandler):
    @operation(
        "Make an experiment private (hidden from everybody else) or shared again; owner only.",
        {200: (ExperimentPrivacy, "The value stored.")},
        body=PrivacyBody,
        path=_EXPERIMENT_PATH,
    )
    @tornado.web.authenticated
    async def post(self, experiment_id: str) -> None:
        body = self.parse(PrivacyBody)
        stored = await self.services.experiments.set_private(experiment_id, body.private)
        self.write_model(ExperimentPrivacy(id=experiment_id, private=stored))


class RunListHandler(SidebarHandler):
    @operation(
        "One page of an experiment's runs, sorted, with only the chosen param/metric columns.",
        {200: (RunsPageBody, "The runs, the columns available and whether any is active.")},
        path=_EXPERIMENT_PATH,
        query=[
            Query(
                "sort",
                "start_time (default), run_name, status, user, metric:<name> or param:<name>.",
                pattern=f"^{SORT_SPEC}$",
            ),
            Query("sort_dir", "desc by default.", enum=("asc", "desc")),
            Query(
                "column",
                "`metric:<name>` or `param:<name>`, once per column.",
                repeated=True,
                pattern=r"^(?:metric|param):[\s\S]+$",
            ),
            Query("max_results", "25 by default.", type="integer", minimum=1, maximum=MAX_PAGE),
            _PAGE_TOKEN,
        ],
    )
    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        sort = Sort.of_spec(
            self.get_argument("sort", "start_time", strip=False),
            self.get_argument("sort_dir", "desc", strip=False),
        )
        page = self.services.experiments.runs(
            experiment_id,
            sort=sort,
            columns=Columns.parse(self.get_arguments("column", strip=False)),
            max_results=self.int_argument("max_results", 25),
            page_token=self.get_argument("page_token", None, strip=False),
        )
        self.write_model(RunsPageBody.of(await page))


class RunHandler(SidebarHandler):
    @operation(
        "A run with all its params, metrics and tags, and its page in MLflow's UI.",
        {200: (RunAnswer, "The run.")},
        path=_RUN_PATH,
    )
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        run = await self.services.experiments.run(run_id)
        self.write_model(RunAnswer.of(run, self.services.mlflow_ui_url))


class MetricHistoryHandler(SidebarHandler):
    @operation(
        "Every logged value of one metric of a run, by step.",
        {200: (MetricHistory, "The history.")},
        # any character makes a name (the pattern says "not empty" to both regex dialects)
        query=[Query("key", "The metric's name.", required=True, pattern=r"[\s\S]")],
        path=_RUN_PATH,
    )
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        key = self.get_argument("key", "", strip=False)
        history = await self.services.experiments.metric_history(run_id, key)
        self.write_model(MetricHistory.of(key, history))


class MetricHistoriesHandler(SidebarHandler):
    @operation(
        "The histories a run page charts, in one answer: its first metrics by name.",
        {200: (MetricHistoriesBody, "The histories, and how many metrics the run has.")},
        path=_RUN_PATH,
    )
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        result = await self.services.experiments.metric_histories(run_id)
        self.write_model(MetricHistoriesBody.of(result))


class ArtifactListHandler(SidebarHandler):
    @operation(
        "The files and folders of a run's artifacts at `path` (the root by default).",
        {200: (ArtifactListing, "The listing.")},
        query=[
            Query(
                "path",
                "A folder relative to the run's artifact root, without '..'.",
                pattern=f"^{ARTIFACT_FOLDER}$",
            )
        ],
        path=_RUN_PATH,
    )
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        path = self.get_argument("path", "", strip=False)
        files = await self.services.experiments.artifacts(run_id, path)
        self.write_model(ArtifactListing.of(path, files))


class ArtifactHandler(SidebarHandler):
    @operation(
        "One artifact's bytes: text, JSON and images as themselves for a preview, anything "
        "else (HTML, SVG, scripts) as a download that is never rendered.",
        {200: (_BINARY, "The file; its Content-Type says which.")},
        query=[
            Query(
                "path",
                "The file, relative to the run's artifact root, without '..'.",
                required=True,
                pattern=f"^{ARTIFACT_FILE}$",
            ),
            Query("download", "`1` to save it as a file instead of previewing it."),
        ],
        path=_RUN_PATH,
    )
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        path = self.get_argument("path", "", strip=False)
        data, content_type = await self.services.experiments.artifact(run_id, path)
        sent = artifact_delivery(
            path, content_type, download=self.get_argument("download", "", strip=False) == "1"
        )
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
        if sent.attachment is not None:
            self.set_header("Content-Disposition", _attachment(sent.attachment))
        self.finish(data, set_content_type=sent.content_type)


def _attachment(name: str) -> str:
    """A Content-Disposition any browser reads, for any file name (RFC 6266, RFC 5987)."""
    plain = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


class NotebookHandler(SidebarHandler):
    @operation(
        "Attach a saved notebook, and the git commit of its folder, to a run of yours.",
        {200: (LoggedNotebook, "Where it was stored, and the commit if any.")},
        body=NotebookBody,
        path=_RUN_PATH,
    )
    @tornado.web.authenticated
    async def post(self, run_id: str) -> None:
        body = self.parse(NotebookBody)
        logged = await self.services.experiments.log_notebook(run_id, body.path)
        self.write_model(LoggedNotebook.of(logged))


class CompareHandler(SidebarHandler):
    @operation(
        f"Compare 2 to {MAX_COMPARE} runs: params and metrics side by side, with histories.",
        {200: (RunComparison, "The runs, their keys and every metric's history per run.")},
        query=[
            Query(
                "run_id",
                "A run to compare, once per run.",
                required=True,
                repeated=True,
                pattern=f"^{RUN_ID}$",
                min_items=MIN_COMPARE,
                max_items=MAX_COMPARE,
            )
        ],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        result = await self.services.experiments.compare(self.get_arguments("run_id", strip=False))
        self.write_model(RunComparison.of(result, self.services.mlflow_ui_url))


_M = "mlflow"
_RUN = r"(?P<run_id>[^/]+)"
ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    (rf"{_M}/config", ConfigHandler),
    (rf"{_M}/experiments", ExperimentListHandler),
    (rf"{_M}/experiments/(?P<experiment_id>[^/]+)/runs", RunListHandler),
    (rf"{_M}/experiments/(?P<experiment_id>[^/]+)/private", PrivacyHandler),
    (rf"{_M}/runs/{_RUN}", RunHandler),
    (rf"{_M}/runs/{_RUN}/metric-history", MetricHistoryHandler),
    (rf"{_M}/runs/{_RUN}/metric-histories", MetricHistoriesHandler),
    (rf"{_M}/runs/{_RUN}/artifacts", ArtifactListHandler),
    (rf"{_M}/runs/{_RUN}/artifact", ArtifactHandler),
    (rf"{_M}/runs/{_RUN}/notebook", NotebookHandler),
    (rf"{_M}/compare", CompareHandler),
]
