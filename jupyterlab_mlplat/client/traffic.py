"""A deployment's traffic: its series for the Deployments tab's charts (as the person), and
the invocations gateway's report of closed minutes (with its hub service's token)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from jupyterlab_mlplat.api.traffic import TrafficReceiptBody, TrafficReport, TrafficSeriesBody

from .transport import Transport


class TrafficCalls(Transport):
    async def traffic_series(
        self,
        name: str,
        *,
        since: str | None = None,
        until: str | None = None,
        step: str | None = None,
    ) -> TrafficSeriesBody:
        """The range as the caller wrote it: the platform reads it (and says what is wrong)."""
        given = {"since": since, "until": until, "step": step}
        query = urlencode({k: v for k, v in given.items() if v is not None})
        path = f"api/v1/deployments/{quote(name, safe='')}/traffic/series"
        return await self._get(path + (f"?{query}" if query else ""), TrafficSeriesBody)

    async def send_traffic_report(self, report: TrafficReport) -> TrafficReceiptBody:
        """Sent once (a change); the gateway sends it again after a failure, which is safe:
        each minute replaces itself."""
        body = report.model_dump(mode="json")
        return await self._send("POST", "api/v1/deployment-traffic", body, TrafficReceiptBody)
