"""The one table between the core's typed errors and HTTP, used in both directions, and the
error body both APIs write.

The platform's handlers and the server extension turn core errors into statuses with it; the
platform client turns a platform answer back into the same core error (reason and params kept),
so a 404 raised by the platform surfaces as a 404 from the user's server, still translatable.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jupyterlab_mlplat.core.deployments.routing import ModelServerFailed, RateLimited
from jupyterlab_mlplat.core.kernel import errors as kernel
from jupyterlab_mlplat.core.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NoToken,
    Param,
    PlatformError,
    TokenRefused,
    Unavailable,
)

#: The most specific class of an error's ancestry that is listed decides its status. Only the
#: API's own credentials, missing or not recognised, are 401 (RFC 9110 §15.5.2: the caller can
#: retry with other credentials, and every 401 names how in ``WWW-Authenticate``). A token that is
#: valid but not enough, or a third party refusing the person's GitLab or git token, is not this
#: API's authentication failing: 403 — asking the browser to sign in again would not help.
STATUS_FOR_ERROR: dict[type[PlatformError], int] = {
    InvalidInput: 400,
    NoToken: 401,
    TokenRefused: 401,
    NotAuthenticated: 403,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unavailable: 503,
    # the invocations gateway: a key past its rate, and a model server's own failure
    RateLimited: 429,
    ModelServerFailed: 502,
}

#: the challenge every 401 carries: both APIs take ``Authorization: token …`` or ``Bearer …``
WWW_AUTHENTICATE = 'Bearer realm="jupyterlab-mlplat", Token realm="jupyterlab-mlplat"'

#: reasons written by the HTTP layer itself rather than raised by the core
INTERNAL_ERROR_REASON = "internal_error"
HTTP_ERROR_REASON = "http_error"
TRANSPORT_REASONS = (INTERNAL_ERROR_REASON, HTTP_ERROR_REASON)

INTERNAL_ERROR = (
    "The ML platform hit an unexpected error. It has been logged; quote the request id "
    "to an administrator."
)


def status_for(error: PlatformError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_FOR_ERROR:
            return STATUS_FOR_ERROR[kind]
    return 500


def all_reasons() -> list[str]:
    """Every reason either API may answer with: the core's declared codes and the HTTP layer's.

    Every module of the core is imported here, so that each error class is declared whoever
    asks and whatever was imported before: a list of features' services missed the errors a
    service does not raise itself (the people's, raised by the hub adapter) and the features
    added after it, and the documents then changed with the order tests ran in.
    """
    declare_every_reason()
    return sorted({*kernel.reasons(), *TRANSPORT_REASONS})


@functools.cache
def declare_every_reason() -> None:
    """Import every module of the core, so that each error class and field reason is declared
    whatever this process imported before. A person's server imports only the features it
    calls itself: an answer of the platform naming another feature's reason (a setting out of
    range, a profile changed meanwhile) was read as a bare ``invalid_input`` or ``conflict``,
    and the sidebar lost the translated message and the action that goes with it."""
    import jupyterlab_mlplat.core as core

    for module in pkgutil.walk_packages(core.__path__, f"{core.__name__}."):
        importlib.import_module(module.name)


def error_for(
    status: int,
    message: str,
    reason: str | None = None,
    params: dict[str, Param] | None = None,
) -> PlatformError:
    """The core error a client should raise for an answer with this status and reason."""
    declared = kernel.error_class(reason or "")
    if declared is None and reason:  # another feature's reason: declared once all are imported
        declare_every_reason()
        declared = kernel.error_class(reason)
    if declared is not None and STATUS_FOR_ERROR.get(_base(declared)) == status:
        kind: type[PlatformError] = declared
    else:
        candidates = [k for k, code in STATUS_FOR_ERROR.items() if code == status]
        if candidates:
            kind = candidates[0]
        elif status >= 500:
            kind = Unavailable
        else:
            kind = InvalidInput
    error = kind.__new__(kind)
    PlatformError.__init__(error, message, params=params)
    if isinstance(error, InvalidInput):
        error.field, error.fields, error.field_reasons = None, None, None
    return error


def _base(kind: type[PlatformError]) -> type[PlatformError]:
    for parent in kind.__mro__:
        if parent in STATUS_FOR_ERROR:
            return parent
    return kind


class FieldReason(BaseModel):
    """What is wrong with one field, as a reason code to translate and its values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str
    params: dict[str, Param] = Field(default_factory=dict)

    @classmethod
    def schema_with_reasons(cls) -> dict[str, Any]:
        schema = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        schema["properties"]["reason"]["enum"] = kernel.field_reasons()
        return schema


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    message: str = Field(description="What went wrong, in English: the fallback text.")
    reason: str = Field(
        description="Stable machine-readable reason, e.g. `not_found`; clients translate it."
    )
    params: dict[str, Param] | None = Field(
        default=None, description="The values the reason's translated message is built from."
    )
    request_id: str | None = Field(
        default=None, description="Quote it to an administrator to find the log lines."
    )
    fields: dict[str, str] | None = Field(
        default=None,
        description="For invalid input: one message per wrong field, keyed by its path "
        "(`cpu_limit`, `tolerations.0.key`), for forms to show next to each input.",
    )
    field_reasons: dict[str, FieldReason] | None = Field(
        default=None,
        description="The same fields as reason codes with params, for forms that translate.",
    )

    @classmethod
    def of(cls, error: PlatformError, request_id: str | None = None) -> ErrorBody:
        return cls(
            message=error.message,
            reason=error.reason,
            params=error.params or None,
            request_id=request_id,
            fields=error.fields if isinstance(error, InvalidInput) else None,
            field_reasons=(
                {
                    path: FieldReason(reason=problem.reason, params=problem.params)
                    for path, problem in error.field_reasons.items()
                }
                if isinstance(error, InvalidInput) and error.field_reasons
                else None
            ),
        )

    @classmethod
    def schema_with_reasons(cls) -> dict[str, Any]:
        """The JSON schema with ``reason`` enumerated, so clients can check their translations."""
        schema = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        schema["properties"]["reason"]["enum"] = all_reasons()
        return schema


def error_reply(
    error: BaseException | None,
    status_code: int,
    request_id: str | None,
    *,
    http_message: str | None = None,
) -> tuple[int, ErrorBody]:
    """The status and body of a failed request, the same for both APIs.

    A core error keeps its status, reason and params; an HTTP framework's own 4xx (``http_message``
    given) is passed on; anything else is a 500 whose body names nothing but the request id.
    """
    if isinstance(error, PlatformError):
        return status_for(error), ErrorBody.of(error, request_id)
    if http_message is not None and status_code < 500:
        return status_code, ErrorBody(
            message=http_message, reason=HTTP_ERROR_REASON, request_id=request_id
        )
    return 500, ErrorBody(
        message=INTERNAL_ERROR, reason=INTERNAL_ERROR_REASON, request_id=request_id
    )


def error_headers(status: int, verbs: Sequence[str]) -> dict[str, str]:
    """The headers an error status promises: how to authenticate on a 401, and on a 405 the
    verbs the route does answer (RFC 9110 §15.5.2, §15.5.6)."""
    if status == 401:
        return {"WWW-Authenticate": WWW_AUTHENTICATE}
    if status == 405:
        return {"Allow": ", ".join(verb.upper() for verb in verbs)}
    return {}


def where_it_failed(tb: TracebackType | None) -> str:
    """``file.py:123`` of the innermost frame: a log line names the place, never the exception's
    text (a driver's message can carry a connection string)."""
    frame = traceback.extract_tb(tb)[-1] if tb else None
    return f"{Path(frame.filename).name}:{frame.lineno}" if frame else "?"
