"""Publications through the service on both databases: the whole path from a draft to the
catalog, two reviewers at once, stale pages, own work, publishing that fails and is retried, and
who hears of what."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest

from jupyterlab_mlplat.core.catalog.service import CatalogService
from jupyterlab_mlplat.core.kernel.errors import PlatformError
from jupyterlab_mlplat.core.kernel.identity import Identity
from jupyterlab_mlplat.core.reviews.errors import (
    AlreadyDecided,
    CardIncomplete,
    NotYourModel,
    OwnWork,
    PublicationChanged,
    PublicationNotFound,
    PublicationOpen,
    PublishFailed,
    ReviewerOnly,
    TransitionNotAllowed,
)
from jupyterlab_mlplat.core.reviews.records import Action, CodeDiff, Publication, State
from tests.reviews.conftest import (
    ADAM,
    ALICE,
    ALICE_REVIEWER,
    BOB,
    CARD,
    IVAN,
    RITA,
    ROMAN,
    World,
    make_world,
)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def submitted(world: World, version: str = "2") -> Publication:
    draft = run(world.reviews.create(ALICE, "churn-model", version, CARD))
    diff = CodeDiff("a" * 40, "b" * 40, "--- a/train.ipynb\n+++ b/train.ipynb\n")
    return run(world.reviews.submit(ALICE, draft.id, draft.revision, diff))


def test_from_draft_to_the_catalog(world: World) -> None:
    draft = run(world.reviews.create(ALICE, "churn-model", "2", CARD))
    assert (draft.state, draft.revision, draft.author, draft.team) == (
        State.DRAFT,
        1,
        "alice",
        "data-scientists",
    )
    saved = world.reviews.save_card(ALICE, draft.id, 1, {**CARD, "tags": ["churn", "b2c"]})
    assert saved.revision == 2 and saved.card["tags"] == ["churn", "b2c"]
    sent = run(world.reviews.submit(ALICE, draft.id, 2, CodeDiff(None, "c" * 40, "+x")))
    assert sent.state is State.IN_REVIEW and sent.round == 1
    assert sent.snapshot is not None and sent.snapshot.facts.metrics["auc"] == pytest.approx(0.82)
    assert sent.snapshot.diff is not None and sent.snapshot.diff.text == "+x"
    assert [p.id for p in world.reviews.queue(RITA)] == [draft.id]

    done = run(world.reviews.decide(RITA, draft.id, sent.revision, Action.APPROVE, "good"))
    assert done.state is State.PUBLISHED and done.champion and done.catalog_version == "1"
    assert [s.action for s in done.steps] == [
        Action.CREATE,
        Action.SAVE_CARD,
        Action.SUBMIT,
        Action.APPROVE,
        Action.PUBLISH,
    ]
    assert world.registry.aliases == {"champion": "1"}
    assert "Predicts churn" in world.registry.cards["1"]
    entry = world.store.catalog_entry("churn")
    assert entry is not None and entry.aliases == {"champion": 1}
    assert [v.publication_id for v in entry.versions] == [draft.id]
    assert entry.alias_history[0].publication_id == draft.id
    assert world.reviews.queue(RITA) == []


def test_the_page_sets_the_champion_beside_the_candidate(world: World) -> None:
    first = submitted(world, "1")
    run(world.reviews.decide(RITA, first.id, first.revision, Action.APPROVE))
    second = submitted(world, "2")
    page = world.reviews.page(RITA, second.id)
    assert page.champion is not None and page.champion.id == first.id
    auc = next(m for m in page.metrics if m.key == "auc")
    assert (auc.candidate, auc.champion) == (pytest.approx(0.82), pytest.approx(0.81))
    assert auc.difference == pytest.approx(0.01)
    assert set(page.allowed) == {Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT}
    assert world.reviews.page(ALICE, second.id).allowed == (Action.WITHDRAW,)


def test_two_reviewers_at_once_one_wins_the_other_hears_who(database_url: str) -> None:
    world = make_world(database_url)
    try:
        pub = submitted(world)
        barrier = threading.Barrier(2)
        results: dict[str, Any] = {}

        def decide(who: Any, action: Action, comment: str) -> Callable[[], None]:
            def go() -> None:
                barrier.wait()
                try:
                    results[who.name] = run(
                        world.reviews.decide(who, pub.id, pub.revision, action, comment)
                    )
                except PlatformError as err:
                    results[who.name] = err

            return go

        threads = [
            threading.Thread(target=decide(RITA, Action.APPROVE, "ship it")),
            threading.Thread(target=decide(ROMAN, Action.REJECT, "leaks the label")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        won = [n for n, r in results.items() if isinstance(r, Publication)]
        lost = [n for n, r in results.items() if isinstance(r, PublicationChanged)]
        assert len(won) == 1 and len(lost) == 1, results
        refusal = results[lost[0]]
        assert refusal.params["by"] == won[0]
        assert refusal.params["action"] in ("approve", "reject", "publish")
        final = world.store.publication(pub.id)
        assert final is not None
        decisions = [s for s in final.steps if s.action in (Action.APPROVE, Action.REJECT)]
        assert [s.actor for s in decisions] == won
    finally:
        world.store.close()


def test_a_stale_page_changes_nothing_and_names_who_did_what(world: World) -> None:
    pub = submitted(world)
    run(world.reviews.decide(RITA, pub.id, pub.revision, Action.REQUEST_CHANGES, "more data"))
    with pytest.raises(PublicationChanged) as stale:
        world.reviews.withdraw(ALICE, pub.id, pub.revision)
    assert stale.value.params["by"] == "rita"
    assert stale.value.params["action"] == "request_changes"
    assert stale.value.params["state"] == "changes_requested"


def test_nobody_approves_their_own_work(world: World) -> None:
    pub = submitted(world)
    with pytest.raises(OwnWork):
        run(world.reviews.decide(ALICE_REVIEWER, pub.id, pub.revision, Action.APPROVE))
    with pytest.raises(ReviewerOnly):
        run(world.reviews.decide(IVAN, pub.id, pub.revision, Action.APPROVE))
    with pytest.raises(ReviewerOnly):
        world.reviews.queue(IVAN)
    with pytest.raises(PublicationNotFound):
        world.reviews.page(BOB, pub.id)
    assert world.store.publication(pub.id).state is State.IN_REVIEW  # type: ignore[union-attr]


def test_an_unknown_transition_is_refused_naming_the_allowed(world: World) -> None:
    draft = run(world.reviews.create(ALICE, "churn-model", "2", CARD))
    with pytest.raises(TransitionNotAllowed) as refused:
        world.reviews.withdraw(ALICE, draft.id, draft.revision)
    assert refused.value.params["allowed"] == "save_card, submit"


def test_changes_requested_then_resubmitted_with_a_fresh_snapshot(world: World) -> None:
    pub = submitted(world)
    back = run(world.reviews.decide(RITA, pub.id, pub.revision, Action.REQUEST_CHANGES, "why"))
    edited = world.reviews.save_card(ALICE, pub.id, back.revision, {**CARD, "license": "apache"})
    again = run(world.reviews.submit(ALICE, pub.id, edited.revision))
    assert again.state is State.IN_REVIEW and again.round == 2
    assert again.last_action is Action.RESUBMIT


def test_two_approvals_needed_are_two_reviewers(database_url: str) -> None:
    world = make_world(database_url, approvals=2)
    try:
        pub = submitted(world)
        one = run(world.reviews.decide(RITA, pub.id, pub.revision, Action.APPROVE))
        assert one.state is State.IN_REVIEW and one.approvals == ("rita",)
        with pytest.raises(AlreadyDecided):
            run(world.reviews.decide(RITA, pub.id, one.revision, Action.APPROVE))
        two = run(world.reviews.decide(ROMAN, pub.id, one.revision, Action.APPROVE))
        assert two.state is State.PUBLISHED
    finally:
        world.store.close()


def test_a_failed_publish_stays_approved_and_a_retry_publishes_once(world: World) -> None:
    pub = submitted(world)
    world.registry.fail_publish = 2
    approved = run(world.reviews.decide(RITA, pub.id, pub.revision, Action.APPROVE))
    assert approved.state is State.APPROVED and "503" in (approved.publish_error or "")
    assert [p.id for p in world.reviews.queue(RITA)] == [pub.id]
    with pytest.raises(PublishFailed):
        run(world.reviews.publish(ADAM, pub.id, approved.revision))
    again = world.store.publication(pub.id)
    assert again is not None
    done = run(world.reviews.publish(RITA, pub.id, again.revision))
    assert done.state is State.PUBLISHED and done.publish_error is None
    assert world.registry.published == {pub.id: "1"}


def test_deprecate_and_move_the_champion_back(world: World) -> None:
    first = submitted(world, "1")
    first = run(world.reviews.decide(RITA, first.id, first.revision, Action.APPROVE))
    second = submitted(world, "2")
    second = run(world.reviews.decide(RITA, second.id, second.revision, Action.APPROVE))
    assert world.registry.aliases["champion"] == "2"
    fresh_first = world.store.publication(first.id)
    assert fresh_first is not None and not fresh_first.champion
    back = run(world.reviews.make_champion(ADAM, first.id, fresh_first.revision, "v2 drifts"))
    assert back.champion and world.registry.aliases["champion"] == "1"
    entry = world.store.catalog_entry("churn")
    assert entry is not None and entry.aliases["champion"] == 1
    assert entry.alias_history[0].comment == "v2 drifts"  # newest first
    fresh_second = world.store.publication(second.id)
    assert fresh_second is not None
    gone = run(world.reviews.deprecate(RITA, second.id, fresh_second.revision, "drifts"))
    assert gone.state is State.DEPRECATED
    assert world.registry.deprecated == {"2"}
    deprecated = world.store.catalog_entry("churn")
    assert deprecated is not None
    assert {v.version: str(v.state) for v in deprecated.versions} == {
        1: "published",
        2: "deprecated",
    }
    # the author is told of both, with the comment, as of a review decision
    told = [
        (n.action, n.version, n.actor, n.comment)
        for n in world.reviews.notifications(ALICE, after=0, limit=50)
        if n.action in (Action.DEPRECATE, Action.MAKE_CHAMPION)
    ]
    assert told == [
        (Action.MAKE_CHAMPION, "1", "adam", "v2 drifts"),
        (Action.DEPRECATE, "2", "rita", "drifts"),
    ]


def test_the_catalog_shows_the_card_of_the_version_its_champion_is(world: World) -> None:
    # version 1 says one thing, version 2 another; the champion moved back to 1 shows 1's
    first = submitted(world, "1")
    first = run(world.reviews.decide(RITA, first.id, first.revision, Action.APPROVE))
    draft = run(world.reviews.create(ALICE, "churn-model", "2", CARD))
    second_card = {**CARD, "description": "Misroutes nothing. Второй.", "tags": ["second"]}
    draft = world.reviews.save_card(ALICE, draft.id, draft.revision, second_card)
    diff = CodeDiff("a" * 40, "b" * 40, "--- a/train.ipynb\n+++ b/train.ipynb\n")
    sent = run(world.reviews.submit(ALICE, draft.id, draft.revision, diff))
    run(world.reviews.decide(RITA, sent.id, sent.revision, Action.APPROVE))
    entry = world.store.catalog_entry("churn")
    assert entry is not None and entry.card.description == second_card["description"]

    fresh = world.store.publication(first.id)
    assert fresh is not None
    run(world.reviews.make_champion(ADAM, first.id, fresh.revision, "v2 misroutes"))

    entry = world.store.catalog_entry("churn")
    assert entry is not None
    assert (entry.card.description, entry.card.tags) == (CARD["description"], ("churn",))
    assert entry.card.card["description"] == CARD["description"]
    # and the search finds it by the champion's words, not by the other version's
    found = CatalogService(world.store).search(IVAN, "second", {})
    assert [h.name for h in found.hits] == []
    assert [h.name for h in CatalogService(world.store).search(IVAN, "отток", {}).hits] == ["churn"]


def test_a_deprecation_tells_the_owners_of_the_deployments_serving_the_version(
    world: World,
) -> None:
    # alice's versions 1 and 3 are published: the catalog's copies are its versions 1 and 2
    for version in ("1", "3"):
        sent = submitted(world, version)
        second = run(world.reviews.decide(RITA, sent.id, sent.revision, Action.APPROVE))
    assert (second.version, second.catalog_version) == ("3", "2")
    world.deploy("churn-prod", "bob", "catalog.churn", ("2",))
    world.deploy("churn-canary", "ivan", "catalog.churn", ("1", "2"))  # 2 is its canary
    world.deploy("churn-old", "roman", "catalog.churn", ("1",))  # another version
    world.deploy("churn-try", "alice", "churn-model", ("3",))  # the author's own, in staging
    world.deploy("churn-two", "roman", "churn-model", ("2",))  # her 2: not the catalog's 2
    world.deploy("churn-ritas", "rita", "catalog.churn", ("2",))  # the deprecating reviewer's
    world.deploy("other-prod", "adam", "catalog.other", ("2",))  # another model's version 2
    world.deploy("churn-gone", "roman", "catalog.churn", ("2",))  # deleted: nothing to tell
    world.delete("churn-gone")

    run(world.reviews.deprecate(RITA, second.id, second.revision, "Misroutes night buses."))

    def told(who: Identity) -> list[tuple[str, str | None, str, str, str, str]]:
        return [
            (str(n.kind), n.deployment, n.model_name, n.version, n.actor, n.comment)
            for n in world.reviews.notifications(who, after=0, limit=50)
            if n.action is Action.DEPRECATE
        ]

    said = "Misroutes night buses."
    # each is told of the model and version their deployment serves, as its page names them
    assert told(BOB) == [("serving_deprecated", "churn-prod", "catalog.churn", "2", "rita", said)]
    assert told(IVAN) == [
        ("serving_deprecated", "churn-canary", "catalog.churn", "2", "rita", said)
    ]
    assert told(ALICE) == [
        ("decided", None, "churn-model", "3", "rita", said),
        ("serving_deprecated", "churn-try", "churn-model", "3", "rita", said),
    ]
    assert told(ROMAN) == told(ADAM) == []
    assert [n for n in told(RITA) if n[0] == "serving_deprecated"] == []


def test_refusals_before_anything_is_stored(world: World) -> None:
    with pytest.raises(NotYourModel):
        run(world.reviews.create(BOB, "churn-model", "2", CARD))
    draft = run(world.reviews.create(ALICE, "churn-model", "2", {"catalog_name": "churn"}))
    with pytest.raises(PublicationOpen):
        run(world.reviews.create(ALICE, "churn-model", "2", CARD))
    with pytest.raises(CardIncomplete) as caught:
        run(world.reviews.submit(ALICE, draft.id, draft.revision))
    assert caught.value.message == (
        "Fill in “Overview and intended use” before the card goes to review."
    )
    assert caught.value.params == {"fields": "description"}  # what the sidebar translates


def test_notifications_reach_reviewers_and_the_author(world: World) -> None:
    pub = submitted(world)
    rita = world.reviews.notifications(RITA, after=0, limit=50)
    assert [(n.kind, n.publication_id) for n in rita] == [("submitted", pub.id)]
    assert world.reviews.notifications(IVAN, after=0, limit=50) == []
    assert world.reviews.notifications(ALICE, after=0, limit=50) == []
    run(world.reviews.decide(RITA, pub.id, pub.revision, Action.REJECT, "label leak"))
    mine = world.reviews.notifications(ALICE, after=0, limit=50)
    assert [(n.kind, n.action, n.comment, n.actor) for n in mine] == [
        ("decided", "reject", "label leak", "rita")
    ]
    assert world.reviews.notifications(ALICE, after=mine[-1].id, limit=50) == []


def test_the_queue_lists_the_longest_waiting_first_and_lists_carry_no_snapshot(
    world: World,
) -> None:
    first, second, third = (submitted(world, version) for version in ("1", "2", "3"))
    assert [p.id for p in world.reviews.queue(RITA)] == [first.id, second.id, third.id]
    # past a page the queue keeps those that waited longest (newest first cut them off)
    kept = world.store.publications(states=(State.IN_REVIEW,), oldest_first=True, limit=2)
    assert [p.id for p in kept] == [first.id, second.id]
    assert all(p.snapshot is None for p in world.reviews.queue(RITA))
    # the page still has the snapshot reviewers judge
    page = world.reviews.page(RITA, first.id)
    assert page.publication.snapshot is not None and page.publication.snapshot.diff is not None
