"""Typed errors the core raises; each adapter maps them to its protocol in one table.

The message of every error is written for the person who caused it: it is shown as-is in the
sidebar and in API responses, so it says what to do and never carries internals or secrets.
"""

from __future__ import annotations


class PlatformError(Exception):
    """Base of every error the platform reports to a client on purpose."""

    #: a short machine-readable reason, stable across releases (clients may branch on it)
    reason = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(PlatformError):
    reason = "invalid_input"

    def __init__(
        self, message: str, field: str | None = None, *, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        #: one message per wrong field (``{"tolerations.0.key": "..."}``), for forms
        self.fields = fields


class NotAuthenticated(PlatformError):
    reason = "not_authenticated"


class Forbidden(PlatformError):
    reason = "forbidden"


class NotFound(PlatformError):
    reason = "not_found"


class Conflict(PlatformError):
    reason = "conflict"


class Unavailable(PlatformError):
    reason = "unavailable"
