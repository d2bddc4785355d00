"""The two ways serving fails: a client's request the model cannot take, and a model that cannot
be loaded. Neither carries a traceback: a client reads the message, an owner reads the line the
deployer shows as the workload's last error."""

from __future__ import annotations

from collections.abc import Mapping


class BadInput(Exception):
    """A request the server refuses, with a message that names the problem.

    ``reason`` is a stable code a client (the gateway, the sidebar's Try it) may branch on;
    ``params`` the values the message names, so a client can say it in its person's language
    (Try it does, in Russian); ``status`` is 400 unless the problem has its own HTTP status
    (413, 415, 404, 422)."""

    def __init__(
        self,
        message: str,
        reason: str = "bad_input",
        status: int = 400,
        params: Mapping[str, str | int] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status = status
        self.params = dict(params or {})


class LoadError(Exception):
    """The model cannot be served; the message is one line a person can act on."""
