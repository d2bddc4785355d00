"""Wire models of workspace profiles: the admin's editor, the spawners and the preview."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, GetJsonSchemaHandler, RootModel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from jupyterlab_mlplat.core.profiles.records import StoredProfile
from jupyterlab_mlplat.core.profiles.rules import Profile

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


#: a profile's fields as an editor sends them
ProfileObject = Annotated[dict[str, Any], _DocumentedAsProfile]


class ProfileFields(RootModel[ProfileObject]):
    """A profile's fields as an editor sends them; the core validates each and names the wrong
    ones, so a form can show every message at once."""


class ProfileUpdate(Wire):
    """A replacement of one profile; ``revision`` is the one the editor started from."""

    profile: ProfileObject
    revision: int


class PodPreview(Wire):
    pod: dict[str, Any] = Field(
        description="The image, resources, node selector, tolerations and environment of the "
        "pod a server of this profile gets."
    )
