"""The RBAC matrix, read from the OpenAPI documents: who may call each operation, and the request
that calls it. A route added to either API is in the matrix without editing this file.

Each operation says who may call it: ``security: []`` anyone; otherwise a token, and then
``x-required-role`` (a platform role), ``x-required-grant`` (a hub service's scope, so no
person) or neither (every signed-in person).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.contract.fuzz import DOCUMENTS

#: values for the parameters a call must carry; none names an existing object
PATH_VALUE = "matrix-none"
QUERY_VALUES = {"integer": "1", "string": "matrix-none", "boolean": "false"}

#: callers without a valid token
NO_TOKEN, BOGUS_TOKEN = "no token", "bogus token"
BOGUS = "0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    #: the path with its parameters filled and its required query parameters appended
    target: str
    public: bool
    role: str | None
    grant: str | None
    has_body: bool

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def allows(self, roles: frozenset[str]) -> bool:
        """Whether a person holding ``roles`` may call it."""
        if self.public:
            return True
        if self.grant is not None:
            return False
        return self.role is None or self.role in roles


def operations(document: str) -> list[Operation]:
    spec: dict[str, Any] = json.loads((DOCUMENTS / document).read_text(encoding="utf-8"))
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            query = {
                p["name"]: QUERY_VALUES[_type(p["schema"])]
                for p in op.get("parameters", [])
                if p["in"] == "query" and p.get("required")
            }
            target = re.sub(r"\{\w+\}", PATH_VALUE, path)
            found.append(
                Operation(
                    method=method,
                    path=path,
                    target=target + ("?" + urlencode(query) if query else ""),
                    public=op["security"] == [],
                    role=op.get("x-required-role"),
                    grant=op.get("x-required-grant"),
                    has_body="requestBody" in op,
                )
            )
    return found


def _type(schema: dict[str, Any]) -> str:
    """The type of one value (a repeated parameter is sent once)."""
    return _type(schema["items"]) if schema.get("type") == "array" else str(schema.get("type"))


def check(
    op: Operation,
    caller: str,
    roles: frozenset[str],
    status: int,
    body: Any,
    challenge: str | None,
) -> str | None:
    """What is wrong with the answer ``caller`` (holding ``roles``) got — its status, JSON body
    and ``WWW-Authenticate`` header — or None."""
    said = f"{op.label} as {caller}: {status} {str(body)[:200]}"
    if op.public:
        return None if status not in (401, 403) else f"{said} (public, yet refused)"
    if caller in (NO_TOKEN, BOGUS_TOKEN):
        expected = "token_missing" if caller == NO_TOKEN else "token_refused"
        if status != 401 or not isinstance(body, dict) or body.get("reason") != expected:
            return f"{said} (expected 401 {expected})"
        return None if challenge else f"{said} (a 401 without WWW-Authenticate)"
    if op.allows(roles):
        return f"{said} (allowed, yet refused)" if status in (401, 403) else None
    if status != 403 or not isinstance(body, dict) or not body.get("message"):
        return f"{said} (expected 403 with a message)"
    if body.get("reason") not in ("role_required", "token_lacks_access"):
        return f"{said} (expected reason role_required or token_lacks_access)"
    return None
