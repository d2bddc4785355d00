"""The sidebar's drift reports: forwarded to the platform as the person, which decides who may
see a deployment's reports (its owner and admins)."""

from __future__ import annotations

import tornado.web

from jupyterlab_mlplat.api.drift import SINCE, DriftReportList
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.core.deployments.drift import parse_since

from .base import SidebarHandler


class DriftHandler(SidebarHandler):
    @operation(
        "The deployment's drift reports since a time, oldest first, for its chart.",
        {200: (DriftReportList, "The reports and the thresholds they were judged by.")},
        query=[SINCE],
        errors={
            400: "since is not a date or a time.",
            404: "No such deployment, or not the person's to see.",
        },
        path={"name": "The deployment's name."},
    )
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        since = parse_since(self.get_argument("since", None))
        self.write_model(await self.client.drift_reports(name, since))


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    (r"deployments/(?P<name>[^/]+)/drift", DriftHandler),
]
