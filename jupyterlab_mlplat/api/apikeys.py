"""Wire models of API keys, shared by the platform API and the sidebar API: creating, listing,
rotating and revoking a person's keys, and the gateway's check of a secret.

A key's secret travels in exactly two answers, ``IssuedKeyBody`` of a creation and of a
rotation; no other model has a field that could hold it or its digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field, StrictBool

from jupyterlab_mlplat.core.apikeys.records import ApiKey, IssuedKey, KeyState, ListedKey
from jupyterlab_mlplat.core.apikeys.rules import (
    KEY_ID,
    MAX_DEPLOYMENTS,
    NAME_MAX,
    OVERLAP_CEILING,
    RATE_LIMIT_CEILING,
    SECRET_MAX,
)
from jupyterlab_mlplat.core.kernel.naming import DNS_LABEL_MAX

from .base import FromCore, WholeNumber, Wire

ID_PATH = {"key_id": f"^{KEY_ID}$"}
#: what no text of a key may hold (``core/kernel/naming.py``'s rules): control characters, and
#: the bidirectional controls that make text read differently from what it is
_NOT_TEXT = r"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: readable text that says something (not only spaces)
_NAME = f"^[^{_NOT_TEXT}]*[^\\s{_NOT_TEXT}][^{_NOT_TEXT}]*$"
_TEXT = f"^[^{_NOT_TEXT}]*$"
#: a deployment's name as Kubernetes takes it (DNS-1123 label); reserved words are the core's
DeploymentName = Annotated[
    str, Field(max_length=DNS_LABEL_MAX, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
]
#: the longest secret the check reads: ``mlp_`` + 8 + ``_`` + the secret's longest
SECRET_FIELD_MAX = 13 + SECRET_MAX


# ---------------------------------------------------------------- requests
class ApiKeyCreate(Wire):
    name: str = Field(
        min_length=1, max_length=NAME_MAX, pattern=_NAME, description="How you tell it apart."
    )
    deployments: list[DeploymentName] = Field(
        default_factory=list,
        max_length=MAX_DEPLOYMENTS,
        description="The deployments it may call (names; your own).",
    )
    catalog_read: StrictBool = Field(default=False, description="Whether it may read the catalog.")
    expires_at: AwareDatetime | None = Field(
        default=None,
        description="When it stops working (at most the platform's limit ahead, a year by "
        "default); null: that limit.",
    )
    rate_limit: float | None = Field(
        default=None,
        gt=0,
        le=RATE_LIMIT_CEILING,
        description="Requests per second the gateway lets through (null: the platform's "
        "default; the platform may allow less than this document's maximum).",
    )


class RotateBody(Wire):
    overlap_seconds: WholeNumber = Field(
        ge=0,
        le=OVERLAP_CEILING,
        description="How long the old secret keeps working (bounded by the platform, a day by "
        "default), so the systems using it can switch.",
    )


class KeyCheckBody(Wire):
    secret: str = Field(
        max_length=SECRET_FIELD_MAX, pattern=_TEXT, description="The secret a caller sent."
    )
    address: str = Field(
        default="", max_length=255, pattern=_TEXT, description="The caller's address."
    )


# ---------------------------------------------------------------- answers
class KeyScopesBody(FromCore):
    deployments: list[str]
    catalog_read: bool


class ApiKeyBody(FromCore):
    id: int
    prefix: str = Field(description="`mlp_` and 8 characters: shown, never enough to call with.")
    owner: str
    name: str
    scopes: KeyScopesBody
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    last_used_from: str | None
    rate_limit: float
    replaced_by: int | None = Field(description="The key that replaced it by rotation.")
    state: KeyState

    @classmethod
    def of(cls, listed: ListedKey) -> ApiKeyBody:
        return cls.model_validate({**_fields(listed.key), "state": listed.state})


def _fields(key: ApiKey) -> dict[str, object]:
    return {
        name: getattr(key, name)
        for name in ApiKeyBody.model_fields
        if name not in ("scopes", "state")
    } | {"scopes": KeyScopesBody.model_validate(key.scopes)}


class ApiKeyList(Wire):
    keys: list[ApiKeyBody]

    @classmethod
    def of(cls, found: Sequence[ListedKey]) -> ApiKeyList:
        return cls(keys=[ApiKeyBody.of(listed) for listed in found])


class IssuedKeyBody(Wire):
    """The one answer that carries the secret: shown once, stored nowhere."""

    key: ApiKeyBody
    secret: str = Field(description="`mlp_<prefix>_<secret>`: copy it now, it is not shown again.")

    @classmethod
    def of(cls, issued: IssuedKey) -> IssuedKeyBody:
        return cls(key=ApiKeyBody.of(ListedKey(issued.key, KeyState.ACTIVE)), secret=issued.secret)


class KeyCheckAnswer(FromCore):
    """What the gateway needs of a key that may be used now."""

    id: int
    prefix: str
    owner: str
    scopes: KeyScopesBody
    rate_limit: float
    expires_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyCheckAnswer:
        return cls.model_validate(key)
