"""An instruction article and what travels with it: its two languages, its tasks, its audience,
its revisions, the images and example notebook it carries, and each reader's progress.

Plain frozen dataclasses: the store builds them, the service decides, the wire models of
``api/instructions.py`` copy them field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    RU = "ru"


class ArticleState(StrEnum):
    #: only instructors see it
    DRAFT = "draft"
    #: its audience sees it
    PUBLISHED = "published"


class Audience(StrEnum):
    #: everyone who may log in
    EVERYONE = "everyone"
    #: members of at least one of ``groups``
    GROUPS = "groups"
    #: those who may start at least one of ``profiles`` (the profiles' own rule)
    PROFILES = "profiles"


class RevisionAction(StrEnum):
    CREATE = "create"
    SAVE = "save"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"


class ImageKind(StrEnum):
    """The only images an article may carry, each recognised by its magic bytes; SVG is not
    one (it is a document that may carry scripts and links, see ``docs/instructions.md``)."""

    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"


#: what an image of each kind is served as: the kind was checked, so the type is not a guess
CONTENT_TYPES: dict[ImageKind, str] = {
    ImageKind.PNG: "image/png",
    ImageKind.JPEG: "image/jpeg",
    ImageKind.GIF: "image/gif",
    ImageKind.WEBP: "image/webp",
}
#: the file suffix of an image's id, per kind
SUFFIXES: dict[ImageKind, str] = {
    ImageKind.PNG: "png",
    ImageKind.JPEG: "jpg",
    ImageKind.GIF: "gif",
    ImageKind.WEBP: "webp",
}

# ---- ceilings the wire documents state; the platform's traits may only lower the ones marked
#: a slug: a DNS-1123 label (``track-a-notebook``)
SLUG_MAX = 63
#: a title or a task's title (characters, per language)
MAX_TITLE = 200
#: a one-line summary the list shows (characters, per language)
MAX_SUMMARY = 500
#: one Markdown text (an introduction, a task's body …), per language (characters)
MAX_MARKDOWN = 50_000
#: tasks in one article (a trait may lower it)
MAX_TASKS = 40
#: a task's key: short, stable across edits, so progress survives reordering and rewording
TASK_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"
TASK_KEY_MAX = 32
#: the estimated duration
MAX_MINUTES = 600
#: an article's place in the list (unique among articles)
MAX_POSITION = 100_000
#: groups or profiles one article may name
MAX_AUDIENCE = 50
#: every Markdown and title of an article together, both languages (a trait may lower it)
MAX_ARTICLE_CHARS = 400_000
#: the example notebook's file name
NOTEBOOK_NAME_MAX = 120


@dataclass(frozen=True)
class Text:
    """One text in both languages; either may be empty, and a reader of one language gets the
    other when theirs is."""

    en: str = ""
    ru: str = ""

    def get(self, language: Language) -> str:
        return self.ru if language is Language.RU else self.en

    def read(self, language: Language) -> str:
        """The reader's language, falling back to the other one."""
        return self.get(language) or self.get(_OTHER[language])

    def written_in(self, language: Language) -> bool:
        return bool(self.get(language).strip())

    @property
    def empty(self) -> bool:
        return not (self.en.strip() or self.ru.strip())


_OTHER = {Language.EN: Language.RU, Language.RU: Language.EN}


@dataclass(frozen=True)
class Task:
    """One step of a quick start: what to do, how to check it worked, and help if it did not."""

    #: stable across edits; a reader's progress is kept by it
    key: str
    title: Text
    body: Text = Text()
    #: "check your work": what the reader should see when the task is done
    check: Text = Text()
    #: what to do when the check fails
    help: Text = Text()


@dataclass(frozen=True)
class ArticleContent:
    """What an instructor writes and saves as one revision."""

    title: Text
    summary: Text = Text()
    introduction: Text = Text()
    tasks: tuple[Task, ...] = ()
    conclusion: Text = Text()
    #: the slug of the article to read next
    next_article: str | None = None
    #: estimated duration, in minutes
    minutes: int = 10
    #: place among articles, ascending; unique
    position: int = 0
    audience: Audience = Audience.EVERYONE
    groups: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()

    def task(self, key: str) -> Task | None:
        return next((t for t in self.tasks if t.key == key), None)


@dataclass(frozen=True)
class NotebookInfo:
    """The example notebook an article offers ("Open in my workspace")."""

    name: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class Image:
    """An image uploaded for one article; Markdown refers to it as ``reference``."""

    #: 32 hex digits of the content's SHA-256 and the kind's suffix (``3fa…e1.png``)
    id: str
    article: str
    kind: ImageKind
    width: int
    height: int
    size: int
    uploaded_by: str
    uploaded_at: datetime

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def reference(self) -> str:
        """What the article's Markdown writes as the image's address (``![](images/….png)``):
        relative, so the sidebar resolves it against the article's own images route."""
        return f"images/{self.id}"


@dataclass(frozen=True)
class Article:
    id: int
    slug: str
    state: ArticleState
    content: ArticleContent
    #: raised by every save, publish and unpublish; each carries the revision the editor showed
    revision: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    published_at: datetime | None = None
    notebook: NotebookInfo | None = None
    #: shipped with the product (the starter set); instructors edit it like any other
    starter: bool = False


@dataclass(frozen=True)
class Revision:
    """One saved state of an article: who, when, what changed; kept, never overwritten."""

    article: str
    number: int
    action: RevisionAction
    by: str
    at: datetime
    #: the fields of the content that differ from the revision before (``tasks.2.check``)
    changed: tuple[str, ...]
    state: ArticleState
    content: ArticleContent


@dataclass(frozen=True)
class Progress:
    """One reader's ticks on one article: keys of the article's current tasks they ticked."""

    done: tuple[str, ...] = ()
    total: int = 0


@dataclass(frozen=True)
class Listed:
    """An article as a list shows it to one reader, with their progress."""

    article: Article
    progress: Progress = field(default_factory=Progress)


@dataclass(frozen=True)
class Reading:
    """An article as one reader opens it: their progress and the next article, if they may see
    it (a hidden next article is not named)."""

    article: Article
    progress: Progress
    next_title: Text | None
    images: tuple[Image, ...] = ()
    #: whether the caller may edit it (instructors)
    editable: bool = False
