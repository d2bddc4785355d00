"""Instructions: the articles everyone reads (as their audience allows), instructors write, and
readers tick; their images and example notebooks (``docs/instructions.md``).

Who sees an article is the core's rule (``core/instructions/rules.py::may_read``), applied by
the service on every read; writing declares the instructor role, so a reader is refused before
the body is read.
"""

from __future__ import annotations

from jupyterlab_mlplat.api.instructions import (
    IMAGE_BODY,
    IMAGE_PATH,
    LANG,
    NOTEBOOK_NAME,
    REVISION_PATH,
    SEARCH,
    SLUG_PATH,
    ArticleCreate,
    ArticleList,
    ArticleRevisionBody,
    ArticleRevisionDetail,
    ArticleRevisionList,
    ArticleSource,
    ArticleUpdate,
    ArticleView,
    ImageBody,
    NotebookBody,
    ProgressBody,
    ProgressUpdate,
    language,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.core.instructions.rules import revision_number
from jupyterlab_mlplat.platform.base import PlatformHandler

INSTRUCTOR = "instructor"
_HIDDEN = {404: "No such article, or not one the caller may see (the same answer)."}
_EDIT = {
    **_HIDDEN,
    409: "Somebody saved the article since `revision` (who and when are named); nothing was "
    "overwritten.",
}
_NOTEBOOK = ("application/x-ipynb+json", {"type": "string", "format": "binary"})
#: an image is a picture: whatever a browser makes of it, it runs nothing of ours
_IMAGE_CSP = "default-src 'none'; sandbox"


class ArticlesHandler(PlatformHandler):
    route_name = "instruction_articles"

    @operation(
        "The articles the caller may see, by position; with `q`, those that match, best first.",
        {200: (ArticleList, "Articles, each with the caller's progress.")},
        query=[LANG, SEARCH],
    )
    async def get(self) -> None:
        lang = language(self.get_query_argument("lang", None))
        query = self.get_query_argument("q", "")
        found = await self.run(self.services.instructions.articles, self.identity, query)
        self.send_model(ArticleList.of(found, lang))

    @operation(
        "Write a new article (a draft; revision 1).",
        {201: (ArticleSource, "The draft.")},
        body=ArticleCreate,
        role=INSTRUCTOR,
        errors={409: "An article with this slug exists."},
    )
    async def post(self) -> None:
        body = self.parse(ArticleCreate)
        created = await self.run(
            self.services.instructions.create, self.identity, body.slug, body.content.core()
        )
        self.send_model(ArticleSource.of(created), 201)


class ArticleHandler(PlatformHandler):
    route_name = "instruction_article"

    @operation(
        "An article as the caller reads it: every text in their language (falling back to the "
        "other one), their ticks, the next article.",
        {200: (ArticleView, "The article.")},
        query=[LANG],
        path=SLUG_PATH,
        errors=_HIDDEN,
    )
    async def get(self, slug: str) -> None:
        lang = language(self.get_query_argument("lang", None))
        reading = await self.run(self.services.instructions.read, self.identity, slug)
        self.send_model(ArticleView.of(reading, lang))

    @operation(
        "Save the article: a new revision, if anything changed.",
        {200: (ArticleSource, "Saved.")},
        body=ArticleUpdate,
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_EDIT,
    )
    async def put(self, slug: str) -> None:
        body = self.parse(ArticleUpdate)
        saved = await self.run(
            self.services.instructions.save,
            self.identity,
            slug,
            body.revision,
            body.content.core(),
        )
        self.send_model(ArticleSource.of(saved))

    @operation(
        "Delete the article with its revisions, images, notebook and everyone's progress.",
        {204: (None, "Deleted.")},
        query=[Query("revision", "The revision the editor showed.", required=True, type="integer")],
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_EDIT,
    )
    async def delete(self, slug: str) -> None:
        revision = self.int_argument("revision")
        await self.run(self.services.instructions.delete, self.identity, slug, revision)
        self.send_empty()


class ArticleSourceHandler(PlatformHandler):
    route_name = "instruction_source"

    @operation(
        "The article as its editor opens it: both languages, state, revision, images.",
        {200: (ArticleSource, "The article.")},
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_HIDDEN,
    )
    async def get(self, slug: str) -> None:
        article, images = await self.run(self.services.instructions.source, self.identity, slug)
        self.send_model(ArticleSource.of(article, images))


class ArticlePublishHandler(PlatformHandler):
    route_name = "instruction_publish"

    @operation(
        "Publish the article: its audience sees it.",
        {200: (ArticleSource, "Published.")},
        body=ArticleRevisionBody,
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors={**_EDIT, 409: "Saved since `revision`, or already published."},
    )
    async def post(self, slug: str) -> None:
        body = self.parse(ArticleRevisionBody)
        saved = await self.run(
            self.services.instructions.publish, self.identity, slug, body.revision
        )
        self.send_model(ArticleSource.of(saved))


class ArticleUnpublishHandler(PlatformHandler):
    route_name = "instruction_unpublish"

    @operation(
        "Take the article back to a draft: only instructors see it.",
        {200: (ArticleSource, "A draft.")},
        body=ArticleRevisionBody,
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors={**_EDIT, 409: "Saved since `revision`, or already a draft."},
    )
    async def post(self, slug: str) -> None:
        body = self.parse(ArticleRevisionBody)
        saved = await self.run(
            self.services.instructions.unpublish, self.identity, slug, body.revision
        )
        self.send_model(ArticleSource.of(saved))


class ArticleRevisionsHandler(PlatformHandler):
    route_name = "instruction_revisions"

    @operation(
        "Every revision of the article, newest first: who, when, what changed.",
        {200: (ArticleRevisionList, "Revisions.")},
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_HIDDEN,
    )
    async def get(self, slug: str) -> None:
        found = await self.run(self.services.instructions.revisions, self.identity, slug)
        self.send_model(ArticleRevisionList.of(found))


class ArticleRevisionHandler(PlatformHandler):
    route_name = "instruction_revision"

    @operation(
        "One revision of the article, with its content as saved.",
        {200: (ArticleRevisionDetail, "The revision.")},
        path=REVISION_PATH,
        role=INSTRUCTOR,
        errors={404: "No such article or revision."},
    )
    async def get(self, slug: str, number: str) -> None:
        found = await self.run(
            self.services.instructions.revision, self.identity, slug, revision_number(number)
        )
        self.send_model(ArticleRevisionDetail.of(found))


class ArticleProgressHandler(PlatformHandler):
    route_name = "instruction_progress"

    @operation(
        "Tick or untick one of the article's tasks for the caller (their own progress).",
        {200: (ProgressBody, "The caller's progress on the article.")},
        body=ProgressUpdate,
        path=SLUG_PATH,
        errors=_HIDDEN,
    )
    async def put(self, slug: str) -> None:
        body = self.parse(ProgressUpdate)
        progress = await self.run(
            self.services.instructions.tick, self.identity, slug, body.task, body.done
        )
        self.send_model(ProgressBody.of(progress))


class ArticleImagesHandler(PlatformHandler):
    route_name = "instruction_images"

    @operation(
        "Upload an image for the article (PNG, JPEG, GIF or WebP; SVG is refused).",
        {201: (ImageBody, "Kept; Markdown refers to it as `reference`.")},
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_HIDDEN,
        upload="The image's bytes; its kind is read from them, not from Content-Type.",
    )
    async def post(self, slug: str) -> None:
        data = self.request.body or b""
        image = await self.run(self.services.instructions.upload_image, self.identity, slug, data)
        self.send_model(ImageBody.model_validate(image), 201)


class ArticleImageHandler(PlatformHandler):
    route_name = "instruction_image"

    @operation(
        "An image of an article the caller may read, as the kind it was checked to be.",
        {200: (IMAGE_BODY, "The image (image/png, image/jpeg, image/gif or image/webp).")},
        path=IMAGE_PATH,
        errors={404: "No such article or image, or not the caller's to see."},
    )
    async def get(self, slug: str, image_id: str) -> None:
        image, data = await self.run(
            self.services.instructions.image, self.identity, slug, image_id
        )
        self.set_header("Content-Type", image.content_type)
        self.set_header("Content-Security-Policy", _IMAGE_CSP)
        self.set_header("Cache-Control", "private, max-age=3600")
        self.finish(data)


class ArticleNotebookHandler(PlatformHandler):
    route_name = "instruction_notebook"

    @operation(
        "The article's example notebook.",
        {200: (_NOTEBOOK, "The notebook (nbformat 4).")},
        path=SLUG_PATH,
        errors={404: "No such article or notebook, or not the caller's to see."},
    )
    async def get(self, slug: str) -> None:
        _info, data = await self.run(self.services.instructions.notebook, self.identity, slug)
        self.set_header("Content-Type", "application/x-ipynb+json")
        self.set_header("Content-Disposition", "attachment")
        self.finish(data)

    @operation(
        "Offer an example notebook with the article (it replaces the one before).",
        {200: (NotebookBody, "Kept.")},
        query=[NOTEBOOK_NAME],
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_HIDDEN,
        upload="The notebook's bytes (.ipynb, nbformat 4).",
    )
    async def put(self, slug: str) -> None:
        name = self.get_query_argument("name", "")
        data = self.request.body or b""
        info = await self.run(
            self.services.instructions.attach_notebook, self.identity, slug, name, data
        )
        self.send_model(NotebookBody.model_validate(info))

    @operation(
        "Stop offering the example notebook.",
        {204: (None, "Removed.")},
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors={404: "No such article, or it offers no notebook."},
    )
    async def delete(self, slug: str) -> None:
        await self.run(self.services.instructions.remove_notebook, self.identity, slug)
        self.send_empty()


_ARTICLE = "api/v1/instructions/articles/(?P<slug>[^/]+)"
ROUTES: list[tuple[str, type[PlatformHandler]]] = [
    ("api/v1/instructions/articles", ArticlesHandler),
    (_ARTICLE, ArticleHandler),
    (f"{_ARTICLE}/source", ArticleSourceHandler),
    (f"{_ARTICLE}/publish", ArticlePublishHandler),
    (f"{_ARTICLE}/unpublish", ArticleUnpublishHandler),
    (f"{_ARTICLE}/revisions", ArticleRevisionsHandler),
    (f"{_ARTICLE}/revisions/(?P<number>[^/]+)", ArticleRevisionHandler),
    (f"{_ARTICLE}/progress", ArticleProgressHandler),
    (f"{_ARTICLE}/images", ArticleImagesHandler),
    (f"{_ARTICLE}/images/(?P<image_id>[^/]+)", ArticleImageHandler),
    (f"{_ARTICLE}/notebook", ArticleNotebookHandler),
]
