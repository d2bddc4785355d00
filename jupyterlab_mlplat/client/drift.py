"""A deployment's drift reports, for the Deployments tab's chart."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from jupyterlab_mlplat.api.drift import DriftReportList

from .transport import Transport


class DriftCalls(Transport):
    async def drift_reports(self, name: str, since: datetime | None = None) -> DriftReportList:
        query = f"?{urlencode({'since': since.isoformat()})}" if since is not None else ""
        path = f"api/v1/deployments/{quote(name, safe='')}/drift{query}"
        return await self._get(path, DriftReportList)
