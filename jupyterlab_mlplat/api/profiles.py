"""Wire models of workspace profiles: the admin's editor, the spawners and the preview."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, GetJsonSchemaHandler, RootModel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from jupyterlab_mlplat.core.profiles.records import StoredProfile
from jupyterlab_mlplat.core.profiles.rules import SLUG_PATTERN, Profile

from .base import Wire


class ProfileRecord(Wire):
    profile: Profile
    revision: int = Field(description="Send it back when saving: a stale one is refused (409).")
    updated_at: datetime
    updated_by: str

    @classmethod
    def of(cls, stored: StoredProfile) -> ProfileRecord:
        return cls(
            profile=stored.profile,
            revision=stored.revision,
            updated_at=stored.updated_at,
            updated_by=stored.updated_by,
        )


class ProfileList(Wire):
    profiles: list[ProfileRecord]
    known_groups: list[str] = Field(description="The groups a profile may be opened to.")

    @classmethod
    def of(cls, stored: Sequence[StoredProfile], known_groups: Sequence[str]) -> ProfileList:
        return cls(profiles=[ProfileRecord.of(s) for s in stored], known_groups=list(known_groups))


class _DocumentedAsProfile:
    """Read as a plain object, documented as the core's ``Profile``: the core validates every
    field and names each wrong one (a form shows all messages at once), while the document
    still says exactly which object the route takes."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, _schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(Profile.__pydantic_core_schema__)


class _DocumentedAsProfileChanges:
    """Documented as the core's ``Profile`` with ``slug`` optional: the path names the profile,
    and a slug in the body (as a record read back holds it) must be the path's."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, _schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = copy.deepcopy(
            handler.resolve_ref_schema(handler(Profile.__pydantic_core_schema__))
        )
        schema["required"] = [name for name in schema["required"] if name != "slug"]
        schema["properties"]["slug"]["description"] = (
            "Optional: the path names the profile. When sent, it is the path's slug: a "
            "profile's slug never changes (another is refused, reason `slug_fixed`)."
        )
        schema["title"] = "ProfileChanges"
        schema["description"] = "A profile's fields; the slug is the path's."
        return schema


#: a profile's fields as an editor sends them
ProfileObject = Annotated[dict[str, Any], _DocumentedAsProfile]
#: the same without the slug, for a replacement
ProfileChangesObject = Annotated[dict[str, Any], _DocumentedAsProfileChanges]


class ProfileFields(RootModel[ProfileObject]):
    """A profile's fields as an editor sends them; the core validates each and names the wrong
    ones, so a form can show every message at once."""


class ProfileUpdate(Wire):
    """A replacement of one profile; ``revision`` is the one the editor started from. The
    profile is the one the path names: a slug in its fields must be the path's."""

    profile: ProfileChangesObject
    revision: int


class PodPreview(Wire):
    pod: dict[str, Any] = Field(
        description="The image, resources, node selector, tolerations and environment of the "
        "pod a server of this profile gets."
    )


#: the slug of a profile in a path, as the service checks it
SLUG_PATH = {"slug": SLUG_PATTERN}
