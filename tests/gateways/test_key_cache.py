"""How long the gateway keeps what the platform said of a key, on a clock the test moves: a
fresh answer is used as it is, a stale one while the platform is asked again in the
background, a too old one waits for the platform; one check per secret at a time.

The control plane here implements the gateway's ``ControlPlane`` port in memory (the HTTP one
is exercised by test_invocations.py and test_workbench.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from jupyterlab_mlplat.core.deployments.records import Route
from jupyterlab_mlplat.core.deployments.routing import KeyGrant
from jupyterlab_mlplat.core.kernel.errors import NotAuthenticated
from jupyterlab_mlplat.gateways.invocations_control import KeyCache, refusal

pytestmark = pytest.mark.asyncio

SECRET = "mlp_abcd1234_" + "s" * 40
GRANT = KeyGrant(1, "mlp_abcd1234", "alice", frozenset({"churn"}), 10.0)


@dataclass
class Platform:
    revoked: bool = False
    checks: int = 0
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def route(self, name: str) -> Route:
        raise NotImplementedError

    async def routes_since(self, since: int) -> tuple[int, list[Route], list[str]]:
        raise NotImplementedError

    async def check_key(self, secret: str, address: str) -> KeyGrant:
        self.checks += 1
        await self.gate.wait()
        if self.revoked:
            raise refusal(401, "revoked", "key_revoked", {"prefix": "mlp_abcd1234"})
        return GRANT


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_fresh_stale_and_too_old_answers() -> None:
    platform, clock = Platform(), Clock()
    platform.gate.set()
    cache = KeyCache(platform, seconds=2.0, stale=10.0, clock=clock)

    # many callers at once: one check
    assert (
        await asyncio.gather(*(cache.grant(SECRET, "1.2.3.4") for _ in range(20))) == [GRANT] * 20
    )
    assert platform.checks == 1
    clock.now += 1.9
    assert await cache.grant(SECRET, "") == GRANT
    assert platform.checks == 1

    # stale: still served at once, and checked again behind the caller's back
    platform.revoked, platform.gate = True, asyncio.Event()
    clock.now += 0.2
    assert await cache.grant(SECRET, "") == GRANT
    await asyncio.sleep(0)  # the check runs behind the caller's back
    assert platform.checks == 2
    assert await cache.grant(SECRET, "") == GRANT  # the check is still under way: no second
    await asyncio.sleep(0)
    assert platform.checks == 2
    platform.gate.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    # the platform's refusal is kept and given to every caller with its reason
    with pytest.raises(NotAuthenticated) as refused:
        await cache.grant(SECRET, "")
    assert refused.value.reason == "key_revoked"
    assert platform.checks == 2


async def test_a_too_old_answer_waits_for_the_platform() -> None:
    platform, clock = Platform(), Clock()
    platform.gate.set()
    cache = KeyCache(platform, seconds=2.0, stale=1.0, clock=clock)
    assert await cache.grant(SECRET, "") == GRANT
    clock.now += 3.5  # past seconds + stale
    platform.revoked = True
    with pytest.raises(NotAuthenticated) as refused:
        await cache.grant(SECRET, "")
    assert refused.value.reason == "key_revoked"
    assert platform.checks == 2


async def test_an_expiry_that_passes_is_honoured_at_once() -> None:
    from datetime import UTC, datetime, timedelta

    platform, clock = Platform(), Clock()
    platform.gate.set()
    soon = KeyGrant(2, "mlp_soon0000", "alice", frozenset(), 1.0, datetime.now(UTC))
    platform.check_key = lambda *_: _answer(soon)  # type: ignore[method-assign,assignment]
    cache = KeyCache(platform, seconds=60.0, clock=clock)
    await cache.grant(SECRET, "")  # the check itself answers the grant
    with pytest.raises(NotAuthenticated) as refused:
        await cache.grant(SECRET, "")  # kept, but its time has come
    assert refused.value.reason == "key_expired"
    assert soon.expired(datetime.now(UTC) + timedelta(seconds=1))


async def _answer(grant: KeyGrant) -> KeyGrant:
    return grant


async def test_the_cache_holds_a_bounded_number_of_secrets() -> None:
    platform, clock = Platform(), Clock()
    platform.gate.set()
    cache = KeyCache(platform, seconds=60.0, size=3, clock=clock)
    for n in range(5):
        await cache.grant(f"{SECRET}{n}", "")
    assert len(cache._known) == 3
