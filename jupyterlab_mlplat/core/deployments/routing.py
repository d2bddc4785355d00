"""The invocations gateway's rules: where a request goes, who may send it, how often, and what a
shadow's answer is worth. Pure: the gateway (``gateways/invocations.py``) passes in the clock
and the random draws, so every rule is tested without sockets or sleeps.

Why a random draw splits the traffic, not a hash of the request id: a split is over requests,
not callers, and predictions are independent of each other. A draw needs no shared state, so it
survives a route change and several gateway replicas unchanged, and it stays unbiased whatever a
client sends as its request id (ids may be sequential, constant, or absent). A client that
wants the same version for a series of calls is not a case the product has: the canary's point
is to see a share of live traffic on the new version.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from jupyterlab_mlplat.core.kernel.errors import Forbidden, InvalidInput, PlatformError, Unavailable

from .records import Route, RouteTarget, Traffic

# ---------------------------------------------------------------- errors


class KeyOutOfScope(Forbidden):
    """The API key does not list the deployment (``params.deployment``), or its owner does not
    own it: a key calls only its owner's deployments that it names."""

    reason = "key_out_of_scope"


class RateLimited(PlatformError):
    """The key sent more than its rate; ``params.retry_after`` is the whole seconds to wait
    (also the ``Retry-After`` header) and ``params.rate_limit`` the key's requests a second."""

    reason = "rate_limited"


class DeploymentNotReady(Unavailable):
    """The deployment has no ready workload to answer (starting, or failed)."""

    reason = "deployment_not_ready"


class ModelServerUnreachable(Unavailable):
    """No ready workload of the deployment accepted the connection or answered in time."""

    reason = "model_server_unreachable"


class ModelServerFailed(PlatformError):
    """The model server answered with its own failure (a 5xx); ``params.status`` is its
    status. The client's mistakes (its 4xx) are passed through as the model server wrote them."""

    reason = "model_server_failed"


class DeploymentNameInvalid(InvalidInput):
    """The path names no possible deployment (``params.value``, cut): never looked up."""

    reason = "deployment_name_invalid"


# ---------------------------------------------------------------- the route


def live_targets(route: Route) -> tuple[RouteTarget, ...]:
    """The targets that answer live traffic (primary first, then canary); not the shadow."""
    order = {Traffic.PRIMARY: 0, Traffic.CANARY: 1}
    return tuple(
        sorted(
            (t for t in route.targets if t.traffic is not Traffic.SHADOW),
            key=lambda t: order[t.traffic],
        )
    )


def shadow_target(route: Route) -> RouteTarget | None:
    return next((t for t in route.targets if t.traffic is Traffic.SHADOW), None)


#: a deployment's name as a path carries it: DNS-1123 label, what the control plane accepts
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
NAME_LIMIT = 63


def deployment_name(raw: str) -> str:
    """The name a path names, or 400 before anything is looked up: a name the control plane
    could never have accepted cannot reach a cache key, a metric label or a log line."""
    if (
        not raw
        or len(raw) > NAME_LIMIT
        or not set(raw) <= _NAME_CHARS
        or raw[0] == "-"
        or raw[-1] == "-"
    ):
        shown = raw[:40].encode("ascii", "backslashreplace").decode()
        raise DeploymentNameInvalid(
            f"{shown!r} is not a deployment name (lower-case letters, digits and '-').",
            "name",
            params={"value": shown},
        )
    return raw


def pick(route: Route, draw: float) -> RouteTarget | None:
    """The live target a request goes to, for a uniform ``draw`` in [0, 1).

    Percentages are weights: while a change rolls out, the route may list a version whose share
    moved to a workload that is not ready yet, so the listed percentages need not add up to 100;
    the ready ones share all the traffic in their proportion. A target with 0 % takes traffic
    only when every live target has 0 % (nothing else can answer). ``None``: nothing is ready.
    """
    live = live_targets(route)
    if not live:
        return None
    total = sum(max(t.percent, 0) for t in live)
    if total <= 0:
        return live[0]
    point = min(max(draw, 0.0), math.nextafter(1.0, 0.0)) * total
    for target in live:
        point -= max(target.percent, 0)
        if point < 0:
            return target
    return live[-1]


def fallback(route: Route, failed: Iterable[str]) -> RouteTarget | None:
    """Another live target for a request whose target did not answer (its connection failed):
    predictions are idempotent, so sending it again loses nothing. The primary is preferred,
    then the canary; a URL that already failed is never tried again for the same request."""
    tried = set(failed)
    return next((t for t in live_targets(route) if t.url not in tried), None)


# ---------------------------------------------------------------- who may call


@dataclass(frozen=True)
class KeyGrant:
    """What the control plane said of an API key (its check), as the gateway keeps it."""

    id: int
    prefix: str
    owner: str
    deployments: frozenset[str]
    rate_limit: float
    expires_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


def key_may_call(grant: KeyGrant, name: str) -> None:
    """Before the route is looked up: the key must name the deployment (403 otherwise, which
    says nothing of whether the deployment exists)."""
    if name not in grant.deployments:
        raise KeyOutOfScope(
            f"This API key may not call the deployment {name!r}: it is not in the key's scopes.",
            params={"deployment": name},
        )


def key_owner_may_call(grant: KeyGrant, route: Route) -> None:
    """After the route is known: a key acts as its owner, who must own the deployment. A key
    that names a deployment someone else made later under that name gets nothing of it."""
    if grant.owner != route.owner:
        raise KeyOutOfScope(
            f"This API key may not call the deployment {route.name!r}: its owner does not own it.",
            params={"deployment": route.name},
        )


def person_may_call(name: str, *, admin: bool, route: Route) -> bool:
    """A person calls with their hub token their own deployments; an admin calls every one."""
    return admin or route.owner == name


# ---------------------------------------------------------------- rate limits


@dataclass
class TokenBucket:
    """A key's allowance: ``rate`` requests a second on average, at most ``burst`` at once.

    The bucket starts full. ``take(now)`` spends one token and answers 0.0, or spends nothing
    and answers the seconds until a token will be there (the ``Retry-After``). ``now`` is a
    monotonic clock's reading in seconds.
    """

    rate: float
    burst: float
    tokens: float = field(init=False)
    at: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.burst = max(self.burst, 1.0)
        self.tokens = self.burst

    def retune(self, rate: float, burst: float) -> None:
        """The key's rate changed (its owner edited it): keep what was spent, within the new
        burst."""
        self.rate, self.burst = rate, max(burst, 1.0)
        self.tokens = min(self.tokens, self.burst)

    def take(self, now: float) -> float:
        if self.at is not None and now > self.at:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now if self.at is None else max(self.at, now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / self.rate


def retry_after(wait: float) -> int:
    """``Retry-After`` is in whole seconds (RFC 9110 §10.2.3): round up, never 0, since a client
    that retries at once only spends its next token early."""
    if math.isinf(wait):
        return 3600
    return max(1, math.ceil(wait))


# ---------------------------------------------------------------- shadows


@dataclass
class ShadowSlots:
    """At most ``limit`` shadow copies under way at once: a shadow must never slow down the
    live traffic, so when it lags, copies are dropped (and counted), not queued."""

    limit: int
    busy: int = 0

    def enter(self) -> bool:
        if self.busy >= self.limit:
            return False
        self.busy += 1
        return True

    def leave(self) -> None:
        self.busy = max(0, self.busy - 1)


_NO_ANSWER = object()


def predictions(answer: object) -> object:
    """What a model answered, out of either protocol's envelope: MLflow's ``{"predictions":
    …}``, the Open Inference Protocol's ``{"outputs": [{"data": …}, …]}`` (the data of every
    output, in order), or the answer itself when it has neither."""
    if isinstance(answer, Mapping):
        if "predictions" in answer:
            return answer["predictions"]
        outputs = answer.get("outputs")
        if isinstance(outputs, list) and all(isinstance(o, Mapping) for o in outputs):
            return [o.get("data", _NO_ANSWER) for o in outputs]
    return answer


def agree(primary: object, shadow: object, *, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Whether two answers predict the same: equal labels and structure, numbers within the
    tolerance (``math.isclose``). Booleans are labels, not numbers; NaN agrees with NaN (both
    models said "no number")."""
    return _same(predictions(primary), predictions(shadow), rel_tol, abs_tol)


def _same(a: object, b: object, rel_tol: float, abs_tol: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(a, Sequence) and not isinstance(a, str | bytes):
        if not isinstance(b, Sequence) or isinstance(b, str | bytes) or len(a) != len(b):
            return False
        return all(_same(x, y, rel_tol, abs_tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping):
        if not isinstance(b, Mapping) or a.keys() != b.keys():
            return False
        return all(_same(a[k], b[k], rel_tol, abs_tol) for k in a)
    return a == b


# ---------------------------------------------------------------- drift samples


def sampled(draw: float, rate: float) -> bool:
    """Whether a request (its uniform ``draw`` in [0, 1)) is kept for drift analysis."""
    return draw < rate


def drift_key(deployment: str, version: str, at: datetime, n: int) -> str:
    """The object a batch of samples is written to: ``drift/<deployment>/<version>/<UTC
    timestamp>-<n>.jsonl``. The timestamp sorts as text in time order (what the drift job reads
    since its last report); ``n`` tells apart batches of one instant."""
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"drift/{deployment}/{version}/{stamp}-{n}.jsonl"


@dataclass
class SampleBatch:
    """Samples of one deployment version waiting to be written (one JSON line each, made when
    written). Written when it holds ``rows`` samples or its first is ``seconds`` old, whichever
    comes first."""

    deployment: str
    version: str
    started: float
    samples: list[object] = field(default_factory=list)

    def due(self, now: float, *, rows: int, seconds: float) -> bool:
        return bool(self.samples) and (len(self.samples) >= rows or now - self.started >= seconds)


def split_for_flush(
    batches: Mapping[tuple[str, str], SampleBatch], now: float, *, rows: int, seconds: float
) -> list[SampleBatch]:
    """The batches to write now (``now``: monotonic seconds, as ``SampleBatch.started``)."""
    return [b for b in batches.values() if b.due(now, rows=rows, seconds=seconds)]
