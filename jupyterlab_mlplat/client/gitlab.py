"""GitLab through the platform, with the person's saved token."""

from __future__ import annotations

from urllib.parse import urlencode

from jupyterlab_mlplat.api.gitlab import (
    GitCredential,
    GitLabAccount,
    GitLabTokenInfo,
    LatestPipeline,
    MergeRequestBody,
    MergeRequestCreate,
    MergeRequestList,
    NamespaceList,
    ProjectBody,
    ProjectCreate,
)

from .transport import Transport


class GitLabCalls(Transport):
    async def gitlab_account(self) -> GitLabAccount:
        return await self._get("api/v1/gitlab/account", GitLabAccount)

    async def save_gitlab_token(self, token: str) -> GitLabTokenInfo:
        body = {"token": token}
        return await self._send("PUT", "api/v1/gitlab/token", body, GitLabTokenInfo)

    async def delete_gitlab_token(self) -> None:
        await self._send_raw("DELETE", "api/v1/gitlab/token", None)

    async def git_credential(self) -> GitCredential:
        return await self._send("POST", "api/v1/gitlab/credential", {}, GitCredential)

    async def gitlab_namespaces(self) -> NamespaceList:
        return await self._get("api/v1/gitlab/namespaces", NamespaceList)

    async def create_gitlab_project(self, project: ProjectCreate) -> ProjectBody:
        body = project.model_dump()
        return await self._send("POST", "api/v1/gitlab/projects", body, ProjectBody)

    async def open_merge_request(self, request: MergeRequestCreate) -> MergeRequestBody:
        body = request.model_dump()
        path = "api/v1/gitlab/merge-requests"
        return await self._send("POST", path, body, MergeRequestBody)

    async def merge_requests(self, remote_url: str, branch: str) -> MergeRequestList:
        query = urlencode({"remote_url": remote_url, "branch": branch})
        path = f"api/v1/gitlab/merge-requests?{query}"
        return await self._get(path, MergeRequestList)

    async def latest_pipeline(self, remote_url: str, ref: str) -> LatestPipeline:
        query = urlencode({"remote_url": remote_url, "ref": ref})
        return await self._get(f"api/v1/gitlab/pipelines/latest?{query}", LatestPipeline)
