"""The sidebar's publications and reviews: each verb forwards to the platform, which decides
who may do what (``core/reviews/rules.py``), versions, audits and notifies.

A decision declares the reviewer role, checked before the body is read, as on the platform.
"""

from __future__ import annotations

import tornado.web

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
    RevisionBody,
    SidebarSubmitBody,
)
from jupyterlab_mlplat.core.reviews.rules import publication_id as checked_id

from .base import SidebarHandler
from .profiles import RoleFirst

_ERRORS = {
    403: "Not the author, not a reviewer, or the author deciding on their own work.",
    404: "No such publication, or not the caller's to see.",
    409: "The revision is stale (who did what since is named), or the action does not apply "
    "in the publication's state (the allowed ones are named).",
}
_MLFLOW = {503: "MLflow failed or did not answer; a publish stays approved and may be retried."}


class PublicationsHandler(SidebarHandler):
    @operation(
        "The person's own publications, newest change first.",
        {200: (PublicationList, "Publications.")},
        query=[Query("model_name", "Only those of one registered model.")],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        model_name = self.get_argument("model_name", None)
        self.write_model(await self.client.my_publications(model_name))

    @operation(
        "Start a publication of one of the person's model versions: a draft with its card.",
        {201: (PublicationBody, "The draft, revision 1.")},
        body=PublicationCreate,
        errors={**_ERRORS, 409: "The version already has an open publication.", **_MLFLOW},
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(PublicationCreate)
        created = self.client.create_publication(body.model_name, body.version, body.card)
        self.write_model(await created, 201)


class QueueHandler(SidebarHandler):
    @operation(
        "The review queue (reviewers and admins); `count` is the tab's badge.",
        {200: (PublicationList, "The queue, oldest first.")},
        errors={403: "Only reviewers or admins see the queue."},
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        self.write_model(await self.client.review_queue())


class PublicationHandler(SidebarHandler):
    @operation(
        "A publication's page: card, snapshot, steps, the champion's metrics beside it, and "
        "what the person may do.",
        {200: (PublicationPageBody, "The page.")},
        path=ID_PATH,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def get(self, publication_id: str) -> None:
        self.write_model(await self.client.publication(checked_id(publication_id)))


class CardHandler(SidebarHandler):
    @operation(
        "Save the card (the author, while a draft or after changes were requested).",
        {200: (PublicationBody, "Saved; the new revision.")},
        body=CardUpdate,
        path=ID_PATH,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def put(self, publication_id: str) -> None:
        body = self.parse(CardUpdate)
        saved = self.client.save_card(checked_id(publication_id), body.revision, body.card)
        self.write_model(await saved)


class SubmitHandler(SidebarHandler):
    @operation(
        "Send it to review (or again, after changes): the platform snapshots the version and "
        "its run as the author.",
        {200: (PublicationBody, "In review.")},
        body=SidebarSubmitBody,
        path=ID_PATH,
        errors={**_ERRORS, **_MLFLOW},
    )
    @tornado.web.authenticated
    async def post(self, publication_id: str) -> None:
        body = self.parse(SidebarSubmitBody)
        sent = self.client.submit_publication(checked_id(publication_id), body.revision, None)
        self.write_model(await sent)


class _Step(SidebarHandler):
    """One POST that forwards its body to the platform's step of the same name."""

    verb = ""

    async def _forward(self, publication_id: str, body: RevisionBody | CommentBody) -> None:
        done = self.client.publication_action(
            checked_id(publication_id), self.verb, body.model_dump()
        )
        self.write_model(await done)


class WithdrawHandler(_Step):
    verb = "withdraw"

    @operation(
        "Take it back from review to a draft (the author).",
        {200: (PublicationBody, "A draft again.")},
        body=RevisionBody,
        path=ID_PATH,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def post(self, publication_id: str) -> None:
        await self._forward(publication_id, self.parse(RevisionBody))


class DecisionHandler(RoleFirst):
    @operation(
        "Approve, request changes or reject, with a comment (reviewers; never the author). "
        "The last approval needed publishes it.",
        {200: (PublicationBody, "Decided; published when it was the last approval.")},
        body=DecisionBody,
        path=ID_PATH,
        role="reviewer",
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def post(self, publication_id: str) -> None:
        body = self.parse(DecisionBody)
        done = self.client.publication_action(
            checked_id(publication_id), "decisions", body.model_dump()
        )
        self.write_model(await done)


class PublishHandler(_Step):
    verb = "publish"

    @operation(
        "Publish an approved publication again after MLflow failed (reviewers, admins).",
        {200: (PublicationBody, "Published.")},
        body=RevisionBody,
        path=ID_PATH,
        errors={**_ERRORS, **_MLFLOW},
    )
    @tornado.web.authenticated
    async def post(self, publication_id: str) -> None:
        await self._forward(publication_id, self.parse(RevisionBody))


class DeprecateHandler(_Step):
    verb = "deprecate"

    @operation(
        "Take a published version out of use (reviewers, admins).",
        {200: (PublicationBody, "Deprecated.")},
        body=CommentBody,
        path=ID_PATH,
        errors=_ERRORS,
    )
    @tornado.web.authenticated
    async def post(self, publication_id: str) -> None:
        await self._forward(publication_id, self.parse(CommentBody))


class ChampionHandler(_Step):
    verb = "champion"

    @operation(
        "Move the catalog model's champion back to this published version (reviewers, "
        "admins), with a comment.",
        {200: (PublicationBody, "It is the champion.")},
        body=CommentBody,
        path=ID_PATH,
        errors={**_ERRORS, **_MLFLOW},
    )
    @tornado.web.authenticated
    async def post(self, publication_id: str) -> None:
        await self._forward(publication_id, self.parse(CommentBody))


class NotificationsHandler(SidebarHandler):
    @operation(
        "The person's notifications newer than `after`, oldest first.",
        {200: (NotificationList, "Notifications; `last_id` is the next `after`.")},
        query=[
            Query("after", "The last id the person has seen.", type="integer"),
            Query("limit", type="integer", minimum=1, maximum=MAX_NOTIFICATIONS),
        ],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        after, limit = self.int_argument("after", 0), self.int_argument("limit", 50)
        self.write_model(await self.client.notifications(after, limit))


_ID = r"(?P<publication_id>[^/]+)"
ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("publications", PublicationsHandler),
    ("publications/queue", QueueHandler),
    (f"publications/{_ID}", PublicationHandler),
    (f"publications/{_ID}/card", CardHandler),
    (f"publications/{_ID}/submit", SubmitHandler),
    (f"publications/{_ID}/withdraw", WithdrawHandler),
    (f"publications/{_ID}/decisions", DecisionHandler),
    (f"publications/{_ID}/publish", PublishHandler),
    (f"publications/{_ID}/deprecate", DeprecateHandler),
    (f"publications/{_ID}/champion", ChampionHandler),
    ("notifications", NotificationsHandler),
]
