"""The Admin tab's workspace-profile editor: each verb forwards to the platform, which checks
that the caller is an admin, validates, audits and versions.

The verbs only admins may call ask the platform who the caller is before they read the body, so
a person who is not an admin is refused (403) whatever they send, and only an admin's body is
parsed here, as on the platform.
"""

from __future__ import annotations

import tornado.web

from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.api.profiles import (
    SLUG_PATH,
    PodPreview,
    ProfileFields,
    ProfileList,
    ProfileRecord,
    ProfileUpdate,
)

from .base import RoleFirst, SidebarHandler


class ProfilesHandler(RoleFirst):
    @operation(
        "The profiles open to the person (all of them for admins).",
        {200: (ProfileList, "The profiles.")},
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.client.profiles())

    @operation(
        "Create a profile (admins).",
        {201: (ProfileRecord, "Created, revision 1.")},
        body=ProfileFields,
        role="admin",
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        fields = self.parse(ProfileFields)
        self.write_model(await self.client.create_profile(fields.root), 201)


class ProfileHandler(RoleFirst):
    @operation(
        "Replace a profile (admins), from the revision the editor read.",
        {200: (ProfileRecord, "Saved.")},
        body=ProfileUpdate,
        path=SLUG_PATH,
        role="admin",
    )
    @tornado.web.authenticated
    async def put(self, slug: str) -> None:
        update = self.parse(ProfileUpdate)
        saved = self.client.replace_profile(slug, update.profile, update.revision)
        self.write_model(await saved)

    @operation(
        "Delete a profile (admins).",
        {204: (None, "Deleted.")},
        query=[Query("revision", required=True, type="integer")],
        path=SLUG_PATH,
        role="admin",
    )
    @tornado.web.authenticated
    async def delete(self, slug: str) -> None:
        revision = self.int_argument("revision", -1)
        await self.client.delete_profile(slug, revision)
        self.write_empty()


class ProfilePreviewHandler(RoleFirst):
    @operation(
        "Validate a profile being edited and show its pod (admins).",
        {200: (PodPreview, "Valid; the pod it would give.")},
        body=ProfileFields,
        role="admin",
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        fields = self.parse(ProfileFields)
        self.write_model(await self.client.preview_profile(fields.root))


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("profiles", ProfilesHandler),
    ("profiles/(?P<slug>[^/]+)", ProfileHandler),
    ("profile-preview", ProfilePreviewHandler),
]
