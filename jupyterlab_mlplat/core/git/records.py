"""What git answered and what the Git tab shows of a repository."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jupyterlab_mlplat.core.gitlab.records import Project

from .notebooks import NotebookChanges

Visibility = Literal["private", "internal", "public"]


@dataclass(frozen=True)
class GitResult:
    code: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode(errors="replace")


@dataclass(frozen=True)
class ChangedFile:
    path: str
    #: staged / unstaged state letters as ``git status`` shows them ("M", "A", "D", "?", "U")
    index: str
    worktree: str
    notebook: NotebookChanges | None = None

    @property
    def conflicted(self) -> bool:
        return "U" in (self.index, self.worktree)


@dataclass(frozen=True)
class RepoStatus:
    folder: str
    #: the repository's top folder, relative to the person's home; None outside a repository
    repository: str | None
    branch: str | None = None
    upstream: str | None = None
    ahead: int = 0
    behind: int = 0
    remote_url: str | None = None
    files: tuple[ChangedFile, ...] = ()


@dataclass(frozen=True)
class Branch:
    name: str
    current: bool
    remote: bool
    upstream: str | None = None


@dataclass(frozen=True)
class PullResult:
    updated: bool
    #: files git left with conflict markers, to resolve and commit
    conflicts: tuple[str, ...]
    #: the repository after the pull, so the tab needs no second request
    status: RepoStatus


@dataclass(frozen=True)
class CommitResult:
    commit: str
    #: the person's running MLflow runs now tagged with the commit
    linked_runs: tuple[str, ...]
    #: the repository after the commit, so the tab needs no second request
    status: RepoStatus


@dataclass(frozen=True)
class Published:
    """A repository that became a GitLab project: the project, and the repository pushed."""

    project: Project
    status: RepoStatus
