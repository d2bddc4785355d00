"""People's GitLab access, held by the platform: a personal access token saved once, encrypted
at rest, checked against GitLab when saved, and handed only to the person's own server for git.

Project creation, merge requests and pipeline status go through here too, with the person's
token, so GitLab sees the person (their permissions, their name on the merge request).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from jupyterlab_mlplat.core.kernel.errors import InvalidInput
from jupyterlab_mlplat.core.kernel.identity import Identity

from .errors import (
    GitLabNotConfigured,
    GitLabTokenMalformed,
    GitLabTokenMissing,
    MergeRequestIntoItself,
    MergeRequestTitleMissing,
    NotAGitLabProject,
    NotOnThisGitLab,
    ProjectNameInvalid,
)
from .ports import Cipher, GitLab, GitLabStore
from .records import MergeRequest, Namespace, Pipeline, Project, StoredToken

#: The rules the API documents as JSON-schema patterns (anchored there with ^…$) and the
#: service checks with ``re.fullmatch``: one text each, so the two cannot drift apart. Character
#: classes are spelled out, because ``\s`` and ``$`` mean other things in JavaScript's regexes.
PROJECT_NAME = r"[A-Za-z0-9][A-Za-z0-9_.\- ]{0,254}"
#: printable ASCII without spaces (the group); blanks around it, as a paste brings, are dropped
PASTED_KEY = r"[ \t\r\n]*([!-~]{8,255})[ \t\r\n]*"
#: a title is anything with one character that is not a blank (and, like every text, no NUL)
TITLE = r"[^\x00]*[^\x00 \t\r\n][^\x00]*"
_PROJECT_PATH = re.compile(r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)+")


def project_path(remote_url: str, gitlab_url: str) -> str:
    """``group/project`` of a remote on this GitLab, or InvalidInput for any other remote."""
    base = gitlab_url.rstrip("/") + "/"
    if not remote_url.startswith(base):
        raise NotOnThisGitLab(
            f"This repository's remote is not on {gitlab_url}; merge requests and pipelines "
            "are available for projects there.",
            params={"gitlab": gitlab_url},
        )
    path = remote_url[len(base) :].removesuffix("/").removesuffix(".git")
    if not _PROJECT_PATH.fullmatch(path):
        raise NotAGitLabProject(
            f"{remote_url!r} does not name a GitLab project.", params={"remote": remote_url}
        )
    return path


class GitLabAccounts:
    def __init__(
        self,
        store: GitLabStore,
        gitlab: GitLab | None,
        cipher: Cipher,
        *,
        gitlab_url: str = "",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self._gitlab = gitlab
        self._cipher = cipher
        self.gitlab_url = gitlab_url.rstrip("/")
        self._now = now

    @property
    def gitlab(self) -> GitLab:
        if self._gitlab is None:
            raise GitLabNotConfigured(
                "No GitLab is configured for this workbench; an administrator sets "
                "PlatformApp.gitlab_url."
            )
        return self._gitlab

    # ---- the person's token
    def account(self, identity: Identity) -> StoredToken | None:
        return self.store.gitlab_token(identity.name)

    def save_token(self, identity: Identity, token: str) -> StoredToken:
        pasted = re.fullmatch(PASTED_KEY, token)
        if pasted is None:
            raise GitLabTokenMalformed(
                "Paste the whole personal access token (no spaces).", "token"
            )
        token = pasted.group(1)
        user = self.gitlab.whoami(token)  # NotAuthenticated for a wrong or expired token
        stored = StoredToken(
            user=identity.name,
            ciphertext=self._cipher.encrypt(token.encode()),
            gitlab_username=user.username,
            hint=token[-4:],
            saved_at=self._now(),
        )
        with self.store.transaction(identity.name) as tx:
            tx.save_gitlab_token(stored)
            tx.audit(
                "gitlab.token.saved",
                "gitlab_token",
                identity.name,
                gitlab_username=user.username,
                hint=stored.hint,
            )
        return stored

    def delete_token(self, identity: Identity) -> None:
        with self.store.transaction(identity.name) as tx:
            if not tx.delete_gitlab_token(identity.name):
                raise GitLabTokenMissing("You have no GitLab token saved.")
            tx.audit("gitlab.token.deleted", "gitlab_token", identity.name)

    def token_for(self, identity: Identity) -> str:
        """The token itself: only for the person's own server, to hand to git."""
        stored = self.store.gitlab_token(identity.name)
        if stored is None:
            raise GitLabTokenMissing(
                "Save a GitLab personal access token in the Git tab first (scopes api and "
                "write_repository)."
            )
        return self._cipher.decrypt(stored.ciphertext).decode()

    # ---- GitLab with the person's token
    def namespaces(self, identity: Identity) -> list[Namespace]:
        return self.gitlab.namespaces(self.token_for(identity))

    def create_project(
        self,
        identity: Identity,
        name: str,
        *,
        namespace_id: int | None = None,
        visibility: str = "private",
    ) -> Project:
        if re.fullmatch(PROJECT_NAME, name) is None:
            raise ProjectNameInvalid(
                "A project name starts with a letter or digit and uses letters, digits, "
                "'_', '-', '.' and spaces.",
                "name",
                params={"name": name[:100]},
            )
        if visibility not in ("private", "internal", "public"):
            raise InvalidInput("visibility is private, internal or public", "visibility")
        project = self.gitlab.create_project(
            self.token_for(identity), name, namespace_id=namespace_id, visibility=visibility
        )
        with self.store.transaction(identity.name) as tx:
            tx.audit(
                "gitlab.project.created",
                "gitlab_project",
                project.path_with_namespace,
                web_url=project.web_url,
                visibility=visibility,
            )
        return project

    def open_merge_request(
        self,
        identity: Identity,
        remote_url: str,
        *,
        source_branch: str,
        target_branch: str,
        title: str,
        description: str = "",
    ) -> MergeRequest:
        if re.fullmatch(TITLE, title) is None:
            raise MergeRequestTitleMissing("A merge request needs a title.", "title")
        if source_branch == target_branch:
            raise MergeRequestIntoItself(
                f"The merge request would merge {source_branch} into itself; create a branch "
                "for your change first.",
                params={"branch": source_branch},
            )
        gitlab = self.gitlab  # not configured: say so, not that the remote is elsewhere
        path = project_path(remote_url, self.gitlab_url)
        opened = gitlab.open_merge_request(
            self.token_for(identity),
            path,
            source_branch=source_branch,
            target_branch=target_branch,
            title=title.strip(),
            description=description,
        )
        with self.store.transaction(identity.name) as tx:
            tx.audit(
                "gitlab.merge_request.opened",
                "gitlab_merge_request",
                f"{path}!{opened.iid}",
                web_url=opened.web_url,
                source_branch=source_branch,
                target_branch=target_branch,
            )
        return opened

    def merge_requests(
        self, identity: Identity, remote_url: str, branch: str
    ) -> list[MergeRequest]:
        gitlab = self.gitlab
        path = project_path(remote_url, self.gitlab_url)
        return gitlab.merge_requests(self.token_for(identity), path, branch)

    def latest_pipeline(self, identity: Identity, remote_url: str, ref: str) -> Pipeline | None:
        gitlab = self.gitlab
        path = project_path(remote_url, self.gitlab_url)
        return gitlab.latest_pipeline(self.token_for(identity), path, ref)
