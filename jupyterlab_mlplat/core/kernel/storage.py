"""Ports every feature may share: the metadata database and the object store."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .audit import AuditRecord


@dataclass(frozen=True)
class ObjectStoreSettings:
    """What a composition root (the platform, the invocations gateway) configures for its
    object store; each store class takes what it needs (a folder, or a bucket and its keys),
    so both roots open the same objects from the same settings."""

    folder: str = ""
    endpoint: str = ""
    bucket: str = ""
    prefix: str = ""
    region: str = ""
    #: files holding the keys, never the keys: they stay out of configuration and logs
    access_key_file: str = ""
    secret_key_file: str = ""


@runtime_checkable
class ObjectStore(Protocol):
    """Artifacts and files the platform keeps (MinIO in production, a folder embedded)."""

    @classmethod
    def from_settings(cls, settings: ObjectStoreSettings) -> ObjectStore:
        """The store the settings name (``Unavailable`` when its credentials cannot be read)."""
        ...

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes:
        """Raise ``NotFound`` for a missing key."""

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str, *, start_after: str = "") -> list[str]:
        """Every key under ``prefix`` (``drift/churn/3/``) that sorts after ``start_after``,
        sorted: what a job reads back of what another part wrote (the gateway's request
        samples), without listing again what it read before."""

    def ping(self) -> None:
        """Raise ``Unavailable`` when objects cannot be written."""


class MetadataStore(ABC):
    """The metadata database (PostgreSQL in production, SQLite embedded), as the composition
    root configures it: one class implements every feature's store port."""

    @classmethod
    @abstractmethod
    def from_url(cls, url: str) -> MetadataStore:
        """Open the database at a SQLAlchemy URL, migrating it to the newest schema."""

    @abstractmethod
    def ping(self) -> None:
        """Raise ``Unavailable`` when the database cannot answer a trivial query."""

    @abstractmethod
    def transaction(self, actor: str) -> AbstractContextManager[Any]:
        """A unit of work done by ``actor`` (a subclass of the features' ``...Tx`` classes)."""

    @abstractmethod
    def audit_entries(self, *, limit: int = 100) -> list[AuditRecord]: ...

    @abstractmethod
    def close(self) -> None: ...
