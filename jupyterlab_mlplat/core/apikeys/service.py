"""API keys: made by a person in the sidebar, shown once, used by external systems to call
the person's deployments (through the gateway) and to read the catalog.

The secret is never stored: the platform keeps an HMAC-SHA-256 of it under a pepper (a random
key in a file only the platform reads, like the key of the GitLab tokens). A fast keyed hash,
not a password hash (bcrypt, argon2): a key has 256 random bits, so nothing can be guessed
faster by trying, while the gateway checks a key on every request and a slow hash would cost
each one milliseconds. The pepper is what a plain SHA-256 lacks: a copy of the database alone
(a backup, a dump) cannot even confirm a secret found elsewhere, and rotating the pepper file
revokes every key at once.

Every create, rotation and revocation runs in one transaction with its audit record; the
check — once per gateway request — reads one row by the secret's prefix and writes the last
use at most once per key every ``use_interval`` seconds, so a flood does not become a write
per request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from jupyterlab_mlplat.core.kernel import naming
from jupyterlab_mlplat.core.kernel.errors import RoleRequired
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from . import rules
from .errors import (
    ApiKeyNotFound,
    KeyDeploymentNotYours,
    KeyExpired,
    KeyLimitReached,
    KeyNotActive,
    KeyRevoked,
    KeyScopeMissing,
    KeyUnknown,
)
from .ports import ApiKeysStore, ApiKeysTx, DeploymentOwners
from .records import KEY_PREFIX, ApiKey, IssuedKey, KeyScopes, KeyState, ListedKey

#: the audit action of each change
CREATED, ROTATED, REVOKED = "apikey.created", "apikey.rotated", "apikey.revoked"
OBJECT_TYPE = "apikey"
#: the scope the catalog's public reads need
CATALOG_READ = "catalog_read"
#: what a key's caller is called in logs and identities (``Identity.kind``)
KEY_KIND = "api_key"


class NobodyOwnsDeployments:
    """``DeploymentOwners`` before the deployments feature exists: every valid name is free."""

    def owner_of(self, name: str) -> str | None:
        return None


class ApiKeyService:
    def __init__(
        self,
        store: ApiKeysStore,
        owners: DeploymentOwners,
        *,
        pepper: bytes,
        max_keys_per_person: int = 10,
        max_days: int = 365,
        max_overlap_seconds: int = 86_400,
        default_rate_limit: float = 10.0,
        max_rate_limit: float = 1_000.0,
        use_interval: float = 10.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if len(pepper) < 16:
            raise ValueError("the API keys' pepper must hold at least 16 bytes")
        self.store = store
        self.owners = owners
        self._pepper = pepper
        self.max_keys_per_person = max_keys_per_person
        self.max_days = max_days
        # the documents state the ceilings: a platform may allow less, never more
        self.max_overlap_seconds = min(max_overlap_seconds, rules.OVERLAP_CEILING)
        self.max_rate_limit = min(max_rate_limit, rules.RATE_LIMIT_CEILING)
        self.default_rate_limit = min(default_rate_limit, self.max_rate_limit)
        self.use_interval = timedelta(seconds=use_interval)
        self._now = now
        #: when this process last wrote each key's use (the database is asked only after that)
        self._last_written: dict[int, datetime] = {}

    def __repr__(self) -> str:  # never the pepper
        return f"{type(self).__name__}()"

    # ------------------------------------------------------------------ a person's keys
    def mine(self, identity: Identity, *, everyone: bool = False) -> list[ListedKey]:
        """The caller's keys, newest first; an admin may ask for everybody's."""
        if everyone and not identity.has(Role.ADMIN):
            raise RoleRequired(
                "Only platform admins may list everybody's keys.", params={"role": "admin"}
            )
        now = self._now()
        found = self.store.api_keys(None if everyone else identity.name)
        return [ListedKey(key, rules.state_of(key, now)) for key in found]

    def create(
        self,
        identity: Identity,
        name: str,
        deployments: Sequence[str] = (),
        catalog_read: bool = False,
        expires_at: datetime | None = None,
        rate_limit: float | None = None,
    ) -> IssuedKey:
        """A new key of the caller's, within the limits; its secret is in the answer only."""
        name = rules.key_name(name)
        scopes = rules.scopes(deployments, catalog_read)
        now = self._now()
        expires = rules.expiry(expires_at, now, self.max_days)
        rate = rules.rate_limit(rate_limit, self.default_rate_limit, self.max_rate_limit)
        rules.require_scope(scopes)
        self._check_owned(identity, scopes)
        with self.store.transaction(identity.name) as tx:
            tx.lock_keys_of(identity.name)
            if tx.active_key_count(identity.name, now) >= self.max_keys_per_person:
                raise KeyLimitReached(
                    f"You already have {self.max_keys_per_person} active API keys; revoke one "
                    "you no longer use first.",
                    params={"limit": self.max_keys_per_person},
                )
            issued = self._issue(tx, name, scopes, now, expires, rate)
            tx.audit(CREATED, OBJECT_TYPE, str(issued.key.id), **_detail(issued.key))
        return issued

    def rotate(self, identity: Identity, key_id: int, overlap_seconds: int) -> IssuedKey:
        """A new secret with the same name, scopes and rate limit, and a lifetime as long as
        the old key's; the old one keeps working for ``overlap_seconds`` (bounded), so the
        systems using it can switch without an outage. Only the key's owner rotates it: the
        new secret is shown to whoever asks."""
        overlap = rules.overlap(overlap_seconds, self.max_overlap_seconds)
        now = self._now()
        with self.store.transaction(identity.name) as tx:
            old = self._visible(identity, tx.api_key_for_update(key_id), key_id, admins=False)
            state = rules.state_of(old, now)
            if state is not KeyState.ACTIVE:
                raise KeyNotActive(
                    f"Key {old.prefix} is {state}: only an active key can be rotated.",
                    params={"state": str(state), "prefix": old.prefix},
                )
            lifetime = (old.expires_at or now) - old.created_at
            expires = min(now + max(lifetime, overlap), now + timedelta(days=self.max_days))
            issued = self._issue(tx, old.name, old.scopes, now, expires, old.rate_limit)
            works_until = now + overlap
            if old.expires_at is not None and old.expires_at < works_until:
                works_until = old.expires_at
            tx.replace_api_key(old.id, issued.key.id, works_until)
            tx.audit(
                ROTATED,
                OBJECT_TYPE,
                str(old.id),
                prefix=old.prefix,
                replaced_by=issued.key.id,
                new_prefix=issued.key.prefix,
                overlap_seconds=int(overlap.total_seconds()),
                works_until=works_until.isoformat(),
                expires_at=expires.isoformat(),
            )
        return issued

    def revoke(self, identity: Identity, key_id: int) -> ListedKey:
        """Refuse the key from now on (its owner, or an admin); revoking it again changes
        nothing and records nothing."""
        now = self._now()
        with self.store.transaction(identity.name) as tx:
            key = self._visible(identity, tx.api_key_for_update(key_id), key_id, admins=True)
            if key.revoked_at is None:
                tx.revoke_api_key(key.id, now)
                tx.audit(REVOKED, OBJECT_TYPE, str(key.id), prefix=key.prefix, owner=key.owner)
                key = replace(key, revoked_at=now)
        self._last_written.pop(key.id, None)
        return ListedKey(key, rules.state_of(key, now))

    # ------------------------------------------------------------------ the check
    def check(self, secret: str, address: str) -> ApiKey:
        """The key a secret belongs to, if it may be used now (``KeyUnknown``, ``KeyRevoked``,
        ``KeyExpired`` otherwise); notes its last use."""
        naming.text(address, field="address", limit=255)  # kept, and shown in lists as text
        prefix = rules.prefix_of(secret)
        stored = self.store.api_key_by_prefix(prefix) if prefix is not None else None
        if stored is None or not hmac.compare_digest(stored.digest, self.digest(secret)):
            raise KeyUnknown(
                "This API key is not known: check that it was copied whole, or create a new "
                "one in the sidebar's Deployments tab."
            )
        key, now = stored.key, self._now()
        state = rules.state_of(key, now)
        if state is KeyState.REVOKED:
            raise KeyRevoked(f"API key {key.prefix} was revoked.", params={"prefix": key.prefix})
        if state is KeyState.EXPIRED:
            raise KeyExpired(f"API key {key.prefix} has expired.", params={"prefix": key.prefix})
        self._note_use(key, now, address)
        return key

    def catalog_reader(self, secret: str, address: str) -> Identity:
        """Who a key reads the catalog as: its owner, with no role (reading is all a key
        does), or ``KeyScopeMissing`` when the key was not given ``catalog_read``."""
        key = self.check(secret, address)
        if not key.scopes.catalog_read:
            raise KeyScopeMissing(
                f"API key {key.prefix} may not read the catalog (it lacks {CATALOG_READ}).",
                params={"scope": CATALOG_READ, "prefix": key.prefix},
            )
        return Identity(
            name=key.owner,
            roles=(),
            mode=KEY_KIND,
            kind=KEY_KIND,
            extra={"key_id": str(key.id), "key_prefix": key.prefix},
        )

    def digest(self, secret: str) -> str:
        return hmac.new(self._pepper, secret.encode(), hashlib.sha256).hexdigest()

    # ------------------------------------------------------------------ helpers
    def _issue(
        self,
        tx: ApiKeysTx,
        name: str,
        scopes: KeyScopes,
        now: datetime,
        expires: datetime | None,
        rate: float,
    ) -> IssuedKey:
        while True:  # 36^8 prefixes: a clash is rare, and a retry is cheap
            prefix = KEY_PREFIX + "".join(
                secrets.choice(rules.PREFIX_ALPHABET) for _ in range(rules.PREFIX_LENGTH)
            )
            if not tx.prefix_taken(prefix):
                break
        secret = f"{prefix}_{secrets.token_urlsafe(32)}"
        key = tx.insert_api_key(
            prefix=prefix,
            digest=self.digest(secret),
            name=name,
            scopes=scopes,
            created_at=now,
            expires_at=expires,
            rate_limit=rate,
        )
        return IssuedKey(key=key, secret=secret)

    def _check_owned(self, identity: Identity, scopes: KeyScopes) -> None:
        for index, name in enumerate(scopes.deployments):
            owner = self.owners.owner_of(name)
            if owner is not None and owner != identity.name:
                field = f"deployments.{index}"
                raise KeyDeploymentNotYours(
                    f"{field}: deployment {name!r} is not yours; a key may only call your own "
                    "deployments.",
                    field,
                    params={"field": field, "name": name},
                )

    @staticmethod
    def _visible(identity: Identity, key: ApiKey | None, key_id: int, *, admins: bool) -> ApiKey:
        if key is not None and (
            key.owner == identity.name or (admins and identity.has(Role.ADMIN))
        ):
            return key
        raise ApiKeyNotFound(f"There is no API key {key_id} of yours.", params={"id": key_id})

    def _note_use(self, key: ApiKey, now: datetime, address: str) -> None:
        last = self._last_written.get(key.id)
        if last is not None and now - last < self.use_interval:
            return
        self._last_written[key.id] = now
        self.store.record_key_use(key.id, now, address, now - self.use_interval)


def _detail(key: ApiKey) -> dict[str, Any]:
    """What the audit keeps of a key: never its secret or digest."""
    return {
        "prefix": key.prefix,
        "name": key.name,
        "deployments": list(key.scopes.deployments),
        "catalog_read": key.scopes.catalog_read,
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        "rate_limit": key.rate_limit,
    }
