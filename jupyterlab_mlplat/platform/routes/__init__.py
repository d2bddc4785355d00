"""Every route of the platform API, one module per feature; the OpenAPI document walks this."""

from __future__ import annotations

from jupyterlab_mlplat.platform.base import PlatformHandler

from . import (
    analytics,
    apikeys,
    audit,
    catalog,
    deployments,
    drift,
    experiments,
    gitlab,
    instructions,
    meta,
    people,
    profiles,
    reviews,
    settings,
    traffic,
)

ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    *meta.ROUTES,
    *profiles.ROUTES,
    *gitlab.ROUTES,
    *experiments.ROUTES,
    *catalog.ROUTES,
    *reviews.ROUTES,
    *instructions.ROUTES,
    *drift.ROUTES,
    *traffic.ROUTES,
    *deployments.ROUTES,
    *apikeys.ROUTES,
    *audit.ROUTES,
    *settings.ROUTES,
    *people.ROUTES,
    *analytics.ROUTES,
]
