"""Publications from a person's draft to the catalog: the card, submission, review decisions,
publishing, deprecation, the champion, and who hears of each.

Every action carries the revision the caller's page showed and runs in one transaction that
locks the publication, checks the revision (a stale one is 409 naming who did what since, and
nothing changes), asks ``rules.py`` whether the state and the caller allow it, and writes the
change, its step, its notifications and its audit record together. Two reviewers at once: the
second waits for the first's transaction, then finds the revision moved.

Reading a version (as its author) and publishing it (as the platform) talk to MLflow, so they
happen outside any transaction; the publish's MLflow half is idempotent (the copy is tagged with
the publication id), which is what makes a failed publish safe to retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from jupyterlab_mlplat.core.catalog.records import (
    AliasMove,
    CatalogVersion,
    EntryCard,
    Lineage,
    VersionState,
)
from jupyterlab_mlplat.core.experiments.errors import MLflowNotConfigured
from jupyterlab_mlplat.core.kernel import naming
from jupyterlab_mlplat.core.kernel.errors import PlatformError
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from . import rules
from .errors import (
    AlreadyDecided,
    CardIncomplete,
    CatalogNameMissing,
    DiffTooLarge,
    NotAChampionCandidate,
    NotYourModel,
    PublicationChanged,
    PublicationNotFound,
    PublicationOpen,
    PublishFailed,
    ReviewerOnly,
    TransitionNotAllowed,
)
from .ports import CardRules, Registry, ReviewsStore, ReviewsTx, Serving
from .records import (
    CHAMPION,
    DECISIONS,
    MAX_COMMENT,
    MAX_DIFF,
    Action,
    CodeDiff,
    NewNotification,
    Notification,
    NotificationKind,
    Publication,
    PublicationPage,
    PublishedCopy,
    Snapshot,
    State,
)

log = logging.getLogger(__name__)

#: the audit action of each publication action
AUDIT_ACTION = {
    Action.CREATE: "publication.created",
    Action.SAVE_CARD: "publication.card_saved",
    Action.SUBMIT: "publication.submitted",
    Action.WITHDRAW: "publication.withdrawn",
    Action.RESUBMIT: "publication.resubmitted",
    Action.APPROVE: "publication.approved",
    Action.REQUEST_CHANGES: "publication.changes_requested",
    Action.REJECT: "publication.rejected",
    Action.PUBLISH: "publication.published",
    Action.DEPRECATE: "publication.deprecated",
    Action.MAKE_CHAMPION: "publication.made_champion",
}
PUBLISH_FAILED = "publication.publish_failed"
#: the longest MLflow error a publication keeps for its page
MAX_ERROR = 2_000
#: the longest queue one page lists (the oldest first): more is a backlog no page shows whole
QUEUE_LIMIT = 500


class ReviewService:
    def __init__(
        self,
        store: ReviewsStore,
        registry: Registry | None,
        cards: CardRules,
        *,
        approvals_required: int | Callable[[], int] = 1,
        alias: str = CHAMPION,
        catalog_prefix: str = "catalog.",
        serving: Serving | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.serving = serving
        self.registry = registry
        self.cards = cards
        self.approvals_required = approvals_required
        self.alias = alias
        self.catalog_prefix = catalog_prefix
        self._now = now

    @property
    def approvals_required(self) -> int:
        """How many reviewers must approve, read at each use: a function (the admin console's
        live setting) is asked every time, so a change applies to the next decision."""
        found = self._approvals()
        return max(1, int(found))

    @approvals_required.setter
    def approvals_required(self, value: int | Callable[[], int]) -> None:
        self._approvals: Callable[[], int] = value if callable(value) else (lambda: value)

    # ------------------------------------------------------------------ reading
    def queue(self, identity: Identity) -> list[Publication]:
        """What reviewers have to do: submissions in review, and approved ones whose publish
        failed and waits for a retry; oldest first. The Reviews tab is the review role's."""
        if not identity.has(Role.REVIEWER):
            raise ReviewerOnly("Only reviewers see the review queue.")
        # oldest first from the database, so the submissions that waited longest are the ones
        # listed when the queue is longer than a page (newest first cut them off)
        return self.store.publications(
            states=(State.IN_REVIEW, State.APPROVED), oldest_first=True, limit=QUEUE_LIMIT
        )

    def mine(self, identity: Identity, model_name: str | None = None) -> list[Publication]:
        return self.store.publications(author=identity.name, model_name=model_name)

    def page(self, identity: Identity, publication_id: int) -> PublicationPage:
        """The publication with its steps, the champion it would replace with both metrics side
        by side, and what the caller may do now."""
        publication = self._visible(identity, self.store.publication(publication_id))
        champion = None
        if publication.catalog_name:
            with self.store.transaction(identity.name) as tx:
                champion = tx.champion(publication.catalog_name)
            if champion is not None and champion.id == publication.id:
                champion = None
        candidate = publication.snapshot.facts.metrics if publication.snapshot else {}
        theirs = champion.snapshot.facts.metrics if champion and champion.snapshot else None
        return PublicationPage(
            publication=publication,
            champion=champion,
            metrics=rules.compare_metrics(candidate, theirs),
            allowed=rules.may_take(publication.state, identity, publication.author),
            approvals_required=self.approvals_required,
        )

    def notifications(self, identity: Identity, *, after: int, limit: int) -> list[Notification]:
        return self.store.notifications(
            identity.name, [str(r) for r in identity.roles], after=after, limit=limit
        )

    # ------------------------------------------------------------------ the author
    async def create(
        self, identity: Identity, model_name: str, version: str, card: Mapping[str, Any]
    ) -> Publication:
        """A draft for one of the person's versions: read as them, so a version they cannot
        read, or a model somebody else owns, is refused before anything is stored."""
        naming.model_name(model_name, field="model_name")
        checked = self.cards.checked(card)
        facts = await self._registry().version_facts(identity.name, model_name, version)
        if facts.owner is not None and facts.owner != identity.name:
            raise NotYourModel(
                f"{model_name!r} belongs to {facts.owner}; only they may publish its versions.",
                params={"owner": facts.owner, "model_name": model_name},
            )
        return await asyncio.to_thread(self._create, identity, model_name, version, checked)

    def _create(
        self, identity: Identity, model_name: str, version: str, card: dict[str, Any]
    ) -> Publication:
        with self.store.transaction(identity.name) as tx:
            existing = tx.open_publication(model_name, version)
            if existing is not None:
                raise PublicationOpen(
                    f"Version {version} of {model_name!r} already has publication "
                    f"{existing.id} ({existing.state}); open it instead.",
                    params={"id": existing.id, "state": str(existing.state)},
                )
            team = identity.groups[0] if identity.groups else ""
            publication_id = tx.insert_publication(model_name, version, card, team, self._now())
            created = tx.get_publication(publication_id)
            assert created is not None
            tx.add_step(created, Action.CREATE, State.DRAFT, "", self._now())
            self._audit(tx, Action.CREATE, created, card=card)
        return self._reread(publication_id)

    def save_card(
        self, identity: Identity, publication_id: int, revision: int, card: Mapping[str, Any]
    ) -> Publication:
        checked = self.cards.checked(card)
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, identity, publication_id, revision)
            found = rules.check(current.state, Action.SAVE_CARD, identity, current.author)
            moved = self._update(tx, current, Action.SAVE_CARD, found.to, card=checked)
            self._audit(tx, Action.SAVE_CARD, moved, revision=moved.revision)
        return self._reread(publication_id)

    async def submit(
        self,
        identity: Identity,
        publication_id: int,
        revision: int,
        diff: CodeDiff | None = None,
    ) -> Publication:
        """Send a draft (or, after changes were requested, the changed one) to review: the
        snapshot is taken now, as the author, with the diff the author's server computed."""
        _check_diff(diff)
        current = self._visible(identity, self.store.publication(publication_id))
        action = Action.RESUBMIT if current.state is State.CHANGES_REQUESTED else Action.SUBMIT
        rules.check(current.state, action, identity, current.author)
        missing = self.cards.missing_for_submit(current.card)
        if missing:
            named = ", ".join(missing)
            raise CardIncomplete(
                f"Fill in {self.cards.labels(missing)} before the card goes to review.",
                missing[0],
                params={"fields": named},
                fields={m: "needed before submitting" for m in missing},
            )
        _catalog_name(current)
        facts = await self._registry().version_facts(
            current.author, current.model_name, current.version
        )
        snapshot = Snapshot(facts=facts, diff=diff, taken_at=self._now())
        return await asyncio.to_thread(
            self._submit, identity, publication_id, revision, action, snapshot
        )

    def _submit(
        self,
        identity: Identity,
        publication_id: int,
        revision: int,
        action: Action,
        snapshot: Snapshot,
    ) -> Publication:
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, identity, publication_id, revision)
            found = rules.check(current.state, action, identity, current.author)
            moved = self._update(
                tx, current, action, found.to, snapshot=snapshot, round=current.round + 1
            )
            tx.notify(
                [_note(moved, NotificationKind.SUBMITTED, action, role=Role.REVIEWER)],
                self._now(),
            )
            self._audit(tx, action, moved, round=moved.round)
        return self._reread(publication_id)

    def withdraw(self, identity: Identity, publication_id: int, revision: int) -> Publication:
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, identity, publication_id, revision)
            found = rules.check(current.state, Action.WITHDRAW, identity, current.author)
            moved = self._update(tx, current, Action.WITHDRAW, found.to)
            self._audit(tx, Action.WITHDRAW, moved)
        return self._reread(publication_id)

    # ------------------------------------------------------------------ reviewers
    async def decide(
        self,
        identity: Identity,
        publication_id: int,
        revision: int,
        action: Action,
        comment: str = "",
    ) -> Publication:
        """Approve, request changes or reject, with a comment. The last approval needed moves
        it to approved, and the platform publishes it at once; a publish MLflow fails leaves it
        approved with the error, to be retried."""
        if action not in DECISIONS:
            raise TransitionNotAllowed(
                f"{action} is not a review decision.",
                params={
                    "state": "",
                    "action": str(action),
                    "allowed": ", ".join(str(d) for d in DECISIONS),
                },
            )
        if not identity.has(Role.REVIEWER):
            raise ReviewerOnly("Only reviewers may decide on a submission.")
        decided = await asyncio.to_thread(
            self._decide, identity, publication_id, revision, action, comment
        )
        if decided.state is not State.APPROVED:
            return decided
        try:
            return await self._publish(identity, decided)
        except PublishFailed:
            return self._reread(publication_id)

    def _decide(
        self,
        identity: Identity,
        publication_id: int,
        revision: int,
        action: Action,
        comment: str,
    ) -> Publication:
        required = self.approvals_required  # once, before the transaction: in force now
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, identity, publication_id, revision)
            found = rules.check(current.state, action, identity, current.author)
            said = rules.check_comment(found, action, comment[:MAX_COMMENT])
            approvals = len(current.approvals)
            if action is Action.APPROVE:
                if identity.name in current.approvals:
                    raise AlreadyDecided(
                        "You already approved this submission; another reviewer must.",
                        params={"by": identity.name},
                    )
                approvals += 1
            state = rules.state_after(found, approvals, required)
            moved = self._update(tx, current, action, state, comment=said)
            tx.notify([_note(moved, NotificationKind.DECIDED, action, comment=said)], self._now())
            self._audit(
                tx,
                action,
                moved,
                comment=said,
                approvals=approvals,
                approvals_required=required,
            )
        return self._reread(publication_id)

    async def publish(self, identity: Identity, publication_id: int, revision: int) -> Publication:
        """Publish an approved publication again, after MLflow failed the first time."""
        current = self._visible(identity, self.store.publication(publication_id))
        rules.check(current.state, Action.PUBLISH, identity, current.author)
        if current.revision != revision:
            raise _changed(current, revision)
        return await self._publish(identity, current)

    async def _publish(self, identity: Identity, approved: Publication) -> Publication:
        catalog_name = _catalog_name(approved)
        assert approved.snapshot is not None, "a publication reaches approval submitted"
        catalog_model = self.catalog_prefix + catalog_name
        try:
            copy = await self._registry().publish_copy(
                approved.snapshot.facts,
                author=approved.author,
                catalog_model=catalog_model,
                publication_id=approved.id,
                card_markdown=self.cards.markdown(approved.card, approved.snapshot.facts),
                alias=self.alias,
            )
        except PlatformError as err:
            said = err.message[:MAX_ERROR]
            log.warning("publishing publication %s failed: %s", approved.id, err.reason)
            await asyncio.to_thread(self._publish_failed, identity, approved, said)
            raise PublishFailed(
                f"MLflow failed while publishing: {said} It stays approved; publish again.",
                params={"said": said},
            ) from None
        return await asyncio.to_thread(self._published, identity, approved, copy)

    def _publish_failed(self, identity: Identity, approved: Publication, said: str) -> None:
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, identity, approved.id, approved.revision)
            moved = self._update(
                tx, current, current.last_action, current.state, publish_error=said, step=False
            )
            tx.notify(
                [_note(moved, NotificationKind.PUBLISH_FAILED, Action.PUBLISH, comment=said)],
                self._now(),
            )
            tx.audit(PUBLISH_FAILED, "publication", str(current.id), error=said)

    def _published(
        self, identity: Identity, approved: Publication, copy: PublishedCopy
    ) -> Publication:
        catalog_name = _catalog_name(approved)
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, identity, approved.id, approved.revision)
            found = rules.check(current.state, Action.PUBLISH, identity, current.author)
            previous = tx.champion(catalog_name)
            moved = self._update(
                tx,
                current,
                Action.PUBLISH,
                found.to,
                publish_error=None,
                catalog_version=copy.catalog_version,
            )
            tx.set_champion(catalog_name, current.id)
            moved = replace(moved, champion=True)
            self._catalog_published(tx, moved, copy, previous)
            tx.notify([_note(moved, NotificationKind.PUBLISHED, Action.PUBLISH)], self._now())
            self._audit(
                tx,
                Action.PUBLISH,
                moved,
                catalog_model=copy.catalog_model,
                catalog_version=copy.catalog_version,
                alias=copy.alias,
                previous_champion=previous.id if previous else None,
            )
        return self._reread(approved.id)

    async def deprecate(
        self, identity: Identity, publication_id: int, revision: int, comment: str = ""
    ) -> Publication:
        """Take a published version out of use: tagged deprecated on the catalog's model in
        MLflow first (idempotent, so a failure leaves nothing to undo), then recorded."""
        current = self._visible(identity, self.store.publication(publication_id))
        rules.check(current.state, Action.DEPRECATE, identity, current.author)
        if current.revision != revision:
            raise _changed(current, revision)
        if current.catalog_version is not None:
            await self._registry().deprecate_copy(
                self.catalog_prefix + _catalog_name(current), current.catalog_version
            )
        return await asyncio.to_thread(self._deprecated, identity, current, revision, comment)

    def _deprecated(
        self, identity: Identity, read: Publication, revision: int, comment: str
    ) -> Publication:
        serving = self._served_by(read)  # its versions and catalog copy do not change any more
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, identity, read.id, revision)
            found = rules.check(current.state, Action.DEPRECATE, identity, current.author)
            said = rules.check_comment(found, Action.DEPRECATE, comment[:MAX_COMMENT])
            moved = self._update(tx, current, Action.DEPRECATE, found.to, comment=said)
            if moved.catalog_name and moved.catalog_version:
                tx.set_catalog_version_state(
                    moved.catalog_name,
                    int(moved.catalog_version),
                    VersionState.DEPRECATED,
                    at=moved.updated_at,
                )
            self._audit(tx, Action.DEPRECATE, moved, comment=said)
            self._tell_author(tx, identity, moved, Action.DEPRECATE, said)
            tx.notify(
                [
                    replace(
                        _note(
                            moved,
                            NotificationKind.SERVING_DEPRECATED,
                            Action.DEPRECATE,
                            comment=said,
                        ),
                        recipient=owner,
                        deployment=deployment,
                        model_name=model,
                        version=version,
                    )
                    for deployment, owner, model, version in serving
                    if owner != identity.name
                ],
                self._now(),
            )
        return self._reread(read.id)

    def _served_by(self, publication: Publication) -> list[tuple[str, str, str, str]]:
        """(deployment, owner, model, version) of the deployments serving the version, as the
        catalog's copy (production) or as the author's own (staging), each once. Each owner is
        told of the model and version their deployment names: the catalog's copy has numbers
        of its own (the author's version 3 may be the catalog's 1)."""
        if self.serving is None:
            return []
        served = [(publication.model_name, publication.version)]
        if publication.catalog_version is not None:
            catalog_model = self.catalog_prefix + _catalog_name(publication)
            served.append((catalog_model, publication.catalog_version))
        return sorted(
            {
                (deployment, owner, model, version)
                for model, version in served
                for deployment, owner in self.serving.served_by(model, version)
            }
        )

    def _tell_author(
        self, tx: ReviewsTx, identity: Identity, moved: Publication, action: Action, said: str
    ) -> None:
        """The author learns what a reviewer or an admin did to their published version
        (deprecated it, made it the champion again), as of a review decision."""
        if moved.author != identity.name:
            tx.notify([_note(moved, NotificationKind.DECIDED, action, comment=said)], self._now())

    async def make_champion(
        self, identity: Identity, publication_id: int, revision: int, comment: str
    ) -> Publication:
        """Move the catalog's alias back to this earlier published version, with a comment."""
        current = self._visible(identity, self.store.publication(publication_id))
        found = rules.check(current.state, Action.MAKE_CHAMPION, identity, current.author)
        rules.check_comment(found, Action.MAKE_CHAMPION, comment)
        if current.revision != revision:
            raise _changed(current, revision)
        if current.champion or current.catalog_version is None:
            raise NotAChampionCandidate(
                f"Publication {current.id} is already the champion.",
                params={"id": current.id, "state": str(current.state)},
            )
        catalog_name = _catalog_name(current)
        await self._registry().move_alias(
            self.catalog_prefix + catalog_name, self.alias, current.catalog_version
        )
        return await asyncio.to_thread(
            self._champion_moved, identity, current, catalog_name, comment
        )

    def _champion_moved(
        self, identity: Identity, chosen: Publication, catalog_name: str, comment: str
    ) -> Publication:
        said = comment.strip()[:MAX_COMMENT]
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, identity, chosen.id, chosen.revision)
            found = rules.check(current.state, Action.MAKE_CHAMPION, identity, current.author)
            previous = tx.champion(catalog_name)
            moved = self._update(tx, current, Action.MAKE_CHAMPION, found.to, comment=said)
            tx.set_champion(catalog_name, current.id)
            if current.snapshot is not None:
                # the catalog's page describes the version its snippet loads now
                tx.catalog_entry_for_update(catalog_name)
                tx.upsert_catalog_entry(
                    self._entry_card(current, self.catalog_prefix + catalog_name),
                    at=moved.updated_at,
                )
            tx.record_alias_move(
                catalog_name,
                AliasMove(
                    alias=self.alias,
                    from_version=_version_number(previous.catalog_version) if previous else None,
                    to_version=int(moved.catalog_version or 0),
                    moved_by=identity.name,
                    moved_at=moved.updated_at,
                    publication_id=None,
                    comment=said,
                ),
            )
            self._audit(
                tx,
                Action.MAKE_CHAMPION,
                moved,
                comment=said,
                alias=self.alias,
                previous_champion=previous.id if previous else None,
            )
            self._tell_author(tx, identity, moved, Action.MAKE_CHAMPION, said)
        return self._reread(chosen.id)

    def _entry_card(self, champion: Publication, catalog_model: str) -> EntryCard:
        """What the catalog shows and searches of a model: the card of its champion, the
        version its snippet loads (the newest publication, or the one the champion was moved
        back to)."""
        assert champion.snapshot is not None
        facts, card = champion.snapshot.facts, champion.card
        return EntryCard(
            name=_catalog_name(champion),
            mlflow_name=catalog_model,
            description=str(card.get("description", "")),
            card_text=self.cards.search_text(card),
            tags=tuple(str(t) for t in card.get("tags", ())),
            task=str(card.get("task") or facts.task or ""),
            framework=str(card.get("framework") or facts.framework or ""),
            team=champion.team,
            license=str(card.get("license", "")),
            card=dict(card),
        )

    def _catalog_published(
        self,
        tx: ReviewsTx,
        published: Publication,
        copy: PublishedCopy,
        previous: Publication | None,
    ) -> None:
        """The catalog's entry (refreshed from this card), its new version and the alias
        history row, in the publishing transaction."""
        assert published.snapshot is not None
        facts, at = published.snapshot.facts, published.updated_at
        name = _catalog_name(published)
        tx.catalog_entry_for_update(name)  # two publishes of one model: the second waits
        tx.upsert_catalog_entry(self._entry_card(published, copy.catalog_model), at=at)
        version = int(copy.catalog_version)
        tx.add_catalog_version(
            name,
            CatalogVersion(
                version=version,
                publication_id=published.id,
                published_at=at,
                published_by=tx.actor,
                lineage=Lineage(
                    source_model=published.model_name,
                    source_version=_version_number(published.version) or 0,
                    run_id=facts.run_id or "",
                    run_name=facts.run_name or "",
                    experiment_id=facts.experiment_id or "",
                    commit=facts.commit or "",
                    repository_url=facts.repository or "",
                    notebook=facts.notebook or "",
                    params=dict(facts.params),
                ),
                metrics=_key_metrics(published.card, facts.metrics),
            ),
        )
        tx.record_alias_move(
            name,
            AliasMove(
                alias=copy.alias,
                from_version=_version_number(previous.catalog_version) if previous else None,
                to_version=version,
                moved_by=tx.actor,
                moved_at=at,
                publication_id=published.id,
            ),
        )

    # ------------------------------------------------------------------ helpers
    def _registry(self) -> Registry:
        if self.registry is None:
            raise MLflowNotConfigured("MLflow is not configured for the platform.")
        return self.registry

    def _visible(self, identity: Identity, found: Publication | None) -> Publication:
        """The author, reviewers and admins see a publication; to anyone else it is not there."""
        if found is None or not _may_see(identity, found):
            raise PublicationNotFound(
                "There is no such publication, or it is not yours to see.",
                params={"id": found.id if found else 0},
            )
        return found

    def _current(
        self, tx: ReviewsTx, identity: Identity, publication_id: int, revision: int
    ) -> Publication:
        current = tx.get_publication(publication_id)
        if current is None or not _may_see(identity, current):
            raise PublicationNotFound(
                f"There is no publication {publication_id}.", params={"id": publication_id}
            )
        if current.revision != revision:
            raise _changed(current, revision)
        return current

    def _update(
        self,
        tx: ReviewsTx,
        current: Publication,
        action: Action,
        state: State,
        *,
        comment: str = "",
        step: bool = True,
        **fields: Any,
    ) -> Publication:
        at = self._now()
        kept_error = fields.pop("publish_error", current.publish_error if not step else None)
        changed = tx.update_publication(
            current.id,
            expected_revision=current.revision,
            state=state,
            action=action,
            at=at,
            publish_error=kept_error,
            **fields,
        )
        if not changed:  # the lock makes this unreachable; the compare-and-set still guards
            fresh = tx.get_publication(current.id)
            raise _changed(fresh or current, current.revision)
        moved = replace(
            current,
            state=state,
            revision=current.revision + 1,
            updated_at=at,
            updated_by=tx.actor,
            last_action=action,
            publish_error=kept_error,
            **{k: v for k, v in fields.items() if v is not None},
        )
        if step:
            tx.add_step(moved, action, state, comment, at)
        return moved

    @staticmethod
    def _audit(tx: ReviewsTx, action: Action, publication: Publication, **detail: Any) -> None:
        tx.audit(
            AUDIT_ACTION[action],
            "publication",
            str(publication.id),
            model_name=publication.model_name,
            version=publication.version,
            state=str(publication.state),
            **detail,
        )

    def _reread(self, publication_id: int) -> Publication:
        found = self.store.publication(publication_id)
        assert found is not None, "a publication is never deleted"
        return found


def _may_see(identity: Identity, publication: Publication) -> bool:
    return (
        publication.author == identity.name
        or identity.has(Role.REVIEWER)
        or identity.has(Role.ADMIN)
    )


def _changed(current: Publication, yours: int) -> PublicationChanged:
    return PublicationChanged(
        f"{current.updated_by} did {current.last_action} since you opened it (now "
        f"{current.state}, revision {current.revision}, yours {yours}). Reload it; nothing "
        "was changed.",
        params={
            "by": current.updated_by,
            "action": str(current.last_action),
            "state": str(current.state),
            "revision": current.revision,
            "yours": yours,
        },
    )


def _catalog_name(publication: Publication) -> str:
    name = publication.catalog_name
    if name is None:
        raise CatalogNameMissing(
            "The card names no catalog name: write one before submitting.", "catalog_name"
        )
    return naming.catalog_name(name)


def _version_number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _key_metrics(card: Mapping[str, Any], measured: Mapping[str, float]) -> dict[str, float]:
    """The metrics the card picked, with the value it gives or else the run's."""
    picked: dict[str, float] = {}
    for item in card.get("metrics", ()):
        key = item.get("key") if isinstance(item, Mapping) else None
        if not key:
            continue
        value = item.get("value")
        if value is None:
            value = measured.get(key)
        if isinstance(value, int | float):
            picked[key] = float(value)
    return picked


def _check_diff(diff: CodeDiff | None) -> None:
    if diff is not None and len(diff.text) > MAX_DIFF:
        raise DiffTooLarge(
            f"The code diff is longer than {MAX_DIFF} characters.",
            "diff",
            params={"limit": MAX_DIFF},
        )


def _note(
    publication: Publication,
    kind: NotificationKind,
    action: Action,
    *,
    comment: str = "",
    role: Role | None = None,
) -> NewNotification:
    return NewNotification(
        recipient=None if role else publication.author,
        recipient_role=str(role) if role else None,
        kind=kind,
        publication_id=publication.id,
        model_name=publication.model_name,
        version=publication.version,
        action=action,
        comment=comment,
    )
