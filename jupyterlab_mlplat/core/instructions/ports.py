"""What the instructions service needs: the store (articles with compare-and-set on their
revision, revisions kept whole, images, progress, the starter set's ledger, search), the object
store for the bytes of images and notebooks, and two readers of uploads that need a library
(an image's header, a notebook's format)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork
from jupyterlab_mlplat.core.kernel.search import Term

from .records import (
    Article,
    ArticleContent,
    ArticleState,
    Image,
    ImageKind,
    NotebookInfo,
    Revision,
    RevisionAction,
)


class InstructionsTx(UnitOfWork):
    @abstractmethod
    def get_article(self, slug: str) -> Article | None:
        """The article, locked against concurrent saves until the transaction ends (a second
        instructor waits, then sees the first one's revision)."""

    @abstractmethod
    def slug_at_position(self, position: int) -> str | None:
        """The slug of the article at ``position``, if any."""

    @abstractmethod
    def max_position(self) -> int:
        """The largest position taken (-1 when there are no articles)."""

    @abstractmethod
    def insert_article(
        self,
        slug: str,
        content: ArticleContent,
        *,
        state: ArticleState,
        search_title: str,
        search_body: str,
        at: datetime,
        starter: bool = False,
    ) -> Article:
        """A new article by this unit of work's actor, revision 1."""

    @abstractmethod
    def update_article(
        self,
        article: Article,
        *,
        expected_revision: int,
        content: ArticleContent,
        state: ArticleState,
        search_title: str,
        search_body: str,
        at: datetime,
        published_at: datetime | None,
    ) -> Article | None:
        """Compare-and-set: change it only if its revision is still ``expected_revision``
        (raising it by one); None when another change came first."""

    @abstractmethod
    def delete_article(self, article: Article) -> None:
        """The article, its revisions, images' rows and everyone's progress on it."""

    @abstractmethod
    def add_revision(
        self, article: Article, action: RevisionAction, changed: Sequence[str]
    ) -> None:
        """Keep the article as it now is as its revision ``article.revision``."""

    @abstractmethod
    def set_notebook(self, article: Article, notebook: NotebookInfo | None) -> None: ...

    @abstractmethod
    def save_image(self, image: Image, article: Article) -> bool:
        """Record an uploaded image; False when the article has it already."""

    @abstractmethod
    def set_progress(self, user: str, article: Article, task: str, done: bool) -> None: ...

    @abstractmethod
    def mark_seeded(self, slug: str, at: datetime) -> bool:
        """Note that the starter article ``slug`` was loaded; False when it was before (even
        if an instructor deleted it since)."""


class InstructionsStore(Transactional[InstructionsTx], Protocol):
    def articles(self) -> list[Article]:
        """Every article, by position."""
        ...

    def article(self, slug: str) -> Article | None: ...

    def search_articles(self, text: str, terms: Sequence[Term]) -> list[int]:
        """Ids of the articles whose texts match, best first (the database's full-text
        engine, both languages)."""
        ...

    def article_progress(self, user: str, article_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """The task keys ``user`` ticked, per article."""
        ...

    def article_revisions(self, article_id: int) -> list[Revision]:
        """Newest first."""
        ...

    def article_revision(self, article_id: int, number: int) -> Revision | None: ...

    def article_images(self, article_id: int) -> list[Image]: ...

    def article_image(self, article_id: int, image_id: str) -> Image | None: ...


@runtime_checkable
class ImageHeaders(Protocol):
    def size(self, data: bytes, kind: ImageKind) -> tuple[int, int] | None:
        """Width and height from the image's header, read as ``kind``; None when the header
        does not decode as that kind (a PNG signature before garbage)."""


@runtime_checkable
class NotebookCheck(Protocol):
    def problem(self, data: bytes) -> str | None:
        """None for a valid nbformat 4 notebook, else ``not_json`` or ``not_nbformat4``."""
