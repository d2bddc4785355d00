"""The person's GitLab token (never returned, except to their own server) and GitLab calls made
with it: namespaces, projects, merge requests, pipelines."""

from __future__ import annotations

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
    TokenBody,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.platform.base import PlatformHandler

_ERRORS = {
    400: "Invalid input, or GitLab refused it.",
    404: "No token saved, or GitLab cannot find the project or branch.",
}


class GitLabAccountHandler(PlatformHandler):
    """Whether the person has a token saved, and which; never the token itself."""

    route_name = "gitlab_account"

    @operation(
        "Whether GitLab is configured and which token the caller saved (never the token).",
        {200: (GitLabAccount, "The account.")},
    )
    async def get(self) -> None:
        gitlab = self.services.gitlab
        stored = await self.run(gitlab.account, self.identity)
        self.send_model(GitLabAccount.of(gitlab.gitlab_url, stored))


class GitLabTokenHandler(PlatformHandler):
    route_name = "gitlab_token"

    @operation(
        "Check a personal access token against GitLab and keep it, encrypted.",
        {200: (GitLabTokenInfo, "Saved.")},
        body=TokenBody,
        errors=_ERRORS,
    )
    async def put(self) -> None:
        body = self.parse(TokenBody)
        stored = await self.run(self.services.gitlab.save_token, self.identity, body.token)
        self.send_model(GitLabTokenInfo.model_validate(stored))

    @operation("Forget the caller's token.", {204: (None, "Deleted.")}, errors=_ERRORS)
    async def delete(self) -> None:
        await self.run(self.services.gitlab.delete_token, self.identity)
        self.send_empty()


class GitCredentialHandler(PlatformHandler):
    """The token, for the person's own server to hand to git; the sidebar never asks for it."""

    route_name = "git_credential"

    @operation(
        "The token itself, for the caller's own server to hand to git.",
        {200: (GitCredential, "The credential.")},
        errors=_ERRORS,
    )
    async def post(self) -> None:
        token = await self.run(self.services.gitlab.token_for, self.identity)
        self.send_model(GitCredential(username="oauth2", token=token))


class GitLabNamespacesHandler(PlatformHandler):
    route_name = "gitlab_namespaces"

    @operation(
        "Where the caller may create projects.",
        {200: (NamespaceList, "Namespaces.")},
        errors=_ERRORS,
    )
    async def get(self) -> None:
        found = await self.run(self.services.gitlab.namespaces, self.identity)
        self.send_model(NamespaceList.of(found))


class GitLabProjectsHandler(PlatformHandler):
    route_name = "gitlab_projects"

    @operation(
        "Create a project in the caller's namespace or a group.",
        {201: (ProjectBody, "Created.")},
        body=ProjectCreate,
        errors={**_ERRORS, 409: "The name is taken."},
    )
    async def post(self) -> None:
        body = self.parse(ProjectCreate)
        project = await self.run(
            self.services.gitlab.create_project,
            self.identity,
            body.name,
            namespace_id=body.namespace_id,
            visibility=body.visibility,
        )
        self.send_model(ProjectBody.model_validate(project), 201)


class GitLabMergeRequestsHandler(PlatformHandler):
    route_name = "gitlab_merge_requests"

    @operation(
        "Open merge requests from a branch.",
        {200: (MergeRequestList, "Merge requests.")},
        query=[Query("remote_url", required=True), Query("branch", required=True)],
        errors=_ERRORS,
    )
    async def get(self) -> None:
        found = await self.run(
            self.services.gitlab.merge_requests,
            self.identity,
            self.get_query_argument("remote_url", ""),
            self.get_query_argument("branch", ""),
        )
        self.send_model(MergeRequestList.of(found))

    @operation(
        "Open a merge request from a pushed branch.",
        {201: (MergeRequestBody, "Opened.")},
        body=MergeRequestCreate,
        errors={**_ERRORS, 409: "One is already open for the branch."},
    )
    async def post(self) -> None:
        body = self.parse(MergeRequestCreate)
        created = await self.run(
            self.services.gitlab.open_merge_request,
            self.identity,
            body.remote_url,
            source_branch=body.source_branch,
            target_branch=body.target_branch,
            title=body.title,
            description=body.description,
        )
        self.send_model(MergeRequestBody.model_validate(created), 201)


class GitLabPipelineHandler(PlatformHandler):
    route_name = "gitlab_pipeline"

    @operation(
        "The newest pipeline of a branch.",
        {200: (LatestPipeline, "The pipeline, or null.")},
        query=[Query("remote_url", required=True), Query("ref", required=True)],
        errors=_ERRORS,
    )
    async def get(self) -> None:
        pipeline = await self.run(
            self.services.gitlab.latest_pipeline,
            self.identity,
            self.get_query_argument("remote_url", ""),
            self.get_query_argument("ref", ""),
        )
        self.send_model(LatestPipeline.of(pipeline))


ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/gitlab/account", GitLabAccountHandler),
    ("api/v1/gitlab/token", GitLabTokenHandler),
    ("api/v1/gitlab/credential", GitCredentialHandler),
    ("api/v1/gitlab/namespaces", GitLabNamespacesHandler),
    ("api/v1/gitlab/projects", GitLabProjectsHandler),
    ("api/v1/gitlab/merge-requests", GitLabMergeRequestsHandler),
    ("api/v1/gitlab/pipelines/latest", GitLabPipelineHandler),
]
