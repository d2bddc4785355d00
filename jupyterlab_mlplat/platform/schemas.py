"""Wire types of the public API: one pydantic model per body.

The OpenAPI document's schemas are generated from these models and ``client.py`` parses responses
with them, so the server, the document and the client cannot drift apart silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jupyterlab_mlplat.core.health import HealthReport
from jupyterlab_mlplat.core.identity import Identity, Role
from jupyterlab_mlplat.core.profile_service import StoredProfile
from jupyterlab_mlplat.core.profiles import Profile


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorBody(_Wire):
    message: str = Field(description="What went wrong, written for the person who can fix it.")
    reason: str = Field(description="Stable machine-readable reason, e.g. `not_found`.")
    request_id: str | None = Field(
        default=None, description="Quote it to an administrator to find the log lines."
    )
    fields: dict[str, str] | None = Field(
        default=None,
        description="For invalid input: one message per wrong field, keyed by its path "
        "(`cpu_limit`, `tolerations.0.key`), for forms to show next to each input.",
    )


class Me(_Wire):
    name: str = Field(examples=["alice"])
    groups: list[str] = Field(examples=[["data-scientists"]])
    roles: list[Role] = Field(examples=[["data_scientist"]])
    mode: Literal["hub", "standalone"]

    @classmethod
    def of(cls, identity: Identity) -> Me:
        return cls(
            name=identity.name,
            groups=sorted(identity.groups),
            roles=list(identity.roles),
            mode="standalone" if identity.mode == "standalone" else "hub",
        )


class CheckBody(_Wire):
    status: Literal["ok", "failing"]
    message: str | None = None


class Health(_Wire):
    status: Literal["ok", "failing"]
    version: str
    checks: dict[str, CheckBody]

    @classmethod
    def of(cls, report: HealthReport) -> Health:
        return cls(
            status="ok" if report.ok else "failing",
            version=report.version,
            checks={
                name: CheckBody(
                    status="ok" if check.status == "ok" else "failing", message=check.message
                )
                for name, check in report.checks.items()
            },
        )


class ProfileRecord(_Wire):
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


class ProfileList(_Wire):
    profiles: list[ProfileRecord]
    known_groups: list[str] = Field(description="The groups a profile may be opened to.")


class ProfileUpdate(_Wire):
    """A replacement of one profile; ``revision`` is the one the editor started from."""

    profile: dict[str, Any]
    revision: int


class PodPreview(_Wire):
    pod: dict[str, Any] = Field(
        description="The image, resources, node selector, tolerations and environment of the "
        "pod a server of this profile gets."
    )


# ---- GitLab: the person's token (never returned, except to their own server) and projects
class _FromCore(_Wire):
    model_config = ConfigDict(extra="forbid", frozen=True, from_attributes=True)


class GitLabTokenInfo(_FromCore):
    gitlab_username: str
    hint: str = Field(description="The token's last 4 characters, to recognise it.")
    saved_at: datetime


class GitLabAccount(_Wire):
    configured: bool = Field(description="Whether this workbench has a GitLab.")
    url: str | None
    token: GitLabTokenInfo | None


class TokenBody(_Wire):
    token: str = Field(min_length=1, description="A GitLab personal access token.")


class GitCredential(_Wire):
    """For the person's own server, which hands it to git through an askpass helper."""

    username: str
    token: str


class NamespaceBody(_FromCore):
    id: int
    path: str
    kind: str


class NamespaceList(_Wire):
    namespaces: list[NamespaceBody]


class ProjectCreate(_Wire):
    name: str
    namespace_id: int | None = None
    visibility: Literal["private", "internal", "public"] = "private"


class ProjectBody(_FromCore):
    id: int
    path_with_namespace: str
    web_url: str
    http_url_to_repo: str
    default_branch: str | None


class PipelineBody(_FromCore):
    id: int
    status: str
    ref: str
    sha: str
    web_url: str


class LatestPipeline(_Wire):
    pipeline: PipelineBody | None


class MergeRequestCreate(_Wire):
    remote_url: str
    source_branch: str
    target_branch: str
    title: str
    description: str = ""


class MergeRequestBody(_FromCore):
    iid: int
    title: str
    state: str
    web_url: str
    source_branch: str
    target_branch: str
    pipeline: PipelineBody | None


class MergeRequestList(_Wire):
    merge_requests: list[MergeRequestBody]
