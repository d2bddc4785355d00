"""The one table between the core's typed errors and HTTP, used in both directions.

The platform's handlers and the server extension turn core errors into statuses with it;
``client.py`` turns a platform status back into the same core error, so a 404 raised by the
platform surfaces as a 404 from the user's server with the platform's message.
"""

from __future__ import annotations

from jupyterlab_mlplat.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PlatformError,
    Unavailable,
)

STATUS_FOR_ERROR: dict[type[PlatformError], int] = {
    InvalidInput: 400,
    NotAuthenticated: 403,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unavailable: 503,
}


def status_for(error: PlatformError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_FOR_ERROR:
            return STATUS_FOR_ERROR[kind]
    return 500


def error_for(status: int, message: str, reason: str | None = None) -> PlatformError:
    """The core error a client should raise for a platform answer with this status."""
    candidates = [kind for kind, code in STATUS_FOR_ERROR.items() if code == status]
    for kind in candidates:
        if reason is not None and kind.reason == reason:
            return kind(message)
    if candidates:
        return candidates[0](message)
    if status >= 500:
        return Unavailable(message)
    return InvalidInput(message)


INTERNAL_ERROR = (
    "The ML platform hit an unexpected error. It has been logged; quote the request id "
    "to an administrator."
)
