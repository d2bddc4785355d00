"""What the reviews service needs: the store (publications with compare-and-set on their
revision, their steps, notifications, and the catalog's rows written in the same transaction),
the model registry as the platform uses it, and the model card's rules."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from jupyterlab_mlplat.core.catalog.records import (
    AliasMove,
    CatalogEntry,
    CatalogVersion,
    EntryCard,
    VersionState,
)
from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork

from .records import (
    Action,
    NewNotification,
    Notification,
    Publication,
    PublishedCopy,
    Snapshot,
    State,
    VersionFacts,
)


class ReviewsTx(UnitOfWork):
    @abstractmethod
    def insert_publication(
        self, model_name: str, version: str, card: Mapping[str, Any], team: str, at: datetime
    ) -> int:
        """A new draft by this unit of work's actor, revision 1; its id."""

    @abstractmethod
    def get_publication(self, publication_id: int) -> Publication | None:
        """The publication with its steps, locked against concurrent actions until the
        transaction ends (a second reviewer waits, then sees the first one's change)."""

    @abstractmethod
    def open_publication(self, model_name: str, version: str) -> Publication | None:
        """The version's publication that is not rejected, if any."""

    @abstractmethod
    def update_publication(
        self,
        publication_id: int,
        *,
        expected_revision: int,
        state: State,
        action: Action,
        at: datetime,
        card: Mapping[str, Any] | None = None,
        round: int | None = None,
        snapshot: Snapshot | None = None,
        publish_error: str | None = None,
        catalog_version: str | None = None,
    ) -> bool:
        """Compare-and-set: change it only if its revision is still ``expected_revision``
        (raising it by one); False when another change came first. ``publish_error`` is written
        as given (None clears it); the other optional fields are kept when None."""

    @abstractmethod
    def add_step(
        self, publication: Publication, action: Action, state: State, comment: str, at: datetime
    ) -> None:
        """Record the action this unit of work's actor took, in the publication's round."""

    @abstractmethod
    def champion(self, catalog_name: str) -> Publication | None:
        """The published publication the catalog's alias points at."""

    @abstractmethod
    def set_champion(self, catalog_name: str, publication_id: int) -> None:
        """Point the alias at this publication (and at no other of the catalog model)."""

    @abstractmethod
    def notify(self, notifications: Sequence[NewNotification], at: datetime) -> None: ...

    # the catalog's side, written in the same transaction as the publication's change; the
    # signatures are core/catalog's CatalogTx, which the SQL unit of work implements once
    @abstractmethod
    def catalog_entry_for_update(self, name: str) -> CatalogEntry | None: ...

    @abstractmethod
    def upsert_catalog_entry(self, card: EntryCard, *, at: datetime) -> None: ...

    @abstractmethod
    def add_catalog_version(self, name: str, version: CatalogVersion) -> None: ...

    @abstractmethod
    def set_catalog_version_state(
        self, name: str, version: int, state: VersionState, *, at: datetime
    ) -> None: ...

    @abstractmethod
    def record_alias_move(self, name: str, move: AliasMove) -> None: ...


class ReviewsStore(Transactional[ReviewsTx], Protocol):
    def publication(self, publication_id: int) -> Publication | None:
        """Outside any transaction, with its steps."""
        ...

    def publications(
        self,
        *,
        states: Sequence[State] = (),
        author: str | None = None,
        model_name: str | None = None,
        limit: int = 200,
        oldest_first: bool = False,
    ) -> list[Publication]:
        """Newest change first (or oldest, for the queue), without steps and without the
        snapshot (the queue and lists)."""
        ...

    def notifications(
        self, user: str, roles: Sequence[str], *, after: int, limit: int
    ) -> list[Notification]:
        """Those addressed to ``user`` or to a role they hold (except what they did
        themselves), with an id above ``after``, oldest first."""
        ...


@runtime_checkable
class Registry(Protocol):
    """The model registry (MLflow) as the platform uses it: reading a submitted version as its
    author, and writing the catalog as itself. Raises ``NotFound`` for a version that is not
    there, ``Forbidden`` when the author may not read it, ``Unavailable`` when MLflow fails."""

    async def version_facts(self, author: str, model_name: str, version: str) -> VersionFacts:
        """The version, its run and its lineage, read as ``author``; ``owner`` is who created
        the registered model."""

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
        """Copy the version into ``catalog_model`` (tagged with the publication id: a retry
        finds the copy instead of making another), write ``model_card.md`` next to its
        artifacts and point ``alias`` at it."""

    async def move_alias(self, catalog_model: str, alias: str, version: str) -> None: ...

    async def deprecate_copy(self, catalog_model: str, version: str) -> None:
        """Mark the catalog's version deprecated in MLflow (a tag people's code can read)."""


class Serving(Protocol):
    """Which deployments serve a model version now (the deployments room answers): a version
    taken out of use concerns the owners of what serves it."""

    def served_by(self, mlflow_name: str, version: str) -> list[tuple[str, str]]:
        """(deployment, owner) of every live deployment with ``version`` of ``mlflow_name`` in
        its spec, as the platform sees them (no reader's rule applies)."""
        ...


@runtime_checkable
class CardRules(Protocol):
    """The model card's fields and limits (``core/models/card.py``)."""

    def checked(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The card as stored, or ``InvalidInput`` naming each wrong field."""

    def search_text(self, card: Mapping[str, Any]) -> str:
        """The card's words a catalog search looks through."""

    def missing_for_submit(self, card: Mapping[str, Any]) -> list[str]:
        """The fields a card must fill before it goes to review."""

    def labels(self, fields: list[str]) -> str:
        """The fields as the card editor names them, for an English sentence."""

    def markdown(self, card: Mapping[str, Any], facts: VersionFacts) -> str:
        """``model_card.md`` as written next to the version's artifacts."""
