"""MLflow's model registry on its REST API: as a person (their hub token, through the gateway)
or as the platform (straight to MLflow, with the identity headers and the secret the gateway
uses; ``api/mlflow.py``).

Async like ``tracking.py``, with whose error table it shares ``rest.py``. The platform writes
the catalog as its own identity (``mlplat-platform``) and reads a submission as its author.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote

import yaml

from jupyterlab_mlplat.api.mlflow import SECRET_HEADER, USER_HEADER
from jupyterlab_mlplat.core.experiments.errors import (
    ArtifactStoreNotWritable,
    MLflowForbidden,
    MLflowNotFound,
    MLflowRefused,
    RunNotFound,
)
from jupyterlab_mlplat.core.experiments.records import (
    TAG_GIT_COMMIT,
    TAG_GIT_REPO,
    TAG_SOURCE_NOTEBOOK,
)
from jupyterlab_mlplat.core.kernel.naming import PLATFORM_IDENTITY
from jupyterlab_mlplat.core.kernel.paging import Page
from jupyterlab_mlplat.core.models.errors import (
    LoggedModelNotFound,
    ModelNameTaken,
    ModelNotFound,
    ModelVersionNotFound,
)
from jupyterlab_mlplat.core.models.ports import PlatformRegistry, Registry
from jupyterlab_mlplat.core.models.records import (
    CARD_FILE,
    TAG_COPIED_FROM,
    TAG_CREATED_BY,
    TAG_DEPRECATED,
    TAG_PUBLICATION,
    LoggedModel,
    ModelVersion,
    RegisteredModel,
    RunSnapshot,
    VersionModel,
)
from jupyterlab_mlplat.core.models.rules import flavour_of

from .rest import MlflowRest, from_mlflow_token, int_or_none, to_mlflow_token

PROXIED = "mlflow-artifacts:/"
#: versions of one model read for its page (MLflow's own page limit for version search)
MAX_VERSIONS = 200
#: characters of a logged input example kept for reviewers (MLflow's own examples are a few rows)
INPUT_EXAMPLE_LIMIT = 16_000


def _tags(items: Any) -> dict[str, str]:
    return {t["key"]: t.get("value", "") for t in items or [] if isinstance(t, dict)}


def _version(payload: dict[str, Any]) -> ModelVersion:
    tags = _tags(payload.get("tags"))
    return ModelVersion(
        name=payload.get("name", ""),
        version=str(payload.get("version", "")),
        run_id=payload.get("run_id", "") or "",
        source=payload.get("source", "") or "",
        created_by=tags.get(TAG_CREATED_BY, "") or payload.get("user_id", "") or "",
        created_at=int_or_none(payload.get("creation_timestamp")),
        status=payload.get("status", "READY") or "READY",
        description=payload.get("description", "") or "",
        model_id=payload.get("model_id", "") or "",
        tags=tags,
        aliases=tuple(payload.get("aliases", []) or []),
    )


def _model(payload: dict[str, Any]) -> RegisteredModel:
    tags = _tags(payload.get("tags"))
    return RegisteredModel(
        name=payload.get("name", ""),
        created_by=tags.get(TAG_CREATED_BY, ""),
        created_at=int_or_none(payload.get("creation_timestamp")),
        updated_at=int_or_none(payload.get("last_updated_timestamp")),
        description=payload.get("description", "") or "",
        tags=tags,
        aliases={
            str(a.get("alias")): str(a.get("version"))
            for a in payload.get("aliases", []) or []
            if isinstance(a, dict)
        },
        latest=tuple(_version(v) for v in payload.get("latest_versions", []) or []),
    )


def _literal(text: str) -> str:
    """A string in MLflow's search filter: quoted with whichever quote it does not hold (the
    filter parser has no escapes)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise ModelNotFound(
        "a model whose name holds both kinds of quote cannot be searched in MLflow",
        params={"name": text[:100]},
    )


def _model_missing(name: str) -> ModelNotFound:
    return ModelNotFound(
        f"registered model {name!r} does not exist, or is not visible to you",
        params={"name": name[:256]},
    )


def _version_missing(name: str, version: str) -> ModelVersionNotFound:
    return ModelVersionNotFound(
        f"version {version} of {name!r} does not exist, or is not visible to you",
        params={"name": name[:256], "version": version},
    )


class MlflowRegistry(MlflowRest, Registry):
    """``core.models.ports.Registry`` as one person, with their hub token through the gateway."""

    async def get_registered_model(self, name: str) -> RegisteredModel:
        answer = await self._json(
            "GET", "registered-models/get", query={"name": name}, missing=_model_missing(name)
        )
        return _model(answer["registered_model"])

    async def ensure_registered_model(self, name: str) -> RegisteredModel:
        try:
            found = await self.get_registered_model(name)
        except ModelNotFound:
            try:
                answer = await self._json(
                    "POST", "registered-models/create", payload={"name": name}
                )
                return _model(answer["registered_model"])
            except MLflowRefused:  # made by someone else a moment ago: theirs, or ours
                found = await self.get_registered_model(name)
        return found

    async def my_models(
        self, user: str, *, max_results: int, page_token: str | None
    ) -> Page[RegisteredModel]:
        query: dict[str, Any] = {
            "filter": f"tags.`{TAG_CREATED_BY}` = {_literal(user)}",
            "max_results": max_results,
            "order_by": "last_updated_timestamp DESC",
        }
        if page_token:
            query["page_token"] = to_mlflow_token(page_token)
        answer = await self._json("GET", "registered-models/search", query=query)
        return Page(
            [_model(m) for m in answer.get("registered_models", [])],
            from_mlflow_token(answer.get("next_page_token")),
        )

    async def versions(self, name: str) -> list[ModelVersion]:
        answer = await self._json(
            "GET",
            "model-versions/search",
            query={
                "filter": f"name = {_literal(name)}",
                "max_results": MAX_VERSIONS,
                "order_by": "version_number DESC",
            },
        )
        return [_version(v) for v in answer.get("model_versions", [])]

    async def create_version(
        self, name: str, *, source: str, run_id: str, model_id: str = ""
    ) -> ModelVersion:
        payload: dict[str, Any] = {"name": name, "source": source, "run_id": run_id}
        if model_id:
            payload["model_id"] = model_id
        try:
            answer = await self._json("POST", "model-versions/create", payload=payload)
        except MLflowForbidden:
            owner = ""
            with contextlib.suppress(ModelNotFound, MLflowForbidden):
                owner = (await self.get_registered_model(name)).created_by
            raise ModelNameTaken(
                f"the registered model {name!r} belongs to someone else; choose another name",
                params={"name": name[:256], "owner": owner},
            ) from None
        return _version(answer["model_version"])

    async def get_version(self, name: str, version: str) -> ModelVersion:
        answer = await self._json(
            "GET",
            "model-versions/get",
            query={"name": name, "version": version},
            missing=_version_missing(name, version),
        )
        return _version(answer["model_version"])

    async def version_model(self, version: ModelVersion) -> VersionModel | None:
        try:
            raw, _ = await self._call(
                "GET",
                "model-versions/get-artifact",
                query={"name": version.name, "version": version.version, "path": "MLmodel"},
                missing=MLflowNotFound("no MLmodel"),
            )
        except MLflowNotFound:
            return None
        try:
            spec = yaml.safe_load(raw) or {}
        except yaml.YAMLError:
            return None
        if not isinstance(spec, dict):
            return None
        signature = {
            k: str(v) for k, v in (spec.get("signature") or {}).items() if isinstance(v, str)
        }
        example = spec.get("saved_input_example_info") or {}
        flavours = spec.get("flavors") if isinstance(spec.get("flavors"), dict) else {}
        example_file = str(example.get("artifact_path", "")) if isinstance(example, dict) else ""
        return VersionModel(
            flavour=flavour_of(flavours or {}, signature),
            artifact_uri=str(spec.get("artifact_path", "") or ""),
            signature=signature,
            input_example=await self._input_example(version, example_file),
        )

    async def _input_example(self, version: ModelVersion, file: str) -> str:
        """The logged input example's text, which reviewers read beside the signature; its file
        name alone told them nothing. A large example is cut (it is a sample, not the data)."""
        if not file or "/" in file or file.startswith("."):
            return ""  # MLflow writes it beside MLmodel; anything else is not ours to follow
        try:
            raw, _ = await self._call(
                "GET",
                "model-versions/get-artifact",
                query={"name": version.name, "version": version.version, "path": file},
                missing=MLflowNotFound("no input example"),
            )
        except MLflowNotFound:
            return ""
        text = raw[: INPUT_EXAMPLE_LIMIT + 1].decode("utf-8", errors="replace")
        if len(text) > INPUT_EXAMPLE_LIMIT:
            return text[:INPUT_EXAMPLE_LIMIT] + "\n…"
        return text

    async def get_run(self, run_id: str) -> RunSnapshot:
        answer = await self._json(
            "GET",
            "runs/get",
            query={"run_id": run_id},
            missing=RunNotFound(
                f"run {run_id} does not exist, or is not visible to you",
                params={"run_id": run_id},
            ),
        )
        run = answer["run"]
        info, data = run.get("info", {}), run.get("data", {})
        tags = _tags(data.get("tags"))
        return RunSnapshot(
            run_id=info.get("run_id", run_id),
            experiment_id=str(info.get("experiment_id", "")),
            name=info.get("run_name", ""),
            user=info.get("user_id", ""),
            params={p["key"]: p.get("value", "") for p in data.get("params", [])},
            metrics={m["key"]: float(m["value"]) for m in data.get("metrics", [])},
            notebook=tags.get(TAG_SOURCE_NOTEBOOK, ""),
            commit=tags.get(TAG_GIT_COMMIT, ""),
            repository=tags.get(TAG_GIT_REPO, ""),
        )

    async def run_models(self, run_id: str) -> list[LoggedModel]:
        run = await self.get_run(run_id)
        answer = await self._json(
            "POST",
            "logged-models/search",
            payload={
                "experiment_ids": [run.experiment_id],
                "filter": f"source_run_id = {_literal(run_id)}",
                "max_results": 50,
                "order_by": [{"field_name": "creation_time", "ascending": False}],
            },
        )
        found = []
        for item in answer.get("models", []):
            info = item.get("info", {})
            found.append(
                LoggedModel(
                    model_id=info.get("model_id", ""),
                    name=info.get("name", ""),
                    run_id=info.get("source_run_id", "") or run_id,
                    artifact_uri=info.get("artifact_uri", ""),
                    created_at=int_or_none(info.get("creation_timestamp_ms")),
                )
            )
        return found

    async def logged_model(self, model_id: str, run_id: str) -> LoggedModel:
        answer = await self._json(
            "GET",
            f"logged-models/{quote(model_id, safe='')}",
            missing=LoggedModelNotFound(
                f"run {run_id} logged no model {model_id!r} you may read",
                params={"run_id": run_id, "model_id": model_id[:100]},
            ),
        )
        info = answer.get("model", {}).get("info", {})
        return LoggedModel(
            model_id=info.get("model_id", model_id),
            name=info.get("name", ""),
            run_id=info.get("source_run_id", "") or "",
            artifact_uri=info.get("artifact_uri", ""),
            created_at=int_or_none(info.get("creation_timestamp_ms")),
        )


class PlatformMlflowRegistry(MlflowRegistry, PlatformRegistry):
    """The registry as the platform: straight to MLflow (not through the gateway) with the
    identity headers and the secret the gateway uses. ``as_author`` gives the same registry
    acting as a person, for what is read (or written next to their artifacts) in their name."""

    def __init__(
        self,
        mlflow_url: str,
        secret: str,
        *,
        identity: str = PLATFORM_IDENTITY,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(mlflow_url, "", timeout=timeout)
        self._secret = secret
        self.identity = identity

    def _auth_headers(self) -> dict[str, str]:
        return {USER_HEADER: self.identity, SECRET_HEADER: self._secret}

    def as_author(self, user: str) -> PlatformMlflowRegistry:
        return PlatformMlflowRegistry(self.base, self._secret, identity=user, timeout=self._timeout)

    async def copy_to_catalog(
        self, source: ModelVersion, catalog_model: str, *, publication_id: str
    ) -> ModelVersion:
        await self.ensure_registered_model(catalog_model)
        answer = await self._json(
            "GET",
            "model-versions/search",
            query={
                "filter": f"name = {_literal(catalog_model)} and "
                f"tags.`{TAG_PUBLICATION}` = {_literal(publication_id)}",
                "max_results": 1,
            },
        )
        found = answer.get("model_versions", [])
        if found:  # a publish retried after MLflow failed half way: the copy is made already
            return _version(found[0])
        payload = {
            "name": catalog_model,
            # MLflow fills in the run and the logged model from the version named here, and
            # checks only that the platform may read that registered model
            "source": f"models:/{source.name}/{source.version}",
            "tags": [
                {"key": TAG_PUBLICATION, "value": publication_id},
                {"key": TAG_COPIED_FROM, "value": f"{source.name}/{source.version}"},
                {"key": TAG_CREATED_BY, "value": self.identity},
            ],
            "description": source.description,
        }
        created = await self._json("POST", "model-versions/create", payload=payload)
        return _version(created["model_version"])

    async def download_uri(self, version: ModelVersion) -> str:
        """Where MLflow keeps the version's files (``mlflow-artifacts:/…``), as this registry's
        identity may read it: a ``models:/`` source of MLflow 3 only points there, and the
        model card and a deployment's files are written and fetched at that place."""
        answer = await self._json(
            "GET",
            "model-versions/get-download-uri",
            query={"name": version.name, "version": version.version},
            missing=_version_missing(version.name, version.version),
        )
        return str(answer.get("artifact_uri", ""))

    async def write_card(self, version: ModelVersion, markdown: str, *, author: str) -> str:
        author_registry = self.as_author(author)
        location = await author_registry.download_uri(version)
        if not location.startswith(PROXIED):
            raise ArtifactStoreNotWritable(
                f"version {version.version} of {version.name!r} keeps its artifacts where the "
                "platform cannot write through MLflow's artifact proxy",
                params={"run_id": version.run_id},
            )
        path = location[len(PROXIED) :].strip("/") + "/" + CARD_FILE
        await author_registry._call(
            "PUT",
            f"api/2.0/mlflow-artifacts/artifacts/{quote(path)}",
            body=markdown.encode(),
            content_type="text/markdown; charset=utf-8",
        )
        return PROXIED + path

    async def set_alias(self, name: str, alias: str, version: str) -> None:
        await self._json(
            "POST",
            "registered-models/alias",
            payload={"name": name, "alias": alias, "version": version},
        )

    async def delete_alias(self, name: str, alias: str) -> None:
        await self._json(
            "DELETE", "registered-models/alias", payload={"name": name, "alias": alias}
        )

    async def deprecate(self, name: str, version: str) -> None:
        await self._json(
            "POST",
            "model-versions/set-tag",
            payload={"name": name, "version": version, "key": TAG_DEPRECATED, "value": "true"},
        )
