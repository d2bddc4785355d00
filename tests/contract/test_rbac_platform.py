"""The platform's RBAC matrix: every operation of its document by no token, a bogus token and a
real hub token of each role, against the embedded workbench's own platform.

No token or a token nobody issued: 401 with a challenge and the reason. A role the operation
does not allow: 403 with a message and the reason. A role it allows: never 401 or 403 (the
request may still be wrong: its parameters name nothing that exists).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.contract.conftest import ROLES, Person
from tests.contract.matrix import BOGUS, BOGUS_TOKEN, NO_TOKEN, Operation, check, operations
from tests.workbench import Hub

OPERATIONS = operations("platform.json")


@pytest.mark.parametrize("caller", [NO_TOKEN, BOGUS_TOKEN, *ROLES])
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.label)
def test_the_platform_lets_in_exactly_whom_its_document_names(
    op: Operation, caller: str, embedded_hub: Hub, people: dict[str, Person]
) -> None:
    headers = {}
    roles: frozenset[str] = frozenset()
    if caller == BOGUS_TOKEN:
        headers["Authorization"] = f"token {BOGUS}"
    elif caller != NO_TOKEN:
        headers["Authorization"] = f"token {people[caller].token}"
        roles = people[caller].roles
    response = requests.request(
        op.method,
        f"{embedded_hub.url}/services/mlplat{op.target}",
        headers=headers,
        json={} if op.has_body else None,
        timeout=30,
        allow_redirects=False,
    )
    body: Any = response.json() if "json" in response.headers.get("Content-Type", "") else None
    problem = check(
        op, caller, roles, response.status_code, body, response.headers.get("WWW-Authenticate")
    )
    assert problem is None, problem


def test_the_matrix_covers_both_kinds_of_refusal() -> None:
    """A document that lost its role declarations would pass the matrix vacuously."""
    assert any(op.role == "admin" for op in OPERATIONS)
    assert any(op.grant for op in OPERATIONS)
    assert sum(not op.public for op in OPERATIONS) >= 15
