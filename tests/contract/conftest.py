"""The people and services the contract tests call as: a real hub token for each role (the
embedded workbench's demo users), a GitLab stand-in, and a platform of the contract's own.

The platform the fuzzer writes to has its own PostgreSQL database and data folder, asks the
embedded hub who a token belongs to (as a platform under a hub does) and talks to the GitLab
stand-in, so what the fuzzer creates reaches no other test.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import tornado.netutil

from jupyterlab_mlplat.core.kernel.identity import ROLE_ORDER, SCOPE_FOR_ROLE, Role
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import HubTokenAuthenticator
from tests.platform.conftest import RunningPlatform
from tests.standins.gitlab.server import FakeGitLab
from tests.workbench import Hub

#: the embedded workbench's demo user of each role
USER_OF_ROLE = {
    Role.DATA_SCIENTIST: "alice",
    Role.REVIEWER: "rita",
    Role.ADMIN: "adam",
    Role.INSTRUCTOR: "ivan",
}
#: what a person's server token carries (hub_config/roles.py), less the role scopes
BASE_SCOPES = [
    "read:users:groups!user",
    "access:services!service=mlplat",
    "access:services!service=mlflow",
]
ROLES = [role.value for role in ROLE_ORDER]


@dataclass(frozen=True)
class Person:
    role: Role
    user: str
    token: str
    #: every platform role the person holds (everyone is a data scientist)
    roles: frozenset[str]


@pytest.fixture(scope="session")
def people(embedded_hub: Hub) -> dict[str, Person]:
    """One signed-in person per role, each with a real hub token of exactly their scopes."""
    found = {}
    for role, user in USER_OF_ROLE.items():
        session = embedded_hub.login(user)
        scope = SCOPE_FOR_ROLE.get(role)
        token = embedded_hub.token(session, user, BASE_SCOPES + ([scope] if scope else []))
        held = {Role.DATA_SCIENTIST.value, role.value}
        found[role.value] = Person(role, user, token, frozenset(held))
    return found


@pytest.fixture(scope="session")
def gitlab() -> Iterator[FakeGitLab]:
    with FakeGitLab() as fake:
        for user in USER_OF_ROLE.values():
            fake.add_user(user)
        yield fake


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_platform_under_hub(
    data_dir: Path, db_url: str, *, hub: Hub, gitlab_url: str, port: int = 0
) -> RunningPlatform:
    """A platform that trusts the embedded hub's tokens, on a socket of its own, in the
    running event loop."""
    sockets = tornado.netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET)
    app = PlatformApp(
        data_dir=str(data_dir),
        db_url=db_url,
        base_url="/services/mlplat/",
        authenticator_class=HubTokenAuthenticator,
        gitlab_url=gitlab_url,
    )
    app.config.HubOAuth.api_url = f"{hub.url}/hub/api"
    app.config.HubOAuth.access_scopes = {"access:services!service=mlplat"}
    app.services = app.build_services()
    server = app.listen(sockets)
    url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/services/mlplat/"
    return RunningPlatform(app, url, server)
