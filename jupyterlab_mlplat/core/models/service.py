"""A person's models, as the Models tab and the run page use them: register a version from a
run into the person's own registered model, list what they registered with the metrics that
matter, and one version's lineage on one page.

Everything here runs as the person (their registry is called with their hub token through the
MLflow gateway), so MLflow's permissions and the gateway's walls hold for every call; the
service adds what MLflow does not know: names checked once, the catalog's namespace refused
early with a reason the sidebar translates, and the chain a version stands in.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from jupyterlab_mlplat.core.kernel.errors import (
    InvalidInput,
    NameInvalid,
    NotFound,
    PlatformError,
    Unavailable,
)
from jupyterlab_mlplat.core.kernel.naming import DNS_LABEL_MAX, model_name
from jupyterlab_mlplat.core.kernel.paging import Page

from .card import MAX_METRICS, CardMetric, ModelCard, validate_card
from .errors import (
    CatalogReadOnly,
    LoggedModelNotFound,
    ModelNameTaken,
    ModelVersionNotFound,
    RegistrationFailed,
    VersionIdInvalid,
)
from .ports import Deployments, Publications, Registry
from .records import (
    KEY_METRICS,
    MAX_MODELS_PAGE,
    DeploymentLink,
    Lineage,
    LoggedModel,
    ModelRow,
    ModelVersion,
    PublicationLink,
    RegisteredModel,
    RunSnapshot,
    VersionRow,
)
from .rules import DEFAULT_CATALOG_PREFIX, in_catalog

#: a run id as MLflow writes one (the Experiments tab's pattern)
RUN_ID = r"[0-9a-zA-Z_-]{1,64}"
#: a logged model's id (``m-`` and hex in MLflow 3)
MODEL_ID = r"m-[0-9a-f]{1,64}"
#: a version number as the sidebar API documents it
VERSION = r"[1-9][0-9]{0,9}"
#: a page token: how many models come before the page
PAGE_TOKEN = r"[1-9][0-9]{0,8}"  # noqa: S105  (a pattern, not a secret)
#: an artifact path within a run (a model logged the MLflow 2 way)
MAX_ARTIFACT_PATH = 1024
#: versions of one model listed with their metrics in "my models"
VERSIONS_LISTED = 10


class RunIdInvalid(InvalidInput):
    """``params.run_id``: not a run id."""

    reason = "model_run_id_invalid"


class ModelIdInvalid(InvalidInput):
    """``params.model_id``: not a logged model's id (``m-`` and hexadecimal digits)."""

    reason = "logged_model_id_invalid"


def checked_version(value: str) -> str:
    if re.fullmatch(VERSION, value) is None:
        raise VersionIdInvalid(
            f"{value[:20]!r} is not a version number", "version", params={"version": value[:20]}
        )
    return value


def _run_id(value: str) -> str:
    if re.fullmatch(RUN_ID, value) is None:
        raise RunIdInvalid(
            f"{value[:100]!r} is not a run id", "run_id", params={"run_id": value[:100]}
        )
    return value


def _readable(name: str, version: str) -> str:
    """A name asked for in a read: one MLflow could never hold names no version (404), not a
    mistake in the request."""
    try:
        return model_name(name)
    except NameInvalid:
        raise ModelVersionNotFound(
            f"version {version[:20]} of {name[:100]!r} does not exist, or is not visible to you",
            params={"name": name[:256], "version": version[:20]},
        ) from None


#: a folder of a run's artifacts a version may be registered from: the characters MLflow's
#: artifact stores and the gateway take in a path, with no way out of the run
_ARTIFACT_SEGMENT = re.compile(r"[\w .~@+=,-]+")


def _artifact_path_inside(path: str) -> bool:
    return len(path) <= MAX_ARTIFACT_PATH and all(
        _ARTIFACT_SEGMENT.fullmatch(part) and part not in (".", "..") for part in path.split("/")
    )


def _key_metrics(metrics: dict[str, float]) -> dict[str, float]:
    return dict(sorted(metrics.items())[:KEY_METRICS])


class ModelService:
    """The person's models; ``registry`` acts as ``user``."""

    def __init__(
        self,
        registry: Registry,
        *,
        user: str,
        catalog_prefix: str = DEFAULT_CATALOG_PREFIX,
        publications: Publications | None = None,
        deployments: Deployments | None = None,
    ) -> None:
        self.registry = registry
        self.user = user
        self.catalog_prefix = catalog_prefix
        self.publications = publications
        self.deployments = deployments

    def _own_name(self, name: str) -> str:
        checked = model_name(name, field="name")
        if in_catalog(checked, self.catalog_prefix):
            raise CatalogReadOnly(
                f"names starting with {self.catalog_prefix!r} belong to the catalog; a model "
                "gets there through a review",
                params={"prefix": self.catalog_prefix},
            )
        return checked

    async def run_models(self, run_id: str) -> list[LoggedModel]:
        """The models a run logged: what the run page offers to register."""
        return await self.registry.run_models(_run_id(run_id))

    async def register(
        self, run_id: str, name: str, *, model_id: str = "", artifact_path: str = ""
    ) -> ModelVersion:
        """A new version of the person's registered model ``name`` (created when absent) from
        the run's logged model ``model_id`` (or, for a model logged the MLflow 2 way, the
        run's ``artifact_path``; or the run's only logged model when neither is named)."""
        name = self._own_name(name)
        run_id = _run_id(run_id)
        if model_id and re.fullmatch(MODEL_ID, model_id) is None:
            raise ModelIdInvalid(
                f"{model_id[:100]!r} is not a logged model's id",
                "model_id",
                params={"model_id": model_id[:100]},
            )
        if artifact_path and not _artifact_path_inside(artifact_path):
            raise LoggedModelNotFound(
                "the artifact path must lie inside the run",
                params={"run_id": run_id, "model_id": artifact_path[:100]},
            )
        if model_id or not artifact_path:
            logged = await self.registry.run_models(run_id)  # the run first: it must exist
            chosen = [m for m in logged if m.model_id == model_id] if model_id else logged
            if len(chosen) != 1:
                raise LoggedModelNotFound(
                    f"run {run_id} logged no model {model_id!r}"
                    if model_id
                    else f"run {run_id} logged {len(logged)} models: name the one to register",
                    params={"run_id": run_id, "model_id": model_id[:100]},
                )
            source, model_id = f"models:/{chosen[0].model_id}", chosen[0].model_id
        else:
            await self.registry.get_run(run_id)  # a missing run is 404 before anything is made
            source = f"runs:/{run_id}/{artifact_path}"
        model = await self.registry.ensure_registered_model(name)
        if model.created_by and model.created_by != self.user:
            raise ModelNameTaken(
                f"the registered model {name!r} belongs to {model.created_by}; choose another name",
                params={"name": name[:256], "owner": model.created_by},
            )
        created = await self.registry.create_version(
            name, source=source, run_id=run_id, model_id=model_id
        )
        if created.status == "FAILED_REGISTRATION":  # a registry that copies files may fail so
            raise RegistrationFailed(
                f"MLflow could not register version {created.version} of {name!r}",
                params={"name": name[:256], "version": created.version},
            )
        return created

    async def my_models(self, *, max_results: int, page_token: str | None) -> Page[ModelRow]:
        """The person's registered models, the latest versions of each with their key
        metrics; the reads of one page go out together."""
        if not 1 <= max_results <= MAX_MODELS_PAGE:
            raise InvalidInput(
                f"max_results must be between 1 and {MAX_MODELS_PAGE}", "max_results"
            )
        if page_token is not None and re.fullmatch(PAGE_TOKEN, page_token) is None:
            raise InvalidInput(
                "page_token must be the previous page's next_page_token", "page_token"
            )
        page = await self.registry.my_models(
            self.user, max_results=max_results, page_token=page_token
        )
        listed = await asyncio.gather(*(self.registry.versions(m.name) for m in page.items))
        runs = {v.run_id for versions in listed for v in versions[:VERSIONS_LISTED] if v.run_id}
        metrics = dict(
            zip(runs, await asyncio.gather(*(self._metrics(r) for r in runs)), strict=True)
        )
        rows = [
            _model_row(model, versions[:VERSIONS_LISTED], metrics)
            for model, versions in zip(page.items, listed, strict=True)
        ]
        return Page(rows, page.next_page_token)

    async def _metrics(self, run_id: str) -> dict[str, float]:
        try:
            return _key_metrics((await self.registry.get_run(run_id)).metrics)
        except NotFound:  # a deleted run, or one made private since: the version stays listed
            return {}

    async def _run(self, run_id: str) -> RunSnapshot | None:
        if not run_id:
            return None
        try:
            return await self.registry.get_run(run_id)
        except (NotFound, PlatformError) as err:
            if isinstance(err, NotFound) or err.reason == "mlflow_forbidden":
                return None
            raise

    async def _publications(self, name: str, version: str) -> Sequence[PublicationLink]:
        if self.publications is None:
            return ()
        try:
            return await self.publications.of_version(name, version)
        except Unavailable:  # the platform restarting: the chain shows without that link
            return ()

    async def _deployments(self) -> Sequence[DeploymentLink]:
        if self.deployments is None:
            return ()
        try:
            return await self.deployments.mine()
        except Unavailable:  # as for the publications: the chain shows without that link
            return ()

    async def lineage(self, name: str, version: str) -> Lineage:
        """commit → notebook → run → version → publications → deployments of one version (the
        publications as the reviews room reports them; the deployments serving the version
        itself, on staging, or its catalog copy once published, on production)."""
        found = await self.registry.get_version(_readable(name, version), checked_version(version))
        run, model, publications, deployments = await asyncio.gather(
            self._run(found.run_id),
            self.registry.version_model(found),
            self._publications(found.name, found.version),
            self._deployments(),
        )
        served = {(found.name, found.version)} | {
            (self.catalog_prefix + p.catalog_name, p.catalog_version)
            for p in publications
            if p.catalog_name and p.catalog_version
        }
        return Lineage(
            commit=run.commit if run else "",
            repository=run.repository if run else "",
            notebook=run.notebook if run else "",
            run=run,
            version=found,
            model=model,
            publications=tuple(publications),
            deployments=tuple(d for d in deployments if (d.model_name, d.version) in served),
        )

    async def _earlier_card(self, name: str) -> ModelCard | None:
        if self.publications is None:
            return None
        try:
            earlier = await self.publications.latest_card(name)
            return None if earlier is None else validate_card(earlier)
        except (Unavailable, InvalidInput):  # the platform away, or a card of older rules
            return None

    async def card_draft(self, name: str, version: str) -> ModelCard:
        """A new card for a version, filled in from what MLflow knows: framework and task from
        its flavour, the run's metrics with their values. The rest comes from the card of the
        person's latest publication of the model, when there is one: a new version of a model
        is mostly described as the last one was. Otherwise the person is the owner and the
        model's name, as a catalog name, is suggested."""
        lineage, earlier = await asyncio.gather(
            self.lineage(name, version), self._earlier_card(name)
        )
        values = lineage.run.metrics if lineage.run else {}
        flavour = lineage.model.flavour if lineage.model else None
        framework = flavour.framework if flavour else ""
        task = flavour.task if flavour else ""
        # the metrics the author picked last time, with this run's values and their notes;
        # every metric of the run when none of those was logged again
        notes = {m.key: m.note for m in earlier.metrics} if earlier else {}
        picked = {k: v for k, v in values.items() if k in notes} or values
        metrics = [
            CardMetric(key=k, value=v, note=notes.get(k, ""))
            for k, v in sorted(picked.items())[:MAX_METRICS]
        ]
        if earlier is not None:
            return earlier.model_copy(
                update={
                    "framework": framework or earlier.framework,
                    "task": task or earlier.task,
                    "metrics": metrics,
                }
            )
        return ModelCard(
            catalog_name=_suggested_catalog_name(name),
            framework=framework,
            task=task,
            metrics=metrics,
            owners=[self.user],
        )


def _suggested_catalog_name(name: str) -> str:
    """``iris-classifier`` for ``Iris_Classifier``: the registered model's name as a catalog
    name, or nothing when it does not make one."""
    label = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:DNS_LABEL_MAX].strip("-")
    try:
        return validate_card({"catalog_name": label}).catalog_name
    except InvalidInput:
        return ""


def _model_row(
    model: RegisteredModel, versions: list[ModelVersion], metrics: dict[str, dict[str, float]]
) -> ModelRow:
    return ModelRow(
        name=model.name,
        description=model.description,
        created_at=model.created_at,
        updated_at=model.updated_at,
        aliases=dict(model.aliases),
        versions=tuple(VersionRow(v, metrics.get(v.run_id, {})) for v in versions),
    )
