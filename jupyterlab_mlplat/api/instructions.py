"""Wire models of instructions, shared by the platform API and the sidebar API: an article as an
instructor edits it (both languages) and as a reader reads it (theirs, falling back to the
other), its revisions, a reader's progress, images and the example notebook.

The routes are listed in ``docs/instructions.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Self

from pydantic import Field, StrictBool

from jupyterlab_mlplat.core.instructions.errors import LanguageInvalid
from jupyterlab_mlplat.core.instructions.records import (
    CONTENT_TYPES,
    MAX_AUDIENCE,
    MAX_MARKDOWN,
    MAX_MINUTES,
    MAX_POSITION,
    MAX_SUMMARY,
    MAX_TASKS,
    MAX_TITLE,
    SLUG_MAX,
    Article,
    ArticleContent,
    ArticleState,
    Audience,
    Image,
    ImageKind,
    Language,
    Listed,
    NotebookInfo,
    Progress,
    Reading,
    Revision,
    RevisionAction,
    Task,
    Text,
)
from jupyterlab_mlplat.core.instructions.rules import IMAGE_ID_PATTERN, SLUG_PATTERN

from .base import FromCore, WholeNumber, Wire
from .openapi import Query

#: an article's image as served: the kind its bytes were checked to be, each documented
IMAGE_BODY = (tuple(CONTENT_TYPES.values()), {"type": "string", "format": "binary"})

SLUG_PATH = {"slug": SLUG_PATTERN}
IMAGE_PATH = {"slug": SLUG_PATTERN, "image_id": IMAGE_ID_PATTERN}
REVISION_PATH = {"slug": SLUG_PATTERN, "number": "^[1-9][0-9]{0,8}$"}
LANG = Query(
    "lang",
    "The reader's language; a text not written in it is given in the other one.",
    enum=("en", "ru"),
)
SEARCH = Query("q", "Words to find in titles, texts and tasks, in either language.")
NOTEBOOK_NAME = Query(
    "name", "The notebook's file name (`intro.ipynb`).", required=True, pattern=r"^.{1,120}$"
)
TASK_KEY = r"^([a-z0-9][a-z0-9-]{0,31})?$"
Slug = Annotated[str, Field(min_length=1, max_length=SLUG_MAX, pattern=SLUG_PATTERN)]
Revision_ = Annotated[
    int,
    Field(ge=1, description="The revision the editor showed: a stale one is refused (409)."),
]


# ---------------------------------------------------------------- texts in two languages
class TitleText(Wire):
    """A title in English and Russian; at least one is written."""

    en: str = Field(default="", max_length=MAX_TITLE)
    ru: str = Field(default="", max_length=MAX_TITLE)

    def core(self) -> Text:
        return Text(self.en, self.ru)

    @classmethod
    def of(cls, text: Text) -> Self:
        return cls.model_construct(en=text.en, ru=text.ru)


class SummaryText(TitleText):
    en: str = Field(default="", max_length=MAX_SUMMARY)
    ru: str = Field(default="", max_length=MAX_SUMMARY)


class MarkdownText(TitleText):
    """Markdown in English and Russian. Links may name product actions
    (``mlplat:open-tab/experiments``, see ``core/instructions/rules.py``) and the article's
    images (``images/<id>``)."""

    en: str = Field(default="", max_length=MAX_MARKDOWN)
    ru: str = Field(default="", max_length=MAX_MARKDOWN)


# ---------------------------------------------------------------- what an instructor sends
class TaskBody(Wire):
    key: str = Field(
        default="",
        pattern=TASK_KEY,
        description="Keep the key a task was given (progress follows it); empty for a new "
        "task, which is given the first free `tN`.",
    )
    title: TitleText
    body: MarkdownText = MarkdownText()
    check: MarkdownText = Field(
        default=MarkdownText(), description="Check your work: what the reader should see."
    )
    help: MarkdownText = Field(default=MarkdownText(), description="What to do if it failed.")

    def core(self) -> Task:
        return Task(
            self.key, self.title.core(), self.body.core(), self.check.core(), self.help.core()
        )

    @classmethod
    def of(cls, task: Task) -> TaskBody:
        return cls(
            key=task.key,
            title=TitleText.of(task.title),
            body=MarkdownText.of(task.body),
            check=MarkdownText.of(task.check),
            help=MarkdownText.of(task.help),
        )


class ArticleContentBody(Wire):
    """An article as an instructor writes it; every save of it is a revision."""

    title: TitleText
    summary: SummaryText = SummaryText()
    introduction: MarkdownText = MarkdownText()
    tasks: list[TaskBody] = Field(default_factory=list, max_length=MAX_TASKS)
    conclusion: MarkdownText = MarkdownText()
    next_article: Slug | None = Field(default=None, description="The slug of the next article.")
    minutes: WholeNumber = Field(default=10, ge=1, le=MAX_MINUTES)
    position: WholeNumber = Field(
        default=0, ge=0, le=MAX_POSITION, description="Place in the list; unique."
    )
    audience: Audience = Audience.EVERYONE
    groups: list[str] = Field(
        default_factory=list,
        max_length=MAX_AUDIENCE,
        description="Hub groups, when the audience is `groups`.",
    )
    profiles: list[str] = Field(
        default_factory=list,
        max_length=MAX_AUDIENCE,
        description="Workspace profiles' slugs, when the audience is `profiles`: the article "
        "is for those who may start one of them.",
    )

    def core(self) -> ArticleContent:
        return ArticleContent(
            title=self.title.core(),
            summary=self.summary.core(),
            introduction=self.introduction.core(),
            tasks=tuple(t.core() for t in self.tasks),
            conclusion=self.conclusion.core(),
            next_article=self.next_article,
            minutes=self.minutes,
            position=self.position,
            audience=self.audience,
            groups=tuple(self.groups),
            profiles=tuple(self.profiles),
        )

    @classmethod
    def of(cls, content: ArticleContent) -> ArticleContentBody:
        return cls.model_construct(
            title=TitleText.of(content.title),
            summary=SummaryText.of(content.summary),
            introduction=MarkdownText.of(content.introduction),
            tasks=[TaskBody.of(t) for t in content.tasks],
            conclusion=MarkdownText.of(content.conclusion),
            next_article=content.next_article,
            minutes=content.minutes,
            position=content.position,
            audience=content.audience,
            groups=list(content.groups),
            profiles=list(content.profiles),
        )


class ArticleCreate(Wire):
    slug: Slug = Field(description="The article's name in URLs; it never changes.")
    content: ArticleContentBody


class ArticleUpdate(Wire):
    revision: Revision_
    content: ArticleContentBody


class ArticleRevisionBody(Wire):
    """Publish, unpublish or delete: the revision the editor showed."""

    revision: Revision_


class ProgressUpdate(Wire):
    task: str = Field(pattern=TASK_KEY.replace(")?$", ")$"), description="A task's key.")
    done: StrictBool


# ---------------------------------------------------------------- answers
class ProgressBody(Wire):
    done: list[str] = Field(description="Keys of the tasks the caller ticked.")
    count: int = Field(description="How many of them (the 2 of “2 of 5 done”).")
    total: int = Field(description="How many tasks the article has.")

    @classmethod
    def of(cls, progress: Progress) -> ProgressBody:
        return cls(done=list(progress.done), count=len(progress.done), total=progress.total)


class ArticleNotebookBody(FromCore):
    name: str
    size: int
    uploaded_by: str
    uploaded_at: datetime

    @classmethod
    def of(cls, notebook: NotebookInfo | None) -> ArticleNotebookBody | None:
        return None if notebook is None else cls.model_validate(notebook)


#: the OpenAPI documents name a schema by its class: experiments' ``NotebookBody`` (a run's
#: notebook) had the same name and lost its schema to this one, and the TypeScript types with it
NotebookBody = ArticleNotebookBody


class ImageBody(FromCore):
    id: str
    kind: ImageKind
    content_type: str
    width: int
    height: int
    size: int
    reference: str = Field(description="What Markdown writes: `![text](images/<id>)`.")
    uploaded_by: str
    uploaded_at: datetime


class ArticleSource(Wire):
    """An article as its editor opens it: both languages, its state and revision."""

    slug: str
    state: ArticleState
    revision: int
    content: ArticleContentBody
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    published_at: datetime | None
    notebook: NotebookBody | None
    starter: bool = Field(description="Shipped with the product; editable like any other.")
    images: list[ImageBody] = Field(default_factory=list)

    @classmethod
    def of(cls, article: Article, images: Sequence[Image] = ()) -> ArticleSource:
        return cls(
            slug=article.slug,
            state=article.state,
            revision=article.revision,
            content=ArticleContentBody.of(article.content),
            created_at=article.created_at,
            created_by=article.created_by,
            updated_at=article.updated_at,
            updated_by=article.updated_by,
            published_at=article.published_at,
            notebook=NotebookBody.of(article.notebook),
            starter=article.starter,
            images=[ImageBody.model_validate(i) for i in images],
        )


class TaskView(Wire):
    key: str
    title: str
    body: str
    check: str
    help: str
    done: bool


class NextArticle(Wire):
    slug: str
    title: str


def _language(article: Article, language: Language) -> Language:
    """The language the article is shown in: the reader's, unless its title is written only
    in the other one."""
    title = article.content.title
    if title.written_in(language):
        return language
    return Language.RU if language is Language.EN else Language.EN


class ArticleSummary(Wire):
    slug: str
    state: ArticleState
    language: Language = Field(description="The language the title is given in.")
    title: str
    summary: str
    minutes: int
    position: int
    audience: Audience
    progress: ProgressBody
    has_notebook: bool
    starter: bool
    updated_at: datetime

    @classmethod
    def of(cls, listed: Listed, language: Language) -> ArticleSummary:
        article, content = listed.article, listed.article.content
        return cls(
            slug=article.slug,
            state=article.state,
            language=_language(article, language),
            title=content.title.read(language),
            summary=content.summary.read(language),
            minutes=content.minutes,
            position=content.position,
            audience=content.audience,
            progress=ProgressBody.of(listed.progress),
            has_notebook=article.notebook is not None,
            starter=article.starter,
            updated_at=article.updated_at,
        )


class ArticleList(Wire):
    articles: list[ArticleSummary] = Field(description="By position; with `q`, best match first.")
    count: int

    @classmethod
    def of(cls, found: Sequence[Listed], language: Language) -> ArticleList:
        return cls(articles=[ArticleSummary.of(a, language) for a in found], count=len(found))


class ArticleView(Wire):
    """An article as a reader reads it: every text in their language, falling back to the
    other one text by text."""

    slug: str
    state: ArticleState
    language: Language = Field(description="The language the title is given in.")
    title: str
    summary: str
    introduction: str
    tasks: list[TaskView]
    conclusion: str
    next_article: NextArticle | None = Field(
        description="The next article, when the reader may see it."
    )
    minutes: int
    position: int
    progress: ProgressBody
    notebook: NotebookBody | None
    starter: bool
    editable: bool = Field(description="Whether the caller may edit it (instructors).")
    updated_at: datetime

    @classmethod
    def of(cls, reading: Reading, language: Language) -> ArticleView:
        article, content = reading.article, reading.article.content
        done = set(reading.progress.done)
        next_article = None
        if content.next_article and reading.next_title is not None:
            next_article = NextArticle(
                slug=content.next_article, title=reading.next_title.read(language)
            )
        return cls(
            slug=article.slug,
            state=article.state,
            language=_language(article, language),
            title=content.title.read(language),
            summary=content.summary.read(language),
            introduction=content.introduction.read(language),
            tasks=[
                TaskView(
                    key=t.key,
                    title=t.title.read(language),
                    body=t.body.read(language),
                    check=t.check.read(language),
                    help=t.help.read(language),
                    done=t.key in done,
                )
                for t in content.tasks
            ],
            conclusion=content.conclusion.read(language),
            next_article=next_article,
            minutes=content.minutes,
            position=content.position,
            progress=ProgressBody.of(reading.progress),
            notebook=NotebookBody.of(article.notebook),
            starter=article.starter,
            editable=reading.editable,
            updated_at=article.updated_at,
        )


class ArticleRevisionSummary(Wire):
    number: int
    action: RevisionAction
    by: str
    at: datetime
    changed: list[str] = Field(
        description="Fields that differ from the revision before (`title.ru`, "
        "`tasks.1.check.en`; `tasks` when tasks were added, removed or reordered)."
    )
    state: ArticleState

    @classmethod
    def of(cls, revision: Revision) -> ArticleRevisionSummary:
        return cls(
            number=revision.number,
            action=revision.action,
            by=revision.by,
            at=revision.at,
            changed=list(revision.changed),
            state=revision.state,
        )


class ArticleRevisionList(Wire):
    revisions: list[ArticleRevisionSummary] = Field(description="Newest first.")

    @classmethod
    def of(cls, found: Sequence[Revision]) -> ArticleRevisionList:
        return cls(revisions=[ArticleRevisionSummary.of(r) for r in found])


class ArticleRevisionDetail(ArticleRevisionSummary):
    content: ArticleContentBody

    @classmethod
    def of(cls, revision: Revision) -> ArticleRevisionDetail:
        summary = ArticleRevisionSummary.of(revision)
        return cls(**summary.model_dump(), content=ArticleContentBody.of(revision.content))


class OpenedNotebook(Wire):
    """Where the sidebar copied the example notebook, relative to the person's home."""

    path: str


def language(raw: str | None) -> Language:
    """The ``lang`` query parameter: English when absent (an empty one is no language)."""
    if raw is None:
        return Language.EN
    try:
        return Language(raw)
    except ValueError:
        raise LanguageInvalid(
            "lang must be en or ru.", "lang", params={"value": raw[:20]}
        ) from None
