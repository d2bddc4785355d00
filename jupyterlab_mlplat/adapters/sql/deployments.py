"""Deployments, their revisions and the sizes in the metadata database, and the deployments'
unit of work the one ``_SqlTransaction`` of ``store.py`` inherits.

A deployment is locked before it is read for a change — ``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite a no-op write first, which takes the database's write lock — and every
change of its spec is a compare-and-set on its revision. The change feeds number their changes
from one counter row, raised with ``UPDATE … SET value = value + 1``: the row's lock makes
transactions take numbers in the order they commit, so a reader asking "since N" never misses a
change that commits later with a smaller number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.deployments import rules
from jupyterlab_mlplat.core.deployments.ports import DeploymentsTx
from jupyterlab_mlplat.core.deployments.records import (
    Change,
    Deployment,
    DeploymentRevision,
    DeploymentSpec,
    ModelSource,
    Phase,
    Resources,
    Route,
    RouteTarget,
    ServedVersion,
    Size,
    Stage,
    Traffic,
    WorkloadStatus,
)

from .schema import deployment_revisions, deployment_sequence, deployment_sizes, deployments

d = deployments.c


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ---------------------------------------------------------------- JSON of the records
def spec_json(spec: DeploymentSpec) -> dict[str, Any]:
    r = spec.resources
    return {
        "model_name": spec.model_name,
        "versions": [
            {"version": v.version, "traffic": str(v.traffic), "percent": v.percent}
            for v in spec.versions
        ],
        "size": spec.size,
        "resources": {
            "cpu": r.cpu,
            "memory": r.memory,
            "replicas": r.replicas,
            "max_replicas": r.max_replicas,
        },
        "sources": [
            {"model_name": s.model_name, "version": s.version, "uri": s.uri, "flavor": s.flavor}
            for s in spec.sources
        ],
    }


def spec_of(data: Mapping[str, Any]) -> DeploymentSpec:
    return DeploymentSpec(
        model_name=data["model_name"],
        versions=tuple(
            ServedVersion(v["version"], Traffic(v["traffic"]), int(v["percent"]))
            for v in data["versions"]
        ),
        size=data["size"],
        resources=Resources(**data["resources"]),
        sources=tuple(ModelSource(**s) for s in data.get("sources", ())),
    )


def _route_json(route: Sequence[RouteTarget]) -> list[dict[str, Any]]:
    return [
        {"version": t.version, "traffic": str(t.traffic), "percent": t.percent, "url": t.url}
        for t in route
    ]


def _route_of(data: Sequence[Mapping[str, Any]]) -> tuple[RouteTarget, ...]:
    return tuple(
        RouteTarget(t["version"], Traffic(t["traffic"]), int(t["percent"]), t["url"]) for t in data
    )


def _workloads_json(statuses: Sequence[WorkloadStatus]) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "phase": str(s.phase),
            "replicas": s.replicas,
            "ready_replicas": s.ready_replicas,
            "restarts": s.restarts,
            "last_error": s.last_error,
            "url": s.url,
            "observed_at": s.observed_at.isoformat() if s.observed_at else None,
        }
        for s in statuses
    ]


def _workloads_of(data: Sequence[Mapping[str, Any]]) -> tuple[WorkloadStatus, ...]:
    return tuple(
        WorkloadStatus(
            name=w["name"],
            phase=Phase(w["phase"]),
            replicas=int(w["replicas"]),
            ready_replicas=int(w["ready_replicas"]),
            restarts=int(w["restarts"]),
            last_error=w["last_error"],
            url=w["url"],
            observed_at=_utc(datetime.fromisoformat(w["observed_at"]))
            if w.get("observed_at")
            else None,
        )
        for w in data
    )


def _deployment(row: Any) -> Deployment:
    created, updated = _utc(row["created_at"]), _utc(row["updated_at"])
    assert created is not None and updated is not None
    return Deployment(
        name=row["name"],
        owner=row["owner"],
        stage=Stage(row["stage"]),
        spec=spec_of(row["spec"]),
        revision=row["revision"],
        created_at=created,
        updated_at=updated,
        phase=Phase(row["phase"]),
        workloads=_workloads_of(row["workloads"]),
        updated_by=row["updated_by"],
        last_change=row["last_change"],
        deleted_at=_utc(row["deleted_at"]),
        route_sequence=int(row["route_sequence"]),
        sequence=int(row["sequence"]),
        route=_route_of(row["route"]),
        served=spec_of(row["served"]) if row["served"] else None,
    )


def _route(row: Any) -> Route:
    active = row["deleted_at"] is None
    return Route(
        name=row["name"],
        owner=row["owner"],
        stage=Stage(row["stage"]),
        model_name=row["model_name"],
        revision=row["revision"],
        targets=_route_of(row["route"]) if active else (),
        sequence=int(row["route_sequence"]),
        active=active,
    )


def _size(row: Any) -> Size:
    return Size(
        name=row["name"],
        title=row["title"],
        resources=Resources(row["cpu"], row["memory"], row["replicas"], row["max_replicas"]),
        revision=row["revision"],
    )


def _revision(row: Any) -> DeploymentRevision:
    at = _utc(row["at"])
    assert at is not None
    return DeploymentRevision(
        revision=row["revision"],
        spec=spec_of(row["spec"]),
        change=Change(row["change"]),
        actor=row["actor"],
        at=at,
        restored=row["restored"],
    )


_LIVE = d.stopped_at.is_(None)


def read_deployment(conn: sa.Connection, name: str) -> Deployment | None:
    row = conn.execute(sa.select(deployments).where(d.name == name, _LIVE)).mappings().first()
    return _deployment(row) if row else None


class SqlDeploymentsTx(DeploymentsTx):
    """The deployments half of the SQL unit of work; ``_conn`` is the transaction's
    connection."""

    _conn: sa.Connection

    def _next_sequence(self) -> int:
        self._conn.execute(
            sa.update(deployment_sequence)
            .where(deployment_sequence.c.id == 1)
            .values(value=deployment_sequence.c.value + 1)
        )
        value = self._conn.execute(
            sa.select(deployment_sequence.c.value).where(deployment_sequence.c.id == 1)
        ).scalar_one()
        return int(value)

    def _lock(self, name: str) -> None:
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(sa.select(d.id).where(d.name == name, _LIVE).with_for_update())
        else:  # take SQLite's write lock before reading, so the read is the newest
            self._conn.execute(
                sa.update(deployments).where(d.name == name, _LIVE).values(revision=d.revision)
            )

    def deployment_for_update(self, name: str) -> Deployment | None:
        self._lock(name)
        return read_deployment(self._conn, name)

    def insert_deployment(
        self, name: str, owner: str, stage: Stage, spec: DeploymentSpec, at: datetime
    ) -> None:
        sequence = self._next_sequence()
        result = self._conn.execute(
            sa.insert(deployments).values(
                name=name,
                owner=owner,
                stage=str(stage),
                model_name=spec.model_name,
                size=spec.size,
                revision=1,
                spec=spec_json(spec),
                served=None,
                route=[],
                phase=str(Phase.PENDING),
                workloads=[],
                created_at=at,
                updated_at=at,
                updated_by=self.actor,
                last_change=str(Change.CREATE),
                deleted_at=None,
                stopped_at=None,
                sequence=sequence,
                route_sequence=sequence,
            )
        )
        (new_id,) = result.inserted_primary_key or (None,)
        self._conn.execute(
            sa.insert(deployment_revisions).values(
                deployment_id=new_id,
                revision=1,
                spec=spec_json(spec),
                change=str(Change.CREATE),
                actor=self.actor,
                at=at,
                restored=None,
            )
        )

    def save_spec(
        self,
        name: str,
        *,
        expected_revision: int,
        spec: DeploymentSpec,
        change: Change,
        at: datetime,
        restored: int | None = None,
        deleted: bool = False,
    ) -> bool:
        found = self._conn.execute(
            sa.select(d.id).where(d.name == name, _LIVE, d.revision == expected_revision)
        ).scalar()
        if found is None:
            return False
        values: dict[str, Any] = {
            "revision": expected_revision + 1,
            "spec": spec_json(spec),
            "size": spec.size,
            "updated_at": at,
            "updated_by": self.actor,
            "last_change": str(change),
            "sequence": self._next_sequence(),
        }
        if deleted:
            values["deleted_at"] = at
        updated = self._conn.execute(
            sa.update(deployments)
            .where(d.id == found, d.revision == expected_revision)
            .values(**values)
        )
        if updated.rowcount != 1:
            return False
        self._conn.execute(
            sa.insert(deployment_revisions).values(
                deployment_id=found,
                revision=expected_revision + 1,
                spec=spec_json(spec),
                change=str(change),
                actor=self.actor,
                at=at,
                restored=restored,
            )
        )
        return True

    def revision(self, name: str, revision: int) -> DeploymentRevision | None:
        r = deployment_revisions.c
        row = (
            self._conn.execute(
                sa.select(deployment_revisions)
                .join(deployments, d.id == r.deployment_id)
                .where(d.name == name, _LIVE, r.revision == revision)
            )
            .mappings()
            .first()
        )
        return _revision(row) if row else None

    def save_route(
        self,
        name: str,
        *,
        route: Sequence[RouteTarget],
        served: DeploymentSpec | None,
        phase: Phase,
        workloads: Sequence[WorkloadStatus] | None = None,
    ) -> int:
        row = (
            self._conn.execute(sa.select(d.route, d.deleted_at).where(d.name == name, _LIVE))
            .mappings()
            .first()
        )
        if row is None:
            return 0
        sequence = self._next_sequence()
        values: dict[str, Any] = {
            "route": _route_json(route),
            "served": spec_json(served) if served else None,
            "phase": str(phase),
            "sequence": sequence,
        }
        if workloads is not None:
            values["workloads"] = _workloads_json(workloads)
        if _route_of(row["route"]) != tuple(route) or row["deleted_at"] is not None:
            values["route_sequence"] = sequence
        self._conn.execute(sa.update(deployments).where(d.name == name, _LIVE).values(**values))
        return sequence

    def mark_stopped(self, name: str, at: datetime) -> None:
        sequence = self._next_sequence()
        self._conn.execute(
            sa.update(deployments)
            .where(d.name == name, _LIVE, d.deleted_at.is_not(None))
            .values(
                stopped_at=at,
                phase=str(Phase.STOPPED),
                route=[],
                workloads=[],
                sequence=sequence,
                route_sequence=sequence,
            )
        )

    # ---- sizes
    def size_for_update(self, name: str) -> Size | None:
        query = sa.select(deployment_sizes).where(deployment_sizes.c.name == name)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._conn.execute(query).mappings().first()
        return _size(row) if row else None

    def insert_size(self, size: Size, at: datetime) -> None:
        self._conn.execute(sa.insert(deployment_sizes).values(**_size_values(size, self.actor, at)))

    def update_size(self, size: Size, *, expected_revision: int, at: datetime) -> bool:
        s = deployment_sizes.c
        updated = self._conn.execute(
            sa.update(deployment_sizes)
            .where(s.name == size.name, s.revision == expected_revision)
            .values(**_size_values(size, self.actor, at))
        )
        return updated.rowcount == 1

    def delete_size(self, name: str) -> None:
        self._conn.execute(sa.delete(deployment_sizes).where(deployment_sizes.c.name == name))

    def size_users(self, name: str) -> int:
        query = sa.select(sa.func.count()).where(d.size == name, _LIVE)
        return int(self._conn.execute(query).scalar_one())


def _size_values(size: Size, actor: str, at: datetime) -> dict[str, Any]:
    r = size.resources
    return {
        "name": size.name,
        "title": size.title,
        "cpu": r.cpu,
        "memory": r.memory,
        "replicas": r.replicas,
        "max_replicas": r.max_replicas,
        "revision": size.revision,
        "updated_at": at,
        "updated_by": actor,
    }


class SqlDeploymentsIndex(StorePart):
    """The deployments' reads outside a transaction (``DeploymentsStore``); mixed into
    ``SqlStore``."""

    def deployments(self, *, owner: str | None = None) -> list[Deployment]:
        query = sa.select(deployments).where(_LIVE)
        if owner is not None:
            query = query.where(d.owner == owner)
        with self._reading() as connection:
            rows = connection.execute(query.order_by(d.name)).mappings().all()
        return [_deployment(row) for row in rows]

    def deployment(self, name: str) -> Deployment | None:
        with self._reading() as connection:
            return read_deployment(connection, name)

    def revisions(self, name: str) -> list[DeploymentRevision]:
        r = deployment_revisions.c
        query = (
            sa.select(deployment_revisions)
            .join(deployments, d.id == r.deployment_id)
            .where(d.name == name, _LIVE)
            .order_by(r.revision.desc())
        )
        with self._reading() as connection:
            return [_revision(row) for row in connection.execute(query).mappings()]

    def routes_since(self, sequence: int, *, limit: int) -> list[Route]:
        query = (
            sa.select(deployments)
            .where(d.route_sequence > sequence)
            .order_by(d.route_sequence)
            .limit(limit)
        )
        with self._reading() as connection:
            return [_route(row) for row in connection.execute(query).mappings()]

    def sizes(self) -> list[Size]:
        query = sa.select(deployment_sizes).order_by(deployment_sizes.c.name)
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        found = [_size(row) for row in rows]
        return sorted(found, key=lambda s: (_cost(s.resources), s.name))

    def size_updated_by(self, name: str) -> str:
        query = sa.select(deployment_sizes.c.updated_by).where(deployment_sizes.c.name == name)
        with self._reading() as connection:
            return str(connection.execute(query).scalar() or "")

    def owner_of(self, name: str) -> str | None:
        """The owner of the newest deployment of that name, stopped ones too: a name stays its
        last deployer's for new keys until somebody else deploys under it."""
        query = sa.select(d.owner).where(d.name == name).order_by(d.id.desc()).limit(1)
        with self._reading() as connection:
            owner = connection.execute(query).scalar()
        return str(owner) if owner is not None else None


def _cost(resources: Resources) -> tuple[Decimal, int, int]:
    """Small sizes first, as a person reads a menu."""
    cpu = rules.cpu_cores(resources.cpu)
    return cpu * resources.replicas, rules.memory_bytes(resources.memory), resources.replicas
