"""A deployment's traffic: the invocations gateway reports closed minutes (its hub service
only), and the Deployments tab reads a deployment's series (its owner and admins)."""

from __future__ import annotations

from jupyterlab_mlplat.api.deployments import NAME_PATH
from jupyterlab_mlplat.api.openapi import operation
from jupyterlab_mlplat.api.traffic import (
    TRAFFIC_ERRORS,
    TRAFFIC_QUERY,
    TrafficReceiptBody,
    TrafficReport,
    TrafficSeriesBody,
)
from jupyterlab_mlplat.core.kernel.identity import REPORT_TRAFFIC_SCOPE
from jupyterlab_mlplat.platform.base import PlatformHandler


class TrafficReportHandler(PlatformHandler):
    route_name = "deployment_traffic_report"
    allows_services = True

    @operation(
        "Closed minutes of requests, errors and latency per deployment and served version, "
        "as one gateway process counted them (the invocations gateway's hub service). A "
        "minute sent again replaces itself.",
        {200: (TrafficReceiptBody, "What was stored, and what was dropped.")},
        body=TrafficReport,
        grant=REPORT_TRAFFIC_SCOPE,
        errors={400: "A minute does not add up (`traffic_report_invalid` names it)."},
    )
    async def post(self) -> None:
        body = self.parse(TrafficReport)
        traffic = self.services.traffic
        receipt = await self.run(traffic.record, self.identity, body.gateway, body.records())
        self.send_model(TrafficReceiptBody.of(receipt))


class TrafficSeriesHandler(PlatformHandler):
    route_name = "deployment_traffic_series"

    @operation(
        "The deployment's requests, errors and latency percentiles per served version, summed "
        "per step over a range (the Deployments tab's charts).",
        {200: (TrafficSeriesBody, "A series per version; steps without requests left out.")},
        query=TRAFFIC_QUERY,
        path=NAME_PATH,
        errors=TRAFFIC_ERRORS,
    )
    async def get(self, name: str) -> None:
        argument = self.get_query_argument
        chart = await self.run(
            self.services.traffic.chart,
            self.identity,
            name,
            since=argument("since", None),
            until=argument("until", None),
            step=argument("step", None),
        )
        self.send_model(TrafficSeriesBody.of(chart))


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/deployment-traffic", TrafficReportHandler),
    (r"api/v1/deployments/(?P<name>[^/]+)/traffic/series", TrafficSeriesHandler),
]
