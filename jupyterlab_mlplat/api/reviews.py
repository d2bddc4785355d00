"""Wire models of publications and reviews, shared by the platform API and the sidebar API: the
card being written, submission, review decisions, publishing, the queue, a publication's page
and notifications."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from jupyterlab_mlplat.core.kernel.naming import MODEL_NAME_MAX, MODEL_NAME_PATTERN
from jupyterlab_mlplat.core.models.card import ModelCard, field_labels, validate_card
from jupyterlab_mlplat.core.reviews.records import (
    MAX_COMMENT,
    MAX_DIFF,
    Action,
    CodeDiff,
    Notification,
    NotificationKind,
    Publication,
    PublicationPage,
    State,
    Step,
    VersionFacts,
)
from jupyterlab_mlplat.core.reviews.rules import PUBLICATION_ID

from .base import FromCore, Wire

ID_PATH = {"publication_id": f"^{PUBLICATION_ID}$"}
#: the page size of the notifications list
MAX_NOTIFICATIONS = 200


class ModelCardRules:
    """The reviews service's card rules, from ``core/models/card.py``."""

    def checked(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return validate_card(data).model_dump(mode="json")

    def missing_for_submit(self, card: Mapping[str, Any]) -> list[str]:
        return validate_card(card).missing_for_submit()

    def labels(self, fields: list[str]) -> str:
        return field_labels(fields)

    def search_text(self, card: Mapping[str, Any]) -> str:
        return validate_card(card).search_text()

    def markdown(self, card: Mapping[str, Any], facts: VersionFacts) -> str:
        return validate_card(card).to_markdown()


class _DocumentedAsCard:
    """Read as a plain object, documented as the core's ``ModelCard``: the core validates every
    field and names each wrong one, so a form shows all its messages at once."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, _schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(ModelCard.__pydantic_core_schema__)


CardObject = Annotated[dict[str, Any], _DocumentedAsCard]
Revision = Annotated[
    int, Field(ge=1, description="The revision the page showed: a stale one is refused (409).")
]
Comment = Annotated[str, Field(max_length=MAX_COMMENT)]
#: a comment that says something: not empty, not only spaces (the service strips it)
#: a character that is not a space, and (as in every text) no NUL
_SAYS_SOMETHING = "^[^\x00]*[^\\s\x00][^\x00]*$"
Reason = Annotated[str, Field(min_length=1, max_length=MAX_COMMENT, pattern=_SAYS_SOMETHING)]


# ---------------------------------------------------------------- requests
class PublicationCreate(Wire):
    model_name: str = Field(
        min_length=1,
        max_length=MODEL_NAME_MAX,
        json_schema_extra={"pattern": MODEL_NAME_PATTERN},
    )
    version: str = Field(json_schema_extra={"pattern": f"^{PUBLICATION_ID}$"})
    card: CardObject = Field(default_factory=dict)


class CardUpdate(Wire):
    revision: Revision
    card: CardObject


class RevisionBody(Wire):
    revision: Revision


class DiffBody(FromCore):
    base_commit: str | None = Field(default=None, max_length=64)
    head_commit: str | None = Field(default=None, max_length=64)
    text: str = Field(max_length=MAX_DIFF)
    computed_by: Literal["author_workspace"] = "author_workspace"

    def core(self) -> CodeDiff:
        return CodeDiff(self.base_commit, self.head_commit, self.text, self.computed_by)


class SubmitBody(Wire):
    revision: Revision
    diff: DiffBody | None = Field(
        default=None,
        description="What changed in the code since the champion's commit, computed by the "
        "author's server (the sidebar API fills it; a direct caller may leave it out).",
    )


class SidebarSubmitBody(Wire):
    """The sidebar sends only the revision: its server computes the diff itself."""

    revision: Revision


class DecisionBody(Wire):
    """Approve, request changes or reject, each with a comment that says something."""

    revision: Revision
    action: Literal["approve", "request_changes", "reject"]
    comment: Reason = Field(description="Why: every decision says it.")


class CommentBody(Wire):
    revision: Revision
    comment: Comment = ""


class ReasonBody(Wire):
    revision: Revision
    comment: Reason = Field(description="Why the champion moves back.")


# ---------------------------------------------------------------- answers
class FactsBody(FromCore):
    model_name: str
    version: str
    source: str
    owner: str | None
    run_id: str | None
    run_name: str | None
    experiment_id: str | None
    signature: dict[str, Any] | None
    input_example: str | None
    flavors: list[str]
    framework: str | None
    task: str | None
    params: dict[str, str]
    metrics: dict[str, float]
    notebook: str | None
    commit: str | None
    repository: str | None


class SnapshotBody(FromCore):
    facts: FactsBody
    diff: DiffBody | None
    taken_at: datetime


class StepBody(FromCore):
    id: int
    round: int
    actor: str
    action: Action
    state: State
    comment: str
    at: datetime

    @classmethod
    def of(cls, step: Step) -> StepBody:
        return cls.model_validate(step)


class PublicationSummary(FromCore):
    id: int
    model_name: str
    version: str
    author: str
    team: str
    state: State
    revision: int
    catalog_name: str | None
    round: int
    created_at: datetime
    updated_at: datetime
    updated_by: str
    last_action: Action
    publish_error: str | None
    catalog_version: str | None
    champion: bool


class PublicationBody(PublicationSummary):
    card: dict[str, Any]
    snapshot: SnapshotBody | None
    approvals: list[str]
    steps: list[StepBody]

    @classmethod
    def of(cls, publication: Publication) -> PublicationBody:
        return cls.model_validate(publication)


class PublicationList(Wire):
    publications: list[PublicationSummary]
    count: int = Field(description="How many are listed (the Reviews tab's badge).")

    @classmethod
    def of(cls, found: Sequence[Publication]) -> PublicationList:
        return cls(
            publications=[PublicationSummary.model_validate(p) for p in found], count=len(found)
        )


class MetricRow(FromCore):
    key: str
    candidate: float | None
    champion: float | None
    difference: float | None = Field(description="candidate minus champion, when both exist.")


class PublicationPageBody(Wire):
    publication: PublicationBody
    champion: PublicationBody | None = Field(
        description="The catalog model's current champion this version would replace."
    )
    metrics: list[MetricRow]
    allowed: list[Action] = Field(description="What the caller may do now.")
    approvals_required: int

    @classmethod
    def of(cls, page: PublicationPage) -> PublicationPageBody:
        return cls(
            publication=PublicationBody.of(page.publication),
            champion=PublicationBody.of(page.champion) if page.champion else None,
            metrics=[MetricRow.model_validate(m) for m in page.metrics],
            allowed=list(page.allowed),
            approvals_required=page.approvals_required,
        )


class NotificationBody(FromCore):
    id: int
    kind: NotificationKind
    publication_id: int | None = Field(
        description="The publication it is about; null for news of a deployment (drifted)."
    )
    model_name: str
    version: str
    actor: str
    action: Action | None = Field(
        description="The publication's action; null for news of a deployment."
    )
    comment: str = Field(
        description="The reviewer's comment; for `drifted`, the drifted features, by comma; "
        "for `gpu_idle`, the minutes the workspace held its GPU idle."
    )
    at: datetime
    deployment: str | None = Field(
        default=None,
        description="The deployment it is about (`drifted`; `serving_deprecated`: it serves "
        "the deprecated version), else null.",
    )
    workspace: str | None = Field(
        default=None,
        description="The workspace (server name, empty for the default server) it is about "
        "(`gpu_idle`), else null.",
    )


class NotificationList(Wire):
    notifications: list[NotificationBody]
    last_id: int = Field(description="Send it as `after` to get only newer ones.")

    @classmethod
    def of(cls, found: Sequence[Notification], after: int) -> NotificationList:
        return cls(
            notifications=[NotificationBody.model_validate(n) for n in found],
            last_id=max((n.id for n in found), default=after),
        )
