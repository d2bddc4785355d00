"""GitLab as the workbench sees it: the person's token at rest, projects, merge requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class GitLabUser:
    username: str
    name: str


@dataclass(frozen=True)
class StoredToken:
    """A row of the store: the ciphertext and what may be shown about it."""

    user: str
    ciphertext: bytes
    gitlab_username: str
    hint: str  # the last 4 characters, so a person recognises which token they saved
    saved_at: datetime


@dataclass(frozen=True)
class Namespace:
    id: int
    path: str
    kind: str  # "user" or "group"


@dataclass(frozen=True)
class Project:
    id: int
    path_with_namespace: str
    web_url: str
    http_url_to_repo: str
    default_branch: str | None


@dataclass(frozen=True)
class Pipeline:
    id: int
    status: str
    ref: str
    sha: str
    web_url: str


@dataclass(frozen=True)
class MergeRequest:
    iid: int
    title: str
    state: str
    web_url: str
    source_branch: str
    target_branch: str
    pipeline: Pipeline | None = None
