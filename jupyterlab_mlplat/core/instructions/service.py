"""Articles from an instructor's draft to a reader's ticks: writing, revisions, publishing,
who sees what, search, progress, images, the example notebook and the starter set.

Every change carries the revision the editor showed and runs in one transaction that locks the
article, checks the revision (a stale one is 409 naming who saved since and when, and nothing
changes), checks the content, and writes the article, its revision (kept whole) and its audit
record together. Two instructors at once: the second waits for the first's transaction, then
finds the revision moved.

Reads apply the audience on every path: an article a caller may not see is the same 404 as one
that does not exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime

from jupyterlab_mlplat.core.kernel import naming
from jupyterlab_mlplat.core.kernel.identity import Identity
from jupyterlab_mlplat.core.kernel.search import parse_terms, search_text
from jupyterlab_mlplat.core.kernel.storage import ObjectStore

from . import rules
from .errors import (
    ArticleAlreadyThere,
    ArticleChanged,
    ArticleExists,
    ArticleNotFound,
    AudienceUnknown,
    ImageInvalid,
    ImageNotFound,
    InstructorOnly,
    NextArticleUnknown,
    NotebookInvalid,
    NotebookNotFound,
    PositionTaken,
    RevisionNotFound,
    TaskUnknown,
)
from .ports import ImageHeaders, InstructionsStore, InstructionsTx, NotebookCheck
from .records import (
    Article,
    ArticleContent,
    ArticleState,
    Image,
    Listed,
    NotebookInfo,
    Progress,
    Reading,
    Revision,
    RevisionAction,
)

#: the longest search text, as the catalog's
MAX_QUERY = 200
#: who loads the starter set (the audit's actor and the articles' author)
SYSTEM = "system"


def image_key(slug: str, image_id: str) -> str:
    return naming.object_key(f"instructions/{slug}/images/{image_id}")


def notebook_key(slug: str) -> str:
    return naming.object_key(f"instructions/{slug}/notebook.ipynb")


class InstructionService:
    def __init__(
        self,
        store: InstructionsStore,
        objects: ObjectStore,
        images: ImageHeaders,
        notebooks: NotebookCheck,
        *,
        startable: Callable[[Identity], Collection[str]],
        known_profiles: Callable[[], Collection[str]] = lambda: (),
        known_groups: Sequence[str] = (),
        limits: rules.Limits | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.objects = objects
        self.image_headers = images
        self.notebooks = notebooks
        #: the profiles a person may start, by the profiles' own rule
        self._startable = startable
        #: every profile's slug, for an audience of profiles (empty: not checked)
        self._known_profiles = known_profiles
        #: groups an audience may name; empty means "do not check" (standalone has none)
        self.known_groups = frozenset(known_groups)
        self.limits = limits or rules.Limits()
        self._now = now

    # ------------------------------------------------------------------ reading
    def articles(self, identity: Identity, query: str = "") -> list[Listed]:
        """The articles the caller may see, by position; with ``query``, those whose texts
        match it, best first."""
        query = search_text(naming.text(query, field="q", limit=MAX_QUERY))
        found = self.store.articles()
        if query:
            ranked = self.store.search_articles(query, parse_terms(query))
            by_id = {a.id: a for a in found}
            found = [by_id[i] for i in ranked if i in by_id]
        visible = self._visible_of(identity, found)
        ticks = self.store.article_progress(identity.name, [a.id for a in visible])
        return [Listed(a, _progress(a, ticks.get(a.id, ()))) for a in visible]

    def read(self, identity: Identity, slug: str) -> Reading:
        article = self._readable(identity, slug)
        ticks = self.store.article_progress(identity.name, [article.id]).get(article.id, ())
        next_title = None
        following = article.content.next_article
        if following:
            after = self.store.article(following)
            if after is not None and self._may_read(identity, after):
                next_title = after.content.title
        return Reading(
            article,
            _progress(article, ticks),
            next_title,
            editable=rules.may_edit(identity),
        )

    def source(self, identity: Identity, slug: str) -> tuple[Article, list[Image]]:
        """The article as its editor opens it, with its images."""
        self._require_instructor(identity)
        article = self._readable(identity, slug)
        return article, self.store.article_images(article.id)

    def revisions(self, identity: Identity, slug: str) -> list[Revision]:
        self._require_instructor(identity)
        return self.store.article_revisions(self._readable(identity, slug).id)

    def revision(self, identity: Identity, slug: str, number: int) -> Revision:
        self._require_instructor(identity)
        found = self.store.article_revision(self._readable(identity, slug).id, number)
        if found is None:
            raise RevisionNotFound(
                f"The article has no revision {number}.", params={"number": number}
            )
        return found

    def image(self, identity: Identity, slug: str, image_id: str) -> tuple[Image, bytes]:
        """An image of an article the caller may read, and its bytes."""
        article = self._readable(identity, slug)
        found = None
        if rules.image_id(image_id) is not None:
            found = self.store.article_image(article.id, image_id)
        if found is None:
            raise ImageNotFound("The article has no such image.", params={"id": image_id[:40]})
        return found, self.objects.get(image_key(article.slug, found.id))

    def notebook(self, identity: Identity, slug: str) -> tuple[NotebookInfo, bytes]:
        """The example notebook of an article the caller may read, and its bytes."""
        article = self._readable(identity, slug)
        if article.notebook is None:
            raise NotebookNotFound("The article offers no example notebook.")
        return article.notebook, self.objects.get(notebook_key(article.slug))

    # ------------------------------------------------------------------ progress
    def tick(self, identity: Identity, slug: str, task: str, done: bool) -> Progress:
        """Tick or untick one task for the caller: their own progress, nobody else's. A
        person's ticks are theirs, not a shared object's state: no audit record."""
        article = self._readable(identity, slug)
        if article.content.task(task) is None:
            raise TaskUnknown(
                f"The article has no task {task[:40]!r}.", "task", params={"task": task[:40]}
            )
        with self.store.transaction(identity.name) as tx:
            tx.set_progress(identity.name, article, task, done)
        ticks = self.store.article_progress(identity.name, [article.id]).get(article.id, ())
        return _progress(article, ticks)

    # ------------------------------------------------------------------ writing
    def create(self, identity: Identity, slug: str, content: ArticleContent) -> Article:
        self._require_instructor(identity)
        slug = rules.slug(slug)
        content = self._checked(content, ())
        with self.store.transaction(identity.name) as tx:
            if tx.get_article(slug) is not None:
                raise ArticleExists(
                    f"An article {slug!r} exists; choose another slug.", params={"slug": slug}
                )
            self._check_neighbours(tx, slug, content)
            article = tx.insert_article(
                slug,
                content,
                state=ArticleState.DRAFT,
                at=self._now(),
                starter=False,
                **_search(content),
            )
            tx.add_revision(article, RevisionAction.CREATE, ())
            tx.audit("article.created", "article", slug, revision=1)
        return article

    def save(
        self, identity: Identity, slug: str, revision: int, content: ArticleContent
    ) -> Article:
        """A new revision of the content. A save that changes nothing makes none."""
        self._require_instructor(identity)
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, slug, revision)
            checked = self._checked(content, [t.key for t in current.content.tasks])
            changed = rules.changed_fields(current.content, checked)
            if not changed:
                return current
            self._check_neighbours(tx, current.slug, checked)
            saved = self._update(tx, current, checked, current.state, current.published_at)
            tx.add_revision(saved, RevisionAction.SAVE, changed)
            tx.audit(
                "article.saved", "article", slug, revision=saved.revision, changed=list(changed)
            )
        return saved

    def publish(self, identity: Identity, slug: str, revision: int) -> Article:
        return self._set_state(identity, slug, revision, ArticleState.PUBLISHED)

    def unpublish(self, identity: Identity, slug: str, revision: int) -> Article:
        return self._set_state(identity, slug, revision, ArticleState.DRAFT)

    def delete(self, identity: Identity, slug: str, revision: int) -> None:
        """The article and everything of it: revisions, images, notebook, progress."""
        self._require_instructor(identity)
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, slug, revision)
            images = self.store.article_images(current.id)
            tx.delete_article(current)
            tx.audit("article.deleted", "article", current.slug, revision=current.revision)
        for image in images:
            self.objects.delete(image_key(current.slug, image.id))
        if current.notebook is not None:
            self.objects.delete(notebook_key(current.slug))

    def upload_image(self, identity: Identity, slug: str, data: bytes) -> Image:
        """Keep an image for the article: PNG, JPEG, GIF or WebP by its first bytes, with a
        header that says its size within the limits; its id is its digest."""
        self._require_instructor(identity)
        article = self._readable(identity, slug)
        kind = rules.image_kind(data, self.limits)
        size = self.image_headers.size(data, kind)
        if size is None:
            raise ImageInvalid(
                f"The upload starts like a {kind.upper()} image but its header does not say "
                "its size; it is damaged or not an image.",
                "image",
                params={"rule": "truncated"},
            )
        rules.image_size_allowed(*size, self.limits)
        image = Image(
            id=rules.image_name(hashlib.sha256(data).hexdigest(), kind),
            article=article.slug,
            kind=kind,
            width=size[0],
            height=size[1],
            size=len(data),
            uploaded_by=identity.name,
            uploaded_at=self._now(),
        )
        # the bytes first: a row never names an object that is not there
        self.objects.put(image_key(article.slug, image.id), data)
        with self.store.transaction(identity.name) as tx:
            locked = tx.get_article(article.slug)
            if locked is None:
                raise self._not_found(article.slug)
            if tx.save_image(image, locked):
                tx.audit("article.image_uploaded", "article", article.slug, image=image.id)
        return self.store.article_image(article.id, image.id) or image

    def attach_notebook(
        self, identity: Identity, slug: str, name: str, data: bytes
    ) -> NotebookInfo:
        """Offer an example notebook with the article (it replaces the one before)."""
        self._require_instructor(identity)
        article = self._readable(identity, slug)
        name = rules.notebook_name(name)
        limit = self.limits.max_notebook_bytes
        if len(data) > limit:
            raise NotebookInvalid(
                f"An example notebook may be at most {limit} bytes.",
                "notebook",
                params={"rule": "too_large", "limit": limit},
            )
        problem = self.notebooks.problem(data)
        if problem is not None:
            raise NotebookInvalid(
                "The upload is not a Jupyter notebook (nbformat 4).",
                "notebook",
                params={"rule": problem},
            )
        info = NotebookInfo(name, len(data), identity.name, self._now())
        self.objects.put(notebook_key(article.slug), data)
        with self.store.transaction(identity.name) as tx:
            locked = tx.get_article(article.slug)
            if locked is None:
                raise self._not_found(article.slug)
            tx.set_notebook(locked, info)
            tx.audit("article.notebook_attached", "article", article.slug, name=name)
        return info

    def remove_notebook(self, identity: Identity, slug: str) -> None:
        self._require_instructor(identity)
        with self.store.transaction(identity.name) as tx:
            article = tx.get_article(rules.slug(slug))
            if article is None:
                raise self._not_found(slug)
            if article.notebook is None:
                raise NotebookNotFound("The article offers no example notebook.")
            tx.set_notebook(article, None)
            tx.audit("article.notebook_removed", "article", article.slug)
        self.objects.delete(notebook_key(article.slug))

    def seed(self, starters: Sequence[tuple[str, ArticleContent]]) -> list[str]:
        """Load the starter set: each slug once ever, published, as ``system``. A slug loaded
        before is left alone (edited or deleted by an instructor); one an instructor took
        first is left alone too. Returns the slugs loaded now."""
        loaded: list[str] = []
        with self.store.transaction(SYSTEM) as tx:
            for slug, content in starters:
                if not tx.mark_seeded(slug, self._now()):
                    continue
                if tx.get_article(slug) is not None:
                    continue
                if tx.slug_at_position(content.position) is not None:
                    content = _moved(content, tx.max_position() + 1)
                article = tx.insert_article(
                    slug,
                    content,
                    state=ArticleState.PUBLISHED,
                    at=self._now(),
                    starter=True,
                    **_search(content),
                )
                tx.add_revision(article, RevisionAction.CREATE, ())
                loaded.append(slug)
            if loaded:
                tx.audit("articles.seeded", "article", "*", slugs=loaded)
        return loaded

    # ------------------------------------------------------------------ helpers
    def _set_state(
        self, identity: Identity, slug: str, revision: int, state: ArticleState
    ) -> Article:
        self._require_instructor(identity)
        with self.store.transaction(identity.name) as tx:
            current = self._current(tx, slug, revision)
            if current.state is state:
                raise ArticleAlreadyThere(
                    f"The article is already {state.value}.", params={"state": state.value}
                )
            published = state is ArticleState.PUBLISHED
            at = self._now()
            saved = self._update(
                tx, current, current.content, state, at if published else current.published_at
            )
            action = RevisionAction.PUBLISH if published else RevisionAction.UNPUBLISH
            tx.add_revision(saved, action, ("state",))
            verb = "published" if published else "unpublished"
            tx.audit(f"article.{verb}", "article", current.slug, revision=saved.revision)
        return saved

    def _update(
        self,
        tx: InstructionsTx,
        current: Article,
        content: ArticleContent,
        state: ArticleState,
        published_at: datetime | None,
    ) -> Article:
        saved = tx.update_article(
            current,
            expected_revision=current.revision,
            content=content,
            state=state,
            at=self._now(),
            published_at=published_at,
            **_search(content),
        )
        if saved is None:  # the row is locked on PostgreSQL; SQLite writers are serialised
            raise self._changed(tx.get_article(current.slug) or current, current.revision)
        return saved

    def _current(self, tx: InstructionsTx, slug: str, revision: int) -> Article:
        current = tx.get_article(rules.slug(slug))
        if current is None:
            raise self._not_found(slug)
        if current.revision != revision:
            raise self._changed(current, revision)
        return current

    @staticmethod
    def _changed(current: Article, yours: int) -> ArticleChanged:
        at = current.updated_at.isoformat()
        return ArticleChanged(
            f"{current.updated_by} changed the article at {at} (revision {current.revision}, "
            f"yours {yours}); nothing was overwritten. Reload it and apply your change again.",
            params={
                "slug": current.slug,
                "by": current.updated_by,
                "at": at,
                "revision": current.revision,
                "yours": yours,
            },
        )

    def _checked(self, content: ArticleContent, keys_before: Sequence[str]) -> ArticleContent:
        keyed = rules.with_task_keys(content.tasks, taken=keys_before)
        content = ArticleContent(**{**vars(content), "tasks": keyed})
        return rules.check_content(content, self.limits)

    def _check_neighbours(self, tx: InstructionsTx, slug: str, content: ArticleContent) -> None:
        """The rules that read other articles and the hub: the next article exists and is
        another one, the position is free, the groups and profiles exist."""
        following = content.next_article
        if following is not None and (following == slug or tx.get_article(following) is None):
            raise NextArticleUnknown(
                f"next_article {following!r} is no other article.",
                "next_article",
                params={"slug": following},
            )
        holder = tx.slug_at_position(content.position)
        if holder is not None and holder != slug:
            raise PositionTaken(
                f"position {content.position} is the place of {holder!r}; choose another.",
                "position",
                params={"position": content.position, "slug": holder},
            )
        if self.known_groups:
            self._known("groups", content.groups, self.known_groups)
        profiles = frozenset(self._known_profiles())
        if profiles:
            self._known("profiles", content.profiles, profiles)

    @staticmethod
    def _known(field: str, named: Sequence[str], known: Collection[str]) -> None:
        for index, value in enumerate(named):
            if value not in known:
                raise AudienceUnknown(
                    f"{field} names {value[:80]!r}, which does not exist.",
                    f"{field}.{index}",
                    params={"field": f"{field}.{index}", "value": value[:80]},
                )

    def _readable(self, identity: Identity, slug: str) -> Article:
        article = self.store.article(rules.slug(slug))
        if article is None or not self._may_read(identity, article):
            raise self._not_found(slug)
        return article

    def _may_read(self, identity: Identity, article: Article) -> bool:
        startable = None
        if not rules.may_edit(identity) and article.content.profiles:
            startable = self._startable(identity)
        return rules.may_read(identity, article, startable)

    def _visible_of(self, identity: Identity, articles: Sequence[Article]) -> list[Article]:
        startable: Collection[str] | None = None
        if not rules.may_edit(identity) and any(a.content.profiles for a in articles):
            startable = self._startable(identity)
        return [a for a in articles if rules.may_read(identity, a, startable)]

    @staticmethod
    def _not_found(slug: str) -> ArticleNotFound:
        named = slug if len(slug) <= 63 else slug[:60] + "…"
        return ArticleNotFound(f"There is no article {named!r}.", params={"slug": named})

    @staticmethod
    def _require_instructor(identity: Identity) -> None:
        if not rules.may_edit(identity):
            raise InstructorOnly("Only instructors write articles.")


def _progress(article: Article, ticked: Sequence[str]) -> Progress:
    """The ticks that name a task the article still has, in the article's order."""
    keys = [t.key for t in article.content.tasks]
    done = set(ticked)
    return Progress(tuple(k for k in keys if k in done), len(keys))


def _search(content: ArticleContent) -> dict[str, str]:
    """What the store's full-text index reads: the titles apart (they rank first)."""
    title = f"{content.title.en}\n{content.title.ru}"
    return {"search_title": title, "search_body": "\n".join(rules.texts(content, title=False))}


def _moved(content: ArticleContent, position: int) -> ArticleContent:
    return ArticleContent(**{**vars(content), "position": position})
