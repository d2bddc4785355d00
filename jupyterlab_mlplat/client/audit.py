"""The audit log as an admin reads it through their server: pages, actions, and the export,
passed on chunk by chunk as the platform streams it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from jupyterlab_mlplat.api.audit import AuditActions, AuditPageBody

from .transport import Transport, _Unreachable

_BASE = "api/v1/audit"


def _query(filters: Mapping[str, str | int | None]) -> str:
    given = {name: value for name, value in filters.items() if value not in (None, "")}
    return f"?{urlencode(given)}" if given else ""


class AuditCalls(Transport):
    async def audit_page(self, filters: Mapping[str, str | int | None]) -> AuditPageBody:
        """``filters``: the query parameters of ``api.audit.FILTERS`` and ``page``."""
        return await self._get(_BASE + _query(filters), AuditPageBody)

    async def audit_actions(self) -> AuditActions:
        return await self._get(f"{_BASE}/actions", AuditActions)

    async def export_audit(
        self, filters: Mapping[str, str | None], write: Callable[[bytes], None]
    ) -> None:
        """Pass the CSV to ``write`` as it arrives; a refusal (before any byte of CSV) raises
        the platform's error as every call does."""
        request = self._request("GET", f"{_BASE}/export{_query(filters)}")
        request.headers["Accept"] = "text/csv"
        request.request_timeout = 600.0  # a long log of a slow database; never a read's 10 s
        status: list[int] = []
        refused = bytearray()

        def on_header(line: str) -> None:
            if line.startswith("HTTP/") and not status:
                status.append(int(line.split()[1]))

        def on_chunk(chunk: bytes) -> None:
            if status and status[0] == 200:
                write(chunk)
            else:
                refused.extend(chunk[: 64 * 1024 - len(refused)])

        request.header_callback = on_header
        request.streaming_callback = on_chunk
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, TimeoutError, HTTPClientError) as err:
            raise self._unreachable(_Unreachable(type(err).__name__)) from None
        if response.code != 200:
            raise self._error(response.code, bytes(refused))
