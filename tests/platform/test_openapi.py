"""The OpenAPI document is the contract: it must list exactly the routes, and responses match it."""

from __future__ import annotations

import re

import jsonschema
import pytest
from openapi_spec_validator import validate

from jupyterlab_mlplat.api.openapi import declared_verbs
from jupyterlab_mlplat.platform.base import PlatformHandler
from jupyterlab_mlplat.platform.routes import ROUTES

from .conftest import SECRET, RunningPlatform

pytestmark = pytest.mark.asyncio
VERBS = ("get", "post", "put", "patch", "delete")


def _implemented(handler: type[PlatformHandler]) -> set[str]:
    return {verb for verb in VERBS if getattr(handler, verb) is not getattr(PlatformHandler, verb)}


async def test_document_is_valid_openapi_and_lists_exactly_the_routes(
    platform: RunningPlatform,
) -> None:
    response = await platform.get("api/v1/openapi.json", token=None)
    document = platform.body(response)
    validate(document)
    for _path, handler in ROUTES:  # a verb served but not declared would be undocumented
        assert _implemented(handler) == set(declared_verbs(handler)), handler.__name__
    served = {
        ("/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path), verb)
        for path, handler in ROUTES
        for verb in _implemented(handler)
    }
    documented = {
        (path, verb) for path, item in document["paths"].items() for verb in item if verb in VERBS
    }
    assert served == documented
    assert document["servers"] == [{"url": "/services/mlplat/"}]


def _schema_for(document: dict, path: str, status: int) -> dict:  # type: ignore[type-arg]
    content = document["paths"][path]["get"]["responses"][str(status)]["content"]
    ref = content["application/json"]["schema"]["$ref"]
    name = re.sub(r"^#/components/schemas/", "", ref)
    return {**document["components"]["schemas"][name], "components": document["components"]}


@pytest.mark.parametrize(
    ("path", "token", "status"),
    [
        ("/api/v1/me", SECRET, 200),
        ("/api/v1/me", "bad", 401),
        ("/api/v1/health", None, 200),
    ],
)
async def test_responses_match_their_documented_schema(
    platform: RunningPlatform, path: str, token: str | None, status: int
) -> None:
    document = platform.body(await platform.get("api/v1/openapi.json", token=None))
    response = await platform.get(path.lstrip("/"), token=token)
    assert response.code == status
    schema = _schema_for(document, path, status)
    resolver_schema = {**schema, "$defs": document["components"]["schemas"]}
    jsonschema.validate(
        platform.body(response),
        resolver_schema,
        cls=jsonschema.Draft202012Validator,
    )
