"""Wire models of the Git tab's API (the sidebar API's ``git/...`` routes).

Requests name the folder shown (``path``, relative to the server root); the server finds its
repository. Responses are read from the core's records field by field. A change answers with
the repository's new status, so the tab needs one request per action.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from jupyterlab_mlplat.core.git.records import Branch
from jupyterlab_mlplat.core.git.rules import BRANCH, COMMIT_MESSAGE, LINES, MERGE_REQUEST_TITLE
from jupyterlab_mlplat.core.git.service import MAX_COMMIT_MESSAGE, MAX_TITLE

from .base import FromCore, Wire
from .gitlab import ProjectBody

# ---- requests


class FolderBody(Wire):
    path: str = Field(
        default="",
        description="The folder shown, relative to the server root ('' is the root); at most "
        "4096 bytes.",
    )


class CommitBody(FolderBody):
    files: list[str] = Field(
        min_length=1,
        description="Paths relative to the repository's top folder (each at most 4096 bytes, "
        "no name in it over 255), each naming a file or folder in it, not the top folder "
        "itself ('', '.', 'sub/..': refused, reason `git_no_files_selected`).",
        # a path that names the top would stage every change; the service refuses all its
        # spellings, the document the ones a client would send by mistake
        json_schema_extra={"items": {"type": "string", "minLength": 1, "pattern": r"^(?!\.?/*$)"}},
    )
    message: str = Field(
        description="Not blank; at most 65536 characters; no control characters but tab and "
        "line ends.",
        json_schema_extra={
            "pattern": f"^{COMMIT_MESSAGE}$",
            "minLength": 1,
            "maxLength": MAX_COMMIT_MESSAGE,
        },
    )
    clear_outputs: bool = Field(
        default=True,
        description="Commit notebooks without outputs; the files on disk keep theirs.",
    )


class PushBody(FolderBody):
    force: bool = Field(
        default=False,
        description="Only after the person confirmed overwriting GitLab's commits; never over "
        "commits this repository has not seen (force with lease).",
    )


class BranchBody(FolderBody):
    name: str = Field(
        description="The branch to create or switch to, e.g. `feature/tuning`: a name git "
        "takes, of letters, digits, '.', '_', '-' and '/'.",
        json_schema_extra={"pattern": f"^{BRANCH}$", "minLength": 1, "maxLength": 200},
    )


class PublishBody(FolderBody):
    name: str = Field(description="The GitLab project's name.")
    namespace_id: int | None = Field(
        default=None, description="Absent: the person's own namespace."
    )
    visibility: Literal["private", "internal", "public"] = "private"


class NewMergeRequestBody(FolderBody):
    title: str = Field(
        description="Not blank; at most 255 characters, one line without control characters.",
        json_schema_extra={
            "pattern": f"^{MERGE_REQUEST_TITLE}$",
            "minLength": 1,
            "maxLength": MAX_TITLE,
        },
    )
    description: str = Field(
        default="",
        description="At most 65536 characters; no control characters but tab and line ends.",
        json_schema_extra={"pattern": f"^{LINES}$", "maxLength": MAX_COMMIT_MESSAGE},
    )
    target_branch: str = "main"


# ---- responses


class NotebookChangesBody(FromCore):
    """What changed in a notebook, counted in cells rather than JSON lines."""

    added: int
    removed: int
    edited: int
    outputs_only: bool = Field(description="Only outputs, execution counts or metadata changed.")
    readable: bool = Field(description="False when one side is not a readable notebook.")


class ChangedFileBody(FromCore):
    path: str = Field(description="Relative to the repository's top folder.")
    index: str = Field(description="The staged state letter as `git status` shows it.")
    worktree: str = Field(description="The unstaged state letter (`?` untracked, `U` conflict).")
    notebook: NotebookChangesBody | None = Field(description="Set for `.ipynb` files.")


class RepoStatusBody(FromCore):
    folder: str = Field(description="The folder asked about, relative to the server root.")
    repository: str | None = Field(
        description="The repository's top folder, relative to the root; null outside one."
    )
    branch: str | None = Field(description="Null when HEAD is detached.")
    upstream: str | None = Field(description="`origin/main`; null before the first push.")
    ahead: int
    behind: int
    remote_url: str | None = Field(description="Without credentials; null without a remote.")
    files: list[ChangedFileBody]


class BranchEntry(FromCore):
    name: str = Field(description="`main` for a local branch, `origin/main` for a remote one.")
    current: bool
    remote: bool
    upstream: str | None


class BranchList(Wire):
    branches: list[BranchEntry]

    @classmethod
    def of(cls, found: Sequence[Branch]) -> BranchList:
        return cls(branches=[BranchEntry.model_validate(b) for b in found])


class PullResultBody(FromCore):
    updated: bool
    conflicts: list[str] = Field(description="Files git left with conflict markers.")
    status: RepoStatusBody = Field(description="The repository after the pull.")


class CommitResultBody(FromCore):
    commit: str
    linked_runs: list[str] = Field(
        description="The person's running MLflow runs now tagged with the commit."
    )
    status: RepoStatusBody = Field(description="The repository after the commit.")


class PublishedBody(FromCore):
    project: ProjectBody
    status: RepoStatusBody = Field(description="The repository, now pushed to the project.")
