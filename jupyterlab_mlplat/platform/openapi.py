"""The platform API's OpenAPI document, generated from its routes' declarations."""

from __future__ import annotations

import functools
from typing import Any

from jupyterlab_mlplat.api import openapi

from .routes import ROUTES


@functools.cache
def document(version: str, server_url: str = "/") -> dict[str, Any]:
    """Built when first asked for, then kept: it is a function of the code, and building it
    (pydantic's schemas of every model) took 0.7 s of each platform start, more than opening
    and migrating its database. Callers read it, never change it."""
    return openapi.document(
        title="jupyterlab-mlplat platform API",
        description=(
            "The central service of the ML workbench. Authenticate with "
            "`Authorization: token <JupyterHub API token>`. Every response carries "
            "`X-Request-Id`; errors are JSON bodies with `message` (English), `reason` (a "
            "stable code to translate), `params`, `request_id` and, for forms, `fields`."
        ),
        version=version,
        server_url=server_url,
        routes=ROUTES,
        security_scheme={
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`token <JupyterHub API token>`",
        },
    )
