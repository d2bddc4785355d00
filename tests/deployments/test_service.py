"""Deployments through the service on both databases, with the reconciler driving a backend
double: the stage rules, names, compare-and-set, the route while a canary shifts and a rollback
rolls out, rollback twice, deletion freeing the name, sizes, and who sees what."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from jupyterlab_mlplat.core.apikeys.errors import KeyDeploymentNotYours
from jupyterlab_mlplat.core.apikeys.service import KEY_KIND, ApiKeyService
from jupyterlab_mlplat.core.catalog.records import ServingDeployment
from jupyterlab_mlplat.core.deployments.errors import (
    DeploymentChanged,
    DeploymentNameTaken,
    DeploymentNotFound,
    DeploymentStopping,
    NoCanary,
    NoPreviousRevision,
    SameVersion,
    SizeChanged,
    SizeInUse,
    SizeInvalid,
    SizeNotFound,
    VersionNotPublished,
)
from jupyterlab_mlplat.core.deployments.records import (
    Deployment,
    Phase,
    Resources,
    Stage,
    Traffic,
)
from jupyterlab_mlplat.core.kernel.errors import (
    NameInvalid,
    NotFound,
    RoleRequired,
    TokenLacksAccess,
)
from jupyterlab_mlplat.core.kernel.identity import Identity
from jupyterlab_mlplat.core.reviews.errors import NotYourModel
from jupyterlab_mlplat.platform.reconciler import Reconciler
from tests.deployments.conftest import ADAM, ALICE, BOB, GATEWAY, World


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def staging(world: World, name: str = "churn-api", version: str = "1") -> Deployment:
    return run(world.service.create(ALICE, name, Stage.STAGING, "churn-model", version, "small"))


def reconcile(world: World, *, drain: float = 0.0) -> Reconciler:
    reconciler = Reconciler(world.service, world.backend, drain=drain)
    run(reconciler.reconcile_all())
    return reconciler


def shares(found: Deployment) -> list[tuple[str, str, int]]:
    return [(t.version, str(t.traffic), t.percent) for t in found.route]


def test_staging_serves_the_owners_version_once_its_workload_is_ready(world: World) -> None:
    created = staging(world)
    assert (created.revision, created.owner, created.stage, created.phase) == (
        1,
        "alice",
        Stage.STAGING,
        Phase.PENDING,
    )
    (source,) = created.spec.sources
    assert source.uri == "mlflow-artifacts:/1/models/m-churn-model-1/artifacts"
    assert world.sources.asked == [("alice", "churn-model", "1")]  # read as alice, once
    assert created.route == ()

    reconciler = reconcile(world)
    assert world.backend.applied == [("churn-api", ["churn-api-v1"])]
    (workload,) = world.backend.running["churn-api"].values()
    assert (workload.resources.cpu, workload.resources.memory) == ("500m", "512Mi")
    pending = world.service.get(ALICE, "churn-api")
    assert pending.phase is Phase.PENDING and pending.route == ()

    world.backend.make_ready("churn-api-v1")
    run(reconciler.reconcile_all())
    ready = world.service.get(ALICE, "churn-api")
    assert ready.phase is Phase.READY
    assert shares(ready) == [("1", "primary", 100)]
    route = world.service.route(GATEWAY, "churn-api")
    assert [t.url for t in route.targets] == ["http://127.0.0.1:9/churn-api-v1"]
    assert route.sequence > created.route_sequence


def test_stage_rules(world: World) -> None:
    with pytest.raises(NotYourModel) as theirs:
        run(world.service.create(ALICE, "bobs", Stage.STAGING, "bob-model", "1", "small"))
    assert theirs.value.params["owner"] == "bob"
    with pytest.raises(NotFound):
        run(world.service.create(ALICE, "ghost", Stage.STAGING, "churn-model", "9", "small"))
    with pytest.raises(NotYourModel):  # the catalog's model is nobody's sandbox
        run(world.service.create(ALICE, "cat", Stage.STAGING, "catalog.churn", "1", "small"))

    prod = run(world.service.create(ALICE, "churn", Stage.PRODUCTION, "churn", "1", "medium"))
    assert prod.spec.model_name == "catalog.churn"
    assert prod.spec.resources == Resources("1", "1Gi", 2, 4)
    for version, state in (("2", "deprecated"), ("3", "missing")):
        with pytest.raises(VersionNotPublished) as refused:
            run(
                world.service.create(
                    ALICE, f"p{version}", Stage.PRODUCTION, "catalog.churn", version, "small"
                )
            )
        assert refused.value.params["state"] == state
    with pytest.raises(VersionNotPublished):  # a person's own version is never production's
        run(world.service.create(ALICE, "mine", Stage.PRODUCTION, "churn-model", "1", "small"))
    with pytest.raises(SizeNotFound):
        run(world.service.create(ALICE, "huge", Stage.STAGING, "churn-model", "1", "xxl"))


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "empty"),
        ("a" * 41, "too_long"),
        ("Churn", "characters"),
        ("churn_api", "characters"),
        ("-churn", "characters"),
        ("default", "reserved"),
        ("routes", "reserved"),
    ],
)
def test_names_are_dns_labels_that_leave_room_for_the_version(
    world: World, name: str, rule: str
) -> None:
    with pytest.raises(NameInvalid) as refused:
        staging(world, name)
    assert refused.value.params["rule"] == rule


def test_a_name_is_unique_across_the_platform_and_says_whose(world: World) -> None:
    staging(world, "a" * 40)
    with pytest.raises(DeploymentNameTaken) as taken:
        run(world.service.create(BOB, "a" * 40, Stage.STAGING, "bob-model", "1", "small"))
    assert taken.value.params == {"name": "a" * 40, "owner": "alice"}


def test_others_do_not_see_a_deployment_and_admins_do(world: World) -> None:
    created = staging(world)
    for call in (
        lambda: world.service.get(BOB, "churn-api"),
        lambda: world.service.promote(BOB, "churn-api", created.revision),
        lambda: world.service.delete(BOB, "churn-api", created.revision),
        lambda: world.service.revisions(BOB, "churn-api"),
        lambda: world.service.get(GATEWAY, "churn-api"),
    ):
        with pytest.raises(DeploymentNotFound):
            call()
    assert world.service.mine(BOB) == []
    with pytest.raises(RoleRequired):
        world.service.mine(BOB, everyone=True)
    assert [d.name for d in world.service.mine(ADAM, everyone=True)] == ["churn-api"]
    resized = world.service.resize(ADAM, "churn-api", created.revision, "large")
    assert (resized.updated_by, resized.spec.size) == ("adam", "large")
    with pytest.raises(TokenLacksAccess):
        world.service.route(ALICE, "churn-api")
    with pytest.raises(TokenLacksAccess):
        world.service.routes_since(ADAM, 0)


def test_the_deployments_serving_a_model_are_listed_to_whom_may_see_them(world: World) -> None:
    """What a catalog model's page lists: a row per served version, the owner's and an
    admin's view only; a key (an external system) and a service see none."""
    created = staging(world)
    run(world.service.create(ALICE, "churn-prod", Stage.PRODUCTION, "catalog.churn", "1", "small"))
    run(
        world.service.set_traffic(
            ALICE, "churn-api", created.revision, canary=("2", 20), shadow="3"
        )
    )
    expected = [
        ServingDeployment("churn-api", 1, "staging", "pending", "primary"),
        ServingDeployment("churn-api", 2, "staging", "pending", "canary"),
        ServingDeployment("churn-api", 3, "staging", "pending", "shadow"),
    ]
    for who in (ALICE, ADAM):
        assert world.service.serving(who, "churn-model") == expected
    key = Identity("alice", ("data-scientists",), kind=KEY_KIND)
    for who in (BOB, GATEWAY, key):
        assert world.service.serving(who, "churn-model") == []
    assert world.service.serving(ADAM, "catalog.churn") == [
        ServingDeployment("churn-prod", 1, "production", "pending", "primary")
    ]
    assert world.service.serving(ALICE, "churn") == []
    # nor one being deleted
    current = world.service.get(ALICE, "churn-api")
    world.service.delete(ALICE, "churn-api", current.revision)
    assert world.service.serving(ALICE, "churn-model") == []


def test_a_canary_takes_traffic_only_once_ready_and_promote_retires_the_old(
    world: World,
) -> None:
    created = staging(world)
    world.backend.make_ready("churn-api-v1")
    reconciler = reconcile(world)
    split = run(
        world.service.set_traffic(
            ALICE, "churn-api", created.revision, canary=("2", 20), shadow="3"
        )
    )
    assert [(v.version, v.traffic, v.percent) for v in split.spec.versions] == [
        ("1", Traffic.PRIMARY, 80),
        ("2", Traffic.CANARY, 20),
        ("3", Traffic.SHADOW, 0),
    ]
    assert shares(split) == [("1", "primary", 100)]  # v2 is not ready: v1 answers all

    run(reconciler.reconcile_all())
    assert world.backend.applied[-1] == (
        "churn-api",
        ["churn-api-v1", "churn-api-v2", "churn-api-v3"],
    )
    world.backend.make_ready("churn-api-v2")
    run(reconciler.reconcile_all())
    assert shares(world.service.get(ALICE, "churn-api")) == [
        ("1", "primary", 80),
        ("2", "canary", 20),
    ]
    world.backend.make_ready("churn-api-v3")
    run(reconciler.reconcile_all())
    both = world.service.get(ALICE, "churn-api")
    assert shares(both)[-1] == ("3", "shadow", 0) and both.phase is Phase.READY

    promoted = world.service.promote(ALICE, "churn-api", both.revision)
    assert shares(promoted) == [("2", "primary", 100), ("3", "shadow", 0)]
    run(reconciler.reconcile_all())  # v1 drains (0 s here), then goes
    run(reconciler.reconcile_all())
    assert world.backend.applied[-1] == ("churn-api", ["churn-api-v2", "churn-api-v3"])
    with pytest.raises(NoCanary):
        world.service.promote(ALICE, "churn-api", promoted.revision)
    with pytest.raises(SameVersion):
        run(
            world.service.set_traffic(
                ALICE, "churn-api", promoted.revision, canary=("2", 10), shadow=None
            )
        )


def test_a_rollback_keeps_the_route_on_ready_workloads_until_the_old_one_is_back(
    world: World,
) -> None:
    created = staging(world)
    world.backend.make_ready("churn-api-v1", "churn-api-v2")
    reconciler = reconcile(world)
    split = run(
        world.service.set_traffic(
            ALICE, "churn-api", created.revision, canary=("2", 50), shadow=None
        )
    )
    promoted = world.service.promote(ALICE, "churn-api", split.revision)
    run(reconciler.reconcile_all())
    run(reconciler.reconcile_all())
    assert world.backend.applied[-1] == ("churn-api", ["churn-api-v2"])  # v1 stopped
    world.backend.ready.discard("churn-api-v1")

    back = world.service.rollback(ALICE, "churn-api", promoted.revision)
    assert [(v.version, v.percent) for v in back.spec.versions] == [("1", 50), ("2", 50)]
    assert shares(back) == [("2", "primary", 100)]  # v1 is starting: v2 answers meanwhile
    run(reconciler.reconcile_all())
    assert world.backend.applied[-1] == ("churn-api", ["churn-api-v1", "churn-api-v2"])
    world.backend.make_ready("churn-api-v1")
    run(reconciler.reconcile_all())
    assert shares(world.service.get(ALICE, "churn-api")) == [
        ("1", "primary", 50),
        ("2", "canary", 50),
    ]


def test_rollback_twice_steps_back_through_history_and_stops_at_the_first(world: World) -> None:
    created = staging(world)
    split = run(
        world.service.set_traffic(
            ALICE, "churn-api", created.revision, canary=("2", 20), shadow=None
        )
    )
    bigger = world.service.resize(ALICE, "churn-api", split.revision, "medium")
    once = world.service.rollback(ALICE, "churn-api", bigger.revision)
    assert (once.revision, once.spec) == (4, split.spec)
    twice = world.service.rollback(ALICE, "churn-api", once.revision)
    assert (twice.revision, twice.spec) == (5, created.spec)
    with pytest.raises(NoPreviousRevision):
        world.service.rollback(ALICE, "churn-api", twice.revision)

    history = world.service.revisions(ALICE, "churn-api")
    assert [(r.revision, str(r.change), r.restored, r.actor) for r in history] == [
        (5, "rollback", 1, "alice"),
        (4, "rollback", 2, "alice"),
        (3, "resize", None, "alice"),
        (2, "traffic", None, "alice"),
        (1, "create", None, "alice"),
    ]


def test_two_changes_at_once_one_wins_the_other_names_it(world: World) -> None:
    created = staging(world)
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def change(who: str, call: Any) -> None:
        barrier.wait()
        try:
            outcomes[who] = call()
        except Exception as err:
            outcomes[who] = err

    threads = [
        threading.Thread(
            target=change,
            args=("alice", lambda: world.service.resize(ALICE, "churn-api", 1, "large")),
        ),
        threading.Thread(
            target=change,
            args=("adam", lambda: world.service.resize(ADAM, "churn-api", 1, "medium")),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [who for who, out in outcomes.items() if isinstance(out, Deployment)]
    lost = [out for out in outcomes.values() if isinstance(out, DeploymentChanged)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert lost[0].params == {"by": won[0], "change": "resize", "revision": 2, "yours": 1}
    assert world.service.get(ALICE, "churn-api").revision == created.revision + 1
    with pytest.raises(DeploymentChanged):
        world.service.rollback(ALICE, "churn-api", 1)


def test_delete_empties_the_route_stops_the_workloads_and_frees_the_name(world: World) -> None:
    created = staging(world)
    world.backend.make_ready("churn-api-v1")
    reconciler = reconcile(world)
    gone = world.service.delete(ALICE, "churn-api", world.service.get(ALICE, "churn-api").revision)
    assert gone.phase is Phase.STOPPED and gone.route == ()
    route = world.service.route(GATEWAY, "churn-api")
    assert (route.active, route.targets) == (False, ())
    with pytest.raises(DeploymentStopping):
        world.service.promote(ALICE, "churn-api", gone.revision)
    with pytest.raises(DeploymentNameTaken):  # still stopping
        staging(world)

    run(reconciler.reconcile_all())
    assert world.backend.applied[-1] == ("churn-api", [])
    assert world.service.mine(ALICE) == []
    feed = world.service.routes_since(GATEWAY, created.route_sequence)
    assert [(r.name, r.active) for r in feed][-1] == ("churn-api", False)

    again = staging(world, version="2")  # the name is free: a new deployment, revision 1
    assert (again.revision, again.spec.versions[0].version) == (1, "2")
    assert [r.revision for r in world.service.revisions(ALICE, "churn-api")] == [1]
    last = world.service.routes_since(GATEWAY, 0)[-1]
    assert (last.name, last.active, last.revision) == ("churn-api", True, 1)


def test_a_delete_answers_what_it_left_when_the_reconciler_is_quicker(world: World) -> None:
    """The platform's reconciler is woken by a change and runs in its own thread: it may stop a
    deleted deployment's workloads and mark it stopped before the delete has read its answer.
    Here it runs inside the wake, so it always wins; the delete still answers what it left."""
    created = staging(world)
    world.backend.make_ready("churn-api-v1")
    reconciler = reconcile(world)
    world.service.on_change = lambda name: run(reconciler.reconcile_all())
    gone = world.service.delete(ALICE, "churn-api", world.service.get(ALICE, "churn-api").revision)
    assert (gone.name, gone.revision, gone.route) == ("churn-api", created.revision + 1, ())
    assert gone.phase is Phase.STOPPED
    assert world.backend.applied[-1] == ("churn-api", [])  # the reconciler did run first
    assert world.service.mine(ALICE) == []


def test_the_store_says_who_deployed_under_a_name_last_for_the_keys(world: World) -> None:
    """The API keys' ``DeploymentOwners`` port is the deployments' store itself: a key may
    name only its maker's deployments, read from the same rows the deployments write."""
    keys = ApiKeyService(world.store, world.store, pepper=b"p" * 32)
    assert world.store.owner_of("churn-api") is None
    created = staging(world)
    assert world.store.owner_of("churn-api") == "alice"
    with pytest.raises(KeyDeploymentNotYours):
        keys.create(BOB, "bobs", ["churn-api"])
    assert keys.create(ALICE, "mine", ["churn-api"]).secret
    reconciler = reconcile(world)
    world.service.delete(ALICE, "churn-api", created.revision)
    run(reconciler.reconcile_all())
    assert world.store.owner_of("churn-api") == "alice"  # stopped, still the last one's
    run(world.service.create(BOB, "churn-api", Stage.STAGING, "bob-model", "1", "small"))
    assert world.store.owner_of("churn-api") == "bob"
    assert keys.create(BOB, "bobs", ["churn-api"]).secret


def test_a_failing_backend_is_the_workloads_last_error_not_a_crash(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mlplat.reconciler")
    staging(world)
    world.backend.failing = "the cluster did not answer"
    reconciler = reconcile(world)
    run(reconciler.reconcile_all())
    run(reconciler.reconcile_all())
    (workload,) = world.service.get(ALICE, "churn-api").workloads
    assert (workload.name, workload.phase, workload.last_error) == (
        "churn-api-v1",
        Phase.PENDING,
        "the cluster did not answer",
    )
    said = [r.getMessage() for r in caplog.records if r.name == "mlplat.reconciler"]
    assert said == ["deployment churn-api: the backend refused: the cluster did not answer"]

    world.backend.failing = None  # it heals: the error goes, and the log says so once
    world.backend.make_ready("churn-api-v1")
    run(reconciler.reconcile_all())
    healed = world.service.get(ALICE, "churn-api")
    assert (healed.phase, healed.workloads[0].last_error) == (Phase.READY, "")
    assert [r.getMessage() for r in caplog.records if r.name == "mlplat.reconciler"][-1] == (
        "deployment churn-api: the backend answers again"
    )


def test_logs_of_a_served_version(world: World) -> None:
    staging(world)
    reconcile(world)
    workload, text = run(world.service.logs(ALICE, "churn-api", "1", 10))
    assert (workload, text) == ("churn-api-v1", "churn-api-v1 started")
    with pytest.raises(NotFound):
        run(world.service.logs(ALICE, "churn-api", "2", 10))
    with pytest.raises(DeploymentNotFound):
        run(world.service.logs(BOB, "churn-api", "1", 10))


def test_sizes_are_seeded_and_admins_manage_them(world: World) -> None:
    assert [(s.name, s.resources) for s in world.service.sizes(BOB)] == [
        ("small", Resources("500m", "512Mi", 1, 1)),
        ("medium", Resources("1", "1Gi", 2, 4)),
        ("large", Resources("2", "4Gi", 2, 8)),
    ]
    assert not world.service.seed_sizes()  # a second start keeps what admins did
    with pytest.raises(RoleRequired):
        world.service.create_size(ALICE, "gpu", "GPU", Resources("4", "16Gi", 1, 1))
    made = world.service.create_size(ADAM, "tiny", "Tiny", Resources("250m", "256Mi", 1, 1))
    assert made.revision == 1
    saved = world.service.update_size(ADAM, "tiny", 1, "Tiny", Resources("250m", "384Mi", 1, 2))
    assert (saved.revision, saved.resources.memory) == (2, "384Mi")
    grown = world.service.update_size(ADAM, "tiny", 2, "Tiny", Resources("250m", "384Mi", 3, 2))
    assert (grown.revision, grown.resources.max_replicas) == (3, 3)  # no autoscaling, not wrong
    with pytest.raises(SizeChanged) as stale:
        world.service.update_size(ADAM, "tiny", 1, "Tiny", Resources("1", "1Gi", 1, 1))
    assert stale.value.params["by"] == "adam"
    for resources, field in (
        (Resources("0", "1Gi", 1, 1), "cpu"),
        (Resources("1", "1Zi", 1, 1), "memory"),
        (Resources("1", "1Gi", 51, 51), "replicas"),
        (Resources("1", "1Ti", 1, 1), "memory"),
        (Resources("1000", "1Gi", 1, 1), "cpu"),
    ):
        with pytest.raises(SizeInvalid) as bad:
            world.service.update_size(ADAM, "tiny", 3, "Tiny", resources)
        assert bad.value.params["field"] == field
    staging(world)
    with pytest.raises(SizeInUse):
        world.service.delete_size(ADAM, "small", 1)
    world.service.delete_size(ADAM, "tiny", 3)
    assert "tiny" not in [s.name for s in world.service.sizes(ALICE)]


def test_the_running_reconciler_wakes_on_a_change_and_drains_what_the_route_left(
    world: World,
) -> None:
    async def scenario() -> None:
        reconciler = Reconciler(
            world.service, world.backend, interval=30.0, pending_interval=0.05, drain=0.5
        )
        reconciler.start()
        try:
            created = await world.service.create(
                ALICE, "churn-api", Stage.STAGING, "churn-model", "1", "small"
            )
            await _eventually(lambda: world.backend.running.get("churn-api"))  # woken at once
            world.backend.make_ready("churn-api-v1", "churn-api-v2")
            split = await world.service.set_traffic(
                ALICE, "churn-api", created.revision, canary=("2", 50), shadow=None
            )
            await _eventually(lambda: len(world.service.get(ALICE, "churn-api").route) == 2)
            promoted = await asyncio.to_thread(
                world.service.promote, ALICE, "churn-api", split.revision
            )
            assert [t.version for t in promoted.route] == ["2"]
            # v1 left the route: it keeps running for the drain, then it goes
            await asyncio.sleep(0.2)
            assert "churn-api-v1" in world.backend.running["churn-api"]
            await _eventually(lambda: "churn-api-v1" not in world.backend.running["churn-api"])
        finally:
            await reconciler.aclose()
        assert world.backend.closed and world.service.on_change is None

    run(scenario())


async def _eventually(test: Any, seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not test():
        assert asyncio.get_running_loop().time() < deadline, "it did not happen in time"
        await asyncio.sleep(0.02)
