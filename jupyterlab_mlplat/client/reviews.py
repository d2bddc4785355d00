"""Publications and reviews: the author's drafts and submissions, the reviewers' decisions,
publishing, and notifications."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from jupyterlab_mlplat.api.reviews import (
    DiffBody,
    NotificationList,
    PublicationBody,
    PublicationList,
    PublicationPageBody,
)

from .transport import Transport

_BASE = "api/v1/publications"


class ReviewCalls(Transport):
    async def my_publications(self, model_name: str | None = None) -> PublicationList:
        query = f"?{urlencode({'model_name': model_name})}" if model_name is not None else ""
        return await self._get(_BASE + query, PublicationList)

    async def review_queue(self) -> PublicationList:
        return await self._get(f"{_BASE}/queue", PublicationList)

    async def publication(self, publication_id: int) -> PublicationPageBody:
        return await self._get(f"{_BASE}/{int(publication_id)}", PublicationPageBody)

    async def create_publication(
        self, model_name: str, version: str, card: dict[str, Any]
    ) -> PublicationBody:
        body = {"model_name": model_name, "version": version, "card": card}
        return await self._send("POST", _BASE, body, PublicationBody)

    async def save_card(
        self, publication_id: int, revision: int, card: dict[str, Any]
    ) -> PublicationBody:
        body = {"revision": revision, "card": card}
        path = f"{_BASE}/{int(publication_id)}/card"
        return await self._send("PUT", path, body, PublicationBody)

    async def submit_publication(
        self, publication_id: int, revision: int, diff: DiffBody | None
    ) -> PublicationBody:
        body = {"revision": revision, "diff": diff.model_dump() if diff else None}
        path = f"{_BASE}/{int(publication_id)}/submit"
        return await self._send("POST", path, body, PublicationBody)

    async def publication_action(
        self, publication_id: int, verb: str, body: dict[str, Any]
    ) -> PublicationBody:
        """``withdraw``, ``decisions``, ``publish``, ``deprecate`` or ``champion``."""
        path = f"{_BASE}/{int(publication_id)}/{verb}"
        return await self._send("POST", path, body, PublicationBody)

    async def notifications(self, after: int = 0, limit: int = 50) -> NotificationList:
        query = urlencode({"after": int(after), "limit": int(limit)})
        return await self._get(f"api/v1/notifications?{query}", NotificationList)
