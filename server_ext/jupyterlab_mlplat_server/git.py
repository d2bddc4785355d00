"""The Git tab's API: git on the person's files here, GitLab through the platform.

The GitLab token is never part of any request or response of this API: the platform hands it to
this server for each remote operation, and git gets it through its environment only.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Literal

import tornado.web
from pydantic import BaseModel, Field, ValidationError

from jupyterlab_mlplat.api.gitlab import MergeRequestCreate, ProjectCreate
from jupyterlab_mlplat.core.experiments.service import ExperimentService
from jupyterlab_mlplat.core.git.service import GitWorkspace
from jupyterlab_mlplat.core.kernel.errors import NotFound, PlatformError

from .base import SidebarHandler


class FolderBody(BaseModel):
    path: str = ""


class CommitBody(FolderBody):
    files: list[str] = Field(min_length=1)
    message: str
    clear_outputs: bool = True


class PushBody(FolderBody):
    #: only after the person confirmed they mean to overwrite the remote branch
    force: bool = False


class BranchBody(FolderBody):
    name: str


class TokenBody(BaseModel):
    token: str


class PublishBody(FolderBody):
    name: str
    namespace_id: int | None = None
    visibility: Literal["private", "internal", "public"] = "private"


class MergeRequestBody(FolderBody):
    title: str
    description: str = ""
    target_branch: str = "main"


def _json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


class GitHandler(SidebarHandler):
    @property
    def git(self) -> GitWorkspace:
        return self.services.git

    def write_json(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(_json(value)))

    @property
    def folder(self) -> str:
        return self.get_query_argument("path", "")


class StatusHandler(GitHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(await self.core(self.git.status(self.folder)))


class InitHandler(GitHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(FolderBody)
        self.write_json(await self.core(self.git.init(body.path)), 201)


class CommitHandler(GitHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(CommitBody)
        commit = await self.core(
            self.git.commit(body.path, body.files, body.message, clear_outputs=body.clear_outputs)
        )
        linked = await self._link_runs(body.path, commit)
        self.write_json({"commit": commit, "linked_runs": linked}, 201)

    async def _link_runs(self, folder: str, commit: str) -> list[str]:
        """Lineage is a courtesy of the commit: a tracker outage must not fail the commit."""
        experiments: ExperimentService | None = self.services.experiments_service
        if experiments is None:
            return []
        try:
            remote: str | None = await self.git.remote_url(folder)
        except PlatformError:  # no remote yet: the commit alone is still worth recording
            remote = None
        try:
            return await experiments.link_commit(commit, remote)
        except PlatformError as err:
            self.log.warning("could not tag running MLflow runs with the commit: %s", err.message)
            return []


class PullHandler(GitHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(FolderBody)
        self.write_json(await self.core(self.git.pull(body.path)))


class PushHandler(GitHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(PushBody)
        await self.core(self.git.push(body.path, force=body.force))
        self.write_json(await self.core(self.git.status(body.path)))


class BranchesHandler(GitHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json({"branches": await self.core(self.git.branches(self.folder))})

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(BranchBody)
        await self.core(self.git.create_branch(body.path, body.name))
        self.write_json(await self.core(self.git.status(body.path)), 201)


class CheckoutHandler(GitHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(BranchBody)
        await self.core(self.git.switch(body.path, body.name))
        self.write_json(await self.core(self.git.status(body.path)))


class AccountHandler(GitHandler):
    """Which GitLab token is saved (its last characters), never the token."""

    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_json(await self.core(self.client.gitlab_account()))

    @tornado.web.authenticated
    async def put(self) -> None:
        body = self.parse(TokenBody)
        saved = self.client.save_gitlab_token(body.token)
        self.write_json(await self.core(saved))

    @tornado.web.authenticated
    async def delete(self) -> None:
        await self.core(self.client.delete_gitlab_token())
        self.set_status(204)
        self.finish()


class NamespacesHandler(GitHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        found = await self.core(self.client.gitlab_namespaces())
        self.write_json(found)


class PublishHandler(GitHandler):
    """A folder with no remote becomes a GitLab project: create it, add it as origin, push."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(PublishBody)
        try:
            request = ProjectCreate(
                name=body.name, namespace_id=body.namespace_id, visibility=body.visibility
            )
        except ValidationError:
            raise tornado.web.HTTPError(400, "visibility is private, internal or public") from None
        created: list[Any] = []

        async def create_project() -> str:
            project = await self.client.create_gitlab_project(request)
            created.append(project)
            return project.http_url_to_repo

        status = await self.core(self.git.publish(body.path, create_project))
        self.write_json({"project": created[0], "status": status}, 201)


class MergeRequestsHandler(GitHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        status = await self.core(self.git.status(self.folder))
        if not status.remote_url or status.branch is None:
            self.write_json({"merge_requests": []})  # as the pipeline: nothing to show yet
            return
        remote = await self.core(self.git.remote_url(self.folder))
        found = await self.core(self.client.merge_requests(remote, status.branch))
        self.write_json(found)

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(MergeRequestBody)
        remote, branch = await self.core(self.git.pushed_branch(body.path))
        request = MergeRequestCreate(
            remote_url=remote,
            source_branch=branch,
            target_branch=body.target_branch,
            title=body.title,
            description=body.description,
        )
        created = await self.core(self.client.open_merge_request(request))
        self.write_json(created, 201)


class PipelineHandler(GitHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        try:
            remote = await self.core(self.git.remote_url(self.folder))
        except PlatformError:
            self.write_json({"pipeline": None})
            return
        branch = await self.core(self.git.current_branch(self.folder))
        found = await self.core(self.client.latest_pipeline(remote, branch))
        self.write_json(found)


async def token_from_platform(client: Any) -> str | None:
    """The person's GitLab token for one git operation (None when they saved none)."""
    try:
        credential = await client.git_credential()
    except NotFound:
        return None
    return str(credential.token)


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
