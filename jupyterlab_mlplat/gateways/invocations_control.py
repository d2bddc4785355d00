"""What the invocations gateway asks the control plane, kept so that a request rarely waits:
the route table (every deployment's ready targets) and who a caller is (an API key's grant, a
person's hub token).

Nothing here is on the hot path of a warm request: routes arrive by polling the platform's
change feed (``RouteTable.follow``, every ``poll_seconds``) and are fetched on a miss; a key is
checked once per ``key_seconds`` per secret (by its digest: the secret itself is not kept); a
hub token once per ``HubAuth.cache_max_age``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

from jupyterhub.services.auth import HubAuth
from tornado.web import HTTPError

from jupyterlab_mlplat.api.deployments import MAX_ROUTES, RouteBody, RouteFeed
from jupyterlab_mlplat.api.errors import error_for
from jupyterlab_mlplat.api.traffic import TrafficMinuteBody, TrafficReport
from jupyterlab_mlplat.client.apikeys import ApiKeysClient
from jupyterlab_mlplat.client.traffic import TrafficCalls
from jupyterlab_mlplat.core.apikeys.records import KEY_PREFIX
from jupyterlab_mlplat.core.deployments.errors import DeploymentNotFound
from jupyterlab_mlplat.core.deployments.records import Route, RouteTarget, Stage, Traffic
from jupyterlab_mlplat.core.deployments.routing import KeyGrant
from jupyterlab_mlplat.core.deployments.traffic import TrafficMinute, TrafficReceipt
from jupyterlab_mlplat.core.kernel.errors import (
    HubUnavailable,
    NotAuthenticated,
    NotFound,
    NoToken,
    PlatformError,
    TokenLacksAccess,
    TokenRefused,
    Unavailable,
)
from jupyterlab_mlplat.core.kernel.identity import SCOPE_FOR_ROLE, Role

log = logging.getLogger("mlplat.invocations")

NO_CREDENTIALS = (
    "Call a deployment with an API key (Authorization: Bearer mlp_…) or your JupyterHub "
    "token (Authorization: token …)."
)


class ControlPlane(Protocol):
    """The platform's routes the gateway calls (``client/`` implements them over HTTP)."""

    async def route(self, name: str) -> Route:
        """The deployment's route; ``NotFound`` when there is no such deployment."""

    async def routes_since(self, since: int) -> tuple[int, list[Route], list[str]]:
        """``(cursor, changed routes, removed names)`` since the cursor ``since`` (0: all)."""

    async def check_key(self, secret: str, address: str) -> KeyGrant:
        """The key's grant; 401 errors (``key_unknown``, ``key_revoked``, ``key_expired``)."""


# ---------------------------------------------------------------- routes


class RouteTable:
    """Every deployment's route as the platform last said, at most ``poll_seconds`` old while
    the feed answers. A name the platform does not know is remembered as missing for
    ``poll_seconds`` too, so a flood of calls to a wrong name costs one platform call a period.
    When the platform is unreachable, the last routes keep serving (a model server does not
    need the platform to answer)."""

    def __init__(self, control: ControlPlane, *, poll_seconds: float = 0.5) -> None:
        self.control = control
        self.poll_seconds = poll_seconds
        self.routes: dict[str, Route] = {}
        self._missing: dict[str, float] = {}
        self._fetching: dict[str, asyncio.Future[Route]] = {}
        self._rechecked: dict[str, float] = {}
        self.cursor = 0
        #: monotonic time of the last answer of the feed (0: never)
        self.fresh_at = 0.0

    async def get(self, name: str) -> Route:
        route = self.routes.get(name)
        if route is not None:
            if route.targets:
                return route
            if name not in self._fetching and not self._recheck_due(name):
                return route
            # nothing ready as the feed last said: ask now (once a period), rather than refuse
            # until the feed brings the change (a deployment becoming ready is the common case)
            return await self.refresh(name)
        until = self._missing.get(name)
        if until is not None and time.monotonic() < until:
            raise DeploymentNotFound(f"There is no deployment {name!r}.", params={"name": name})
        return await self.refresh(name)

    def _recheck_due(self, name: str) -> bool:
        now = time.monotonic()
        if now - self._rechecked.get(name, 0.0) < self.poll_seconds:
            return False
        self._rechecked[name] = now
        return True

    async def refresh(self, name: str) -> Route:
        """Ask the platform now (one call for every request waiting on the same name)."""
        pending = self._fetching.get(name)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(name))
            self._fetching[name] = pending
            pending.add_done_callback(lambda _: self._fetching.pop(name, None))
        return await asyncio.shield(pending)

    async def _fetch(self, name: str) -> Route:
        try:
            route = await self.control.route(name)
        except NotFound:
            self.routes.pop(name, None)
            self._missing[name] = time.monotonic() + self.poll_seconds
            raise
        except Unavailable:
            known = self.routes.get(name)
            if known is not None:  # the platform is away: what it said last still holds
                return known
            raise
        self._missing.pop(name, None)
        return self._keep(route)

    def _keep(self, route: Route) -> Route:
        """Keep a route unless a newer one is known already (a feed answer that was under way
        while a fetch brought a newer route must not put the older one back)."""
        known = self.routes.get(route.name)
        if known is not None and known.sequence > route.sequence:
            return known
        if known is None or known.targets != route.targets:
            shares = " ".join(f"{t.version}:{t.traffic}:{t.percent}" for t in route.targets)
            log.info(
                "route %s revision %d (%d): %s",
                route.name,
                route.revision,
                route.sequence,
                shares or "nothing ready",
            )
        self.routes[route.name] = route
        return route

    def apply(self, cursor: int, changed: list[Route], removed: list[str]) -> None:
        for route in changed:
            if not route.active:  # deleted: its name may be taken again by someone else
                self.routes.pop(route.name, None)
                continue
            self._keep(route)
            self._missing.pop(route.name, None)
        for name in removed:
            self.routes.pop(name, None)
        self.cursor = max(self.cursor, cursor)
        self.fresh_at = time.monotonic()

    async def poll_once(self) -> None:
        cursor, changed, removed = await self.control.routes_since(self.cursor)
        self.apply(cursor, changed, removed)

    async def follow(self) -> None:
        """Poll the change feed until cancelled; a failed poll is logged once per outage."""
        failing = False
        while True:
            try:
                await self.poll_once()
                if failing:
                    log.info("route feed answers again (cursor %d)", self.cursor)
                failing = False
            except PlatformError as err:
                if not failing:
                    log.warning("route feed failed (%s); serving the last routes known", err.reason)
                failing = True
            await asyncio.sleep(self.poll_seconds)


# ---------------------------------------------------------------- callers


@dataclass(frozen=True)
class Person:
    """A caller that JupyterHub vouched for with a token."""

    name: str
    admin: bool


Caller = KeyGrant | Person


def credentials(header: str | None) -> tuple[str, str]:
    """``("key", secret)`` or ``("hub", token)`` from an ``Authorization`` header; ``NoToken``
    without one. A bearer credential that starts with ``mlp_`` is an API key; any other is a
    hub token (JupyterHub takes ``token`` and ``Bearer`` alike)."""
    scheme, _, value = (header or "").strip().partition(" ")
    value = value.strip()
    if not value or scheme.lower() not in ("bearer", "token"):
        raise NoToken(NO_CREDENTIALS)
    if scheme.lower() == "bearer" and value.startswith(KEY_PREFIX):
        return "key", value
    return "hub", value


class KeyCache:
    """API keys' grants, checked by the platform and kept ``seconds`` per secret's digest.

    The bound: a key revoked, expired or re-scoped on the platform is refused (or re-scoped)
    here at most ``seconds`` (default 2 s) plus one platform answer later; an ``expires_at``
    that passes is honoured at once. A kept answer that has just gone stale keeps being used
    while the platform is asked again in the background (up to ``stale`` seconds), so a busy
    key's requests never wait for that check. Refusals are kept as long, so a flood with a
    revoked key costs the platform one check per ``seconds``. At most ``limit`` checks run at
    once; the cache holds at most ``size`` digests (the oldest go first)."""

    def __init__(
        self,
        control: ControlPlane,
        *,
        seconds: float = 2.0,
        stale: float | None = None,
        limit: int = 16,
        size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.control = control
        self.seconds = seconds
        #: how long past ``seconds`` a kept answer serves while it is checked again
        self.stale = 5 * seconds if stale is None else stale
        self.size = size
        self.clock = clock
        self._known: OrderedDict[bytes, tuple[float, KeyGrant | PlatformError]] = OrderedDict()
        self._checking: dict[bytes, asyncio.Future[KeyGrant]] = {}
        self._slots = asyncio.Semaphore(limit)

    async def grant(self, secret: str, address: str) -> KeyGrant:
        digest = hashlib.sha256(secret.encode("utf-8", "surrogateescape")).digest()
        known = self._known.get(digest)
        if known is not None:
            until, answer = known
            now = self.clock()
            if now >= until:
                if now >= until + self.stale:  # too old to serve: wait for the platform
                    return await self._asked(digest, secret, address)
                self._asked_later(digest, secret, address)
            if isinstance(answer, PlatformError):
                raise _copy(answer)
            if answer.expires_at is not None and answer.expired(datetime.now(UTC)):
                raise _expired()
            return answer
        return await self._asked(digest, secret, address)

    def _checked(self, digest: bytes, secret: str, address: str) -> asyncio.Future[KeyGrant]:
        """The platform's check of this secret: one at a time per secret, shared."""
        pending = self._checking.get(digest)
        if pending is None:
            pending = asyncio.ensure_future(self._check(digest, secret, address))
            self._checking[digest] = pending
            pending.add_done_callback(lambda _: self._checking.pop(digest, None))
        return pending

    async def _asked(self, digest: bytes, secret: str, address: str) -> KeyGrant:
        return await asyncio.shield(self._checked(digest, secret, address))

    def _asked_later(self, digest: bytes, secret: str, address: str) -> None:
        """Check again in the background; its answer (or failure) lands in the cache."""
        self._checked(digest, secret, address).add_done_callback(_retrieved)

    async def _check(self, digest: bytes, secret: str, address: str) -> KeyGrant:
        async with self._slots:
            try:
                grant = await self.control.check_key(secret, address)
            except NotAuthenticated as refused:  # the key's own refusals, kept as long
                self._keep(digest, refused)
                raise
        self._keep(digest, grant)
        return grant

    def _keep(self, digest: bytes, answer: KeyGrant | PlatformError) -> None:
        self._known[digest] = (self.clock() + self.seconds, answer)
        self._known.move_to_end(digest)
        while len(self._known) > self.size:
            self._known.popitem(last=False)


def _retrieved(done: asyncio.Future[KeyGrant]) -> None:
    """A background check's refusal is kept by ``_check``; nobody awaits it here."""
    if not done.cancelled():
        done.exception()


def refusal(status: int, message: str, reason: str, params: Any = None) -> PlatformError:
    """The core error for a refusal the platform answered, its reason kept even when this
    release declares no class for it (the error body carries the platform's reason)."""
    error = error_for(status, message, reason, params)
    if error.reason != reason:
        error.reason = reason
    return error


def _copy(error: PlatformError) -> PlatformError:
    """A fresh error of the same kind for each refusal (a raised error keeps its traceback)."""
    return refusal(401, error.message, error.reason, error.params)


def _expired() -> PlatformError:
    return refusal(401, "This API key has expired.", "key_expired")


class HubPeople:
    """People who call with their hub token: JupyterHub says who they are (HubAuth caches the
    answer per token digest for ``cache_max_age`` seconds).

    The platform's ``HubTokenAuthenticator`` asks the hub the same question. It is written
    again here because a gateway imports only ``core`` and ``api`` (docs/architecture.md), and
    neither may hold a framework's client; its refusals say the same things in the same words.
    """

    def __init__(self, hub_auth: HubAuth) -> None:
        self.hub_auth = hub_auth

    async def person(self, token: str) -> Person:
        try:
            model: dict[str, Any] | None = await self.hub_auth.user_for_token(token, sync=False)
        except HTTPError as err:
            raise HubUnavailable(
                "JupyterHub could not confirm who you are right now; try again in a moment."
            ) from err
        if not model:
            raise TokenRefused(
                "JupyterHub does not recognise this token: it is wrong, expired or revoked. "
                "Restart your server from the hub home page to get a fresh one."
            )
        if model.get("kind", "user") != "user":
            raise TokenLacksAccess("Services call deployments with an API key, not a hub token.")
        if not self.hub_auth.check_scopes(self.hub_auth.access_scopes, model):
            raise TokenLacksAccess(
                f"Your token does not grant access to the deployments service (it needs one of "
                f"{sorted(self.hub_auth.access_scopes)}). Ask an administrator to give your "
                "group access to the service."
            )
        scopes = set(model.get("scopes") or ())
        admin = bool(model.get("admin")) or SCOPE_FOR_ROLE[Role.ADMIN] in scopes
        return Person(name=str(model["name"]), admin=admin)


async def caller_for(
    header: str | None,
    address: str,
    keys: KeyCache,
    people: HubPeople | None,
) -> Caller:
    kind, value = credentials(header)
    if kind == "key":
        return await keys.grant(value, address)
    if people is None:
        raise TokenRefused("This gateway takes API keys only (no JupyterHub is configured).")
    return await people.person(value)


# ---------------------------------------------------------------- wire → records


def route_from_wire(body: dict[str, Any]) -> Route:
    """A route as the platform writes it (``api/deployments.py``), as the core's record."""
    return Route(
        name=str(body["name"]),
        owner=str(body["owner"]),
        stage=Stage(body["stage"]),
        model_name=str(body["model_name"]),
        revision=int(body["revision"]),
        targets=tuple(
            RouteTarget(
                version=str(t["version"]),
                traffic=Traffic(t["traffic"]),
                percent=int(t["percent"]),
                url=str(t["url"]).rstrip("/"),
            )
            for t in body.get("targets") or ()
        ),
        sequence=int(body.get("sequence") or 0),
        active=bool(body.get("active", True)),
    )


# ---------------------------------------------------------------- the platform over HTTP


class PlatformControl(ApiKeysClient, TrafficCalls):
    """The control plane's routes for the gateway, over the platform client (its transport's
    error table: a refusal keeps the platform's reason, ``key_unknown``, ``key_revoked`` and
    ``key_expired`` among them; an unreachable platform is ``Unavailable``)."""

    async def report_traffic(
        self, gateway: str, minutes: Sequence[TrafficMinute]
    ) -> TrafficReceipt:
        """Closed minutes to the platform (scope ``custom:mlplat:report-traffic``)."""
        body = [TrafficMinuteBody.of(m) for m in minutes]
        answer = await self.send_traffic_report(TrafficReport(gateway=gateway, minutes=body))
        return TrafficReceipt(stored=answer.stored, unknown=answer.unknown, expired=answer.expired)

    async def route(self, name: str) -> Route:
        body = await self._get(f"api/v1/deployments/{quote(name, safe='')}/route", RouteBody)
        return _route(body)

    async def routes_since(self, since: int) -> tuple[int, list[Route], list[str]]:
        cursor, changed = since, list[Route]()
        while True:  # the feed answers at most MAX_ROUTES at once: read on from its sequence
            feed = await self._get(f"api/v1/deployments/routes?since={int(cursor)}", RouteFeed)
            changed.extend(_route(r) for r in feed.routes)
            cursor = max(cursor, feed.sequence)
            if len(feed.routes) < MAX_ROUTES:
                return cursor, changed, []

    async def check_key(self, secret: str, address: str) -> KeyGrant:
        answer = await self.check(secret, address)
        return KeyGrant(
            id=answer.id,
            prefix=answer.prefix,
            owner=answer.owner,
            deployments=frozenset(answer.scopes.deployments),
            rate_limit=answer.rate_limit,
            expires_at=answer.expires_at,
        )


def _route(body: RouteBody) -> Route:
    return route_from_wire(body.model_dump(mode="json"))
