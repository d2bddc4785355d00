"""Request ids: one id per request across the user server and the platform, on every log line
and every audit record.

The id lives in the core's context variable, so log lines and audit records written by the core
in worker threads (``asyncio.to_thread`` copies the context) carry it without any signature
passing it along.
"""

from __future__ import annotations

import logging
import re
import uuid

from jupyterlab_mlplat.core.kernel.audit import current_request_id

__all__ = [
    "LOG_FORMAT",
    "REQUEST_ID_HEADER",
    "RequestIdFilter",
    "accept_or_mint",
    "begin_request",
    "current_request_id",
    "install_request_id_logging",
]

REQUEST_ID_HEADER = "X-Request-Id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def accept_or_mint(incoming: str | None) -> str:
    """Keep a caller's id so one request is traceable across the user server and the platform,
    but only if it is a plain token: a header is user input and must not forge log lines."""
    if incoming and _VALID_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def begin_request(incoming: str | None) -> str:
    """The id of the request now being served, made current for everything it calls."""
    request_id = accept_or_mint(incoming)
    current_request_id.set(request_id)
    return request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True


LOG_FORMAT = "[%(levelname)1.1s %(asctime)s %(name)s req=%(request_id)s] %(message)s"


def install_request_id_logging(logger: logging.Logger) -> None:
    """Add the filter to every handler so third-party loggers (tornado's access log) get it too."""
    for handler in logger.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
