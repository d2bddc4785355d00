"""What a key may be: its name, scopes, expiry, rate limit and overlap, the shape of a secret,
and a key's state at a moment. Pure functions (the clock and the randomness are the service's),
so the tests walk every rule without a database."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from jupyterlab_mlplat.core.kernel import naming
from jupyterlab_mlplat.core.kernel.errors import NameInvalid

from .errors import (
    ApiKeyIdInvalid,
    KeyExpiryInvalid,
    KeyOverlapTooLong,
    KeyRateLimitInvalid,
    KeyWithoutScope,
)
from .records import KEY_PREFIX, ApiKey, KeyScopes, KeyState

#: a key's id as a path carries it (the documents declare the same pattern)
KEY_ID = r"[1-9][0-9]{0,17}"
#: the longest name a person gives a key (it is a label in lists, not an identifier)
NAME_MAX = 100
#: the most deployments one key may name; a key for more is a key for too much
MAX_DEPLOYMENTS = 50
#: the ceilings the documents state; the platform's traits may set lower limits
RATE_LIMIT_CEILING = 1_000.0
OVERLAP_CEILING = 86_400
#: the random part of a prefix: lower-case letters and digits, so it never holds the ``_``
#: that separates it from the secret, and reads aloud unambiguously enough to find a key
PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
PREFIX_LENGTH = 8
#: ``secrets.token_urlsafe(32)``: 43 characters, 256 bits; shorter secrets are not ours
SECRET_MIN = 32
SECRET_MAX = 128
_SECRET = re.compile(
    rf"^{KEY_PREFIX}([{PREFIX_ALPHABET}]{{{PREFIX_LENGTH}}})_([A-Za-z0-9_-]{{{SECRET_MIN},{SECRET_MAX}}})$"
)


def key_id(raw: str) -> int:
    """The id a path names, or 400: digits only, so nothing else reaches a query."""
    if re.fullmatch(KEY_ID, raw) is None:
        raise ApiKeyIdInvalid(
            f"{raw[:40]!r} is not an API key id.", "key_id", params={"value": raw[:40]}
        )
    return int(raw)


def key_name(value: str) -> str:
    """A name people tell their keys apart by: one line of readable text, not blank."""
    naming.text(value, field="name", limit=NAME_MAX)
    if not value.strip():
        raise NameInvalid(
            "name must not be empty", "name", params={"field": "name", "rule": "empty"}
        )
    return value.strip()


def require_scope(scopes: KeyScopes) -> None:
    """A new key may do something: call a deployment or read the catalog (checked after the
    key's other fields, so a request with several mistakes is told the others first)."""
    if not scopes.deployments and not scopes.catalog_read:
        raise KeyWithoutScope(
            "A key must be allowed to call a deployment or to read the catalog; its scopes "
            "cannot be changed later.",
            "deployments",
            params={"field": "deployments"},
        )


def scopes(deployments: Sequence[str], catalog_read: bool) -> KeyScopes:
    """The scopes as stored: every deployment name a DNS-1123 label (named by its index when
    it is not), each once, in the order given."""
    if len(deployments) > MAX_DEPLOYMENTS:
        raise NameInvalid(
            f"deployments may name at most {MAX_DEPLOYMENTS} deployments",
            "deployments",
            params={"field": "deployments", "rule": "too_long", "limit": MAX_DEPLOYMENTS},
        )
    for index, name in enumerate(deployments):
        naming.dns_label(name, field=f"deployments.{index}")
    return KeyScopes(deployments=tuple(dict.fromkeys(deployments)), catalog_read=catalog_read)


def expiry(expires_at: datetime | None, now: datetime, max_days: int) -> datetime | None:
    """An expiry in the future and at most ``max_days`` ahead (None: the key never expires by
    itself — the platform's limit still applies, so None becomes ``now + max_days``)."""
    limit = now + timedelta(days=max_days)
    if expires_at is None:
        return limit
    if expires_at.tzinfo is None:
        raise KeyExpiryInvalid(
            "expires_at must carry a time zone (e.g. 2027-01-31T00:00:00Z)",
            "expires_at",
            params={"field": "expires_at", "rule": "no_timezone", "limit": max_days},
        )
    if expires_at <= now:
        raise KeyExpiryInvalid(
            "expires_at must be in the future",
            "expires_at",
            params={"field": "expires_at", "rule": "past", "limit": max_days},
        )
    if expires_at > limit:
        raise KeyExpiryInvalid(
            f"expires_at must be at most {max_days} days ahead",
            "expires_at",
            params={"field": "expires_at", "rule": "too_far", "limit": max_days},
        )
    return expires_at


def rate_limit(value: float | None, default: float, maximum: float) -> float:
    if value is None:
        return default
    if not 0 < value <= maximum:
        raise KeyRateLimitInvalid(
            f"rate_limit must be above 0 and at most {maximum:g} requests per second",
            "rate_limit",
            params={"field": "rate_limit", "limit": maximum},
        )
    return float(value)


def overlap(seconds: int, maximum: int) -> timedelta:
    if seconds > maximum:
        raise KeyOverlapTooLong(
            f"overlap_seconds must be at most {maximum}",
            "overlap_seconds",
            params={"field": "overlap_seconds", "limit": maximum},
        )
    return timedelta(seconds=max(0, seconds))


def prefix_of(secret: str) -> str | None:
    """The stored prefix (``mlp_ab12cd34``) of a secret of our shape; None for anything else,
    which no key can match (so it is never looked up)."""
    found = _SECRET.fullmatch(secret)
    return f"{KEY_PREFIX}{found.group(1)}" if found else None


def looks_like_key(token: str | None) -> bool:
    """Whether a credential is meant as an API key (then it is never shown to the hub)."""
    return bool(token) and token.startswith(KEY_PREFIX)  # type: ignore[union-attr]


def state_of(key: ApiKey, now: datetime) -> KeyState:
    if key.revoked_at is not None:
        return KeyState.REVOKED
    if key.expires_at is not None and key.expires_at <= now:
        return KeyState.EXPIRED
    if key.replaced_by is not None:
        return KeyState.ROTATING
    return KeyState.ACTIVE
