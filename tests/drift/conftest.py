"""A drift job's world: the real metadata store (SQLite, PostgreSQL), a real object store (a
folder, or a bucket of a real S3 server), deployments made through the control plane's own
store, and request samples written by the invocations gateway's own sampler."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from jupyterlab_mlplat.adapters.drift import ScipyDriftStatistics
from jupyterlab_mlplat.adapters.local.objects import LocalObjectStore
from jupyterlab_mlplat.adapters.s3 import S3ObjectStore
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.deployments.drift import DriftSettings
from jupyterlab_mlplat.core.deployments.drift_service import DriftService, Reference
from jupyterlab_mlplat.core.deployments.records import (
    Change,
    DeploymentSpec,
    Resources,
    ServedVersion,
    Stage,
    Traffic,
)
from jupyterlab_mlplat.core.kernel.storage import ObjectStore
from jupyterlab_mlplat.gateways.invocations import DriftSampler, GatewayMetrics

ACCESS, SECRET = "drift-access", "drift-secret-never-shown"


@pytest.fixture(params=["local", "s3"])
def objects(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalObjectStore(tmp_path / "objects")
    endpoint = request.getfixturevalue("s3_endpoint")  # the session's S3 server (mlflow_hubs)
    bucket = f"drift-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    return S3ObjectStore(endpoint, bucket, access_key=ACCESS, secret_key=SECRET)


@dataclass
class FixedReferences:
    """The ``ReferenceSource`` port with references set by the test (MLflow's reading of an
    input example is ``test_references.py``'s, against a real MLflow)."""

    known: dict[tuple[str, str], Reference] = field(default_factory=dict)
    asked: list[tuple[str, str, str]] = field(default_factory=list)

    async def reference(self, owner: str, model_name: str, version: str) -> Reference | None:
        self.asked.append((owner, model_name, version))
        return self.known.get((model_name, version))


def normal_rows(n: int, mean: float, seed: int, pro: float = 0.5) -> list[dict[str, Any]]:
    """``x`` from normal(mean, 1); ``plan`` "pro" with probability ``pro``, else "basic"."""
    rng = random.Random(seed)
    return [
        {"x": rng.gauss(mean, 1.0), "plan": "pro" if rng.random() < pro else "basic"}
        for _ in range(n)
    ]


@dataclass
class World:
    store: SqlStore
    objects: ObjectStore
    references: FixedReferences
    service: DriftService
    batches: int = 0
    seen: set[str] = field(default_factory=set)

    def deploy(self, name: str, owner: str = "alice", model: str = "churn-model") -> None:
        spec = DeploymentSpec(
            model_name=model,
            versions=(ServedVersion("1", Traffic.PRIMARY, 100),),
            size="small",
            resources=Resources(),
        )
        with self.store.transaction(owner) as tx:
            tx.insert_deployment(name, owner, Stage.STAGING, spec, datetime.now(UTC))

    def stop(self, name: str) -> None:
        """Delete the deployment and mark its workloads gone, as the control plane does: the
        name is free again."""
        found = self.store.deployment(name)
        assert found is not None
        now = datetime.now(UTC)
        with self.store.transaction(found.owner) as tx:
            assert tx.save_spec(
                name,
                expected_revision=found.revision,
                spec=found.spec,
                change=Change.DELETE,
                at=now,
                deleted=True,
            )
            tx.mark_stopped(name, now)

    async def sample(self, name: str, version: str, rows: list[dict[str, Any]]) -> str:
        """One object of samples written by the gateway's own sampler (every request kept):
        requests of 10 rows each in the MLflow scoring protocol's ``dataframe_split``."""
        sampler = DriftSampler(self.objects, GatewayMetrics(), rate=1.0, rows=10**6, seconds=3600)
        sampler._n = self.batches  # numbers go on across this world's objects, as in one gateway
        for start in range(0, len(rows), 10):
            chunk = rows[start : start + 10]
            split = {"columns": list(chunk[0]), "data": [list(r.values()) for r in chunk]}
            body = json.dumps({"dataframe_split": split}).encode()
            sampler.offer(name, version, "mlflow", body, f"req-{start}")
        await sampler.flush(everything=True)
        self.batches = sampler._n
        [key] = [k for k in self.objects.keys(f"drift/{name}/{version}/") if k not in self.seen]
        self.seen.add(key)
        return key


@pytest.fixture
def world(database_url: str, objects: ObjectStore) -> Iterator[World]:
    store = SqlStore.from_url(database_url)
    references = FixedReferences()
    service = DriftService(
        store,
        objects,
        store,
        references,
        ScipyDriftStatistics(),
        DriftSettings(min_rows=30),
    )
    yield World(store, objects, references, service)
    store.close()
