"""What can go wrong with an article, each with its own reason so the Instructions tab can say it
in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping

from jupyterlab_mlplat.core.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Param,
)


class _FieldInvalid(InvalidInput):
    """A refusal of one field: it is named in ``params.field`` and in ``fields`` (the editor
    shows the message beside it)."""

    def __init__(
        self, message: str, field: str | None = None, *, params: Mapping[str, Param] | None = None
    ) -> None:
        named = dict(params or {})
        if field is not None:
            named.setdefault("field", field)
        super().__init__(
            message, field, params=named, fields={field: message} if field is not None else None
        )


class ArticleNotFound(NotFound):
    """``params.slug``: no such article, or not one the caller may see (the two are one answer,
    so a hidden article's existence is not told)."""

    reason = "article_not_found"


class ArticleExists(Conflict):
    """An article with ``params.slug`` exists already."""

    reason = "article_exists"


class ArticleChanged(Conflict):
    """Somebody saved the article since the editor read it: ``params.by``, ``params.at`` (ISO
    8601), ``params.revision`` (now) and ``params.yours``. Nothing was overwritten."""

    reason = "article_changed"


class ArticleAlreadyThere(Conflict):
    """The action does not apply: the article is already ``params.state``."""

    reason = "article_already"


class InstructorOnly(Forbidden):
    """Only instructors (``custom:mlplat:instruct``) write, publish and upload."""

    reason = "instructor_only"


class ArticleInvalid(_FieldInvalid):
    """A field of the article breaks a rule: ``params.field`` (its path, ``tasks.1.title.ru``),
    ``params.rule`` (``empty`` — a title in neither language; ``too_long``/``too_many`` with
    ``params.limit``; ``duplicate`` — a task key or a group named twice; ``missing`` — an
    audience of groups or profiles that names none) ."""

    reason = "article_invalid"


class ArticleTooLong(_FieldInvalid):
    """All the texts of the article together are longer than ``params.limit`` characters."""

    reason = "article_too_long"


class UnknownProductAction(_FieldInvalid):
    """A Markdown text links to a product action that does not exist: ``params.field``,
    ``params.action`` (the link), ``params.known`` (the actions, comma-separated)."""

    reason = "unknown_product_action"


class NextArticleUnknown(_FieldInvalid):
    """``next_article`` names ``params.slug``, which is no article (or the article itself)."""

    reason = "next_article_unknown"


class PositionTaken(_FieldInvalid):
    """``position`` ``params.position`` is already the place of ``params.slug``."""

    reason = "position_taken"


class AudienceUnknown(_FieldInvalid):
    """``params.field`` (``groups.0``, ``profiles.2``) names ``params.value``, which the
    platform does not know."""

    reason = "audience_unknown"


class TaskUnknown(_FieldInvalid):
    """Progress names ``params.task``, which is no task of the article."""

    reason = "task_unknown"


class ImageInvalid(_FieldInvalid):
    """The upload is not an image an article may carry: ``params.rule`` is ``empty``,
    ``not_an_image`` (not PNG, JPEG, GIF or WebP by its first bytes), ``svg`` (refused: it is a
    document that may carry scripts), ``truncated`` (its header does not say its size),
    ``too_large`` (``params.limit`` bytes) or ``too_many_pixels`` (``params.limit`` pixels a
    side)."""

    reason = "image_invalid"


class ImageNotFound(NotFound):
    """``params.id``: the article has no such image."""

    reason = "image_not_found"


class NotebookInvalid(_FieldInvalid):
    """The example notebook is refused: ``params.rule`` is ``too_large`` (``params.limit``
    bytes), ``not_json``, ``not_nbformat4`` (not a version 4 notebook) or ``name`` (the file
    name must end in ``.ipynb`` and be a plain name)."""

    reason = "notebook_invalid"


class NotebookNotFound(NotFound):
    """The article offers no example notebook."""

    reason = "notebook_not_found"


class RevisionNotFound(NotFound):
    """``params.number``: the article has no such revision."""

    reason = "revision_not_found"


class LanguageInvalid(_FieldInvalid):
    """``lang`` is ``en`` or ``ru``: ``params.value`` is neither."""

    reason = "language_invalid"
