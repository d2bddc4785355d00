"""Every field of a profile has bounds: an admin's bad input is a 400 naming the field, with a
reason the editor translates, and nothing is saved; a person who is not an admin is refused
before the body is read, on the platform and through the sidebar (real platform on a socket,
SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import tornado.netutil
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPResponse

from jupyterlab_mlplat.core.kernel.errors import TokenRefused
from jupyterlab_mlplat.core.kernel.identity import Identity, Role
from jupyterlab_mlplat.core.profiles.records import StoredProfile
from jupyterlab_mlplat.core.profiles.resources import pod_resources, profile_environment
from jupyterlab_mlplat.core.profiles.rules import Profile
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import PlatformAuthenticator

ROOT = Path(__file__).resolve().parents[2]
ADAM = "adam-token-0123456789"
ALICE = "alice-token-0123456789"


class TwoPeople(PlatformAuthenticator):
    """The hub's answer for two tokens: adam is an admin, alice a data scientist."""

    async def authenticate(self, token: str | None) -> Identity:
        people = {
            ADAM: Identity("adam", roles=(Role.DATA_SCIENTIST, Role.ADMIN)),
            ALICE: Identity("alice"),
        }
        if token not in people:
            raise TokenRefused("not one of the two")
        return people[token]


class Platform:
    def __init__(self, data_dir: Path, db_url: str, port: int = 0) -> None:
        sockets = tornado.netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET)
        self.app = PlatformApp(
            data_dir=str(data_dir),
            db_url=db_url,
            base_url="/services/mlplat/",
            authenticator_class=TwoPeople,
            profiles_seed_file=str(ROOT / "hub_config" / "profiles.yaml"),
        )
        self.app.services = self.app.build_services()
        self.server = self.app.listen(sockets)
        self.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/services/mlplat/"

    async def call(
        self, method: str, path: str, body: Any = None, *, token: str = ADAM, raw: bytes = b""
    ) -> HTTPResponse:
        data = raw or (json.dumps(body).encode() if body is not None else None)
        return await AsyncHTTPClient().fetch(
            self.url + path,
            method=method,
            body=data,
            headers={"Authorization": f"token {token}"},
            raise_error=False,
            allow_nonstandard_methods=True,
        )

    async def stored(self) -> Any:
        return json.loads((await self.call("GET", "api/v1/profiles")).body)

    def stop(self) -> None:
        self.server.stop()
        self.app.close()


@pytest_asyncio.fixture
async def platform(tmp_path: Path, database_url: str) -> AsyncIterator[Platform]:
    running = Platform(tmp_path, database_url)
    yield running
    running.stop()


GOOD = {"slug": "team", "display_name": "Team", "image": "quay.io/jupyter/scipy-notebook:1"}
TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}

BAD = [
    # (change, field, reason, params the message names)
    ({"environment": {"TOKEN": "a\x00b"}}, "environment", "env_value_control", {"value": "TOKEN"}),
    (
        {"environment": {"BIG": "x" * 1_000_000}},
        "environment",
        "env_value_too_long",
        {"value": "BIG", "limit": 4096},
    ),
    ({"environment": {"LD_PRELOAD": "/tmp/x.so"}}, "environment", "env_reserved", None),
    ({"environment": {"LD_LIBRARY_PATH": "/tmp"}}, "environment", "env_reserved", None),
    ({"environment": {"PYTHONPATH": "/tmp"}}, "environment", "env_reserved", None),
    ({"environment": {"NODE_OPTIONS": "-r x"}}, "environment", "env_reserved", None),
    ({"environment": {"BASH_ENV": "/tmp/x"}}, "environment", "env_reserved", None),
    ({"environment": {"PATH": "/tmp"}}, "environment", "env_reserved", None),
    ({"environment": {"JUPYTERHUB_API_TOKEN": "x"}}, "environment", "env_reserved", None),
    ({"environment": {"MLPLAT_PROFILE": "gpu"}}, "environment", "env_reserved", None),
    ({"environment": {"MLFLOW_TRACKING_TOKEN": "x"}}, "environment", "env_reserved", None),
    ({"environment": {"GIT_SSH_COMMAND": "x"}}, "environment", "env_reserved", None),
    ({"environment": {"lower": "x"}}, "environment", "env_name", {"value": "lower"}),
    ({"environment": {f"V{i}": "x" for i in range(101)}}, "environment", "field_too_many", None),
    ({"gpu": 2**70}, "gpu", "field_too_large", {"le": 64}),
    ({"order": 2**70}, "order", "field_too_large", {"le": 1_000_000}),
    ({"order": -(2**70)}, "order", "field_too_small", {"ge": -1_000_000}),
    ({"quota": {"gpus_per_user": 2**70}}, "quota.gpus_per_user", "field_too_large", None),
    ({"quota": {"servers_per_group": 2**70}}, "quota.servers_per_group", "field_too_large", None),
    (
        {"mem_guarantee": "1Gi", "mem_limit": "9" * 40},
        "mem_limit",
        "memory_too_large",
        {"value": "9" * 40, "limit": "64Ti"},
    ),
    ({"cpu_limit": "9" * 40}, "cpu_limit", "cpu_too_large", {"value": "9" * 40, "limit": 1024}),
    ({"tolerations": [TOLERATION] * 10_000}, "tolerations", "field_too_many", {"max_length": 50}),
    (
        {"tolerations": [{**TOLERATION, "key": "Bad Key!"}]},
        "tolerations.0.key",
        "toleration_key",
        {"value": "Bad Key!"},
    ),
    (
        {"tolerations": [{"key": "k", "value": "Bad Value!"}]},
        "tolerations.0.value",
        "toleration_value",
        None,
    ),
    ({"display_name": "Team\u202e1234"}, "display_name", "text_bidi", None),
    ({"display_name": "Team\x00"}, "display_name", "text_control", None),
    ({"description": "Hi\u2066there\u2069"}, "description", "text_bidi", None),
    ({"description": "x" * 2001}, "description", "field_too_long", {"max_length": 2000}),
    ({"allowed_groups": ["a\x1bb"]}, "allowed_groups", "text_control", None),
    ({"image": "quay.io/" + "a" * 600 + ":1"}, "image", "image_reference", None),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("change", "field", "reason", "params"), BAD)
async def test_bad_admin_input_is_a_400_naming_the_field_and_nothing_is_saved(
    platform: Platform,
    change: dict[str, Any],
    field: str,
    reason: str,
    params: dict[str, Any] | None,
) -> None:
    before = await platform.stored()
    record = next(r for r in before["profiles"] if r["profile"]["slug"] == "cpu-small")
    edited = {**record["profile"], **change}
    attempts = [
        ("POST", "api/v1/profiles", {**GOOD, **change}),
        ("POST", "api/v1/profile-preview", {**GOOD, **change}),
        ("PUT", "api/v1/profiles/cpu-small", {"profile": edited, "revision": record["revision"]}),
    ]
    for method, path, body in attempts:
        refused = await platform.call(method, path, body)
        assert refused.code == 400, (method, path, refused.body[:300])
        answer = json.loads(refused.body)
        assert answer["message"]
        assert answer["reason"] in ("profile_invalid", "text_invalid")
        if answer["reason"] == "text_invalid":  # a NUL: refused with the body, naming its field
            assert answer["params"]["rule"] == "nul"
            assert answer["params"]["field"].removeprefix("profile.").startswith(field)
            continue
        assert answer["params"]["field"] == field
        assert answer["field_reasons"][field]["reason"] == reason
        assert field in answer["fields"]
        if params is not None:
            assert answer["field_reasons"][field]["params"] == params
    assert await platform.stored() == before


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "environment",
    [
        {"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "localhost", "TZ": "Europe/Moscow"},
        {"OMP_NUM_THREADS": "4", "PYTHONUNBUFFERED": "1", "SSL_CERT_FILE": "/etc/ssl/ca.pem"},
        {"NOTE": "x" * 4096, "LINES": "one\ntwo\tthree"},
    ],
)
async def test_ordinary_values_within_the_bounds_are_saved(
    platform: Platform, environment: dict[str, str]
) -> None:
    profile = {
        **GOOD,
        "description": "For the team; שלום without marks is fine.\nSecond line.",
        "gpu": 64,
        "order": -1_000_000,
        "cpu_limit": "1024",
        "cpu_guarantee": "500m",
        "mem_limit": "64Ti",
        "tolerations": [TOLERATION] * 50,
        "environment": environment,
        "quota": {"servers_per_user": 100_000},
    }
    created = await platform.call("POST", "api/v1/profiles", profile)
    assert created.code == 201, created.body[:500]
    assert json.loads(created.body)["profile"]["environment"] == environment


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "api/v1/profiles", b"[" * 100_000 + b"]" * 100_000),
        ("POST", "api/v1/profile-preview", b"[" * 100_000 + b"]" * 100_000),
        ("PUT", "api/v1/profiles/cpu-small", b'{"profile": ' + b"[" * 200 + b"]" * 200 + b"}"),
        ("POST", "api/v1/profiles", b'{"slug": "x\\u0000"}'),
        ("POST", "api/v1/profiles", b"not json"),
        ("POST", "api/v1/profiles", b"{" * (1024 * 1024 + 1)),
    ],
)
async def test_people_who_are_not_admins_are_refused_before_the_body_is_read(
    platform: Platform, method: str, path: str, body: bytes
) -> None:
    before = await platform.stored()
    refused = await platform.call(method, path, token=ALICE, raw=body)
    assert refused.code == 403, refused.body[:300]
    assert json.loads(refused.body)["reason"] == "role_required"
    # the same body from an admin is read, and refused as a body
    answer = await platform.call(method, path, token=ADAM, raw=body)
    assert answer.code == 400, answer.body[:300]
    assert json.loads(answer.body)["reason"] in (
        "body_too_deep",
        "body_too_large",
        "body_not_json",
        "text_invalid",
    )
    assert await platform.stored() == before


@pytest.mark.asyncio
async def test_a_profile_saved_before_the_bounds_stays_readable_and_gives_no_reserved_variable(
    platform: Platform,
) -> None:
    """An older release stored what it accepted; after the upgrade the list still loads, and a
    server never gets a loader variable from it."""
    legacy = Profile.model_validate(
        {**GOOD, "environment": {"LD_PRELOAD": "/tmp/x.so", "TEAM": "ml"}, "gpu": 2**70}
    )
    services = platform.app.services
    assert services is not None
    with services.store.transaction("system") as tx:
        tx.save_profile(StoredProfile(legacy, 1, services.profiles._now(), "older-release"))
    listed = await platform.stored()
    assert {r["profile"]["slug"] for r in listed["profiles"]} >= {"team", "cpu-small"}
    assert pod_resources(legacy).environment == {"TEAM": "ml"}
    assert "LD_PRELOAD" not in profile_environment(legacy)


# ---- the sidebar: the same order, through the person's own server


@pytest.fixture
def platform_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=[ALICE, ADAM], ids=["alice", "adam"])
def caller(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def extension_config(platform_port: int, caller: str) -> dict[str, Any]:
    return {
        "platform_url": f"http://127.0.0.1:{platform_port}/services/mlplat/",
        "platform_token": caller,
        "request_timeout": 5.0,
    }


@pytest.mark.parametrize(
    ("method", "route", "body"),
    [
        ("POST", ("profiles",), b"[" * 100_000 + b"]" * 100_000),
        ("POST", ("profile-preview",), b'{"a": ' + b"[" * 100 + b"]" * 100 + b"}"),
        ("PUT", ("profiles", "cpu-small"), b'{"profile": {"slug": "\\u0000"}, "revision": 1}'),
    ],
)
async def test_the_sidebar_asks_who_is_calling_before_it_reads_the_body(
    jp_fetch: Any,
    tmp_path: Path,
    platform_port: int,
    caller: str,
    method: str,
    route: tuple[str, ...],
    body: bytes,
) -> None:
    platform = Platform(tmp_path, f"sqlite:///{tmp_path / 'platform.sqlite'}", platform_port)
    try:
        before = await platform.stored()
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch("jupyterlab-mlplat", *route, method=method, body=body)
        assert refused.value.response is not None
        answer = json.loads(refused.value.response.body)
        if caller == ALICE:
            assert (refused.value.code, answer["reason"]) == (403, "role_required")
        else:
            assert refused.value.code == 400
            assert answer["reason"] in ("body_too_deep", "text_invalid")
            assert answer["message"]
        assert await platform.stored() == before
    finally:
        platform.stop()
