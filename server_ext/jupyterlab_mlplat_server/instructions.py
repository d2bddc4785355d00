"""The sidebar's instructions: each verb forwards to the platform, which decides who sees and
writes what (``core/instructions``); images and notebooks pass through as bytes. One thing only
this server can do: copy an article's example notebook into the person's home ("Open in my
workspace"), under a name that overwrites nothing.
"""

from __future__ import annotations

from typing import Any

import tornado.web
from jupyter_server.utils import ensure_async

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
    OpenedNotebook,
    ProgressBody,
    ProgressUpdate,
)
from jupyterlab_mlplat.api.openapi import Query, operation
from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.instructions.errors import ImageNotFound, NotebookNotFound
from jupyterlab_mlplat.core.instructions.rules import copy_names

from .base import RoleFirst, SidebarHandler

INSTRUCTOR = "instructor"
_HIDDEN = {404: "No such article, or not one the person may see (the same answer)."}
_EDIT = {**_HIDDEN, 409: "Somebody saved the article since `revision` (who and when named)."}
_NOTEBOOK = ("application/x-ipynb+json", {"type": "string", "format": "binary"})
_IMAGE_CSP = "default-src 'none'; sandbox"


class HomeCopies:
    """The person's home as the Jupyter server's contents manager keeps it: its own checks keep
    every path inside the server's root."""

    def __init__(self, contents: Any) -> None:
        self._contents = contents

    async def save_new(self, name: str, data: bytes) -> str:
        """Write ``data`` under the first of ``name``, ``name-1`` … that is no file yet."""
        for candidate in copy_names(name):
            if not await ensure_async(self._contents.exists(candidate)):
                model = {"type": "file", "format": "text", "content": data.decode("utf-8")}
                await ensure_async(self._contents.save(model, candidate))
                return candidate
        raise NotebookNotFound("Every copy name of the notebook is taken in your home.")


async def open_notebook(client: PlatformClient, home: HomeCopies, slug: str) -> str:
    """Copy the article's example notebook into the home: the platform says whether the person
    may read the article and serves the bytes; the name is the article's, never a path."""
    view = await client.article(slug)
    if view.notebook is None:
        raise NotebookNotFound("The article offers no example notebook.")
    data = await client.article_notebook(slug)
    return await home.save_new(view.notebook.name, data)


class ArticlesHandler(RoleFirst):
    @operation(
        "The articles the person may see, by position; with `q`, those that match.",
        {200: (ArticleList, "Articles, each with the person's progress.")},
        query=[LANG, SEARCH],
    )
    @tornado.web.authenticated
    async def get(self) -> None:
        lang, query = self.get_argument("lang", None), self.get_argument("q", "")
        self.write_model(await self.client.articles(lang, query))

    @operation(
        "Write a new article (a draft).",
        {201: (ArticleSource, "The draft.")},
        body=ArticleCreate,
        role=INSTRUCTOR,
        errors={409: "An article with this slug exists."},
    )
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.parse(ArticleCreate)
        created = await self.client.create_article(body.model_dump(mode="json"))
        self.write_model(created, 201)


class ArticleHandler(RoleFirst):
    @operation(
        "An article as the person reads it, in their language.",
        {200: (ArticleView, "The article.")},
        query=[LANG],
        path=SLUG_PATH,
        errors=_HIDDEN,
    )
    @tornado.web.authenticated
    async def get(self, slug: str) -> None:
        self.write_model(await self.client.article(slug, self.get_argument("lang", None)))

    @operation(
        "Save the article: a new revision.",
        {200: (ArticleSource, "Saved.")},
        body=ArticleUpdate,
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_EDIT,
    )
    @tornado.web.authenticated
    async def put(self, slug: str) -> None:
        body = self.parse(ArticleUpdate)
        self.write_model(await self.client.save_article(slug, body.model_dump(mode="json")))

    @operation(
        "Delete the article.",
        {204: (None, "Deleted.")},
        query=[Query("revision", "The revision the editor showed.", required=True, type="integer")],
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_EDIT,
    )
    @tornado.web.authenticated
    async def delete(self, slug: str) -> None:
        await self.client.delete_article(slug, self.int_argument("revision", 0))
        self.write_empty()


class ArticleSourceHandler(RoleFirst):
    @operation(
        "The article as its editor opens it: both languages, state, revision, images.",
        {200: (ArticleSource, "The article.")},
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_HIDDEN,
    )
    @tornado.web.authenticated
    async def get(self, slug: str) -> None:
        self.write_model(await self.client.article_source(slug))


class ArticlePublishHandler(RoleFirst):
    @operation(
        "Publish the article.",
        {200: (ArticleSource, "Published.")},
        body=ArticleRevisionBody,
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_EDIT,
    )
    @tornado.web.authenticated
    async def post(self, slug: str) -> None:
        body = self.parse(ArticleRevisionBody)
        self.write_model(await self.client.publish_article(slug, body.revision))


class ArticleUnpublishHandler(RoleFirst):
    @operation(
        "Take the article back to a draft.",
        {200: (ArticleSource, "A draft.")},
        body=ArticleRevisionBody,
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_EDIT,
    )
    @tornado.web.authenticated
    async def post(self, slug: str) -> None:
        body = self.parse(ArticleRevisionBody)
        self.write_model(await self.client.unpublish_article(slug, body.revision))


class ArticleRevisionsHandler(RoleFirst):
    @operation(
        "Every revision of the article, newest first.",
        {200: (ArticleRevisionList, "Revisions.")},
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_HIDDEN,
    )
    @tornado.web.authenticated
    async def get(self, slug: str) -> None:
        self.write_model(await self.client.article_revisions(slug))


class ArticleRevisionHandler(RoleFirst):
    @operation(
        "One revision of the article, with its content.",
        {200: (ArticleRevisionDetail, "The revision.")},
        path=REVISION_PATH,
        role=INSTRUCTOR,
        errors={404: "No such article or revision."},
    )
    @tornado.web.authenticated
    async def get(self, slug: str, number: str) -> None:
        self.write_model(await self.client.article_revision(slug, number))


class ArticleProgressHandler(RoleFirst):
    @operation(
        "Tick or untick one task for the person.",
        {200: (ProgressBody, "The person's progress on the article.")},
        body=ProgressUpdate,
        path=SLUG_PATH,
        errors=_HIDDEN,
    )
    @tornado.web.authenticated
    async def put(self, slug: str) -> None:
        body = self.parse(ProgressUpdate)
        self.write_model(await self.client.tick_task(slug, body.task, body.done))


class ArticleImagesHandler(RoleFirst):
    @operation(
        "Upload an image for the article (PNG, JPEG, GIF or WebP; SVG is refused).",
        {201: (ImageBody, "Kept; Markdown refers to it as `reference`.")},
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_HIDDEN,
        upload="The image's bytes; its kind is read from them, not from Content-Type.",
    )
    @tornado.web.authenticated
    async def post(self, slug: str) -> None:
        self.write_model(await self.client.upload_image(slug, self.request.body or b""), 201)


class ArticleImageHandler(RoleFirst):
    @operation(
        "An image of an article the person may read.",
        {200: (IMAGE_BODY, "The image, as the kind the platform checked.")},
        path=IMAGE_PATH,
        errors={404: "No such article or image, or not the person's to see."},
    )
    @tornado.web.authenticated
    async def get(self, slug: str, image_id: str) -> None:
        content_type, data = await self.client.article_image(slug, image_id)
        if not content_type.startswith("image/"):  # only what the platform checked passes
            raise ImageNotFound("The platform sent no image.")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", _IMAGE_CSP)
        self.set_header("Cache-Control", "private, max-age=3600")
        self.finish(data, set_content_type=content_type)


class ArticleNotebookHandler(RoleFirst):
    @operation(
        "The article's example notebook.",
        {200: (_NOTEBOOK, "The notebook.")},
        path=SLUG_PATH,
        errors={404: "No such article or notebook, or not the person's to see."},
    )
    @tornado.web.authenticated
    async def get(self, slug: str) -> None:
        data = await self.client.article_notebook(slug)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Disposition", "attachment")
        self.finish(data, set_content_type="application/x-ipynb+json")

    @operation(
        "Offer an example notebook with the article.",
        {200: (NotebookBody, "Kept.")},
        query=[NOTEBOOK_NAME],
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors=_HIDDEN,
        upload="The notebook's bytes (.ipynb, nbformat 4).",
    )
    @tornado.web.authenticated
    async def put(self, slug: str) -> None:
        name = self.get_argument("name", "")
        self.write_model(await self.client.attach_notebook(slug, name, self.request.body or b""))

    @operation(
        "Stop offering the example notebook.",
        {204: (None, "Removed.")},
        path=SLUG_PATH,
        role=INSTRUCTOR,
        errors={404: "No such article, or it offers no notebook."},
    )
    @tornado.web.authenticated
    async def delete(self, slug: str) -> None:
        await self.client.remove_notebook(slug)
        self.write_empty()


class ArticleNotebookOpenHandler(RoleFirst):
    @operation(
        "Open in my workspace: copy the article's example notebook into the person's home, "
        "never over a file they have (`intro.ipynb`, then `intro-1.ipynb` …).",
        {201: (OpenedNotebook, "Where the copy is, relative to the home.")},
        path=SLUG_PATH,
        errors={404: "No such article or notebook, or not the person's to see."},
    )
    @tornado.web.authenticated
    async def post(self, slug: str) -> None:
        path = await open_notebook(self.client, HomeCopies(self.contents_manager), slug)
        self.write_model(OpenedNotebook(path=path), 201)


_ARTICLE = "instructions/articles/(?P<slug>[^/]+)"
ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    ("instructions/articles", ArticlesHandler),
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
    (f"{_ARTICLE}/notebook/open", ArticleNotebookOpenHandler),
]
