"""The OpenAPI documents of both APIs are generated from the routes, valid, complete, and the
copies the front end is checked against (src/api/openapi/) are the ones the code gives today."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openapi_spec_validator import validate
from tornado.web import RequestHandler

from jupyterlab_mlplat.api.errors import all_reasons
from jupyterlab_mlplat.api.openapi import VERBS, declared_verbs, template
from jupyterlab_mlplat.core.kernel.errors import field_reasons
from jupyterlab_mlplat.platform.routes import ROUTES as PLATFORM_ROUTES
from jupyterlab_mlplat_server.openapi import ROUTES as SIDEBAR_ROUTES

ROOT = Path(__file__).resolve().parents[2]


def _export() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "export_openapi", ROOT / "scripts/export-openapi.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXPORT = _export()
DOCUMENTS: dict[str, dict[str, Any]] = EXPORT.documents()


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_committed_document_is_the_one_the_routes_give(name: str) -> None:
    committed = (ROOT / "src/api/openapi" / name).read_text(encoding="utf-8")
    assert committed == EXPORT.render(DOCUMENTS[name]), (
        f"src/api/openapi/{name} is stale: run `python scripts/export-openapi.py` and let the "
        "TypeScript compiler show what the change breaks"
    )


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_document_is_valid_openapi_with_every_reason(name: str) -> None:
    document = DOCUMENTS[name]
    validate(document)  # type: ignore[arg-type]
    schemas = document["components"]["schemas"]
    assert schemas["ErrorBody"]["properties"]["reason"]["enum"] == all_reasons()
    assert schemas["FieldReason"]["properties"]["reason"]["enum"] == field_reasons()


def _implemented(handler: type) -> set[str]:
    """The verbs a handler answers (tornado's own are the 405 stubs every handler inherits)."""
    return {verb for verb in VERBS if getattr(handler, verb) is not getattr(RequestHandler, verb)}


@pytest.mark.parametrize(
    ("name", "routes", "prefix"),
    [("platform.json", PLATFORM_ROUTES, ""), ("sidebar.json", SIDEBAR_ROUTES, "")],
)
def test_every_served_verb_is_declared_and_documented(
    name: str, routes: list[tuple[str, type]], prefix: str
) -> None:
    document = DOCUMENTS[name]
    for path, handler in routes:
        served = _implemented(handler)
        assert served == set(declared_verbs(handler)), f"{handler.__name__}: declare every verb"
        documented = document["paths"].get(template(prefix + path), {})
        assert served == {v for v in documented if v in VERBS}, handler.__name__


def test_the_two_apis_share_the_error_body() -> None:
    platform, sidebar = DOCUMENTS["platform.json"], DOCUMENTS["sidebar.json"]
    assert (
        platform["components"]["schemas"]["ErrorBody"]
        == sidebar["components"]["schemas"]["ErrorBody"]
    )
