"""The sidebar's traffic charts: forwarded to the platform as the person, which decides who
may see a deployment's traffic (its owner and admins) and reads the range."""

from __future__ import annotations

import tornado.web

from jupyterlab_mlplat.api.deployments import NAME_PATH
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.api.traffic import TRAFFIC_ERRORS, TRAFFIC_QUERY, TrafficSeriesBody

from .base import SidebarHandler


class TrafficSeriesHandler(SidebarHandler):
    @operation(
        "The deployment's requests, errors and latency percentiles per served version, summed "
        "per step over a range, for its charts.",
        {200: (TrafficSeriesBody, "A series per version; steps without requests left out.")},
        query=TRAFFIC_QUERY,
        path=NAME_PATH,
        errors={**TRAFFIC_ERRORS, 503: "The platform did not answer."},
    )
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        argument = self.get_argument
        series = await self.client.traffic_series(
            name,
            since=argument("since", None),
            until=argument("until", None),
            step=argument("step", None),
        )
        self.write_model(series)


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    (r"deployments/(?P<name>[^/]+)/traffic/series", TrafficSeriesHandler),
]
