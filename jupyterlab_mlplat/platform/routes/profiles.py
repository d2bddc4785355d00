"""Workspace profiles: everyone reads those open to them, admins edit them, spawners read all."""

from __future__ import annotations

from jupyterlab_mlplat.adapters.kube.manifests import pod_preview
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.api.profiles import (
    SLUG_PATH,
    PodPreview,
    ProfileFields,
    ProfileList,
    ProfileRecord,
    ProfileUpdate,
)
from jupyterlab_mlplat.platform.base import PlatformHandler

ADMIN = "admin"


class ProfilesHandler(PlatformHandler):
    route_name = "profiles"
    allows_services = True

    @operation(
        "Workspace profiles: those open to the caller's groups; all of them for admins and for "
        "the hub's spawner (scope custom:mlplat:read-profiles).",
        {200: (ProfileList, "The profiles, in order.")},
    )
    async def get(self) -> None:
        visible = await self.run(self.services.profiles.visible_to, self.identity)
        self.send_model(ProfileList.of(visible, self.services.profiles.known_groups))

    @operation(
        "Create a profile. Takes effect at the next spawn.",
        {201: (ProfileRecord, "Created, revision 1.")},
        body=ProfileFields,
        body_description="The profile's fields (the `profile` object of a record).",
        role=ADMIN,
        errors={409: "The slug is taken."},
    )
    async def post(self) -> None:
        fields = self.parse(ProfileFields)
        stored = await self.run(self.services.profiles.create, self.identity, fields.root)
        self.send_model(ProfileRecord.of(stored), 201)


class ProfileHandler(PlatformHandler):
    route_name = "profile"

    @operation(
        "Replace a profile, from the revision the editor read.",
        {200: (ProfileRecord, "Saved; the revision went up by one.")},
        body=ProfileUpdate,
        path=SLUG_PATH,
        role=ADMIN,
        errors={409: "Somebody saved it since `revision`."},
    )
    async def put(self, slug: str) -> None:
        update = self.parse(ProfileUpdate)
        stored = await self.run(
            self.services.profiles.replace,
            self.identity,
            slug,
            update.profile,
            revision=update.revision,
        )
        self.send_model(ProfileRecord.of(stored))

    @operation(
        "Delete a profile. Running servers keep running.",
        {204: (None, "Deleted.")},
        query=[Query("revision", "The revision the editor read.", required=True, type="integer")],
        path=SLUG_PATH,
        role=ADMIN,
        errors={409: "Changed since `revision`, or the last one."},
    )
    async def delete(self, slug: str) -> None:
        revision = self.int_argument("revision")
        await self.run(self.services.profiles.delete, self.identity, slug, revision=revision)
        self.send_empty()


class ProfilePreviewHandler(PlatformHandler):
    """Validate a profile being edited and show the pod it would give, without saving."""

    route_name = "profile_preview"

    @operation(
        "Validate a profile being edited and show its pod.",
        {200: (PodPreview, "Valid; the pod it would give.")},
        body=ProfileFields,
        role=ADMIN,
    )
    async def post(self) -> None:
        fields = self.parse(ProfileFields)
        resources = await self.run(self.services.profiles.preview, self.identity, fields.root)
        self.send_model(PodPreview(pod=pod_preview(resources)))


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/profiles", ProfilesHandler),
    ("api/v1/profiles/(?P<slug>[^/]+)", ProfileHandler),
    ("api/v1/profile-preview", ProfilePreviewHandler),
]
