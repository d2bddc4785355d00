"""Wire models of GitLab through the platform: the person's token (never returned, except to
their own server), namespaces, projects, merge requests and pipelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import Field, StrictInt

from jupyterlab_mlplat.core.gitlab.records import (
    MergeRequest,
    Namespace,
    Pipeline,
    StoredToken,
)
from jupyterlab_mlplat.core.gitlab.service import PASTED_KEY, PROJECT_NAME, TITLE

from .base import FromCore, Wire


class GitLabTokenInfo(FromCore):
    gitlab_username: str
    hint: str = Field(description="The token's last 4 characters, to recognise it.")
    saved_at: datetime


class GitLabAccount(Wire):
    configured: bool = Field(description="Whether this workbench has a GitLab.")
    url: str | None
    token: GitLabTokenInfo | None

    @classmethod
    def of(cls, gitlab_url: str, stored: StoredToken | None) -> GitLabAccount:
        return cls(
            configured=bool(gitlab_url),
            url=gitlab_url or None,
            token=GitLabTokenInfo.model_validate(stored) if stored else None,
        )


class TokenBody(Wire):
    # the pattern is the service's own rule, documented; the service checks it, so that a wrong
    # paste gets its own reason (gitlab_token_malformed) rather than a generic one
    token: str = Field(
        min_length=1,
        description="A GitLab personal access token.",
        json_schema_extra={"pattern": f"^{PASTED_KEY}$"},
    )


class GitCredential(Wire):
    """For the person's own server, which hands it to git through an askpass helper."""

    username: str
    token: str


class NamespaceBody(FromCore):
    id: int
    path: str
    kind: str


class NamespaceList(Wire):
    namespaces: list[NamespaceBody]

    @classmethod
    def of(cls, found: Sequence[Namespace]) -> NamespaceList:
        return cls(namespaces=[NamespaceBody.model_validate(n) for n in found])


class ProjectCreate(Wire):
    name: str = Field(json_schema_extra={"pattern": f"^{PROJECT_NAME}$"})
    namespace_id: StrictInt | None = None
    visibility: Literal["private", "internal", "public"] = "private"


class ProjectBody(FromCore):
    id: int
    path_with_namespace: str
    web_url: str
    http_url_to_repo: str
    default_branch: str | None


class PipelineBody(FromCore):
    id: int
    status: str
    ref: str
    sha: str
    web_url: str


class LatestPipeline(Wire):
    pipeline: PipelineBody | None

    @classmethod
    def of(cls, found: Pipeline | None) -> LatestPipeline:
        return cls(pipeline=PipelineBody.model_validate(found) if found else None)


class MergeRequestCreate(Wire):
    remote_url: str
    source_branch: str
    target_branch: str
    title: str = Field(description="Not blank.", json_schema_extra={"pattern": f"^{TITLE}$"})
    description: str = ""


class MergeRequestBody(FromCore):
    iid: int
    title: str
    state: str
    web_url: str
    source_branch: str
    target_branch: str
    pipeline: PipelineBody | None


class MergeRequestList(Wire):
    merge_requests: list[MergeRequestBody]

    @classmethod
    def of(cls, found: Sequence[MergeRequest]) -> MergeRequestList:
        return cls(merge_requests=[MergeRequestBody.model_validate(m) for m in found])
