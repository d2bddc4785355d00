"""The pure rules of deployments: names, specs and their changes, the workloads a spec needs,
the route the gateway follows while a change rolls out, a deployment's phase, and sizes.

Nothing here reads a store or a backend: the service asks, the reconciler asks, the tests walk
every case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from jupyterlab_mlplat.core.kernel import naming
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, NameInvalid
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from .errors import DeploymentNotFound, NoCanary, SameVersion, SizeInvalid
from .records import (
    Deployment,
    DeploymentSpec,
    ModelSource,
    Phase,
    Resources,
    RouteTarget,
    ServedVersion,
    Size,
    Traffic,
    Workload,
    WorkloadStatus,
)

#: the labels every workload carries, so a backend can find a deployment's objects
LABEL_DEPLOYMENT = "mlplat.deployment"
LABEL_VERSION = "mlplat.version"
LABEL_TRAFFIC = "mlplat.traffic"
LABEL_STAGE = "mlplat.stage"

#: a canary's share of live requests, in percent
CANARY_MIN, CANARY_MAX = 1, 99

#: the sizes a fresh platform offers (admins change them later)
DEFAULT_SIZES: tuple[Size, ...] = (
    Size("small", "Small", Resources(cpu="500m", memory="512Mi", replicas=1, max_replicas=1)),
    Size("medium", "Medium", Resources(cpu="1", memory="1Gi", replicas=2, max_replicas=4)),
    Size("large", "Large", Resources(cpu="2", memory="4Gi", replicas=2, max_replicas=8)),
)
#: what a size may ask for, as the documents state it (the patterns bound the quantities, so
#: a typo cannot ask the cluster for a million cores): CPU above 0 and below 1000 cores,
#: memory a whole number of at most six digits with a unit up to Gi
MAX_REPLICAS = 50
MAX_TITLE = 100
CPU_PATTERN = (
    r"^(?:[1-9][0-9]{0,5}m|[1-9][0-9]{0,2}(?:\.[0-9]{1,3})?"
    r"|0\.(?:[1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$"
)
MEMORY_PATTERN = r"^[1-9][0-9]{0,5}(?:Ki|Mi|Gi|K|M|G)?$"
#: a title people read: no control or bidirectional character (``naming.text`` checks it)
TITLE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
#: names the platform's routes take (``/api/v1/deployments/routes``), besides naming's
RESERVED_NAMES = frozenset({"routes"})
_NOT_RESERVED = "(?!(?:" + "|".join(sorted(naming.RESERVED | RESERVED_NAMES)) + ")$)"
#: a deployment's name as the documents state it (``deployment_name`` checks the same)
NAME_PATTERN = (
    f"^{_NOT_RESERVED}[a-z0-9](?:[-a-z0-9]{{0,{naming.DEPLOYMENT_NAME_MAX - 2}}}[a-z0-9])?$"
)
#: a size's name: a DNS-1123 label; a new one is not a reserved word either
SIZE_NAME_PATTERN = "^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$"
NEW_SIZE_NAME_PATTERN = f"^{_NOT_RESERVED}" + SIZE_NAME_PATTERN[1:]
_MEMORY_UNITS = {
    "": 1,
    "K": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


# ---------------------------------------------------------------- names
def deployment_name(raw: str) -> str:
    naming.deployment_name(raw, field="name")
    if raw in RESERVED_NAMES:
        raise NameInvalid(
            f"name {raw!r} is reserved; choose another",
            "name",
            params={"field": "name", "rule": "reserved", "value": raw},
        )
    return raw


# ---------------------------------------------------------------- who sees a deployment
def may_see(identity: Identity, found: Deployment) -> bool:
    """Its owner and admins, as people: no service, whatever its scopes."""
    return identity.kind == "user" and (found.owner == identity.name or identity.has(Role.ADMIN))


def visible(
    identity: Identity, name: str, lookup: Callable[[str], Deployment | None]
) -> Deployment:
    """The deployment ``name`` found by ``lookup`` if ``identity`` may see it; to anyone else
    it is not there, as if it did not exist (a name says nothing about whose it is). Text no
    deployment could be called (NUL, a path, 10 kB) is looked up nowhere."""
    try:
        naming.deployment_name(name)
    except InvalidInput:
        found = None
    else:
        found = lookup(name)
    if found is None or not may_see(identity, found):
        raise DeploymentNotFound(
            f"There is no deployment {name[:100]!r}, or it is not yours.",
            params={"name": name[:100]},
        )
    return found


def size_name(raw: str, *, field: str = "size") -> str:
    """The name of a size to look up: a DNS-1123 label (so nothing else reaches a query)."""
    if len(raw) > naming.DNS_LABEL_MAX or not re.fullmatch(SIZE_NAME_PATTERN, raw):
        raise NameInvalid(
            f"{field} must name a deployment size",
            field,
            params={"field": field, "rule": "characters", "value": raw[:100]},
        )
    return raw


def workload_name(deployment: str, version: str) -> str:
    """``{deployment}-v{version}``: a DNS-1123 label (the name is at most 40 characters and a
    version at most ten digits)."""
    return naming.dns_label(f"{deployment}-v{version}", field="workload")


# ---------------------------------------------------------------- specs
def first_spec(model_name: str, source: ModelSource, size: Size) -> DeploymentSpec:
    return DeploymentSpec(
        model_name=model_name,
        versions=(ServedVersion(source.version, Traffic.PRIMARY, 100),),
        size=size.name,
        resources=size.resources,
        sources=(source,),
    )


def with_traffic(
    spec: DeploymentSpec,
    *,
    canary: tuple[str, int] | None,
    shadow: str | None,
    sources: Iterable[ModelSource] = (),
) -> DeploymentSpec:
    """The spec with its canary (version, percent) and shadow set or cleared; the primary keeps
    what the canary does not take. ``sources`` are those of versions new to the spec."""
    primary = spec.served(Traffic.PRIMARY)
    assert primary is not None, "a spec always has a primary"
    if canary is not None:
        version, percent = canary
        naming.model_version(version, field="canary.version")
        if version == primary.version:
            raise SameVersion(
                f"The canary must be another version than the primary ({version}).",
                "canary.version",
                params={"field": "canary.version", "version": version},
            )
        if not CANARY_MIN <= percent <= CANARY_MAX:
            raise InvalidInput(
                f"canary.percent must be from {CANARY_MIN} to {CANARY_MAX}",
                "canary.percent",
                params={"field": "canary.percent"},
            )
    if shadow is not None:
        naming.model_version(shadow, field="shadow.version")
        if shadow == primary.version or (canary is not None and shadow == canary[0]):
            raise SameVersion(
                f"The shadow must be another version than the primary and the canary ({shadow}).",
                "shadow.version",
                params={"field": "shadow.version", "version": shadow},
            )
    versions = [ServedVersion(primary.version, Traffic.PRIMARY, 100 - (canary[1] if canary else 0))]
    if canary is not None:
        versions.append(ServedVersion(canary[0], Traffic.CANARY, canary[1]))
    if shadow is not None:
        versions.append(ServedVersion(shadow, Traffic.SHADOW, 0))
    return replace(spec, versions=tuple(versions), sources=_sources(spec, versions, sources))


def promoted(spec: DeploymentSpec, name: str) -> DeploymentSpec:
    """The canary becomes the primary at 100 %; the old primary leaves; a shadow stays."""
    canary = spec.served(Traffic.CANARY)
    if canary is None:
        raise NoCanary(f"{name} has no canary to promote.", params={"name": name})
    versions = [ServedVersion(canary.version, Traffic.PRIMARY, 100)]
    shadow = spec.served(Traffic.SHADOW)
    if shadow is not None:
        versions.append(shadow)
    return replace(spec, versions=tuple(versions), sources=_sources(spec, versions, ()))


def resized(spec: DeploymentSpec, size: Size) -> DeploymentSpec:
    return replace(spec, size=size.name, resources=size.resources)


def new_versions(spec: DeploymentSpec, versions: Iterable[str]) -> list[str]:
    """The versions not yet in the spec (their sources must be resolved)."""
    return [v for v in versions if spec.source(v) is None]


def _sources(
    spec: DeploymentSpec, versions: Sequence[ServedVersion], added: Iterable[ModelSource]
) -> tuple[ModelSource, ...]:
    known = {s.version: s for s in (*spec.sources, *added)}
    return tuple(known[v.version] for v in versions if v.version in known)


# ---------------------------------------------------------------- workloads
def workloads(deployment: Deployment) -> list[Workload]:
    """What the backend must run for a deployment: one workload per served version, named
    ``{name}-v{version}``, with the size's resources, plus the versions of the last spec served
    in full that the route still sends requests to (until their successors are ready). A
    deleted deployment needs none."""
    if deployment.deleted_at is not None:
        return []
    spec = deployment.spec
    found = [
        _workload(deployment, spec, v.version, str(v.traffic))
        for v in spec.versions
        if spec.source(v.version) is not None
    ]
    served = deployment.served
    wanted = {v.version for v in spec.versions}
    for version in dict.fromkeys(t.version for t in deployment.route):
        if version not in wanted and served is not None and served.source(version) is not None:
            found.append(_workload(deployment, served, version, "retiring"))
    return found


def _workload(deployment: Deployment, spec: DeploymentSpec, version: str, role: str) -> Workload:
    source = spec.source(version)
    assert source is not None
    return Workload(
        name=workload_name(deployment.name, version),
        deployment=deployment.name,
        owner=deployment.owner,
        source=source,
        resources=spec.resources,
        labels={
            LABEL_DEPLOYMENT: deployment.name,
            LABEL_VERSION: version,
            LABEL_TRAFFIC: role,
            LABEL_STAGE: str(deployment.stage),
        },
    )


def ready(status: WorkloadStatus | None) -> bool:
    return (
        status is not None
        and status.phase is Phase.READY
        and status.ready_replicas > 0
        and bool(status.url)
    )


def route_targets(
    deployment_name: str,
    spec: DeploymentSpec,
    served: Sequence[ServedVersion],
    statuses: Mapping[str, WorkloadStatus],
) -> tuple[tuple[RouteTarget, ...], bool]:
    """Where the gateway sends requests now, and whether that is the spec in full.

    When every live version of the spec (primary, canary) is ready, the route is the spec (a
    shadow joins once ready). Otherwise the route keeps ``served`` — the last spec that was
    routed in full — as far as its workloads are ready, so a canary shift or a rollback never
    sends a request to a workload that cannot answer yet; with nothing of it ready (the first
    deployment), whatever of the spec is ready takes all the traffic.
    """

    def status(version: str) -> WorkloadStatus | None:
        return statuses.get(workload_name(deployment_name, version))

    live = [v for v in spec.versions if v.traffic is not Traffic.SHADOW]
    shadow = spec.served(Traffic.SHADOW)
    shadows = [shadow] if shadow is not None and ready(status(shadow.version)) else []
    if live and all(ready(status(v.version)) for v in live):
        return _targets([*live, *shadows], status), True
    previous = [v for v in served if v.traffic is not Traffic.SHADOW and ready(status(v.version))]
    chosen = previous or [v for v in live if ready(status(v.version))]
    return _targets([*_shared_out(chosen), *shadows], status), False


def _shared_out(versions: Sequence[ServedVersion]) -> list[ServedVersion]:
    """The same versions with their percents scaled to add up to 100 (largest remainder)."""
    total = sum(v.percent for v in versions)
    if not versions or total == 100:
        return list(versions)
    if total <= 0:
        shares = [100 // len(versions)] * len(versions)
        shares[0] += 100 - sum(shares)
    else:
        exact = [Decimal(v.percent * 100) / total for v in versions]
        shares = [int(e) for e in exact]
        order = sorted(range(len(versions)), key=lambda i: exact[i] - shares[i], reverse=True)
        for i in order[: 100 - sum(shares)]:
            shares[i] += 1
    return [replace(v, percent=s) for v, s in zip(versions, shares, strict=True)]


def _targets(
    versions: Sequence[ServedVersion], status: Callable[[str], WorkloadStatus | None]
) -> tuple[RouteTarget, ...]:
    found = []
    for v in versions:
        seen = status(v.version)
        url = seen.url if seen is not None and seen.url else ""
        found.append(RouteTarget(v.version, v.traffic, v.percent, url))
    return tuple(t for t in found if t.url)


def still_routed(targets: Iterable[RouteTarget], spec: DeploymentSpec) -> list[str]:
    """The versions the route uses that the spec no longer serves (they retire later)."""
    wanted = {v.version for v in spec.versions}
    return [t.version for t in targets if t.version not in wanted]


def phase(deployment: Deployment, statuses: Mapping[str, WorkloadStatus]) -> Phase:
    """A deployment's state, summed up from its desired workloads: any failed is failed, all
    ready is ready, else pending; deleted is stopped."""
    if deployment.deleted_at is not None:
        return Phase.STOPPED
    seen = [
        statuses.get(workload_name(deployment.name, v.version)) for v in deployment.spec.versions
    ]
    if any(s is not None and s.phase is Phase.FAILED for s in seen):
        return Phase.FAILED
    if seen and all(ready(s) for s in seen):
        return Phase.READY
    return Phase.PENDING


# ---------------------------------------------------------------- sizes
def cpu_cores(quantity: str) -> Decimal:
    """A Kubernetes CPU quantity ("500m", "2", "1.5") in cores."""
    if not re.fullmatch(CPU_PATTERN, quantity):
        raise _size_invalid("cpu", "quantity", f"{quantity!r} is not a CPU quantity like 500m or 2")
    try:
        return Decimal(quantity[:-1]) / 1000 if quantity.endswith("m") else Decimal(quantity)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise _size_invalid("cpu", "quantity", f"{quantity!r} is not a CPU quantity") from None


def memory_bytes(quantity: str) -> int:
    match = re.fullmatch(r"([0-9]+)([A-Za-z]*)", quantity)
    if not re.fullmatch(MEMORY_PATTERN, quantity) or match is None:
        raise _size_invalid(
            "memory", "quantity", f"{quantity!r} is not a memory quantity like 512Mi or 4Gi"
        )
    return int(match.group(1)) * _MEMORY_UNITS[match.group(2)]


def size(name: str, title: str, resources: Resources, revision: int = 1) -> Size:
    """A size as admins may define it: a DNS-1123 name, plain text for a title, quantities
    Kubernetes takes, within bounds, and at least as many replicas at most as at least."""
    naming.dns_label(name, field="name")
    if name in RESERVED_NAMES:
        raise NameInvalid(
            f"name {name!r} is reserved; choose another",
            "name",
            params={"field": "name", "rule": "reserved", "value": name},
        )
    naming.text(title, field="title", limit=MAX_TITLE)
    cpu_cores(resources.cpu)
    memory_bytes(resources.memory)
    if not 1 <= resources.replicas <= MAX_REPLICAS:
        raise _size_invalid("replicas", "too_large", f"replicas must be 1 to {MAX_REPLICAS}")
    if not 1 <= resources.max_replicas <= MAX_REPLICAS:
        raise _size_invalid(
            "max_replicas", "too_large", f"max_replicas must be 1 to {MAX_REPLICAS}"
        )
    # fewer at most than at least means no autoscaling, not a mistake to refuse
    grown = replace(resources, max_replicas=max(resources.max_replicas, resources.replicas))
    return Size(name=name, title=title or name, resources=grown, revision=revision)


def _size_invalid(field: str, rule: str, message: str) -> SizeInvalid:
    return SizeInvalid(message, field, params={"field": field, "rule": rule})
