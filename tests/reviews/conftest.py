"""A publication's world: the platform's store on SQLite and on PostgreSQL, and a registry that
holds a few versions the way MLflow would answer for them.

The registry here is an implementation of the reviews' ``Registry`` port (what MLflow answers,
kept in memory), for the tests of the state machine, concurrency and the audit; publishing
against a real MLflow is ``test_publish_mlflow.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.api.reviews import ModelCardRules
from jupyterlab_mlplat.core.deployments.records import (
    Change,
    DeploymentSpec,
    Resources,
    ServedVersion,
    Stage,
    Traffic,
)
from jupyterlab_mlplat.core.deployments.service import DeploymentService
from jupyterlab_mlplat.core.kernel.errors import NotFound, Unavailable
from jupyterlab_mlplat.core.kernel.identity import Identity, Role
from jupyterlab_mlplat.core.reviews.records import PublishedCopy, VersionFacts
from jupyterlab_mlplat.core.reviews.service import ReviewService

ALICE = Identity("alice", ("data-scientists",))
BOB = Identity("bob", ("data-scientists",))
RITA = Identity("rita", ("reviewers",), roles=(Role.DATA_SCIENTIST, Role.REVIEWER))
ROMAN = Identity("roman", ("reviewers",), roles=(Role.DATA_SCIENTIST, Role.REVIEWER))
ADAM = Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN))
IVAN = Identity("ivan", ("data-scientists",))
#: alice holding the review role too: still never a reviewer of her own work
ALICE_REVIEWER = Identity("alice", ("reviewers",), roles=(Role.DATA_SCIENTIST, Role.REVIEWER))

CARD: dict[str, Any] = {
    "catalog_name": "churn",
    "description": "Предсказывает отток клиентов. Predicts churn.",
    "metrics": [{"key": "auc", "value": None, "note": ""}],
    "tags": ["churn"],
    "license": "mit",
}


@dataclass
class MemoryRegistry:
    """What MLflow answers for alice's ``churn-model`` versions 1..3, and a catalog model."""

    fail_publish: int = 0
    published: dict[int, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    cards: dict[str, str] = field(default_factory=dict)
    deprecated: set[str] = field(default_factory=set)

    async def version_facts(self, author: str, model_name: str, version: str) -> VersionFacts:
        if model_name != "churn-model" or version not in ("1", "2", "3"):
            raise NotFound(f"no version {version} of {model_name}")
        return VersionFacts(
            model_name=model_name,
            version=version,
            source=f"models:/m-{version}",
            owner="alice",
            run_id=f"run{version}",
            framework="sklearn",
            task="classification",
            params={"C": str(version)},
            metrics={"auc": 0.8 + int(version) / 100, "loss": 0.5 - int(version) / 100},
            commit=f"c{version}" * 10,
        )

    async def publish_copy(
        self,
        facts: VersionFacts,
        *,
        author: str,
        catalog_model: str,
        publication_id: int,
        card_markdown: str,
        alias: str,
    ) -> PublishedCopy:
        if self.fail_publish:
            self.fail_publish -= 1
            raise Unavailable("MLflow answered 503")
        copy = self.published.setdefault(publication_id, str(len(self.published) + 1))
        self.cards[copy] = card_markdown
        self.aliases[alias] = copy
        return PublishedCopy(catalog_model, copy, alias)

    async def move_alias(self, catalog_model: str, alias: str, version: str) -> None:
        self.aliases[alias] = version

    async def deprecate_copy(self, catalog_model: str, version: str) -> None:
        self.deprecated.add(version)


@dataclass
class World:
    store: SqlStore
    registry: MemoryRegistry
    reviews: ReviewService

    def deploy(self, name: str, owner: str, model: str, versions: tuple[str, ...]) -> None:
        """A deployment of ``versions`` of ``model`` (the first primary, a second its canary),
        as the deployments room stores one."""
        traffic = (
            ((Traffic.PRIMARY, 100),)
            if len(versions) == 1
            else (
                (Traffic.PRIMARY, 90),
                (Traffic.CANARY, 10),
            )
        )
        spec = DeploymentSpec(
            model_name=model,
            versions=tuple(
                ServedVersion(v, t, p) for v, (t, p) in zip(versions, traffic, strict=True)
            ),
            size="small",
            resources=Resources(),
        )
        stage = Stage.PRODUCTION if model.startswith("catalog.") else Stage.STAGING
        with self.store.transaction(owner) as tx:
            tx.insert_deployment(name, owner, stage, spec, datetime.now(UTC))

    def delete(self, name: str) -> None:
        """The deployment deleted, as the deployments room marks one (its workloads still
        stopping, so it is in the store, deleted)."""
        found = self.store.deployment(name)
        assert found is not None
        with self.store.transaction(found.owner) as tx:
            saved = tx.save_spec(
                name,
                expected_revision=found.revision,
                spec=found.spec,
                change=Change.DELETE,
                at=datetime.now(UTC),
                deleted=True,
            )
        assert saved


def make_world(url: str, *, approvals: int = 1) -> World:
    store = SqlStore.from_url(url)
    registry = MemoryRegistry()
    service = ReviewService(
        store,
        registry,
        ModelCardRules(),
        approvals_required=approvals,
        serving=DeploymentService(store, None),  # who serves a version: the deployments room
        now=lambda: datetime.now(UTC),
    )
    return World(store, registry, service)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    made = make_world(database_url)
    yield made
    made.store.close()
