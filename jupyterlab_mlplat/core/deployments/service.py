"""Deployments from a person's request to the route the gateway follows: creating one (staging
from the person's own versions, production from the catalog's published ones), changing its
traffic, promoting, rolling back, resizing and deleting it, reading its page, history and logs;
the sizes admins manage; and what the reconciler reports of the backends.

Every change names the revision the caller's page showed and runs in one transaction that
locks the deployment, checks the revision (a stale one is 409 naming who changed what since,
and nothing changes), writes the new revision of the spec with its history row, recomputes the
route from the workloads' statuses, and writes the audit record. Reading a version from MLflow
(its files and owner) happens before the transaction, once, when the version enters the spec.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from jupyterlab_mlplat.core.catalog.records import ServingDeployment, VersionState
from jupyterlab_mlplat.core.experiments.errors import MLflowNotConfigured
from jupyterlab_mlplat.core.kernel import naming
from jupyterlab_mlplat.core.kernel.errors import (
    RoleRequired,
    TokenLacksAccess,
    Unavailable,
)
from jupyterlab_mlplat.core.kernel.identity import ROUTE_DEPLOYMENTS_SCOPE, Identity, Role
from jupyterlab_mlplat.core.reviews.errors import NotYourModel

from . import rules
from .errors import (
    DeploymentChanged,
    DeploymentNameTaken,
    DeploymentNotFound,
    DeploymentStopping,
    LogsUnavailable,
    NoPreviousRevision,
    SizeChanged,
    SizeInUse,
    SizeNameTaken,
    SizeNotFound,
    VersionNotPublished,
    VersionNotReady,
)
from .ports import Deployer, DeploymentsStore, DeploymentsTx, ModelSources
from .records import (
    Change,
    Deployment,
    DeploymentRevision,
    DeploymentSpec,
    ModelSource,
    Phase,
    Resources,
    Route,
    RouteTarget,
    Size,
    Stage,
    WorkloadStatus,
)

log = logging.getLogger(__name__)

#: the audit action of each change
AUDIT_ACTION = {
    Change.CREATE: "deployment.created",
    Change.TRAFFIC: "deployment.traffic_changed",
    Change.PROMOTE: "deployment.promoted",
    Change.ROLLBACK: "deployment.rolled_back",
    Change.RESIZE: "deployment.resized",
    Change.DELETE: "deployment.deleted",
}
#: the most routes one read of the feed returns
ROUTES_PAGE = 500


class DeploymentService:
    def __init__(
        self,
        store: DeploymentsStore,
        sources: ModelSources | None,
        deployer: Deployer | None = None,
        *,
        catalog_prefix: str = "catalog.",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.sources = sources
        self.deployer = deployer
        self.catalog_prefix = catalog_prefix
        self._now = now
        #: called with a deployment's name after each change (the reconciler wakes up)
        self.on_change: Callable[[str], None] | None = None

    # ------------------------------------------------------------------ sizes
    def sizes(self, identity: Identity) -> list[Size]:
        return self.store.sizes()

    def seed_sizes(self, sizes: Sequence[Size] = rules.DEFAULT_SIZES) -> bool:
        """The shipped sizes, when there are none: the migration that made the table seeds
        them, so this writes (audited as 'system') only after admins deleted every size or on
        a database migrated before the seed. Later starts keep what admins did."""
        if self.store.sizes():
            return False
        with self.store.transaction("system") as tx:
            for size in sizes:
                tx.insert_size(size, self._now())
                tx.audit("deployment_size.created", "deployment_size", size.name, seeded=True)
        return True

    def create_size(self, identity: Identity, name: str, title: str, resources: Resources) -> Size:
        _admin(identity)
        size = rules.size(name, title, resources)
        with self.store.transaction(identity.name) as tx:
            if tx.size_for_update(name) is not None:
                raise SizeNameTaken(f"A size named {name!r} exists.", params={"size": name})
            tx.insert_size(size, self._now())
            tx.audit("deployment_size.created", "deployment_size", name, **_resources(size))
        return size

    def update_size(
        self, identity: Identity, name: str, revision: int, title: str, resources: Resources
    ) -> Size:
        """New deployments and resizes take the new resources; running ones keep theirs until
        their owner resizes (a spec says what it runs)."""
        _admin(identity)
        with self.store.transaction(identity.name) as tx:
            current = self._size(tx, name, revision)
            size = rules.size(name, title, resources, revision=current.revision + 1)
            if not tx.update_size(size, expected_revision=current.revision, at=self._now()):
                raise self._size_changed(name, current.revision, revision)
            tx.audit("deployment_size.updated", "deployment_size", name, **_resources(size))
        return size

    def delete_size(self, identity: Identity, name: str, revision: int) -> None:
        _admin(identity)
        with self.store.transaction(identity.name) as tx:
            self._size(tx, name, revision)
            users = tx.size_users(name)
            if users:
                raise SizeInUse(
                    f"{users} deployment(s) use the size {name!r}; resize them first.",
                    params={"size": name, "count": users},
                )
            tx.delete_size(name)
            tx.audit("deployment_size.deleted", "deployment_size", name)

    def _size(self, tx: DeploymentsTx, name: str, revision: int) -> Size:
        current = tx.size_for_update(name)
        if current is None:
            raise SizeNotFound(f"There is no size {name!r}.", params={"size": name})
        if current.revision != revision:
            raise self._size_changed(name, current.revision, revision)
        return current

    def _size_changed(self, name: str, now: int, yours: int) -> SizeChanged:
        by = self.store.size_updated_by(name)
        return SizeChanged(
            f"{by} saved the size {name!r} since you read it (now revision {now}, yours "
            f"{yours}). Reload it; nothing was changed.",
            params={"by": by, "revision": now, "yours": yours},
        )

    # ------------------------------------------------------------------ reading
    def mine(self, identity: Identity, *, everyone: bool = False) -> list[Deployment]:
        """The caller's deployments; with ``everyone``, an admin's view of all of them."""
        if everyone:
            _admin(identity)
            return self.store.deployments()
        return self.store.deployments(owner=identity.name)

    def serving(self, identity: Identity, mlflow_name: str) -> list[ServingDeployment]:
        """The deployments serving a version of ``mlflow_name`` that ``identity`` may see (a
        catalog model's page lists them): the caller's own, every one for an admin; none being
        deleted. One row a served version, by name, then version."""
        if identity.kind != "user":
            return []
        owner = None if identity.has(Role.ADMIN) else identity.name
        return [
            ServingDeployment(
                name=found.name,
                version=int(served.version),
                stage=found.stage.value,
                status=found.phase.value,
                traffic=served.traffic.value,
            )
            for found in self._live(mlflow_name, owner=owner)
            if rules.may_see(identity, found)
            for served in sorted(found.spec.versions, key=lambda v: int(v.version))
        ]

    def served_by(self, mlflow_name: str, version: str) -> list[tuple[str, str]]:
        """(deployment, owner) of the live deployments with ``version`` of ``mlflow_name`` in
        their spec, whoever owns them: a deprecation of that version tells each owner (the
        reviews room asks, as the platform, not as a reader)."""
        return [
            (found.name, found.owner)
            for found in self._live(mlflow_name)
            if any(served.version == version for served in found.spec.versions)
        ]

    def _live(self, mlflow_name: str, owner: str | None = None) -> list[Deployment]:
        """The deployments of ``mlflow_name`` (``owner``'s, or everyone's), none being deleted."""
        return [
            found
            for found in self.store.deployments(owner=owner)
            if found.deleted_at is None and found.spec.model_name == mlflow_name
        ]

    def get(self, identity: Identity, name: str) -> Deployment:
        return self._visible(identity, name)

    def changed_since(self, identity: Identity, name: str, since: int | None) -> Deployment | None:
        """The deployment when anything on its page changed after ``since`` (always without
        one), else None: a visible page polls cheaply."""
        found = self._visible(identity, name)
        return found if since is None or found.sequence > since else None

    def revisions(self, identity: Identity, name: str) -> list[DeploymentRevision]:
        self._visible(identity, name)
        return self.store.revisions(name)

    async def logs(self, identity: Identity, name: str, version: str, tail: int) -> tuple[str, str]:
        """The workload serving ``version`` and the last ``tail`` lines its replicas wrote."""
        found = await asyncio.to_thread(self._visible, identity, name)
        naming.model_version(version, field="version")
        workload = rules.workload_name(name, version)
        known = {v.version for v in found.spec.versions} | {t.version for t in found.route}
        if version not in known and workload not in {w.name for w in found.workloads}:
            raise LogsUnavailable(
                f"{name} serves no version {version}.", params={"version": version}
            )
        if self.deployer is None:
            raise Unavailable("No deployment backend is configured.")
        return workload, await self.deployer.logs(workload, tail=tail)

    # ------------------------------------------------------------------ the gateway
    def route(self, identity: Identity, name: str) -> Route:
        _router(identity)
        found = self.store.deployment(name)
        if found is None:
            raise DeploymentNotFound(f"There is no deployment {name!r}.", params={"name": name})
        return _route(found)

    def routes_since(self, identity: Identity, since: int, limit: int = ROUTES_PAGE) -> list[Route]:
        _router(identity)
        return self.store.routes_since(since, limit=min(limit, ROUTES_PAGE))

    # ------------------------------------------------------------------ changes
    async def create(
        self,
        identity: Identity,
        name: str,
        stage: Stage,
        model_name: str,
        version: str,
        size: str,
    ) -> Deployment:
        """A new deployment of one version: the caller's own for staging, a published one of
        the catalog for production. The version's files are resolved now and kept with the
        spec; the reconciler starts its workload right after."""
        rules.deployment_name(name)
        naming.model_name(model_name, field="model_name")
        naming.model_version(version, field="version")
        rules.size_name(size)
        existing = await asyncio.to_thread(self.store.deployment, name)
        if existing is not None:
            raise _taken(existing)
        mlflow_name = self._mlflow_name(stage, model_name)
        source = await self._resolve(stage, identity.name, mlflow_name, version)
        return await asyncio.to_thread(self._create, identity, name, stage, source, size)

    def _create(
        self, identity: Identity, name: str, stage: Stage, source: ModelSource, size_name: str
    ) -> Deployment:
        with self.store.transaction(identity.name) as tx:
            existing = tx.deployment_for_update(name)
            if existing is not None:
                raise _taken(existing)
            size = tx.size_for_update(size_name)
            if size is None:
                raise SizeNotFound(f"There is no size {size_name!r}.", params={"size": size_name})
            spec = rules.first_spec(source.model_name, source, size)
            tx.insert_deployment(name, identity.name, stage, spec, self._now())
            tx.audit(
                AUDIT_ACTION[Change.CREATE],
                "deployment",
                name,
                stage=str(stage),
                **_spec_detail(spec),
            )
            created = tx.deployment_for_update(name)
        return self._changed(name, created)

    async def set_traffic(
        self,
        identity: Identity,
        name: str,
        revision: int,
        *,
        canary: tuple[str, int] | None,
        shadow: str | None,
    ) -> Deployment:
        """Set or clear the canary (a version and its share) and the shadow (a version that
        gets copies); versions new to the spec follow the stage's rules, of the same model."""
        current = await asyncio.to_thread(self._changeable, identity, name, revision)
        asked = [v for v in (canary[0] if canary else None, shadow) if v is not None]
        for field, value in (("canary.version", canary and canary[0]), ("shadow.version", shadow)):
            if value is not None:
                naming.model_version(value, field=field)
        added = [
            await self._resolve(current.stage, current.owner, current.spec.model_name, v)
            for v in rules.new_versions(current.spec, asked)
        ]

        def change(found: Deployment) -> DeploymentSpec:
            return rules.with_traffic(found.spec, canary=canary, shadow=shadow, sources=added)

        return await asyncio.to_thread(
            self._change,
            identity,
            name,
            revision,
            Change.TRAFFIC,
            change,
            canary=f"{canary[0]}:{canary[1]}" if canary else None,
            shadow=shadow,
        )

    def promote(self, identity: Identity, name: str, revision: int) -> Deployment:
        """The canary becomes the primary at 100 %."""
        return self._change(
            identity, name, revision, Change.PROMOTE, lambda d: rules.promoted(d.spec, d.name)
        )

    def rollback(self, identity: Identity, name: str, revision: int) -> Deployment:
        """The spec that was current before this one becomes current again, as a new revision
        (history is never rewritten). Rolling back a rollback steps further back."""
        return self._change(identity, name, revision, Change.ROLLBACK, None)

    def resize(self, identity: Identity, name: str, revision: int, size: str) -> Deployment:
        rules.size_name(size)
        return self._change(identity, name, revision, Change.RESIZE, None, size=size)

    def delete(self, identity: Identity, name: str, revision: int) -> Deployment:
        """Stop serving: the route empties now, the reconciler stops the workloads, and then
        the name is free again."""
        return self._change(identity, name, revision, Change.DELETE, lambda d: d.spec)

    def _change(
        self,
        identity: Identity,
        name: str,
        revision: int,
        change: Change,
        make: Callable[[Deployment], DeploymentSpec] | None,
        **detail: Any,
    ) -> Deployment:
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, identity, name, revision)
            restored = None
            if change is Change.ROLLBACK:
                restored, spec = self._previous(tx, current)
            elif change is Change.RESIZE:
                size = tx.size_for_update(str(detail["size"]))
                if size is None:
                    raise SizeNotFound(
                        f"There is no size {detail['size']!r}.", params={"size": detail["size"]}
                    )
                spec = rules.resized(current.spec, size)
            else:
                assert make is not None
                spec = make(current)
            saved = tx.save_spec(
                name,
                expected_revision=current.revision,
                spec=spec,
                change=change,
                at=self._now(),
                restored=restored,
                deleted=change is Change.DELETE,
            )
            if not saved:  # the lock makes this unreachable; the compare-and-set still guards
                raise _changed(tx.deployment_for_update(name) or current, revision)
            moved = tx.deployment_for_update(name)
            assert moved is not None
            self._reroute(tx, moved)
            extra = {k: v for k, v in detail.items() if v is not None and k != "size"}
            if restored is not None:
                extra["restored"] = restored
            tx.audit(
                AUDIT_ACTION[change],
                "deployment",
                name,
                revision=moved.revision,
                **_spec_detail(spec),
                **extra,
            )
            left = tx.deployment_for_update(name)  # rerouted: what this change leaves
        return self._changed(name, left)

    @staticmethod
    def _previous(tx: DeploymentsTx, current: Deployment) -> tuple[int, DeploymentSpec]:
        """The revision to go back to: the one before the revision the current spec came from
        (a rollback's spec came from the revision it restored)."""
        latest = tx.revision(current.name, current.revision)
        origin = current.revision
        if latest is not None and latest.change is Change.ROLLBACK and latest.restored:
            origin = latest.restored
        target = tx.revision(current.name, origin - 1) if origin > 1 else None
        if target is None:
            raise NoPreviousRevision(
                f"{current.name} has no earlier revision to roll back to.",
                params={"name": current.name},
            )
        return target.revision, target.spec

    # ------------------------------------------------------------------ the reconciler
    def to_reconcile(self) -> list[Deployment]:
        """Every deployment whose workloads the backend should run or stop."""
        return self.store.deployments()

    def observed(self, name: str, statuses: Sequence[WorkloadStatus]) -> Deployment | None:
        """Record what the backend says of a deployment's workloads: their statuses, the phase
        and the route that follows from them (written only when something changed). The
        backend's report is not a person's change: nothing is audited. Most reports change
        nothing; they are answered from a plain read, without taking the deployment's lock."""
        seen = tuple(sorted(statuses, key=lambda s: s.name))
        quick = self.store.deployment(name)
        if quick is None or not _rerouted(quick, seen):
            return quick
        with self.store.transaction("mlplat-reconciler") as tx:
            current = tx.deployment_for_update(name)
            if current is None:
                return None
            before = tuple(sorted(current.workloads, key=lambda s: s.name))
            if _same_statuses(before, seen):
                self._reroute(tx, current)
            else:
                self._reroute(tx, replace(current, workloads=seen), workloads=seen)
        return self.store.deployment(name)

    def stopped(self, name: str) -> None:
        """A deleted deployment's workloads are gone: its name is free again."""
        with self.store.transaction("mlplat-reconciler") as tx:
            current = tx.deployment_for_update(name)
            if current is not None and current.deleted_at is not None:
                tx.mark_stopped(name, self._now())

    def _reroute(
        self,
        tx: DeploymentsTx,
        found: Deployment,
        workloads: Sequence[WorkloadStatus] | None = None,
    ) -> None:
        route, served, phase = _routing(found)
        if (
            workloads is None
            and route == found.route
            and served == found.served
            and phase is found.phase
        ):
            return
        tx.save_route(found.name, route=route, served=served, phase=phase, workloads=workloads)

    # ------------------------------------------------------------------ helpers
    def _mlflow_name(self, stage: Stage, model_name: str) -> str:
        if stage is Stage.STAGING:
            return model_name
        return (
            model_name
            if model_name.startswith(self.catalog_prefix)
            else (self.catalog_prefix + model_name)
        )

    async def _resolve(
        self, stage: Stage, owner: str, mlflow_name: str, version: str
    ) -> ModelSource:
        """The version's files, under the stage's rule: staging serves the owner's own
        versions, production only the catalog's published ones."""
        if self.sources is None:
            raise MLflowNotConfigured("MLflow is not configured for the platform.")
        if stage is Stage.PRODUCTION:
            await asyncio.to_thread(self._check_published, mlflow_name, version)
            found = await self.sources.catalog_version(mlflow_name, version)
        else:
            found = await self.sources.own_version(owner, mlflow_name, version)
            if found.owner != owner:
                raise NotYourModel(
                    f"{mlflow_name!r} belongs to {found.owner or 'someone else'}; staging "
                    "serves only your own models.",
                    params={"owner": found.owner, "model_name": mlflow_name},
                )
        if found.status != "READY":
            raise VersionNotReady(
                f"MLflow has not finished registering version {version} ({found.status}).",
                params={"status": found.status},
            )
        return found.source

    def _check_published(self, mlflow_name: str, version: str) -> None:
        name = mlflow_name.removeprefix(self.catalog_prefix)
        entry = self.store.catalog_entry(name)
        match = None
        if entry is not None:
            match = next((v for v in entry.versions if str(v.version) == version), None)
        if match is None or match.state is not VersionState.PUBLISHED:
            state = "missing" if match is None else str(match.state)
            raise VersionNotPublished(
                f"Production serves only published versions; version {version} of the "
                f"catalog's {name!r} is {state if match else 'not published'}.",
                params={"model_name": name, "version": version, "state": state},
            )

    def _visible(self, identity: Identity, name: str) -> Deployment:
        return rules.visible(identity, name, self.store.deployment)

    def _changeable(self, identity: Identity, name: str, revision: int) -> Deployment:
        found = self._visible(identity, name)
        if found.deleted_at is not None:
            raise _stopping(name)
        if found.revision != revision:
            raise _changed(found, revision)
        return found

    def _current(
        self, tx: DeploymentsTx, identity: Identity, name: str, revision: int
    ) -> Deployment:
        found = rules.visible(identity, name, tx.deployment_for_update)
        if found.deleted_at is not None:
            raise _stopping(name)
        if found.revision != revision:
            raise _changed(found, revision)
        return found

    def _changed(self, name: str, saved: Deployment | None) -> Deployment:
        """The reconciler woken for a committed change, whose answer is ``saved``: the row as
        the change's own transaction left it, under its lock. Not read again after the
        commit: the reconciler, in its own thread, may by then have stopped a deleted
        deployment's workloads and marked it (a read then found nothing and answered 500)."""
        assert saved is not None, "written inside this request"
        if self.on_change is not None:
            self.on_change(name)
        return saved


def _admin(identity: Identity) -> None:
    if not identity.has(Role.ADMIN):
        raise RoleRequired("Only platform admins may do this.", params={"role": "admin"})


def _router(identity: Identity) -> None:
    if not identity.may(ROUTE_DEPLOYMENTS_SCOPE):
        raise TokenLacksAccess(
            f"Only the hub service holding {ROUTE_DEPLOYMENTS_SCOPE} reads routes.",
            params={"grant": ROUTE_DEPLOYMENTS_SCOPE},
        )


def _route(found: Deployment) -> Route:
    return Route(
        name=found.name,
        owner=found.owner,
        stage=found.stage,
        model_name=found.spec.model_name,
        revision=found.revision,
        targets=found.route if found.deleted_at is None else (),
        sequence=found.route_sequence,
        active=found.deleted_at is None,
    )


def _taken(existing: Deployment) -> DeploymentNameTaken:
    return DeploymentNameTaken(
        f"The name {existing.name!r} is taken by a deployment of {existing.owner}; choose another.",
        params={"name": existing.name, "owner": existing.owner},
    )


def _stopping(name: str) -> DeploymentStopping:
    return DeploymentStopping(
        f"{name} was deleted and is stopping; nothing may change it.", params={"name": name}
    )


def _changed(current: Deployment, yours: int) -> DeploymentChanged:
    return DeploymentChanged(
        f"{current.updated_by} made a {current.last_change} change since you opened it (now "
        f"revision {current.revision}, yours {yours}). Reload it; nothing was changed.",
        params={
            "by": current.updated_by,
            "change": current.last_change,
            "revision": current.revision,
            "yours": yours,
        },
    )


def _routing(
    found: Deployment,
) -> tuple[tuple[RouteTarget, ...], DeploymentSpec | None, Phase]:
    """The route, the spec served in full and the phase that follow from the workloads."""
    statuses = {s.name: s for s in found.workloads}
    if found.deleted_at is not None:
        return (), found.served, rules.phase(found, statuses)
    served_versions = found.served.versions if found.served else ()
    route, complete = rules.route_targets(found.name, found.spec, served_versions, statuses)
    return route, found.spec if complete else found.served, rules.phase(found, statuses)


def _rerouted(found: Deployment, seen: Sequence[WorkloadStatus]) -> bool:
    """Whether a report of ``seen`` would change anything stored for ``found``."""
    before = tuple(sorted(found.workloads, key=lambda s: s.name))
    if not _same_statuses(before, seen):
        return True
    route, served, phase = _routing(found)
    return route != found.route or served != found.served or phase is not found.phase


def _same_statuses(a: Sequence[WorkloadStatus], b: Sequence[WorkloadStatus]) -> bool:
    """Equal but for when they were observed."""
    return [replace(s, observed_at=None) for s in a] == [replace(s, observed_at=None) for s in b]


def _resources(size: Size) -> dict[str, Any]:
    r = size.resources
    return {
        "title": size.title,
        "cpu": r.cpu,
        "memory": r.memory,
        "replicas": r.replicas,
        "max_replicas": r.max_replicas,
    }


def _spec_detail(spec: DeploymentSpec) -> dict[str, Any]:
    return {
        "model_name": spec.model_name,
        "versions": [f"{v.version}:{v.traffic}:{v.percent}" for v in spec.versions],
        "size": spec.size,
    }
