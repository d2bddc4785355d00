"""The Admin tab's workspace-profile editor: each verb forwards to the platform, which checks
that the caller is an admin, validates, audits and versions."""

from __future__ import annotations

import json
from typing import Any

import tornado.web

from .handlers import NAMESPACE, SidebarHandler


class _ProfileHandler(SidebarHandler):
    def json_object(self) -> dict[str, Any]:
        try:
            body = json.loads(self.request.body or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(400, "The request body must be a JSON object.")
        return body


class ProfilesHandler(_ProfileHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.core(self.client.profiles(request_id=self.request_id)))

    @tornado.web.authenticated
    async def post(self) -> None:
        created = self.client.create_profile(self.json_object(), request_id=self.request_id)
        self.set_status(201)
        self.write_model(await self.core(created))


class ProfileHandler(_ProfileHandler):
    @tornado.web.authenticated
    async def put(self, slug: str) -> None:
        body = self.json_object()
        profile, revision = body.get("profile"), body.get("revision")
        if (
            not isinstance(profile, dict)
            or not isinstance(revision, int)
            or isinstance(revision, bool)  # JSON true is not revision 1
        ):
            raise tornado.web.HTTPError(
                400, "Send {'profile': {...}, 'revision': N} with the revision you edited."
            )
        saved = self.client.replace_profile(slug, profile, revision, request_id=self.request_id)
        self.write_model(await self.core(saved))

    @tornado.web.authenticated
    async def delete(self, slug: str) -> None:
        revision = self.get_query_argument("revision", "")
        if not revision.isdigit():
            raise tornado.web.HTTPError(400, "The query parameter revision must be a number.")
        await self.core(self.client.delete_profile(slug, int(revision), request_id=self.request_id))
        self.set_status(204)
        self.finish()


class ProfilePreviewHandler(_ProfileHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        preview = self.client.preview_profile(self.json_object(), request_id=self.request_id)
        self.write_model(await self.core(preview))


PROFILE_HANDLERS: list[tuple[str, type[SidebarHandler]]] = [
    (rf"/{NAMESPACE}/profiles", ProfilesHandler),
    (rf"/{NAMESPACE}/profiles/([^/]+)", ProfileHandler),
    (rf"/{NAMESPACE}/profile-preview", ProfilePreviewHandler),
]
