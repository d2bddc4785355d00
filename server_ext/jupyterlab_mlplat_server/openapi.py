"""Every route of the sidebar API, and its OpenAPI document generated from them."""

from __future__ import annotations

import functools
from typing import Any

from jupyterlab_mlplat.api import openapi

from . import (
    analytics,
    apikeys,
    audit,
    catalog,
    deployments,
    drift,
    experiments,
    git,
    instructions,
    invocations,
    meta,
    models,
    people,
    profiles,
    reviews,
    settings,
    traffic,
)
from .base import NAMESPACE, SidebarHandler

#: paths relative to the namespace, one list per feature
ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    *meta.ROUTES,
    *profiles.ROUTES,
    *experiments.ROUTES,
    *git.ROUTES,
    *models.ROUTES,
    *catalog.ROUTES,
    *reviews.ROUTES,
    *instructions.ROUTES,
    *deployments.ROUTES,
    *apikeys.ROUTES,
    *audit.ROUTES,
    *settings.ROUTES,
    *people.ROUTES,
    *drift.ROUTES,
    *traffic.ROUTES,
    *invocations.ROUTES,
    *analytics.ROUTES,
]


def handlers() -> list[tuple[str, type[SidebarHandler]]]:
    """The routes as the Jupyter server registers them."""
    return [(rf"/{NAMESPACE}/{path}", handler) for path, handler in ROUTES]


@functools.cache
def document(version: str) -> dict[str, Any]:
    return openapi.document(
        title="jupyterlab-mlplat sidebar API",
        description=(
            "The user server's API for the ML Platform sidebar, under `/jupyterlab-mlplat/`. "
            "Authenticate as Jupyter Server does (token or cookie with XSRF). Errors are JSON "
            "bodies with `message` (English), `reason` (a stable code to translate), `params`, "
            "`request_id` and, for forms, `fields`."
        ),
        version=version,
        server_url="/jupyterlab-mlplat/",
        routes=ROUTES,
        security_scheme={
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`token <Jupyter server token>`, or the login cookie with `X-XSRFToken`",
        },
    )
