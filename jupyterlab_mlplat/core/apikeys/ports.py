"""What the API keys service needs: the store (keys by id for changes, by prefix for the
check, the last use written apart from any change) and who owns a deployment."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol, runtime_checkable

from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork

from .records import ApiKey, KeyScopes, StoredKey


class ApiKeysTx(UnitOfWork):
    @abstractmethod
    def insert_api_key(
        self,
        *,
        prefix: str,
        digest: str,
        name: str,
        scopes: KeyScopes,
        created_at: datetime,
        expires_at: datetime | None,
        rate_limit: float,
    ) -> ApiKey:
        """A new key owned by this unit of work's actor (the prefix is unique: a clash is
        ``Conflict``)."""

    @abstractmethod
    def api_key_for_update(self, key_id: int) -> ApiKey | None:
        """The key, locked until the transaction ends (two rotations at once: the second
        waits, then finds it rotated)."""

    @abstractmethod
    def prefix_taken(self, prefix: str) -> bool: ...

    @abstractmethod
    def lock_keys_of(self, owner: str) -> None:
        """Make the owner's other key-making transactions wait until this one ends, so two
        creations at once cannot both pass the limit."""

    @abstractmethod
    def active_key_count(self, owner: str, now: datetime) -> int:
        """The owner's keys that are neither revoked, expired nor replaced by rotation."""

    @abstractmethod
    def revoke_api_key(self, key_id: int, at: datetime) -> None: ...

    @abstractmethod
    def replace_api_key(self, key_id: int, replaced_by: int, expires_at: datetime) -> None:
        """Mark the key rotated: it works until ``expires_at`` (the overlap's end)."""


class ApiKeysStore(Transactional[ApiKeysTx], Protocol):
    def api_keys(self, owner: str | None) -> list[ApiKey]:
        """The owner's keys (None: everybody's), newest first."""
        ...

    def api_key(self, key_id: int) -> ApiKey | None: ...

    def api_key_by_prefix(self, prefix: str) -> StoredKey | None:
        """The key a secret's prefix names, with its digest: the check's one read."""
        ...

    def record_key_use(self, key_id: int, at: datetime, address: str, before: datetime) -> None:
        """Set the key's last use to ``at`` from ``address`` unless it was last used after
        ``before`` (another platform process wrote it a moment ago): never audited, never
        in a person's transaction."""
        ...


@runtime_checkable
class DeploymentOwners(Protocol):
    """Who owns a deployment, so a key names only its maker's (the deployments feature answers
    it; until it exists, nobody owns any name)."""

    def owner_of(self, name: str) -> str | None:
        """The deployment's owner, or None when no deployment has that name."""
