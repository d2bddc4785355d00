"""What the core needs from the outside world, as Protocols the adapters implement.

The core is written and tested against these shapes only; which database or SDK sits behind
them is configuration of the platform application.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from jupyterlab_mlplat.core.experiments import (
    ArtifactFile,
    Experiment,
    MetricPoint,
    Page,
    RunData,
)
from jupyterlab_mlplat.core.git_workspace import GitResult
from jupyterlab_mlplat.core.gitlab_accounts import (
    GitLabUser,
    MergeRequest,
    Namespace,
    Pipeline,
    Project,
    StoredToken,
)
from jupyterlab_mlplat.core.models import AuditEntry, AuditRecord, UserRecord
from jupyterlab_mlplat.core.profile_service import StoredProfile


class Transaction(Protocol):
    """One atomic unit of work: either every write in it lands, audit included, or none does."""

    def get_user(self, name: str) -> UserRecord | None: ...

    def save_user(self, user: UserRecord) -> None: ...

    def append_audit(self, entry: AuditEntry) -> None: ...

    def list_profiles(self) -> list[StoredProfile]: ...

    def get_profile(self, slug: str) -> StoredProfile | None:
        """The profile, locked against concurrent edits until the transaction ends."""

    def save_profile(self, stored: StoredProfile) -> None: ...

    def delete_profile(self, slug: str) -> None: ...

    def save_gitlab_token(self, stored: StoredToken) -> None: ...

    def delete_gitlab_token(self, user: str) -> bool:
        """False when the person had none."""


class Store(Protocol):
    """The metadata store (PostgreSQL in production, SQLite embedded)."""

    def ping(self) -> None:
        """Raise ``Unavailable`` when the database cannot answer a trivial query."""

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def audit_entries(self, *, limit: int = 100) -> list[AuditRecord]: ...

    def profiles(self) -> list[StoredProfile]: ...

    def gitlab_token(self, user: str) -> StoredToken | None: ...

    def close(self) -> None: ...


class ObjectStore(Protocol):
    """Artifacts and files the platform keeps (MinIO in production, a folder embedded)."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes:
        """Raise ``NotFound`` for a missing key."""

    def delete(self, key: str) -> None: ...

    def ping(self) -> None:
        """Raise ``Unavailable`` when objects cannot be written."""


class Tracker(Protocol):
    """The experiment tracker (MLflow), called with one person's identity.

    Every method raises the core's typed errors: ``NotFound`` for a missing experiment, run or
    artifact, ``Forbidden`` when the tracker refuses, ``Unavailable`` when it does not answer.
    """

    async def search_experiments(
        self, name_contains: str, *, max_results: int, page_token: str | None
    ) -> Page[Experiment]: ...

    async def search_runs(
        self,
        experiment_id: str,
        *,
        max_results: int,
        page_token: str | None,
        order_by: list[str],
        filter_string: str | None = None,
    ) -> Page[RunData]: ...

    async def get_run(self, run_id: str) -> RunData: ...

    async def metric_history(self, run_id: str, key: str) -> list[MetricPoint]: ...

    async def list_artifacts(self, run_id: str, path: str) -> list[ArtifactFile]: ...

    async def read_artifact(self, run_id: str, path: str) -> tuple[bytes, str]:
        """The bytes and their content type."""

    async def upload_artifact(
        self, run: RunData, path: str, data: bytes, content_type: str
    ) -> None: ...

    async def set_tag(self, run_id: str, key: str, value: str) -> None: ...

    async def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None: ...


class Workspace(Protocol):
    """The person's files as their Jupyter server sees them."""

    async def read_file(self, path: str) -> bytes:
        """Raise ``NotFound`` for a missing file, ``InvalidInput`` for one that cannot be read."""

    async def commit_of(self, path: str) -> str | None:
        """The git commit checked out where ``path`` lives, if that is a repository."""


class GitRunner(Protocol):
    """git in a folder of the person's files.

    ``token``, when given, reaches git only through the process environment (an askpass
    helper): never the command line, a URL, a config file or a credential store.
    """

    async def run(
        self, folder: Path, *args: str, stdin: bytes | None = None, token: str | None = None
    ) -> GitResult: ...


class Cipher(Protocol):
    """Secrets at rest (GitLab tokens): authenticated encryption with the platform's key."""

    def encrypt(self, plaintext: bytes) -> bytes: ...

    def decrypt(self, ciphertext: bytes) -> bytes:
        """Raise ``Unavailable`` when the key changed and the secret cannot be read any more."""


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
