"""The gateway's route table against a control plane in memory (the ``ControlPlane`` port):
the feed's changes, a fetch on a miss, an empty route asked again rather than refused, a name
the platform does not know remembered for one period, and the last routes kept while the
platform is away."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from jupyterlab_mlplat.core.deployments.errors import DeploymentNotFound
from jupyterlab_mlplat.core.deployments.records import Route, RouteTarget, Stage, Traffic
from jupyterlab_mlplat.core.deployments.routing import KeyGrant
from jupyterlab_mlplat.core.kernel.errors import PlatformUnreachable
from jupyterlab_mlplat.gateways.invocations_control import RouteTable

pytestmark = pytest.mark.asyncio


def route(*versions: str, sequence: int = 1, active: bool = True) -> Route:
    targets = tuple(
        RouteTarget(v, Traffic.PRIMARY if i == 0 else Traffic.CANARY, 100 // len(versions), f"u{v}")
        for i, v in enumerate(versions)
    )
    return Route("churn", "alice", Stage.STAGING, "m", 1, targets, sequence, active)


@dataclass
class Platform:
    routes: dict[str, Route] = field(default_factory=dict)
    down: bool = False
    fetched: int = 0

    async def route(self, name: str) -> Route:
        self.fetched += 1
        if self.down:
            raise PlatformUnreachable("away")
        if name not in self.routes:
            raise DeploymentNotFound(f"no {name}", params={"name": name})
        return self.routes[name]

    async def routes_since(self, since: int) -> tuple[int, list[Route], list[str]]:
        if self.down:
            raise PlatformUnreachable("away")
        changed = [r for r in self.routes.values() if r.sequence > since]
        return max([since, *(r.sequence for r in changed)]), changed, []

    async def check_key(self, secret: str, address: str) -> KeyGrant:
        raise NotImplementedError


async def test_the_feed_and_a_miss_fill_the_table() -> None:
    platform = Platform({"churn": route("1")})
    table = RouteTable(platform, poll_seconds=60)
    await table.poll_once()
    assert (await table.get("churn")).targets[0].version == "1"
    assert platform.fetched == 0
    platform.routes["churn"] = route("1", "2", sequence=2)
    await table.poll_once()
    assert len((await table.get("churn")).targets) == 2
    assert table.cursor == 2
    # deleted: forgotten, and a miss asks the platform, which says there is none
    platform.routes["churn"] = route(sequence=3, active=False)
    await table.poll_once()
    assert "churn" not in table.routes
    del platform.routes["churn"]
    with pytest.raises(DeploymentNotFound):
        await table.get("churn")
    with pytest.raises(DeploymentNotFound):  # remembered: no second call this period
        await table.get("churn")
    assert platform.fetched == 1


async def test_an_empty_route_is_asked_again_once_a_period() -> None:
    platform = Platform({"churn": route(sequence=1)})
    table = RouteTable(platform, poll_seconds=60)
    await table.poll_once()
    assert table.routes["churn"].targets == ()
    # the deployment became ready, and the feed has not said so (yet)
    platform.routes["churn"] = route("1", sequence=1)
    assert (await table.get("churn")).targets[0].version == "1"
    assert platform.fetched == 1
    # while it stays ready, no more calls
    await table.get("churn")
    assert platform.fetched == 1


async def test_callers_of_an_empty_route_wait_for_the_same_check() -> None:
    platform = Platform({"churn": route(sequence=1)})
    table = RouteTable(platform, poll_seconds=60)
    await table.poll_once()
    platform.routes["churn"] = route("1", sequence=2)
    found = await asyncio.gather(*(table.get("churn") for _ in range(10)))
    assert {r.targets[0].version for r in found} == {"1"}
    assert platform.fetched == 1


async def test_the_last_routes_serve_while_the_platform_is_away() -> None:
    platform = Platform({"churn": route("1")})
    table = RouteTable(platform, poll_seconds=60)
    await table.poll_once()
    platform.down = True
    with pytest.raises(PlatformUnreachable):
        await table.poll_once()
    assert (await table.refresh("churn")).targets[0].version == "1"
    with pytest.raises(PlatformUnreachable):  # never known: nothing to serve
        await table.get("fraud")
