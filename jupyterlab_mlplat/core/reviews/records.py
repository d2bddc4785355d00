"""A publication and what travels with it: the card, the snapshot reviewers judge, every step
taken on it, and the notifications it sends.

Plain frozen dataclasses: the store builds them, the service decides, the wire models of
``api/reviews.py`` copy them field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class State(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"
    DEPRECATED = "deprecated"


class Action(StrEnum):
    CREATE = "create"
    SAVE_CARD = "save_card"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    RESUBMIT = "resubmit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    PUBLISH = "publish"
    DEPRECATE = "deprecate"
    MAKE_CHAMPION = "make_champion"


#: the actions a reviewer takes on a submission: each carries a comment
DECISIONS = (Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT)
#: states a publication leaves only by an action nobody may take any more
FINISHED = (State.REJECTED, State.DEPRECATED)

#: the alias publishing moves, unless configured otherwise
CHAMPION = "champion"
#: the longest code diff a submission keeps (characters); longer ones are refused, not cut, so
#: a reviewer never judges half a change without knowing
MAX_DIFF = 400_000
#: the longest comment of a decision (characters)
MAX_COMMENT = 10_000


@dataclass(frozen=True)
class CodeDiff:
    """What changed in the code from the champion's commit to the candidate's, as the author's
    own server computed it (only it can read the author's repository)."""

    base_commit: str | None
    head_commit: str | None
    text: str
    computed_by: str = "author_workspace"


@dataclass(frozen=True)
class VersionFacts:
    """A model version and its run as the registry shows them to the version's author."""

    model_name: str
    version: str
    source: str
    #: who created the registered model (its sandbox's owner), when the registry says
    owner: str | None = None
    run_id: str | None = None
    run_name: str | None = None
    experiment_id: str | None = None
    signature: dict[str, Any] | None = None
    input_example: str | None = None
    flavors: tuple[str, ...] = ()
    framework: str | None = None
    task: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    notebook: str | None = None
    commit: str | None = None
    repository: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """What reviewers judge, taken as the author at submission, so nobody needs to read the
    author's files or private runs afterwards."""

    facts: VersionFacts
    diff: CodeDiff | None
    taken_at: datetime


@dataclass(frozen=True)
class Step:
    """One action taken on a publication: by whom, when, in which round of review, and why."""

    id: int
    publication_id: int
    round: int
    actor: str
    action: Action
    comment: str
    at: datetime
    #: the state the action left the publication in
    state: State


@dataclass(frozen=True)
class Publication:
    id: int
    model_name: str
    version: str
    author: str
    #: the author's team (their first hub group when they created it): a catalog facet
    team: str
    state: State
    #: raised by every change; every action carries the revision the caller's page showed
    revision: int
    #: the model card's fields (``core/models/card.py`` checks them)
    card: dict[str, Any]
    #: how many times it went to review (0 while a first draft)
    round: int
    snapshot: Snapshot | None
    created_at: datetime
    updated_at: datetime
    updated_by: str
    last_action: Action
    #: why the last publish failed (MLflow), while it may be retried
    publish_error: str | None = None
    #: the catalog model version it was copied to, once published
    catalog_version: str | None = None
    #: whether the catalog alias (``champion``) points at this publication's copy
    champion: bool = False
    steps: tuple[Step, ...] = ()

    @property
    def catalog_name(self) -> str | None:
        name = self.card.get("catalog_name")
        return name if isinstance(name, str) and name else None

    @property
    def approvals(self) -> tuple[str, ...]:
        """Who approved the current round, in order, each once."""
        seen: list[str] = []
        for step in self.steps:
            approval = step.round == self.round and step.action is Action.APPROVE
            if approval and step.actor not in seen:
                seen.append(step.actor)
        return tuple(seen)

    @property
    def decisions(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.action in DECISIONS)


@dataclass(frozen=True)
class PublishedCopy:
    """Where publishing put the version: the catalog's registered model and its version."""

    catalog_model: str
    catalog_version: str
    alias: str


@dataclass(frozen=True)
class MetricComparison:
    """One metric of the candidate beside the champion's, on the same key."""

    key: str
    candidate: float | None
    champion: float | None
    difference: float | None


@dataclass(frozen=True)
class PublicationPage:
    """A publication as its page shows it: the champion it would replace and the metrics side
    by side, and what the caller may do now."""

    publication: Publication
    champion: Publication | None
    metrics: tuple[MetricComparison, ...]
    allowed: tuple[Action, ...]
    approvals_required: int


class NotificationKind(StrEnum):
    SUBMITTED = "submitted"
    DECIDED = "decided"
    PUBLISHED = "published"
    PUBLISH_FAILED = "publish_failed"
    #: a deployment's requests drifted from its version's reference (``core/deployments/
    #: drift_service.py``): no publication; ``deployment`` names it, ``comment`` the features
    DRIFTED = "drifted"
    #: a version a deployment serves was deprecated: for the deployment's owner, ``deployment``
    #: names it; the publication, action and comment are the deprecation's
    SERVING_DEPRECATED = "serving_deprecated"
    #: a workspace held a GPU idle past the threshold (``core/analytics/usage_service.py``):
    #: no publication; ``workspace`` names the server (``""`` the default), ``comment`` the
    #: minutes it was idle
    GPU_IDLE = "gpu_idle"


@dataclass(frozen=True)
class Notification:
    """A message for one person, or for everyone holding a role (``recipient_role``)."""

    id: int
    recipient: str | None
    recipient_role: str | None
    kind: NotificationKind
    #: None for news of a deployment (``drifted``)
    publication_id: int | None
    model_name: str
    version: str
    actor: str
    #: the publication's action; None for news of a deployment
    action: Action | None
    comment: str
    at: datetime
    deployment: str | None = None
    #: the workspace's server name it is about (``gpu_idle``), else None
    workspace: str | None = None


@dataclass(frozen=True)
class NewNotification:
    recipient: str | None
    recipient_role: str | None
    kind: NotificationKind
    publication_id: int | None
    model_name: str
    version: str
    action: Action | None = None
    comment: str = ""
    deployment: str | None = None
    workspace: str | None = None
