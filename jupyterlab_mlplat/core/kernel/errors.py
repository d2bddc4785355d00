"""Typed errors the core raises; each adapter maps them to its protocol in one table.

Every error carries a stable ``reason`` code and the ``params`` a message is built from. The
sidebar translates the reason (Russian, English) with the params; ``message`` is the English
fallback for clients that know no translation, so it says what to do and never carries
internals or secrets.

A feature with a failure a person should be told apart declares a subclass with its own
``reason``; ``reasons()`` lists every code, and the OpenAPI documents and the UI's translation
tests are built from that list.
"""

from __future__ import annotations

from collections.abc import Mapping

Param = str | int | float

_REASONS: dict[str, type[PlatformError]] = {}


class PlatformError(Exception):
    """Base of every error the platform reports to a client on purpose."""

    #: a short machine-readable reason, stable across releases (clients may branch on it)
    reason = "error"

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        known = _REASONS.get(cls.reason)
        if known is not None and known is not cls and cls.reason in vars(cls):
            raise TypeError(f"reason {cls.reason!r} is already declared by {known.__name__}")
        _REASONS.setdefault(cls.reason, cls)

    def __init__(self, message: str, *, params: Mapping[str, Param] | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: the values a translated message is built from (``{"slug": "gpu"}``)
        self.params: dict[str, Param] = dict(params or {})


def reasons() -> list[str]:
    """Every reason code declared so far (import the features first), sorted."""
    return sorted(_REASONS)


class InvalidInput(PlatformError):
    reason = "invalid_input"

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        fields: dict[str, str] | None = None,
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(message, params=params)
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


class RoleRequired(Forbidden):
    """The route needs a platform role the caller does not hold (``params.role``)."""

    reason = "role_required"
