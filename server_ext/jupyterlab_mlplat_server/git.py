"""The Git tab's API: git on the person's files here, GitLab through the platform.

Each verb parses an ``api.git`` model, makes one call of the Git service (or, for the GitLab
account, of the platform) and writes an ``api`` model. A change answers with the repository's
new status. The GitLab token is never part of any request or response of this API except the
one that saves it: the platform hands it to this server for each remote operation, and git gets
it through its environment only.
"""

from __future__ import annotations

import tornado.web

from jupyterlab_mlplat.api.git import (
    BranchBody,
    BranchList,
    CommitBody,
    CommitResultBody,
    FolderBody,
    NewMergeRequestBody,
    PublishBody,
    PublishedBody,
    PullResultBody,
    PushBody,
    RepoStatusBody,
)
from jupyterlab_mlplat.api.gitlab import (
    GitLabAccount,
    GitLabTokenInfo,
    LatestPipeline,
    MergeRequestBody,
    MergeRequestList,
    NamespaceList,
    TokenBody,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.core.git.service import GitWorkspace

from .base import SidebarHandler

_NO_REMOTE = "The repository has no remote yet (`git_no_remote`): publish it first."
FOLDER = Query("path", "The folder shown, relative to the server root ('' is the root).")


class GitHandler(SidebarHandler):
    @property
    def git(self) -> GitWorkspace:
        return self.services.git

    @property
    def folder(self) -> str:
        """The folder of a GET, from its query (POST bodies carry it as ``path``)."""
        return self.get_query_argument("path", "")


class StatusHandler(GitHandler):
    @operation(
        "The folder's repository: branch, upstream, ahead/behind, changed files (notebooks "
        "counted by cell).",
        {200: (RepoStatusBody, "The status; `repository` is null outside a repository.")},
        query=[FOLDER],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        status = await self.git.status(self.folder)
        self.write_model(RepoStatusBody.model_validate(status))


class InitHandler(GitHandler):
    @operation(
        "Make the folder a git repository (branch `main`).",
        {201: (RepoStatusBody, "Initialised; its status.")},
        body=FolderBody,
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(FolderBody)
        status = await self.git.init(body.path)
        self.write_model(RepoStatusBody.model_validate(status), 201)


class CommitHandler(GitHandler):
    @operation(
        "Commit the selected files (notebooks without outputs when asked); the person's "
        "running MLflow runs are tagged with the commit.",
        {201: (CommitResultBody, "Committed; the runs tagged and the new status.")},
        body=CommitBody,
        errors={
            404: "No such folder or repository, or a file to commit that is neither there nor "
            "known to git (`git_no_such_file`).",
            409: "Nothing to commit, or unresolved conflicts.",
        },
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(CommitBody)
        done = self.git.commit(
            body.path, body.files, body.message, clear_outputs=body.clear_outputs
        )
        self.write_model(CommitResultBody.model_validate(await done), 201)


class PullHandler(GitHandler):
    @operation(
        "Pull the current branch from GitLab (a merge; conflicts are left as git leaves them).",
        {200: (PullResultBody, "Pulled; the files in conflict, if any, and the new status.")},
        body=FolderBody,
        errors={409: _NO_REMOTE + " Or local changes or conflicts stop the pull."},
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(FolderBody)
        pulled = await self.git.pull(body.path)
        self.write_model(PullResultBody.model_validate(pulled))


class PushHandler(GitHandler):
    @operation(
        "Push the current branch to GitLab (setting its upstream).",
        {200: (RepoStatusBody, "Pushed; the new status.")},
        body=PushBody,
        errors={409: _NO_REMOTE + " Or GitLab has commits the branch lacks."},
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(PushBody)
        status = await self.git.push(body.path, force=body.force)
        self.write_model(RepoStatusBody.model_validate(status))


class BranchesHandler(GitHandler):
    @operation(
        "The repository's local and remote branches.",
        {200: (BranchList, "The branches.")},
        query=[FOLDER],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(BranchList.of(await self.git.branches(self.folder)))

    @operation(
        "Create a branch from HEAD and switch to it.",
        {201: (RepoStatusBody, "Created; the new status.")},
        body=BranchBody,
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(BranchBody)
        status = await self.git.create_branch(body.path, body.name)
        self.write_model(RepoStatusBody.model_validate(status), 201)


class CheckoutHandler(GitHandler):
    @operation(
        "Switch to a branch; uncommitted changes it would overwrite stop it.",
        {200: (RepoStatusBody, "Switched; the new status.")},
        body=BranchBody,
        errors={
            404: "No such folder or repository, or no branch of that name to switch to "
            "(`git_no_such_branch`).",
            409: "Uncommitted changes the switch would overwrite.",
        },
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(BranchBody)
        status = await self.git.switch(body.path, body.name)
        self.write_model(RepoStatusBody.model_validate(status))


class AccountHandler(GitHandler):
    """Which GitLab token is saved (its last characters), never the token."""

    @operation(
        "This workbench's GitLab and the person's saved token (its last characters only).",
        {200: (GitLabAccount, "The account.")},
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.client.gitlab_account())

    @operation(
        "Save a GitLab personal access token; GitLab checks it first.",
        {200: (GitLabTokenInfo, "Saved; what may be shown of it.")},
        body=TokenBody,
    )
    @tornado.web.authenticated
    async def put(self) -> None:
        body = self.parse(TokenBody)
        self.write_model(await self.client.save_gitlab_token(body.token))

    @operation("Forget the saved GitLab token.", {204: (None, "Forgotten.")})
    @tornado.web.authenticated
    async def delete(self) -> None:
        await self.client.delete_gitlab_token()
        self.write_empty()


class NamespacesHandler(GitHandler):
    @operation(
        "The GitLab namespaces the person may create projects in.",
        {200: (NamespaceList, "The namespaces.")},
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.client.gitlab_namespaces())


class PublishHandler(GitHandler):
    @operation(
        "Make a repository with commits and no remote a GitLab project, and push it.",
        {201: (PublishedBody, "Published; the project and the new status.")},
        body=PublishBody,
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(PublishBody)
        published = self.git.publish(
            body.path, body.name, namespace_id=body.namespace_id, visibility=body.visibility
        )
        self.write_model(PublishedBody.model_validate(await published), 201)


class MergeRequestsHandler(GitHandler):
    @operation(
        "The merge requests of the current branch; none without a remote.",
        {200: (MergeRequestList, "The merge requests.")},
        query=[FOLDER],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(MergeRequestList.of(await self.git.merge_requests(self.folder)))

    @operation(
        "Open a merge request of the current branch, once GitLab has all its commits.",
        {201: (MergeRequestBody, "Opened.")},
        body=NewMergeRequestBody,
        errors={409: _NO_REMOTE + " Or the branch is not pushed, or one is already open."},
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(NewMergeRequestBody)
        opened = self.git.open_merge_request(
            body.path,
            title=body.title,
            description=body.description,
            target_branch=body.target_branch,
        )
        self.write_model(MergeRequestBody.model_validate(await opened), 201)


class PipelineHandler(GitHandler):
    @operation(
        "The newest pipeline of the current branch; null without a remote.",
        {200: (LatestPipeline, "The pipeline, or null.")},
        query=[FOLDER],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(LatestPipeline.of(await self.git.latest_pipeline(self.folder)))


ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("git/status", StatusHandler),
    ("git/init", InitHandler),
    ("git/commit", CommitHandler),
    ("git/pull", PullHandler),
    ("git/push", PushHandler),
    ("git/branches", BranchesHandler),
    ("git/checkout", CheckoutHandler),
    ("git/account", AccountHandler),
    ("git/namespaces", NamespacesHandler),
    ("git/publish", PublishHandler),
    ("git/merge-requests", MergeRequestsHandler),
    ("git/pipeline", PipelineHandler),
]
