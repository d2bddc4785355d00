"""What can go wrong with an API key, each with its own reason, so the sidebar says it in the
person's language and the gateway can tell a caller why its key was refused."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TokenRefused,
)


class ApiKeyNotFound(NotFound):
    """``params.id``: no such key, or not the caller's (somebody else's key is not found, so
    ids cannot be probed for who holds keys)."""

    reason = "apikey_not_found"


class ApiKeyIdInvalid(InvalidInput):
    """A key's id in a path is a whole number from 1: ``params.value``."""

    reason = "apikey_id_invalid"


class KeyLimitReached(InvalidInput):
    """The person already holds ``params.limit`` active keys: revoke one first."""

    reason = "key_limit_reached"


class KeyWithoutScope(InvalidInput):
    """A key that may call no deployment and not read the catalog: nothing could ever use it,
    and a key's scopes are fixed when it is made. ``params.field`` is ``deployments``."""

    reason = "key_without_scope"


class KeyExpiryInvalid(InvalidInput):
    """``params.rule``: ``past`` (the expiry is not in the future) or ``too_far`` (more than
    ``params.limit`` days ahead); ``params.field`` is ``expires_at``."""

    reason = "key_expiry_invalid"


class KeyOverlapTooLong(InvalidInput):
    """A rotation's overlap is longer than ``params.limit`` seconds."""

    reason = "key_overlap_too_long"


class KeyRateLimitInvalid(InvalidInput):
    """The rate limit is not above 0 or above ``params.limit`` requests per second."""

    reason = "key_rate_limit_invalid"


class KeyDeploymentNotYours(InvalidInput):
    """A key may only call the caller's own deployments: ``params.name`` belongs to someone
    else; ``params.field`` names the entry (``deployments.0``)."""

    reason = "key_deployment_not_yours"


class KeyNotActive(Conflict):
    """Only an active key can be rotated: this one is ``params.state`` (revoked, expired, or
    rotated already — rotate its successor)."""

    reason = "key_not_active"


class KeyUnknown(TokenRefused):
    """No key has this secret (never issued, mistyped, or cut short)."""

    reason = "key_unknown"


class KeyRevoked(TokenRefused):
    """The key was revoked: ``params.prefix``."""

    reason = "key_revoked"


class KeyExpired(TokenRefused):
    """The key's expiry (or the end of its rotation overlap) has passed: ``params.prefix``."""

    reason = "key_expired"


class KeyNotAccepted(Forbidden):
    """API keys open only the catalog's public reads and the deployments' gateway; this route
    takes a person's hub token."""

    reason = "key_not_accepted"


class KeyScopeMissing(Forbidden):
    """The key lacks the scope the route needs: ``params.scope`` (``catalog_read``)."""

    reason = "key_scope_missing"
