"""What the Git service needs: git itself in a folder of the person's files, GitLab (through
the platform, which keeps the person's token), and the experiment tracker for lineage."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from jupyterlab_mlplat.core.gitlab.records import MergeRequest, Pipeline, Project

from .records import GitResult, Visibility


@runtime_checkable
class GitRunner(Protocol):
    """git in a folder of the person's files.

    ``token``, when given, reaches git only through the process environment (an askpass
    helper): never the command line, a URL, a config file or a credential store.
    """

    async def run(
        self, folder: Path, *args: str, stdin: bytes | None = None, token: str | None = None
    ) -> GitResult: ...


class GitHost(Protocol):
    """GitLab as the Git tab needs it, with the person's saved token.

    Failures arrive as the core's typed errors (``NotAuthenticated`` for a refused token,
    ``Unavailable`` for an unreachable GitLab, ...).
    """

    async def token(self) -> str | None:
        """The person's token for one git operation; None when they saved none."""
        ...

    async def create_project(
        self, name: str, namespace_id: int | None, visibility: Visibility
    ) -> Project: ...

    async def merge_requests(self, remote_url: str, branch: str) -> list[MergeRequest]:
        """The merge requests whose source is ``branch`` of the project at ``remote_url``."""
        ...

    async def open_merge_request(
        self,
        remote_url: str,
        *,
        source_branch: str,
        target_branch: str,
        title: str,
        description: str,
    ) -> MergeRequest: ...

    async def latest_pipeline(self, remote_url: str, ref: str) -> Pipeline | None: ...


class CommitLineage(Protocol):
    """Where a commit is recorded for the runs it explains (the experiment tracker)."""

    async def link_commit(self, commit: str, remote: str | None, /) -> list[str]:
        """Tag the person's running runs with ``commit`` (and ``remote``); the runs tagged."""
        ...
