"""Publications and reviews: a person's drafts and submissions, the reviewers' queue and
decisions, publishing, deprecation, the champion, and notifications.

Who may do what is the core's table (``core/reviews/rules.py``); a decision additionally
declares the reviewer role, so a person without it is refused before the body is read.
"""

from __future__ import annotations

from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.api.reviews import (
    ID_PATH,
    MAX_NOTIFICATIONS,
    CardUpdate,
    CommentBody,
    DecisionBody,
    NotificationList,
    PublicationBody,
    PublicationCreate,
    PublicationList,
    PublicationPageBody,
    ReasonBody,
    RevisionBody,
    SubmitBody,
)
from jupyterlab_mlplat.core.reviews.records import Action
from jupyterlab_mlplat.core.reviews.rules import publication_id as checked_id
from jupyterlab_mlplat.platform.base import PlatformHandler

_ERRORS = {
    403: "Not the author, not a reviewer, or the author deciding on their own work.",
    404: "No such publication, or not the caller's to see.",
    409: "The revision is stale (who did what since is named), or the action does not apply "
    "in the publication's state (the allowed ones are named).",
}
_MLFLOW = {503: "MLflow failed or did not answer; a publish stays approved and may be retried."}


class PublicationsHandler(PlatformHandler):
    route_name = "publications"

    @operation(
        "The caller's own publications, newest change first.",
        {200: (PublicationList, "Publications.")},
        query=[Query("model_name", "Only those of one registered model.")],
    )
    async def get(self) -> None:
        model_name = self.get_query_argument("model_name", None)
        found = await self.run(self.services.reviews.mine, self.identity, model_name)
        self.send_model(PublicationList.of(found))

    @operation(
        "Start a publication of one of the caller's model versions: a draft with its card.",
        {201: (PublicationBody, "The draft, revision 1.")},
        body=PublicationCreate,
        errors={**_ERRORS, 409: "The version already has an open publication.", **_MLFLOW},
    )
    async def post(self) -> None:
        body = self.parse(PublicationCreate)
        created = await self.services.reviews.create(
            self.identity, body.model_name, body.version, body.card
        )
        self.send_model(PublicationBody.of(created), 201)


class QueueHandler(PlatformHandler):
    route_name = "publications_queue"

    @operation(
        "The review queue (reviewers): in review, and approved ones to publish again.",
        {200: (PublicationList, "The queue, oldest first; `count` is the badge.")},
        role="reviewer",
    )
    async def get(self) -> None:
        found = await self.run(self.services.reviews.queue, self.identity)
        self.send_model(PublicationList.of(found))


class PublicationHandler(PlatformHandler):
    route_name = "publication"

    @operation(
        "A publication's page: card, snapshot, steps, the champion's metrics beside it, and "
        "what the caller may do.",
        {200: (PublicationPageBody, "The page.")},
        path=ID_PATH,
        errors=_ERRORS,
    )
    async def get(self, publication_id: str) -> None:
        page = await self.run(self.services.reviews.page, self.identity, checked_id(publication_id))
        self.send_model(PublicationPageBody.of(page))


class CardHandler(PlatformHandler):
    route_name = "publication_card"

    @operation(
        "Save the card (the author, while a draft or after changes were requested).",
        {200: (PublicationBody, "Saved; the new revision.")},
        body=CardUpdate,
        path=ID_PATH,
        errors=_ERRORS,
    )
    async def put(self, publication_id: str) -> None:
        body = self.parse(CardUpdate)
        saved = await self.run(
            self.services.reviews.save_card,
            self.identity,
            checked_id(publication_id),
            body.revision,
            body.card,
        )
        self.send_model(PublicationBody.of(saved))


class SubmitHandler(PlatformHandler):
    route_name = "publication_submit"

    @operation(
        "Send it to review (or again, after changes): the platform snapshots the version and "
        "its run as the author; the author's server sends the code diff.",
        {200: (PublicationBody, "In review.")},
        body=SubmitBody,
        path=ID_PATH,
        errors={**_ERRORS, **_MLFLOW},
    )
    async def post(self, publication_id: str) -> None:
        body = self.parse(SubmitBody)
        diff = body.diff.core() if body.diff else None
        submitted = await self.services.reviews.submit(
            self.identity, checked_id(publication_id), body.revision, diff
        )
        self.send_model(PublicationBody.of(submitted))


class WithdrawHandler(PlatformHandler):
    route_name = "publication_withdraw"

    @operation(
        "Take it back from review to a draft (the author).",
        {200: (PublicationBody, "A draft again.")},
        body=RevisionBody,
        path=ID_PATH,
        errors=_ERRORS,
    )
    async def post(self, publication_id: str) -> None:
        body = self.parse(RevisionBody)
        back = await self.run(
            self.services.reviews.withdraw, self.identity, checked_id(publication_id), body.revision
        )
        self.send_model(PublicationBody.of(back))


class DecisionHandler(PlatformHandler):
    route_name = "publication_decision"

    @operation(
        "Approve, request changes or reject, with a comment (reviewers; never the author). "
        "The last approval needed publishes it.",
        {200: (PublicationBody, "Decided; published when it was the last approval.")},
        body=DecisionBody,
        path=ID_PATH,
        role="reviewer",
        errors=_ERRORS,
    )
    async def post(self, publication_id: str) -> None:
        body = self.parse(DecisionBody)
        decided = await self.services.reviews.decide(
            self.identity,
            checked_id(publication_id),
            body.revision,
            Action(body.action),
            body.comment,
        )
        self.send_model(PublicationBody.of(decided))


class PublishHandler(PlatformHandler):
    route_name = "publication_publish"

    @operation(
        "Publish an approved publication again after MLflow failed (reviewers, admins).",
        {200: (PublicationBody, "Published.")},
        body=RevisionBody,
        path=ID_PATH,
        errors={**_ERRORS, **_MLFLOW},
    )
    async def post(self, publication_id: str) -> None:
        body = self.parse(RevisionBody)
        published = await self.services.reviews.publish(
            self.identity, checked_id(publication_id), body.revision
        )
        self.send_model(PublicationBody.of(published))


class DeprecateHandler(PlatformHandler):
    route_name = "publication_deprecate"

    @operation(
        "Take a published version out of use (reviewers, admins).",
        {200: (PublicationBody, "Deprecated.")},
        body=CommentBody,
        path=ID_PATH,
        errors=_ERRORS,
    )
    async def post(self, publication_id: str) -> None:
        body = self.parse(CommentBody)
        done = await self.services.reviews.deprecate(
            self.identity, checked_id(publication_id), body.revision, body.comment
        )
        self.send_model(PublicationBody.of(done))


class ChampionHandler(PlatformHandler):
    route_name = "publication_champion"

    @operation(
        "Move the catalog model's champion alias back to this published version (reviewers, "
        "admins), with a comment.",
        {200: (PublicationBody, "It is the champion.")},
        body=ReasonBody,
        path=ID_PATH,
        errors={**_ERRORS, **_MLFLOW},
    )
    async def post(self, publication_id: str) -> None:
        body = self.parse(ReasonBody)
        moved = await self.services.reviews.make_champion(
            self.identity, checked_id(publication_id), body.revision, body.comment
        )
        self.send_model(PublicationBody.of(moved))


class NotificationsHandler(PlatformHandler):
    route_name = "notifications"

    @operation(
        "The caller's notifications newer than `after`, oldest first.",
        {200: (NotificationList, "Notifications; `last_id` is the next `after`.")},
        query=[
            Query("after", "The last id the caller has seen.", type="integer"),
            Query("limit", type="integer", minimum=1, maximum=MAX_NOTIFICATIONS),
        ],
    )
    async def get(self) -> None:
        sent = self.get_query_argument
        after = 0 if sent("after", None) is None else self.int_argument("after")
        limit = 50 if sent("limit", None) is None else self.int_argument("limit")

        found = await self.run(
            self.services.reviews.notifications, self.identity, after=after, limit=limit
        )
        self.send_model(NotificationList.of(found, after))


_ID = r"(?P<publication_id>[^/]+)"
ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/publications", PublicationsHandler),
    ("api/v1/publications/queue", QueueHandler),
    (f"api/v1/publications/{_ID}", PublicationHandler),
    (f"api/v1/publications/{_ID}/card", CardHandler),
    (f"api/v1/publications/{_ID}/submit", SubmitHandler),
    (f"api/v1/publications/{_ID}/withdraw", WithdrawHandler),
    (f"api/v1/publications/{_ID}/decisions", DecisionHandler),
    (f"api/v1/publications/{_ID}/publish", PublishHandler),
    (f"api/v1/publications/{_ID}/deprecate", DeprecateHandler),
    (f"api/v1/publications/{_ID}/champion", ChampionHandler),
    ("api/v1/notifications", NotificationsHandler),
]
