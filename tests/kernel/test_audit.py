"""Every state change of a shared object writes exactly one audit record, through the unit of
work, with who did it, what, to which object, and the request it came with.

The table below classifies EVERY public method of every service that owns a store: a method
added later without a line here fails ``test_every_service_method_is_classified``, so nobody
can add a state change that skips the audit log unnoticed.
"""

from __future__ import annotations

import asyncio
import inspect
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from jupyterlab_mlplat.adapters.cipher import FernetCipher
from jupyterlab_mlplat.adapters.documents import NbformatNotebooks, PillowImages
from jupyterlab_mlplat.adapters.gitlab import GitLabApi
from jupyterlab_mlplat.adapters.local.objects import LocalObjectStore
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.api.reviews import ModelCardRules
from jupyterlab_mlplat.core.accounts.service import AccountService
from jupyterlab_mlplat.core.audit.records import AuditFilter
from jupyterlab_mlplat.core.audit.service import AuditService
from jupyterlab_mlplat.core.catalog.records import EntryCard
from jupyterlab_mlplat.core.catalog.service import CatalogService
from jupyterlab_mlplat.core.deployments.records import Resources, Stage
from jupyterlab_mlplat.core.deployments.service import DeploymentService
from jupyterlab_mlplat.core.experiments.service import ExperimentEvents
from jupyterlab_mlplat.core.gitlab.service import GitLabAccounts
from jupyterlab_mlplat.core.health.service import HealthService
from jupyterlab_mlplat.core.instructions.records import ArticleContent, Task, Text
from jupyterlab_mlplat.core.instructions.service import InstructionService
from jupyterlab_mlplat.core.kernel.audit import AuditRecord, current_request_id
from jupyterlab_mlplat.core.kernel.identity import (
    RECORD_EVENTS_SCOPE,
    ROUTE_DEPLOYMENTS_SCOPE,
    Identity,
    Role,
)
from jupyterlab_mlplat.core.profiles.rules import load_profiles_file
from jupyterlab_mlplat.core.profiles.service import ProfileService
from jupyterlab_mlplat.core.reviews.records import Action, Publication
from jupyterlab_mlplat.core.reviews.service import ReviewService
from jupyterlab_mlplat.core.settings.service import SettingsService
from tests.deployments.conftest import FakeBackend, MemorySources
from tests.instructions.conftest import notebook, png
from tests.reviews.conftest import CARD, RITA, MemoryRegistry
from tests.standins.gitlab.server import FakeGitLab, git_env

ROOT = Path(__file__).resolve().parents[2]
ADAM = Identity("adam", ("admins",), roles=(Role.ADMIN,))
ALICE = Identity("alice", ("data-scientists",))
GATEWAY = Identity("mlflow", roles=(), kind="service", grants=frozenset({RECORD_EVENTS_SCOPE}))
GATEWAY_GRANTS = frozenset({ROUTE_DEPLOYMENTS_SCOPE})
SERVICES = (
    AuditService,
    SettingsService,
    AccountService,
    ProfileService,
    GitLabAccounts,
    HealthService,
    ExperimentEvents,
    CatalogService,
    ReviewService,
    DeploymentService,
    InstructionService,
)


@dataclass
class World:
    store: SqlStore
    accounts: AccountService
    profiles: ProfileService
    gitlab: GitLabAccounts
    fake: FakeGitLab
    token: str
    remote: str
    tmp: Path


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    store = SqlStore.from_url(database_url)
    profiles = ProfileService(store, now=lambda: datetime(2026, 12, 2, tzinfo=UTC))
    profiles.seed(load_profiles_file(ROOT / "hub_config/profiles.yaml"))
    with FakeGitLab() as fake:
        fake.add_user("alice", name="Alice Analyst")
        token = fake.add_token("alice")
        gitlab = GitLabAccounts(
            store, GitLabApi(fake.url), FernetCipher(Fernet.generate_key()), gitlab_url=fake.url
        )
        yield World(
            store,
            AccountService(store),
            profiles,
            gitlab,
            fake,
            token,
            f"{fake.url}/alice/analysis.git",
            tmp_path,
        )
    store.close()


def _profile(world: World, slug: str) -> dict[str, Any]:
    stored = next(s for s in world.profiles.store.profiles() if s.profile.slug == slug)
    return stored.profile.model_dump()


def _with_project(world: World) -> None:
    """A project with a pushed ``main`` and ``feature`` (GitLab refuses a merge request from a
    branch it has not got), pushed by real git."""
    world.gitlab.save_token(ALICE, world.token)
    world.gitlab.create_project(ALICE, "analysis")
    work = world.tmp / "clone"
    env = git_env(world.tmp / "home", world.token)
    url = world.fake.clone_url("alice/analysis")
    for args in (
        ["init", "-q", "-b", "main", str(work)],
        ["-C", str(work), "commit", "-q", "--allow-empty", "-m", "start"],
        ["-C", str(work), "push", "-q", url, "main"],
        ["-C", str(work), "commit", "-q", "--allow-empty", "-m", "tune"],
        ["-C", str(work), "push", "-q", url, "HEAD:feature"],
    ):
        subprocess.run(["git", *args], env=env, check=True, capture_output=True)


def _settings(world: World) -> SettingsService:
    """Live settings on the world's store, with the platform's default traits."""
    return SettingsService(
        world.store,
        {
            "approvals_required": 1,
            "drift_p_value": 0.05,
            "drift_share": 0.5,
            "idle_cpu_fraction": 0.05,
            "idle_gpu_notify_minutes": 60,
        },
    )


_REVIEWS: dict[SqlStore, ReviewService] = {}


def _reviews(world: World) -> ReviewService:
    """The reviews service on the world's store, with a registry answering as MLflow would."""
    if world.store not in _REVIEWS:
        _REVIEWS[world.store] = ReviewService(world.store, MemoryRegistry(), ModelCardRules())
    return _REVIEWS[world.store]


def _draft(world: World, version: str = "2") -> Publication:
    return asyncio.run(_reviews(world).create(ALICE, "churn-model", version, CARD))


def _in_review(world: World, version: str = "2") -> Publication:
    draft = _draft(world, version)
    return asyncio.run(_reviews(world).submit(ALICE, draft.id, draft.revision))


def _published_version(world: World, version: str) -> Publication:
    sent = _in_review(world, version)
    return asyncio.run(_reviews(world).decide(RITA, sent.id, sent.revision, Action.APPROVE))


def _approved_unpublished(world: World) -> None:
    sent = _in_review(world)
    registry = _reviews(world).registry
    assert isinstance(registry, MemoryRegistry)
    registry.fail_publish = 1
    asyncio.run(_reviews(world).decide(RITA, sent.id, sent.revision, Action.APPROVE))


_DEPLOYMENTS: dict[SqlStore, DeploymentService] = {}


def _deployments(world: World) -> DeploymentService:
    """The deployments service on the world's store, with its sizes seeded (audited as
    'system', before the change a test looks at), a registry answering as MLflow would and a
    backend double."""
    if world.store not in _DEPLOYMENTS:
        service = DeploymentService(world.store, MemorySources(), FakeBackend())
        service.seed_sizes()
        _DEPLOYMENTS[world.store] = service
    return _DEPLOYMENTS[world.store]


def _deployed(world: World) -> None:
    asyncio.run(
        _deployments(world).create(ALICE, "churn-api", Stage.STAGING, "churn-model", "1", "small")
    )


def _with_canary(world: World) -> None:
    _deployed(world)
    asyncio.run(
        _deployments(world).set_traffic(ALICE, "churn-api", 1, canary=("2", 20), shadow=None)
    )


_INSTRUCTIONS: dict[SqlStore, InstructionService] = {}
IVAN = Identity("ivan", ("instructors",), roles=(Role.DATA_SCIENTIST, Role.INSTRUCTOR))
GUIDE = ArticleContent(title=Text("Guide", "Руководство"), tasks=(Task("", Text("One")),))


def _instructions(world: World) -> InstructionService:
    """The instructions service on the world's store, its images in a local object store."""
    if world.store not in _INSTRUCTIONS:
        _INSTRUCTIONS[world.store] = InstructionService(
            world.store,
            LocalObjectStore(world.tmp / "objects"),
            PillowImages(),
            NbformatNotebooks(),
            startable=lambda who: [s.profile.slug for s in world.profiles.visible_to(who)],
        )
    return _INSTRUCTIONS[world.store]


def _article(world: World) -> None:
    _instructions(world).create(IVAN, "guide", GUIDE)


def _article_published(world: World) -> None:
    _article(world)
    _instructions(world).publish(IVAN, "guide", 1)


def _article_with_notebook(world: World) -> None:
    _article(world)
    _instructions(world).attach_notebook(IVAN, "guide", "intro.ipynb", notebook())


def _latest(world: World) -> Publication:
    (latest, *_) = world.store.publications()
    return latest


#: method → (setup, the call, expected action, object type, object id, actor)
Change = tuple[Callable[[World], None], Callable[[World], object], str, str, str, str]
CHANGES: dict[str, Change] = {
    "AccountService.sign_in": (
        lambda w: None,
        lambda w: w.accounts.sign_in(ALICE),
        "user.first_seen",
        "user",
        "alice",
        "alice",
    ),
    "ProfileService.create": (
        lambda w: None,
        lambda w: w.profiles.create(
            ADAM, {**_profile(w, "cpu-small"), "slug": "cpu-tiny", "default": False}
        ),
        "profile.created",
        "profile",
        "cpu-tiny",
        "adam",
    ),
    "ProfileService.replace": (
        lambda w: None,
        lambda w: w.profiles.replace(
            ADAM, "cpu-large", {**_profile(w, "cpu-large"), "cpu_limit": "6"}, revision=1
        ),
        "profile.updated",
        "profile",
        "cpu-large",
        "adam",
    ),
    "ProfileService.delete": (
        lambda w: None,
        lambda w: w.profiles.delete(ADAM, "cpu-large", revision=1),
        "profile.deleted",
        "profile",
        "cpu-large",
        "adam",
    ),
    "GitLabAccounts.save_token": (
        lambda w: None,
        lambda w: w.gitlab.save_token(ALICE, w.token),
        "gitlab.token.saved",
        "gitlab_token",
        "alice",
        "alice",
    ),
    "GitLabAccounts.delete_token": (
        lambda w: w.gitlab.save_token(ALICE, w.token),
        lambda w: w.gitlab.delete_token(ALICE),
        "gitlab.token.deleted",
        "gitlab_token",
        "alice",
        "alice",
    ),
    "GitLabAccounts.create_project": (
        lambda w: w.gitlab.save_token(ALICE, w.token),
        lambda w: w.gitlab.create_project(ALICE, "analysis"),
        "gitlab.project.created",
        "gitlab_project",
        "alice/analysis",
        "alice",
    ),
    "ExperimentEvents.privacy_changed": (
        lambda w: None,
        lambda w: ExperimentEvents(w.store).privacy_changed(
            GATEWAY, "7", actor="alice", private=True
        ),
        "experiment.privacy_changed",
        "experiment",
        "7",
        "alice",
    ),
    "GitLabAccounts.open_merge_request": (
        _with_project,
        lambda w: w.gitlab.open_merge_request(
            ALICE, w.remote, source_branch="feature", target_branch="main", title="Tune"
        ),
        "gitlab.merge_request.opened",
        "gitlab_merge_request",
        "alice/analysis!1",
        "alice",
    ),
    "ReviewService.create": (
        lambda w: None,
        _draft,
        "publication.created",
        "publication",
        "1",
        "alice",
    ),
    "ReviewService.save_card": (
        _draft,
        lambda w: _reviews(w).save_card(ALICE, 1, 1, {**CARD, "license": "apache-2.0"}),
        "publication.card_saved",
        "publication",
        "1",
        "alice",
    ),
    "ReviewService.submit": (
        _draft,
        lambda w: asyncio.run(_reviews(w).submit(ALICE, 1, 1)),
        "publication.submitted",
        "publication",
        "1",
        "alice",
    ),
    "ReviewService.withdraw": (
        _in_review,
        lambda w: _reviews(w).withdraw(ALICE, 1, _latest(w).revision),
        "publication.withdrawn",
        "publication",
        "1",
        "alice",
    ),
    "ReviewService.decide": (
        _in_review,
        lambda w: asyncio.run(
            _reviews(w).decide(RITA, 1, _latest(w).revision, Action.REJECT, "label leak")
        ),
        "publication.rejected",
        "publication",
        "1",
        "rita",
    ),
    "ReviewService.publish": (
        _approved_unpublished,
        lambda w: asyncio.run(_reviews(w).publish(ADAM, 1, _latest(w).revision)),
        "publication.published",
        "publication",
        "1",
        "adam",
    ),
    "ReviewService.deprecate": (
        lambda w: _published_version(w, "2"),
        lambda w: asyncio.run(_reviews(w).deprecate(RITA, 1, _latest(w).revision, "drifts")),
        "publication.deprecated",
        "publication",
        "1",
        "rita",
    ),
    "ReviewService.make_champion": (
        lambda w: (_published_version(w, "1"), _published_version(w, "2")),
        lambda w: asyncio.run(
            _reviews(w).make_champion(
                ADAM,
                1,
                w.store.publication(1).revision,
                "v2 drifts",  # type: ignore[union-attr]
            )
        ),
        "publication.made_champion",
        "publication",
        "1",
        "adam",
    ),
    "DeploymentService.create": (
        lambda w: _deployments(w) and None,
        _deployed,
        "deployment.created",
        "deployment",
        "churn-api",
        "alice",
    ),
    "DeploymentService.set_traffic": (
        _deployed,
        lambda w: asyncio.run(
            _deployments(w).set_traffic(ALICE, "churn-api", 1, canary=("2", 20), shadow="3")
        ),
        "deployment.traffic_changed",
        "deployment",
        "churn-api",
        "alice",
    ),
    "DeploymentService.promote": (
        _with_canary,
        lambda w: _deployments(w).promote(ADAM, "churn-api", 2),
        "deployment.promoted",
        "deployment",
        "churn-api",
        "adam",
    ),
    "DeploymentService.rollback": (
        _with_canary,
        lambda w: _deployments(w).rollback(ALICE, "churn-api", 2),
        "deployment.rolled_back",
        "deployment",
        "churn-api",
        "alice",
    ),
    "DeploymentService.resize": (
        _deployed,
        lambda w: _deployments(w).resize(ALICE, "churn-api", 1, "large"),
        "deployment.resized",
        "deployment",
        "churn-api",
        "alice",
    ),
    "DeploymentService.delete": (
        _deployed,
        lambda w: _deployments(w).delete(ALICE, "churn-api", 1),
        "deployment.deleted",
        "deployment",
        "churn-api",
        "alice",
    ),
    "DeploymentService.create_size": (
        lambda w: _deployments(w) and None,
        lambda w: _deployments(w).create_size(ADAM, "tiny", "Tiny", Resources("250m", "256Mi")),
        "deployment_size.created",
        "deployment_size",
        "tiny",
        "adam",
    ),
    "DeploymentService.update_size": (
        lambda w: _deployments(w) and None,
        lambda w: _deployments(w).update_size(
            ADAM, "small", 1, "Small", Resources("500m", "768Mi")
        ),
        "deployment_size.updated",
        "deployment_size",
        "small",
        "adam",
    ),
    "DeploymentService.delete_size": (
        lambda w: _deployments(w) and None,
        lambda w: _deployments(w).delete_size(ADAM, "large", 1),
        "deployment_size.deleted",
        "deployment_size",
        "large",
        "adam",
    ),
}

_INSTRUCTION_CHANGES: dict[str, Change] = {
    "InstructionService.create": (
        lambda w: None,
        _article,
        "article.created",
        "article",
        "guide",
        "ivan",
    ),
    "InstructionService.save": (
        _article,
        lambda w: _instructions(w).save(IVAN, "guide", 1, ArticleContent(GUIDE.title, minutes=3)),
        "article.saved",
        "article",
        "guide",
        "ivan",
    ),
    "InstructionService.publish": (
        _article,
        lambda w: _instructions(w).publish(IVAN, "guide", 1),
        "article.published",
        "article",
        "guide",
        "ivan",
    ),
    "InstructionService.unpublish": (
        _article_published,
        lambda w: _instructions(w).unpublish(IVAN, "guide", 2),
        "article.unpublished",
        "article",
        "guide",
        "ivan",
    ),
    "InstructionService.delete": (
        _article,
        lambda w: _instructions(w).delete(IVAN, "guide", 1),
        "article.deleted",
        "article",
        "guide",
        "ivan",
    ),
    "InstructionService.upload_image": (
        _article,
        lambda w: _instructions(w).upload_image(IVAN, "guide", png()),
        "article.image_uploaded",
        "article",
        "guide",
        "ivan",
    ),
    "InstructionService.attach_notebook": (
        _article,
        lambda w: _instructions(w).attach_notebook(IVAN, "guide", "intro.ipynb", notebook()),
        "article.notebook_attached",
        "article",
        "guide",
        "ivan",
    ),
    "InstructionService.remove_notebook": (
        _article_with_notebook,
        lambda w: _instructions(w).remove_notebook(IVAN, "guide"),
        "article.notebook_removed",
        "article",
        "guide",
        "ivan",
    ),
    "InstructionService.seed": (
        lambda w: None,
        lambda w: _instructions(w).seed([("starter-guide", GUIDE)]),
        "articles.seeded",
        "article",
        "*",
        "system",
    ),
}
CHANGES.update(_INSTRUCTION_CHANGES)

#: the admin console's changes: an export of the log, a live setting
CHANGES.update({
    "AuditService.export": (
        lambda w: None,
        lambda w: list(AuditService(w.store).export(ADAM, AuditFilter(actor="alice"))),
        "audit.exported",
        "audit",
        "log",
        "adam",
    ),
    "SettingsService.change": (
        lambda w: None,
        lambda w: _settings(w).change(ADAM, "approvals_required", 2, 0),
        "setting.changed",
        "setting",
        "approvals_required",
        "adam",
    ),
})  # fmt: skip

#: methods that change nothing shared (reads, checks, or a copy made once at start-up)
READS = {
    "AuditService.page": "reads the log",
    "AuditService.actions": "reads the log's actions",
    "SettingsService.settings": "reads the settings",
    "SettingsService.value": "the value in force, which the features read at each use",
    "SettingsService.reader": "a function the features call for the value in force",
    "ReviewService.approvals_required": "the live setting, asked at each decision",
    "ProfileService.visible_to": "reads",
    "ProfileService.preview": "validates without saving",
    "ProfileService.seed": "start-up copy of the shipped file, audited as 'system' (tested below)",
    "GitLabAccounts.account": "reads",
    "GitLabAccounts.token_for": "reads, for the person's own server",
    "GitLabAccounts.namespaces": "reads GitLab",
    "GitLabAccounts.merge_requests": "reads GitLab",
    "GitLabAccounts.latest_pipeline": "reads GitLab",
    "GitLabAccounts.gitlab": "the configured client",
    "HealthService.report": "checks liveness; no store of its own",
    "ReviewService.queue": "reads the review queue",
    "ReviewService.mine": "reads the person's publications",
    "ReviewService.page": "reads one publication",
    "ReviewService.notifications": "reads the person's notifications",
    # the catalog is written only by publishing (core/reviews), in the publication's transaction
    "CatalogService.search": "reads the catalog",
    "CatalogService.entry": "reads one catalog model",
    "CatalogService.alias_history": "reads one catalog model's alias moves",
    "CatalogService.model_page": "reads one catalog model and the deployments serving it",
    "DeploymentService.sizes": "reads the sizes",
    "DeploymentService.mine": "reads the person's deployments",
    "DeploymentService.get": "reads one deployment",
    "DeploymentService.serving": "reads the deployments serving a model",
    "DeploymentService.served_by": "reads who serves a version, for a deprecation's notes",
    "DeploymentService.changed_since": "reads one deployment when it changed",
    "DeploymentService.revisions": "reads one deployment's history",
    "DeploymentService.route": "reads one route, for the invocations gateway",
    "DeploymentService.routes_since": "reads the routes changed since, for the gateway",
    "DeploymentService.to_reconcile": "reads what the reconciler drives",
    "DeploymentService.logs": "asks the backend for a log tail; stores nothing",
    "DeploymentService.seed_sizes": "start-up copy of the shipped sizes, audited as 'system'",
    "DeploymentService.observed": "stores what the backend reports (statuses, the route "
    "that follows): no person's change, so no audit record, or every few seconds one",
    "InstructionService.articles": "reads the articles a person may see",
    "InstructionService.read": "reads one article as a person reads it",
    "InstructionService.source": "reads one article as its editor opens it",
    "InstructionService.revisions": "reads one article's revisions",
    "InstructionService.revision": "reads one revision of an article",
    "InstructionService.image": "reads one image of an article",
    "InstructionService.notebook": "reads an article's example notebook",
    "InstructionService.tick": "a person's own tick on a task: their progress is no shared "
    "object, so no audit record (a click a task would fill the log)",
    "DeploymentService.stopped": "the reconciler's note that a deleted deployment's "
    "workloads are gone; the deletion itself was audited",
}


def _public_methods(cls: type) -> set[str]:
    return {
        f"{cls.__name__}.{name}"
        for name, member in vars(cls).items()
        if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, property))
    }


def test_every_service_method_is_classified() -> None:
    methods = set().union(*(_public_methods(cls) for cls in SERVICES))
    assert methods == set(CHANGES) | set(READS)


@pytest.mark.parametrize("method", sorted(CHANGES))
def test_a_state_change_writes_exactly_one_audit_record(world: World, method: str) -> None:
    setup, call, action, object_type, object_id, actor = CHANGES[method]
    setup(world)
    before = {e.id for e in world.store.audit_entries(limit=1000)}
    token = current_request_id.set(f"req-{method.replace('.', '-')}")
    try:
        call(world)
    finally:
        current_request_id.reset(token)
    new: list[AuditRecord] = [
        e for e in world.store.audit_entries(limit=1000) if e.id not in before
    ]
    assert len(new) == 1, [e.action for e in new]
    (entry,) = new
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        actor,
        action,
        object_type,
        object_id,
    )
    assert entry.request_id == f"req-{method.replace('.', '-')}"
    assert entry.at is not None


@pytest.mark.parametrize("method", sorted(m for m, why in READS.items() if why.startswith("read")))
def test_a_read_writes_no_audit_record(world: World, method: str) -> None:
    world.gitlab.save_token(ALICE, world.token)
    before = len(world.store.audit_entries(limit=1000))
    name = method.split(".")[1]
    target = {
        "ProfileService": world.profiles,
        "GitLabAccounts": world.gitlab,
        "CatalogService": CatalogService(world.store),
        "ReviewService": _reviews(world),
        "AuditService": AuditService(world.store),
        "SettingsService": _settings(world),
        "InstructionService": _instructions(world),
    }.get(method.split(".")[0])
    if method.startswith("DeploymentService."):  # made here: its sizes are seeded, audited
        target = _deployments(world)
    assert target is not None
    fn = getattr(target, name)
    args: tuple[Any, ...] = (ALICE,)
    if name in ("merge_requests", "latest_pipeline"):
        world.gitlab.create_project(ALICE, "analysis")
        before = len(world.store.audit_entries(limit=1000))
        args = (ALICE, world.remote, "main")
    if name in ("entry", "alias_history", "model_page"):
        _published(world, "churn")
        before = len(world.store.audit_entries(limit=1000))
        args = (ALICE, "churn")
    kwargs: dict[str, Any] = {}
    if isinstance(target, DeploymentService):
        _deployed(world)
        before = len(world.store.audit_entries(limit=1000))
        gateway = Identity("deployments", roles=(), kind="service", grants=GATEWAY_GRANTS)
        args = {
            "get": (ALICE, "churn-api"),
            "changed_since": (ALICE, "churn-api", 0),
            "revisions": (ALICE, "churn-api"),
            "route": (gateway, "churn-api"),
            "routes_since": (gateway, 0),
            "to_reconcile": (),
            "serving": (ALICE, "churn-model"),
            "served_by": ("churn-model", "1"),
        }.get(name, (ALICE,))
    if isinstance(target, InstructionService):
        _article_with_notebook(world)
        image = target.upload_image(IVAN, "guide", png())
        before = len(world.store.audit_entries(limit=1000))
        args = {
            "articles": (ALICE,),
            "revision": (IVAN, "guide", 1),
            "image": (IVAN, "guide", image.id),
        }.get(name, (IVAN, "guide"))
    if isinstance(target, ReviewService):
        _in_review(world)
        before = len(world.store.audit_entries(limit=1000))
        args = {"queue": (RITA,), "page": (RITA, 1)}.get(name, (ALICE,))
        kwargs = {"after": 0, "limit": 50} if name == "notifications" else {}
    if isinstance(target, AuditService | SettingsService):
        args = (ADAM, AuditFilter()) if name == "page" else (ADAM,)
    fn(*args, **kwargs)
    assert len(world.store.audit_entries(limit=1000)) == before


def _published(world: World, name: str) -> None:
    """A catalog model, as publishing leaves it (its own audit record is not the read's)."""
    at = datetime(2026, 12, 3, tzinfo=UTC)
    with world.store.transaction("mlplat-platform") as tx:
        tx.upsert_catalog_entry(
            EntryCard(name, f"catalog.{name}", "", "", (), "", "", "", ""), at=at
        )
        tx.audit("publication.published", "publication", "1")


def test_a_failed_change_writes_no_audit_record(world: World) -> None:
    before = len(world.store.audit_entries(limit=1000))
    with pytest.raises(Exception, match="changed profile"):
        world.profiles.replace(ADAM, "cpu-large", _profile(world, "cpu-large"), revision=7)
    assert len(world.store.audit_entries(limit=1000)) == before
