"""A deployment's drift reports, for the Deployments tab's chart: its owner's and admins'."""

from __future__ import annotations

from jupyterlab_mlplat.api.drift import SINCE, DriftReportList
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.core.deployments.drift import parse_since
from jupyterlab_mlplat.platform.base import PlatformHandler


class DriftHandler(PlatformHandler):
    route_name = "deployment_drift"

    @operation(
        "The deployment's drift reports since a time, oldest first (each served version, each "
        "window of sampled requests).",
        {200: (DriftReportList, "The reports and the thresholds they were judged by.")},
        query=[SINCE],
        errors={
            400: "since is not a date or a time.",
            404: "No such deployment, or not the caller's to see.",
        },
        path={"name": "The deployment's name."},
    )
    async def get(self, name: str) -> None:
        since = parse_since(self.get_query_argument("since", None))
        drift = self.services.drift
        watched, reports = await self.run(drift.reports, self.identity, name, since=since)
        self.send_model(DriftReportList.of(watched, reports, drift.settings))


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    (r"api/v1/deployments/(?P<name>[^/]+)/drift", DriftHandler),
]
