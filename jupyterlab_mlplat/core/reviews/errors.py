"""What can go wrong with a publication, each with its own reason so the Reviews and Models tabs
can say it in the person's language."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unavailable,
)


class PublicationNotFound(NotFound):
    """``params.id``: the publication nobody can find (or the caller may not see)."""

    reason = "publication_not_found"


class TransitionNotAllowed(Conflict):
    """The action does not apply in the publication's state: ``params.state``,
    ``params.action`` and ``params.allowed`` (the actions that do, comma-separated)."""

    reason = "transition_not_allowed"


class PublicationChanged(Conflict):
    """Somebody acted on the publication since the caller's page read it: ``params.by``,
    ``params.action`` (what they did), ``params.state`` (where it is now), ``params.revision``
    and ``params.yours``. Nothing was changed."""

    reason = "publication_changed"


class PublicationOpen(Conflict):
    """The version already has a publication that is not finished: ``params.id``,
    ``params.state``."""

    reason = "publication_open"


class AlreadyDecided(Conflict):
    """The reviewer already approved this submission: ``params.by``."""

    reason = "already_approved"


class OwnWork(Forbidden):
    """Nobody reviews their own work: the caller is the publication's author."""

    reason = "own_work"


class AuthorOnly(Forbidden):
    """Only the author may do this to the publication: ``params.author``."""

    reason = "author_only"


class ReviewerOnly(Forbidden):
    """Only reviewers (``custom:mlplat:review``) may do this."""

    reason = "reviewer_only"


class ReviewerOrAdminOnly(Forbidden):
    """Only reviewers or admins may do this (publish, deprecate, move the champion)."""

    reason = "reviewer_or_admin_only"


class CommentRequired(InvalidInput):
    """A decision other than an approval, and a champion move, say why: ``params.action``."""

    reason = "comment_required"


class CatalogNameMissing(InvalidInput):
    """The card names no catalog name, so there is nowhere to publish the version."""

    reason = "catalog_name_missing"


class DiffTooLarge(InvalidInput):
    """The code diff sent with a submission is longer than ``params.limit`` characters."""

    reason = "diff_too_large"


class NotAChampionCandidate(Conflict):
    """Only a published version of the same catalog model can become its champion:
    ``params.id``, ``params.state``."""

    reason = "not_a_champion_candidate"


class PublishFailed(Unavailable):
    """MLflow failed while publishing; the publication stays approved with the error and may
    be published again: ``params.said``."""

    reason = "publish_failed"


class NotYourModel(Forbidden):
    """Only the owner of a registered model submits its versions: ``params.owner``."""

    reason = "not_your_model"


class CardIncomplete(InvalidInput):
    """The card lacks what a submission needs: ``params.fields`` (comma-separated)."""

    reason = "card_incomplete"


class PublicationIdInvalid(InvalidInput):
    """A publication's id in a path is a whole number from 1: ``params.value``."""

    reason = "publication_id_invalid"
