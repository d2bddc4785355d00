"""An API key: how an external system calls deployments (and reads the catalog) as the person
who made the key, within the key's scopes.

The secret is shown once, at creation or rotation, and stored only as a digest. It reads
``mlp_<prefix>_<secret>``: the prefix (8 characters) is stored and shown in lists, so a person
can tell their keys apart and a leaked key can be found; it also finds the key's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

#: every key starts with it, so secret scanners and people recognise one
KEY_PREFIX = "mlp_"


class KeyState(StrEnum):
    """Where a key is at one moment (the service decides it with its clock)."""

    ACTIVE = "active"
    #: replaced by rotation, still working until its overlap ends
    ROTATING = "rotating"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class KeyScopes:
    #: the deployments the key may call (names); empty: none
    deployments: tuple[str, ...] = ()
    #: whether it may read the catalog's public API
    catalog_read: bool = False


@dataclass(frozen=True)
class ApiKey:
    id: int
    #: ``mlp_`` and 8 characters: shown in lists, never enough to call with
    prefix: str
    owner: str
    name: str
    scopes: KeyScopes
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    last_used_from: str | None = None
    #: requests per second the gateway lets through with this key (429 beyond)
    rate_limit: float = 10.0
    #: the key that replaced this one by rotation (this one works until ``expires_at``)
    replaced_by: int | None = None


@dataclass(frozen=True)
class IssuedKey:
    """A key and its secret, returned once: at creation and at rotation."""

    key: ApiKey
    secret: str


@dataclass(frozen=True)
class ListedKey:
    """A key as lists show it: with its state at the moment of listing."""

    key: ApiKey
    state: KeyState


@dataclass(frozen=True)
class StoredKey:
    """A key with the digest of its secret, as the store hands it to the check alone: the
    digest never leaves the service."""

    key: ApiKey
    digest: str
