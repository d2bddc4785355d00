"""Stand-ins for the Git service's ports that are not git itself: a GitLab whose projects are
bare repositories on disk (real git pushes to them), a lineage recorder, and a counter around
the real git runner."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from jupyterlab_mlplat.adapters.git import CliGit
from jupyterlab_mlplat.core.git.ports import GitRunner
from jupyterlab_mlplat.core.git.records import GitResult, Visibility
from jupyterlab_mlplat.core.gitlab.records import MergeRequest, Pipeline, Project
from jupyterlab_mlplat.core.kernel.errors import PlatformError


class CountingGit(GitRunner):
    """The real git command line, with every run it makes recorded."""

    def __init__(self) -> None:
        self._git = CliGit()
        self.calls: list[tuple[str, ...]] = []

    async def run(
        self, folder: Path, *args: str, stdin: bytes | None = None, token: str | None = None
    ) -> GitResult:
        self.calls.append(args)
        return await self._git.run(folder, *args, stdin=stdin, token=token)

    def count(self, *command: str) -> int:
        """How many runs began with ``command`` (all runs without one)."""
        return sum(1 for call in self.calls if call[: len(command)] == command)


@dataclass
class DiskGitLab:
    """GitLab for the Git service: a project is a bare repository under ``folder``."""

    folder: Path
    saved_token: str | None = "glpat-test-token"
    created: list[tuple[str, int | None, str]] = field(default_factory=list)
    asked: list[tuple[str, ...]] = field(default_factory=list)
    pipeline: Pipeline | None = None
    listed: list[MergeRequest] = field(default_factory=list)

    async def token(self) -> str | None:
        return self.saved_token

    async def create_project(
        self, name: str, namespace_id: int | None, visibility: Visibility
    ) -> Project:
        self.created.append((name, namespace_id, visibility))
        bare = self.folder / f"{name}.git"
        subprocess.run(
            ["git", "init", "-q", "--bare", "--initial-branch=main", str(bare)], check=True
        )
        return Project(
            id=len(self.created),
            path_with_namespace=f"alice/{name}",
            web_url=f"https://gitlab.example/alice/{name}",
            http_url_to_repo=str(bare),
            default_branch=None,
        )

    async def merge_requests(self, remote_url: str, branch: str) -> list[MergeRequest]:
        self.asked.append(("merge_requests", remote_url, branch))
        return self.listed

    async def open_merge_request(
        self,
        remote_url: str,
        *,
        source_branch: str,
        target_branch: str,
        title: str,
        description: str,
    ) -> MergeRequest:
        self.asked.append(("open", remote_url, source_branch, target_branch, title))
        return MergeRequest(
            iid=1,
            title=title,
            state="opened",
            web_url="https://gitlab.example/alice/p/-/merge_requests/1",
            source_branch=source_branch,
            target_branch=target_branch,
        )

    async def latest_pipeline(self, remote_url: str, ref: str) -> Pipeline | None:
        self.asked.append(("pipeline", remote_url, ref))
        return self.pipeline


@dataclass
class Lineage:
    """The experiment tracker as lineage sees it; ``failure`` makes every call fail."""

    runs: list[str] = field(default_factory=lambda: ["run-1"])
    failure: PlatformError | None = None
    linked: list[tuple[str, str | None]] = field(default_factory=list)

    async def link_commit(self, commit: str, remote: str | None, /) -> list[str]:
        if self.failure is not None:
            raise self.failure
        self.linked.append((commit, remote))
        return self.runs
