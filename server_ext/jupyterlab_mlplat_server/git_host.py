"""The Git service's ``GitHost`` port over the platform client: GitLab with the person's token,
which the platform keeps and hands to this server only for one git operation at a time."""

from __future__ import annotations

from jupyterlab_mlplat.api.gitlab import (
    MergeRequestBody,
    MergeRequestCreate,
    PipelineBody,
    ProjectBody,
    ProjectCreate,
)
from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.git.ports import GitHost
from jupyterlab_mlplat.core.git.records import Visibility
from jupyterlab_mlplat.core.gitlab.errors import GitLabTokenMissing
from jupyterlab_mlplat.core.gitlab.records import MergeRequest, Pipeline, Project


def _project(body: ProjectBody) -> Project:
    return Project(
        id=body.id,
        path_with_namespace=body.path_with_namespace,
        web_url=body.web_url,
        http_url_to_repo=body.http_url_to_repo,
        default_branch=body.default_branch,
    )


def _pipeline(body: PipelineBody) -> Pipeline:
    return Pipeline(
        id=body.id, status=body.status, ref=body.ref, sha=body.sha, web_url=body.web_url
    )


def _merge_request(body: MergeRequestBody) -> MergeRequest:
    return MergeRequest(
        iid=body.iid,
        title=body.title,
        state=body.state,
        web_url=body.web_url,
        source_branch=body.source_branch,
        target_branch=body.target_branch,
        pipeline=_pipeline(body.pipeline) if body.pipeline else None,
    )


class PlatformGitHost(GitHost):
    def __init__(self, client: PlatformClient) -> None:
        self._client = client

    async def token(self) -> str | None:
        try:
            credential = await self._client.git_credential()
        except GitLabTokenMissing:  # the platform keeps no token for this person
            return None
        return credential.token

    async def create_project(
        self, name: str, namespace_id: int | None, visibility: Visibility
    ) -> Project:
        request = ProjectCreate(name=name, namespace_id=namespace_id, visibility=visibility)
        return _project(await self._client.create_gitlab_project(request))

    async def merge_requests(self, remote_url: str, branch: str) -> list[MergeRequest]:
        found = await self._client.merge_requests(remote_url, branch)
        return [_merge_request(m) for m in found.merge_requests]

    async def open_merge_request(
        self,
        remote_url: str,
        *,
        source_branch: str,
        target_branch: str,
        title: str,
        description: str,
    ) -> MergeRequest:
        request = MergeRequestCreate(
            remote_url=remote_url,
            source_branch=source_branch,
            target_branch=target_branch,
            title=title,
            description=description,
        )
        return _merge_request(await self._client.open_merge_request(request))

    async def latest_pipeline(self, remote_url: str, ref: str) -> Pipeline | None:
        found = await self._client.latest_pipeline(remote_url, ref)
        return _pipeline(found.pipeline) if found.pipeline else None
