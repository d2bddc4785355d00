"""The sidebar's publications and reviews: each verb forwards to the platform, which decides
who may do what (``core/reviews/rules.py``), versions, audits and notifies.

A decision declares the reviewer role, checked before the body is read, as on the platform.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

import tornado.web

from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.api.reviews import (
    ID_PATH,
    MAX_NOTIFICATIONS,
    CardUpdate,
    CommentBody,
    DecisionBody,
    DiffBody,
    NotificationList,
    PublicationBody,
    PublicationCreate,
    PublicationList,
    PublicationPageBody,
    ReasonBody,
    RevisionBody,
    SidebarSubmitBody,
)
from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.git.service import GitWorkspace
from jupyterlab_mlplat.core.kernel.errors import PlatformError
from jupyterlab_mlplat.core.models.service import ModelService
from jupyterlab_mlplat.core.reviews.records import MAX_DIFF
from jupyterlab_mlplat.core.reviews.rules import publication_id as checked_id

from .base import RoleFirst, SidebarHandler

log = logging.getLogger(__name__)

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


class ReviewQueueHandler(RoleFirst):
    @operation(
        "The review queue (reviewers); `count` is the tab's badge.",
        {200: (PublicationList, "The queue, oldest first.")},
        role="reviewer",
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


class PublicationCardHandler(SidebarHandler):
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


class Submissions:
    """Submitting from the author's own server, the only place that can read the author's
    repository: the diff from the champion's commit to the candidate's goes along."""

    def __init__(
        self, client: PlatformClient, git: GitWorkspace, models: ModelService | None
    ) -> None:
        self.client, self.git, self.models = client, git, models

    async def submit(self, publication_id: int, revision: int) -> PublicationBody:
        page = await self.client.publication(publication_id)
        diff = await self._diff(page)
        return await self.client.submit_publication(publication_id, revision, diff)

    async def _diff(self, page: PublicationPageBody) -> DiffBody | None:
        """The diff, or None when it cannot be told (no commit, no repository here): the
        submission goes on, and its page says there is no diff."""
        if self.models is None:
            return None
        candidate = page.publication
        champion = page.champion.snapshot if page.champion else None
        base = champion.facts.commit if champion else None
        try:
            lineage = await self.models.lineage(candidate.model_name, candidate.version)
            if not lineage.commit or not lineage.notebook:
                return None
            folder = str(PurePosixPath(lineage.notebook).parent)
            text = await self.git.diff_between(
                "" if folder == "." else folder, base, lineage.commit
            )
        except PlatformError as err:
            log.info("no diff for publication %s: %s", candidate.id, err.reason)
            return None
        if len(text) > MAX_DIFF:
            note = f"\n… cut at {MAX_DIFF} characters by the author's workspace\n"
            text = text[: MAX_DIFF - len(note)] + note
        return DiffBody(base_commit=base, head_commit=lineage.commit, text=text)


class PublicationSubmitHandler(SidebarHandler):
    @operation(
        "Send it to review (or again, after changes): this server computes the diff of the code "
        "from the champion's commit to the candidate's; the platform snapshots the version and "
        "its run as the author.",
        {200: (PublicationBody, "In review.")},
        body=SidebarSubmitBody,
        path=ID_PATH,
        errors={**_ERRORS, **_MLFLOW},
    )
    @tornado.web.authenticated
    async def post(self, publication_id: str) -> None:
        body = self.parse(SidebarSubmitBody)
        submissions = Submissions(self.client, self.services.git, self.services.models_service)
        self.write_model(await submissions.submit(checked_id(publication_id), body.revision))


class _Step(SidebarHandler):
    """One POST that forwards its body to the platform's step of the same name."""

    verb = ""

    async def _forward(
        self, publication_id: str, body: RevisionBody | CommentBody | ReasonBody
    ) -> None:
        done = self.client.publication_action(
            checked_id(publication_id), self.verb, body.model_dump()
        )
        self.write_model(await done)


class PublicationWithdrawHandler(_Step):
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


class PublicationDecisionHandler(RoleFirst):
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


class PublicationPublishHandler(_Step):
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


class PublicationDeprecateHandler(_Step):
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


class PublicationChampionHandler(_Step):
    verb = "champion"

    @operation(
        "Move the catalog model's champion back to this published version (reviewers, "
        "admins), with a comment.",
        {200: (PublicationBody, "It is the champion.")},
        body=ReasonBody,
        path=ID_PATH,
        errors={**_ERRORS, **_MLFLOW},
    )
    @tornado.web.authenticated
    async def post(self, publication_id: str) -> None:
        await self._forward(publication_id, self.parse(ReasonBody))


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
    ("publications/queue", ReviewQueueHandler),
    (f"publications/{_ID}", PublicationHandler),
    (f"publications/{_ID}/card", PublicationCardHandler),
    (f"publications/{_ID}/submit", PublicationSubmitHandler),
    (f"publications/{_ID}/withdraw", PublicationWithdrawHandler),
    (f"publications/{_ID}/decisions", PublicationDecisionHandler),
    (f"publications/{_ID}/publish", PublicationPublishHandler),
    (f"publications/{_ID}/deprecate", PublicationDeprecateHandler),
    (f"publications/{_ID}/champion", PublicationChampionHandler),
    ("notifications", NotificationsHandler),
]
