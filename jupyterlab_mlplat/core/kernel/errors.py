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
_FIELD_REASONS: set[str] = set()


def declare_field_reasons(*codes: str) -> None:
    """Declare the reason codes a form field's message may carry (``InvalidInput.field_reasons``),
    so the documents list them and the UI's translation test finds every one."""
    _FIELD_REASONS.update(codes)


def field_reasons() -> list[str]:
    return sorted(_FIELD_REASONS)


class FieldProblem:
    """What is wrong with one field: a reason code and the values its message names."""

    __slots__ = ("params", "reason")

    def __init__(self, reason: str, params: Mapping[str, Param] | None = None) -> None:
        if reason not in _FIELD_REASONS:
            raise ValueError(f"undeclared field reason {reason!r}")
        self.reason = reason
        self.params: dict[str, Param] = dict(params or {})


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


def error_class(reason: str) -> type[PlatformError] | None:
    """The error class that declared ``reason`` (None for a code this release does not know)."""
    return _REASONS.get(reason)


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
        field_reasons: dict[str, FieldProblem] | None = None,
    ) -> None:
        super().__init__(message, params=params)
        self.field = field
        #: one message per wrong field (``{"tolerations.0.key": "..."}``), for forms
        self.fields = fields
        #: the same, as reason codes with params, for forms that translate them
        self.field_reasons = field_reasons


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


class NoToken(NotAuthenticated):
    """The request carries no token at all."""

    reason = "token_missing"


class TokenRefused(NotAuthenticated):
    """The token is wrong, expired or revoked, or not for this service."""

    reason = "token_refused"


class TokenLacksAccess(NotAuthenticated):
    """The token is valid but does not grant access to the platform."""

    reason = "token_lacks_access"


class PlatformUnreachable(Unavailable):
    """The platform service did not answer (restarting, or down)."""

    reason = "platform_unreachable"


class PlatformMismatch(Unavailable):
    """The platform answered with a body this release does not understand."""

    reason = "platform_mismatch"


class HubUnavailable(Unavailable):
    """JupyterHub could not confirm who is calling."""

    reason = "hub_unavailable"


class NameInvalid(InvalidInput):
    """A name that reaches Kubernetes or MLflow broke a rule; ``params.field``, ``params.rule``
    (empty, too_long, characters, reserved) and ``params.limit``."""

    reason = "name_invalid"


class BodyNotJson(InvalidInput):
    reason = "body_not_json"


class BodyTooLarge(InvalidInput):
    """``params.limit``: the largest body, in bytes."""

    reason = "body_too_large"


class BodyTooDeep(InvalidInput):
    """``params.limit``: the deepest nesting of arrays and objects a body may have."""

    reason = "body_too_deep"


class TextInvalid(InvalidInput):
    """Text that no field may hold: ``params.field`` names the field by its path, ``params.rule``
    says what is wrong (``nul``, ``control``, ``bidi``; ``too_long`` with ``params.limit`` in
    characters; ``path_too_long`` and ``name_too_long`` with ``params.limit`` in bytes)."""

    reason = "text_invalid"


class BodyInvalid(InvalidInput):
    """A field of the body has the wrong shape; ``params.field`` names it by its path,
    ``params.problem`` is its field reason (``field_too_small``) and the rest of ``params`` are
    the values that reason names (``ge``)."""

    reason = "body_invalid"


class QueryNotInteger(InvalidInput):
    """``params.name``: the query parameter that must be a whole number."""

    reason = "query_not_integer"


class QueryNotBoolean(InvalidInput):
    """``params.name``: the yes/no query parameter that was neither ``true`` nor ``false``;
    ``params.value``: what was sent (its start)."""

    reason = "query_not_boolean"


class UnknownRoute(NotFound):
    """A route this server does not have: the page is older or newer than the server."""

    reason = "unknown_route"
