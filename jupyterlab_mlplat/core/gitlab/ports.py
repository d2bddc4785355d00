"""What the GitLab service needs: the store for tokens, a cipher for them, and GitLab."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol, runtime_checkable

from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork

from .records import GitLabUser, MergeRequest, Namespace, Pipeline, Project, StoredToken


class GitLabTx(UnitOfWork):
    @abstractmethod
    def save_gitlab_token(self, stored: StoredToken) -> None: ...

    @abstractmethod
    def delete_gitlab_token(self, user: str) -> bool:
        """False when the person had none."""


class GitLabStore(Transactional[GitLabTx], Protocol):
    def gitlab_token(self, user: str) -> StoredToken | None: ...


@runtime_checkable
class Cipher(Protocol):
    """Secrets at rest (GitLab tokens): authenticated encryption with the platform's key."""

    def encrypt(self, plaintext: bytes) -> bytes: ...

    def decrypt(self, ciphertext: bytes) -> bytes:
        """Raise ``Unavailable`` when the key changed and the secret cannot be read any more."""


@runtime_checkable
class GitLab(Protocol):
    """The GitLab API, called with one person's token. Raises ``NotAuthenticated`` for a token
    GitLab refuses, ``NotFound``, ``Conflict`` (a taken path, an open merge request),
    ``Forbidden`` and ``Unavailable``."""

    def whoami(self, token: str) -> GitLabUser: ...

    def namespaces(self, token: str) -> list[Namespace]: ...

    def create_project(
        self, token: str, name: str, *, namespace_id: int | None, visibility: str
    ) -> Project: ...

    def open_merge_request(
        self,
        token: str,
        project: str,
        *,
        source_branch: str,
        target_branch: str,
        title: str,
        description: str,
    ) -> MergeRequest: ...

    def merge_requests(self, token: str, project: str, branch: str) -> list[MergeRequest]: ...

    def latest_pipeline(self, token: str, project: str, ref: str) -> Pipeline | None: ...
