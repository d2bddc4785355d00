"""``core.gitlab.ports.GitLab`` with python-gitlab, one client per call with the person's own token.

GitLab's failures are mapped here, in one table, to the core's errors with messages a person can
act on; GitLab's own words are kept where they are the useful part ("has already been taken").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import gitlab
import requests
from gitlab import exceptions as gle

from jupyterlab_mlplat.core.gitlab.errors import (
    GitLabConflict,
    GitLabFailed,
    GitLabForbidden,
    GitLabNameTaken,
    GitLabNotFound,
    GitLabRefused,
    GitLabTokenRefused,
    GitLabUnreachable,
)
from jupyterlab_mlplat.core.gitlab.ports import GitLab
from jupyterlab_mlplat.core.gitlab.records import (
    GitLabUser,
    MergeRequest,
    Namespace,
    Pipeline,
    Project,
)
from jupyterlab_mlplat.core.kernel.errors import PlatformError

#: GitLab's status → the core's error; the message says what the person can do
ERROR_TABLE: dict[int, Callable[[str], PlatformError]] = {
    400: lambda said: GitLabRefused(f"GitLab refused: {said}", params={"said": said[:300]}),
    401: lambda _said: GitLabTokenRefused(
        "GitLab refused your token: it is wrong, expired or revoked. Replace it in the Git tab."
    ),
    403: lambda said: GitLabForbidden(
        f"GitLab does not allow this with your token: {said}", params={"said": said[:300]}
    ),
    404: lambda _said: GitLabNotFound(
        "GitLab cannot find that project or branch (or your token may not see it)."
    ),
    409: lambda said: GitLabConflict(f"GitLab: {said}", params={"said": said[:300]}),
}


def _said(error: gle.GitlabError) -> str:
    message: Any = error.error_message
    if isinstance(message, dict):
        return "; ".join(f"{k} {', '.join(map(str, v))}" for k, v in message.items())
    if isinstance(message, list):
        return "; ".join(map(str, message))
    return str(message)


class GitLabApi(GitLab):
    def __init__(self, url: str, *, timeout: float = 15.0) -> None:
        self.url = url.rstrip("/")
        self._timeout = timeout

    @contextmanager
    def _client(self, token: str) -> Iterator[gitlab.Gitlab]:
        client = gitlab.Gitlab(self.url, private_token=token, timeout=self._timeout)
        try:
            yield client
        except gle.GitlabAuthenticationError:
            raise ERROR_TABLE[401]("") from None
        except gle.GitlabError as err:
            said = _said(err)
            if err.response_code == 400 and "already been taken" in said:
                raise GitLabNameTaken(
                    "A project with that name already exists there; choose another name."
                ) from None
            factory = ERROR_TABLE.get(err.response_code or 0)
            if factory is None:
                raise GitLabFailed(
                    f"GitLab failed ({err.response_code}): {said}",
                    params={"status": err.response_code or 0, "said": said[:300]},
                ) from None
            raise factory(said) from None
        except (requests.ConnectionError, requests.Timeout):
            raise GitLabUnreachable(
                f"GitLab at {self.url} is not reachable right now.", params={"url": self.url}
            ) from None
        finally:
            client.session.close()

    def whoami(self, token: str) -> GitLabUser:
        with self._client(token) as client:
            client.auth()
            user = client.user
            assert user is not None
            return GitLabUser(username=user.username, name=getattr(user, "name", user.username))

    def namespaces(self, token: str) -> list[Namespace]:
        with self._client(token) as client:
            found = client.namespaces.list(get_all=True)
            return [Namespace(n.id, n.full_path, n.kind) for n in found]

    def create_project(
        self, token: str, name: str, *, namespace_id: int | None, visibility: str
    ) -> Project:
        body: dict[str, Any] = {"name": name, "visibility": visibility}
        if namespace_id is not None:
            body["namespace_id"] = namespace_id
        with self._client(token) as client:
            project = client.projects.create(body)
            return _project(project)

    def open_merge_request(
        self,
        token: str,
        project: str,
        *,
        source_branch: str,
        target_branch: str,
        title: str,
        description: str,
    ) -> MergeRequest:
        with self._client(token) as client:
            remote = client.projects.get(project, lazy=True)
            created = remote.mergerequests.create(
                {
                    "source_branch": source_branch,
                    "target_branch": target_branch,
                    "title": title,
                    "description": description,
                }
            )
            return _merge_request(created)

    def merge_requests(self, token: str, project: str, branch: str) -> list[MergeRequest]:
        with self._client(token) as client:
            remote = client.projects.get(project, lazy=True)
            found = remote.mergerequests.list(
                source_branch=branch, state="opened", get_all=False, per_page=20
            )
            return [_merge_request(m) for m in found]

    def latest_pipeline(self, token: str, project: str, ref: str) -> Pipeline | None:
        with self._client(token) as client:
            remote = client.projects.get(project, lazy=True)
            found = remote.pipelines.list(
                ref=ref, order_by="id", sort="desc", per_page=1, get_all=False
            )
            return _pipeline(found[0].attributes) if found else None


def _project(project: Any) -> Project:
    return Project(
        id=project.id,
        path_with_namespace=project.path_with_namespace,
        web_url=project.web_url,
        http_url_to_repo=project.http_url_to_repo,
        default_branch=getattr(project, "default_branch", None),
    )


def _pipeline(data: dict[str, Any] | None) -> Pipeline | None:
    if not data:
        return None
    return Pipeline(
        id=int(data["id"]),
        status=str(data["status"]),
        ref=str(data.get("ref", "")),
        sha=str(data.get("sha", "")),
        web_url=str(data.get("web_url", "")),
    )


def _merge_request(mr: Any) -> MergeRequest:
    attributes = mr.attributes
    return MergeRequest(
        iid=int(attributes["iid"]),
        title=str(attributes["title"]),
        state=str(attributes["state"]),
        web_url=str(attributes["web_url"]),
        source_branch=str(attributes["source_branch"]),
        target_branch=str(attributes["target_branch"]),
        pipeline=_pipeline(attributes.get("head_pipeline")),
    )
