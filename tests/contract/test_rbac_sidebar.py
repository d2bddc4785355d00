"""The sidebar's RBAC matrix: every operation of its document by no token, a bogus token and
each role, inside a real Jupyter server in hub mode whose platform is the embedded workbench's
(the role is the one the server's hub token carries, as for a person's own server).

Without a valid Jupyter token: 401 with a challenge and the reason. A role the operation does
not allow: 403 with a message and the reason. A role it allows: never 401 or 403.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient

from tests.contract.conftest import ROLES, Person
from tests.contract.matrix import BOGUS, BOGUS_TOKEN, NO_TOKEN, check, operations
from tests.workbench import Hub

OPERATIONS = operations("sidebar.json")


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def extension_config(people: dict[str, Person], embedded_hub: Hub, role: str) -> dict[str, Any]:
    person = people[role]
    return {
        "platform_url": f"{embedded_hub.url}/services/mlplat/",
        "platform_token": person.token,
        "request_timeout": 10.0,
        "mlflow_url": f"{embedded_hub.url}/services/mlflow",
        "mlflow_token": person.token,
        "user_name": person.user,
    }


async def _call(base: str, op: Any, token: str | None) -> tuple[int, Any, str | None]:
    headers = {"Authorization": f"token {token}"} if token else {}
    if op.has_body:
        headers["Content-Type"] = "application/json"
    response = await AsyncHTTPClient().fetch(
        base + op.target.lstrip("/"),
        method=op.method.upper(),
        headers=headers,
        body=json.dumps({}) if op.has_body else None,
        allow_nonstandard_methods=True,
        raise_error=False,
        request_timeout=30,
    )
    kind = response.headers.get("Content-Type", "")
    body = json.loads(response.body) if "json" in kind and response.body else None
    return response.code, body, response.headers.get("WWW-Authenticate")


async def test_the_sidebar_lets_in_exactly_whom_its_document_names(
    jp_serverapp: Any,
    jp_fetch: Any,  # starts the server's HTTP listener on jp_http_port
    jp_http_port: int,
    jp_base_url: str,
    role: str,
    people: dict[str, Person],
) -> None:
    base = f"http://127.0.0.1:{jp_http_port}{jp_base_url}jupyterlab-mlplat/"
    server_token = jp_serverapp.identity_provider.token
    person = people[role]
    callers = [(role, server_token, person.roles)]
    if role == ROLES[0]:  # who has no valid token is refused whatever the server's role
        callers += [(NO_TOKEN, None, frozenset()), (BOGUS_TOKEN, BOGUS, frozenset())]
    problems = []
    for op in OPERATIONS:
        for caller, token, roles in callers:
            status, body, challenge = await _call(base, op, token)
            problem = check(op, caller, roles, status, body, challenge)
            if problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)
