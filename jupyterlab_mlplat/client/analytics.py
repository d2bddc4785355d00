"""Analytics as a person asks for it through their server: usage, the idlest workloads and the
team figures, as JSON models or as the platform's CSV file. The query is passed as the person
wrote it: the platform reads it, and says what is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from jupyterlab_mlplat.api.analytics import IdleBody, TeamsBody, UsageBody

from .transport import Transport, _Unreachable

_BASE = "api/v1/analytics"
_FILENAME = re.compile(r'filename="([A-Za-z0-9._-]{1,120})"')


@dataclass(frozen=True)
class CsvFile:
    """A CSV answer and the file name the platform gave it."""

    filename: str
    content: bytes


def _path(what: str, query: Mapping[str, str | None]) -> str:
    given = {name: value for name, value in query.items() if value is not None}
    return f"{_BASE}/{what}" + (f"?{urlencode(given)}" if given else "")


class AnalyticsCalls(Transport):
    async def analytics_usage(self, query: Mapping[str, str | None]) -> UsageBody:
        """``query``: ``api.analytics.USAGE_QUERY``'s parameters (None: not given)."""
        return await self._get(_path("usage", query), UsageBody)

    async def analytics_idle(self, query: Mapping[str, str | None]) -> IdleBody:
        return await self._get(_path("idle", query), IdleBody)

    async def analytics_teams(self, query: Mapping[str, str | None]) -> TeamsBody:
        return await self._get(_path("teams", query), TeamsBody)

    async def analytics_csv(self, what: str, query: Mapping[str, str | None]) -> CsvFile:
        """The rows of ``what`` (usage, idle, teams) as the platform's CSV file."""
        request = self._request("GET", _path(what, {**query, "format": "csv"}))
        request.headers["Accept"] = "text/csv"
        try:
            status, body, disposition = await self._fetch_file(request)
        except _Unreachable as err:
            raise self._unreachable(err) from None
        if status != 200:
            raise self._error(status, body)
        named = _FILENAME.search(disposition)
        return CsvFile(named.group(1) if named else f"analytics-{what}.csv", body)

    @staticmethod
    async def _fetch_file(request: HTTPRequest) -> tuple[int, bytes, str]:
        """As the transport's fetch, with the answer's Content-Disposition (its file name)."""
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, TimeoutError, HTTPClientError) as err:
            raise _Unreachable(type(err).__name__) from None
        if response.code == 599:
            raise _Unreachable(str(response.error) if response.error else "no response")
        disposition = response.headers.get("Content-Disposition", "")
        return response.code, response.body or b"", disposition
