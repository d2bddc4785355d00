"""Pure decisions about articles: what a saved article may hold, which product actions its links
may name, who sees it, what changed between two revisions, and what an upload's first bytes
say it is.

The service asks; nothing here reads a store.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

# imported for its declaration of the generic field reasons (field_too_long, …)
from jupyterlab_mlplat.core.kernel import fields as _generic_field_reasons  # noqa: F401
from jupyterlab_mlplat.core.kernel import naming
from jupyterlab_mlplat.core.kernel.errors import FieldProblem, InvalidInput
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from .errors import (
    ArticleInvalid,
    ArticleTooLong,
    ImageInvalid,
    NotebookInvalid,
    RevisionNotFound,
    UnknownProductAction,
)
from .records import (
    MAX_ARTICLE_CHARS,
    MAX_AUDIENCE,
    MAX_MARKDOWN,
    MAX_SUMMARY,
    MAX_TASKS,
    MAX_TITLE,
    NOTEBOOK_NAME_MAX,
    SUFFIXES,
    Article,
    ArticleContent,
    ArticleState,
    Audience,
    ImageKind,
    Task,
    Text,
)

#: THE closed list of product actions an article's Markdown may link to
#: (``[Open Experiments](mlplat:open-tab/experiments)``); the Instructions tab runs them
PRODUCT_ACTIONS: tuple[str, ...] = (
    "mlplat:open-tab/experiments",
    "mlplat:open-tab/git",
    "mlplat:open-tab/models",
    "mlplat:open-tab/reviews",
    "mlplat:open-tab/deployments",
    "mlplat:open-tab/instructions",
    #: start tracking the notebook the person has open (the Experiments tab's own command)
    "mlplat:track-notebook",
    #: copy this article's example notebook into the person's home and open it
    "mlplat:open-notebook",
)
#: a product action as Markdown writes it: the scheme, then everything up to a space or the
#: end of a link or tag; matched anywhere, so a raw HTML ``href`` is checked too
_ACTION = re.compile(r"mlplat:[^\s()\[\]<>\"'`]*", re.IGNORECASE)

#: an article's slug as a path carries it (the documents declare the same pattern)
SLUG_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
#: an image's id as a path carries it
IMAGE_ID_PATTERN = r"^[0-9a-f]{32}\.(png|jpg|gif|webp)$"
_IMAGE_ID = re.compile(IMAGE_ID_PATTERN)
_TASK_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_NOTEBOOK_NAME = re.compile(r"[^/\\\x00-\x1f\x7f]+\.ipynb")


@dataclass(frozen=True)
class Limits:
    """What the platform's traits allow, each at most the wire's ceiling."""

    max_tasks: int = MAX_TASKS
    max_article_chars: int = MAX_ARTICLE_CHARS
    max_image_bytes: int = 5 * 1024 * 1024
    #: the longest side of an image, in pixels (a small file may claim a huge canvas)
    max_image_side: int = 8000
    max_notebook_bytes: int = 10 * 1024 * 1024


def slug(value: str, *, field: str = "slug") -> str:
    """An article's slug: a DNS-1123 label, so it is safe in a path, a key and a URL."""
    return naming.dns_label(value, field=field)


def image_id(value: str) -> str | None:
    """The id a path names when it is one an upload could have made, else None (a 404)."""
    return value if _IMAGE_ID.fullmatch(value) else None


# ---------------------------------------------------------------- who sees what
def may_edit(identity: Identity) -> bool:
    return identity.has(Role.INSTRUCTOR)


def may_read(
    identity: Identity, article: Article, startable_profiles: Collection[str] | None
) -> bool:
    """Instructors read everything; others read a published article aimed at them: everyone,
    one of their groups, or a profile they may start (``startable_profiles``: the slugs the
    profiles' own rule lets them start; None when the article's audience needs none)."""
    if may_edit(identity):
        return True
    if article.state is not ArticleState.PUBLISHED:
        return False
    content = article.content
    if content.audience is Audience.EVERYONE:
        return True
    if content.audience is Audience.GROUPS:
        return bool(set(content.groups) & set(identity.groups))
    return bool(set(content.profiles) & set(startable_profiles or ()))


# ---------------------------------------------------------------- what a save may hold
def _text(value: Text, field: str, limit: int, *, lines: bool) -> None:
    for language in ("en", "ru"):
        naming.text(
            getattr(value, language),
            field=f"{field}.{language}",
            limit=limit,
            lines=lines,
            bidi=lines,
        )


def _markdown(value: Text, field: str) -> None:
    _text(value, field, MAX_MARKDOWN, lines=True)
    for language in ("en", "ru"):
        for link in _ACTION.findall(getattr(value, language)):
            if link.rstrip(".,;:!?") not in PRODUCT_ACTIONS:
                where = f"{field}.{language}"
                raise UnknownProductAction(
                    f"{where} links to {link[:80]!r}, which is no product action; the actions "
                    f"are {', '.join(PRODUCT_ACTIONS)}.",
                    where,
                    params={
                        "field": where,
                        "action": link[:80],
                        "known": ",".join(PRODUCT_ACTIONS),
                    },
                )


def _invalid(field: str, rule: str, said: str, **params: str | int) -> ArticleInvalid:
    return ArticleInvalid(f"{field} {said}", field, params={"field": field, "rule": rule, **params})


def _title(value: Text, field: str) -> None:
    _text(value, field, MAX_TITLE, lines=False)
    if value.empty:
        raise _invalid(field, "empty", "needs words in at least one language.")


class _Broken:
    """Every rule a save breaks, not the first only: the editor shows each at its field, in
    one answer. The refusal is the first rule's error (its reason and message say it, as
    before), with every broken field's message and field reason added."""

    def __init__(self) -> None:
        self.errors: list[InvalidInput] = []

    @contextmanager
    def rule(self) -> Iterator[None]:
        try:
            yield
        except InvalidInput as error:
            self.errors.append(error)

    def raise_first(self) -> None:
        if not self.errors:
            return
        messages: dict[str, str] = {}
        problems: dict[str, FieldProblem] = {}
        for error in self.errors:
            path = error.field or "body"
            if path not in messages:
                messages[path] = error.message
                problems[path] = _field_problem(error, path)
        first = self.errors[0]
        first.fields, first.field_reasons = messages, problems
        raise first


def _field_problem(error: InvalidInput, path: str) -> FieldProblem:
    """A broken rule as a field reason a form translates (the generic ones: too long, too
    many, required, control characters); the English message keeps the details."""
    if error.field_reasons and path in error.field_reasons:
        return error.field_reasons[path]
    rule, limit = error.params.get("rule"), error.params.get("limit")
    if rule == "too_long" and limit is not None:
        return FieldProblem("field_too_long", {"max_length": limit})
    if rule == "too_many" and limit is not None:
        return FieldProblem("field_too_many", {"max_length": limit})
    if rule in ("empty", "missing"):
        return FieldProblem("field_required")
    if rule in ("control", "nul"):
        return FieldProblem("text_control")
    if rule == "bidi":
        return FieldProblem("text_bidi")
    return FieldProblem("field_invalid")


def check_content(content: ArticleContent, limits: Limits) -> ArticleContent:
    """The article as it may be saved, or a 400 naming every field that breaks a rule (the
    first one's reason and message, each field's in ``fields``). Rules that need other
    articles (next, position) or the hub (groups, profiles) are the service's."""
    broken = _Broken()
    with broken.rule():
        _title(content.title, "title")
    with broken.rule():
        _text(content.summary, "summary", MAX_SUMMARY, lines=False)
    with broken.rule():
        _markdown(content.introduction, "introduction")
    with broken.rule():
        _markdown(content.conclusion, "conclusion")
    with broken.rule():
        if len(content.tasks) > limits.max_tasks:
            raise _invalid(
                "tasks",
                "too_many",
                f"may hold at most {limits.max_tasks} tasks.",
                limit=limits.max_tasks,
            )
    seen: set[str] = set()
    for number, task in enumerate(content.tasks):
        where = f"tasks.{number}"
        with broken.rule():
            if task.key in seen:
                raise _invalid(f"{where}.key", "duplicate", "names a task key twice.")
            seen.add(task.key)
        with broken.rule():
            _title(task.title, f"{where}.title")
        for part in ("body", "check", "help"):
            with broken.rule():
                _markdown(getattr(task, part), f"{where}.{part}")
    for name in ("groups", "profiles"):
        with broken.rule():
            values: tuple[str, ...] = getattr(content, name)
            if len(values) > MAX_AUDIENCE:
                raise _invalid(
                    name, "too_many", f"may name at most {MAX_AUDIENCE}.", limit=MAX_AUDIENCE
                )
            if len(set(values)) != len(values):
                raise _invalid(name, "duplicate", "names a value twice.")
            for index, value in enumerate(values):
                naming.text(value, field=f"{name}.{index}", limit=255)
    with broken.rule():
        if content.audience is Audience.GROUPS and not content.groups:
            raise _invalid("groups", "missing", "must name a group when the audience is groups.")
        if content.audience is Audience.PROFILES and not content.profiles:
            raise _invalid(
                "profiles", "missing", "must name a profile when the audience is profiles."
            )
    with broken.rule():
        if content.next_article is not None:
            slug(content.next_article, field="next_article")
    broken.raise_first()
    total = sum(len(t) for t in texts(content))
    if total > limits.max_article_chars:
        raise ArticleTooLong(
            f"The article's texts are {total} characters together; at most "
            f"{limits.max_article_chars} are allowed.",
            "body",
            params={"limit": limits.max_article_chars, "size": total},
        )
    return content


def texts(content: ArticleContent, *, title: bool = True) -> Iterable[str]:
    """Every text of the article, both languages: what its length and its search count
    (``title=False``: all but the article's title)."""
    parts: list[Text] = [content.summary, content.introduction, content.conclusion]
    if title:
        parts.insert(0, content.title)
    for task in content.tasks:
        parts.extend((task.title, task.body, task.check, task.help))
    for part in parts:
        yield part.en
        yield part.ru


def with_task_keys(tasks: Iterable[Task], *, taken: Iterable[str] = ()) -> tuple[Task, ...]:
    """Tasks as saved: a task sent without a key (a new one, ``key=""``) gets the first free
    ``tN``; keys sent are kept, so a reader's ticks follow the task through reordering and
    rewording. ``taken``: the keys the article had before, never given to a new task (a
    reader's tick of a deleted task must not tick its successor)."""
    listed = list(tasks)
    used = {t.key for t in listed if t.key} | set(taken)
    counter = 1
    keyed: list[Task] = []
    for task in listed:
        if task.key:
            keyed.append(task)
            continue
        while f"t{counter}" in used:
            counter += 1
        used.add(f"t{counter}")
        keyed.append(replace(task, key=f"t{counter}"))
    return tuple(keyed)


def task_key(value: str, *, field: str = "task") -> str:
    if not _TASK_KEY.fullmatch(value):
        raise ArticleInvalid(
            f"{field} must be 1-32 lower-case letters, digits or '-'.",
            field,
            params={"field": field, "rule": "characters"},
        )
    return value


# ---------------------------------------------------------------- what changed
def changed_fields(before: ArticleContent | None, after: ArticleContent) -> tuple[str, ...]:
    """The content's fields that differ (``title.ru``, ``tasks.1.check.en``, ``tasks`` when
    tasks were added, removed or reordered): what a revision says it changed."""
    if before is None:
        return ()
    changed: list[str] = []
    for item in fields(ArticleContent):
        name = item.name
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if isinstance(old, Text):
            changed.extend(
                f"{name}.{lang}"
                for lang in ("en", "ru")
                if getattr(old, lang) != getattr(new, lang)
            )
        elif name == "tasks":
            changed.extend(_changed_tasks(old, new))
        else:
            changed.append(name)
    return tuple(changed)


def _changed_tasks(old: tuple[Task, ...], new: tuple[Task, ...]) -> list[str]:
    if [t.key for t in old] != [t.key for t in new]:
        return ["tasks"]
    changed: list[str] = []
    for number, (a, b) in enumerate(zip(old, new, strict=True)):
        for part in ("title", "body", "check", "help"):
            x, y = getattr(a, part), getattr(b, part)
            changed.extend(
                f"tasks.{number}.{part}.{lang}"
                for lang in ("en", "ru")
                if getattr(x, lang) != getattr(y, lang)
            )
    return changed


# ---------------------------------------------------------------- uploads
#: the first bytes of each kind an article may carry
_MAGIC: tuple[tuple[bytes, ImageKind], ...] = (
    (b"\x89PNG\r\n\x1a\n", ImageKind.PNG),
    (b"\xff\xd8\xff", ImageKind.JPEG),
    (b"GIF87a", ImageKind.GIF),
    (b"GIF89a", ImageKind.GIF),
)
_SVG = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+svg[^>]*>\s*)?<svg",
    re.IGNORECASE | re.DOTALL,
)


def image_kind(data: bytes, limits: Limits) -> ImageKind:
    """What the upload's first bytes say it is, or ``ImageInvalid``: only PNG, JPEG, GIF and
    WebP; SVG is refused by name (it is a document that runs scripts, not a picture)."""
    if not data:
        raise ImageInvalid("The upload is empty.", "image", params={"rule": "empty"})
    if len(data) > limits.max_image_bytes:
        raise ImageInvalid(
            f"An image may be at most {limits.max_image_bytes} bytes.",
            "image",
            params={"rule": "too_large", "limit": limits.max_image_bytes},
        )
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ImageKind.WEBP
    if _SVG.match(data[:4096]):
        raise ImageInvalid(
            "SVG images are refused: an SVG is a document that can carry scripts and links. "
            "Upload a PNG, JPEG, GIF or WebP.",
            "image",
            params={"rule": "svg"},
        )
    raise ImageInvalid(
        "The upload is not a PNG, JPEG, GIF or WebP image.",
        "image",
        params={"rule": "not_an_image"},
    )


def image_size_allowed(width: int, height: int, limits: Limits) -> None:
    if width < 1 or height < 1:
        raise ImageInvalid(
            "The image's header does not say its size.", "image", params={"rule": "truncated"}
        )
    if max(width, height) > limits.max_image_side:
        raise ImageInvalid(
            f"An image may be at most {limits.max_image_side} pixels a side.",
            "image",
            params={"rule": "too_many_pixels", "limit": limits.max_image_side},
        )


def image_name(digest: str, kind: ImageKind) -> str:
    """An image's id: its content's digest (so the same picture uploaded twice is one image)
    and its kind's suffix."""
    return f"{digest[:32]}.{SUFFIXES[kind]}"


def notebook_name(value: str) -> str:
    """The example notebook's file name: a plain name ending in ``.ipynb``; it becomes a file
    in a person's home only through the sidebar's own checks (``core/kernel/naming.py``)."""
    if (
        len(value) > NOTEBOOK_NAME_MAX
        or not _NOTEBOOK_NAME.fullmatch(value)
        or value.startswith(".")
    ):
        raise NotebookInvalid(
            f"The notebook's name must be a file name ending in .ipynb, at most "
            f"{NOTEBOOK_NAME_MAX} characters.",
            "name",
            params={"rule": "name", "limit": NOTEBOOK_NAME_MAX},
        )
    naming.text(value, field="name", limit=NOTEBOOK_NAME_MAX)
    return value


def revision_number(raw: str) -> int:
    """A revision's number as a path carries it: digits only, else no such revision."""
    if not re.fullmatch(r"[1-9][0-9]{0,8}", raw):
        raise RevisionNotFound("The article has no such revision.", params={"number": raw[:20]})
    return int(raw)


#: how many numbered names a copy tries before giving up
MAX_COPIES = 100


def copy_names(name: str) -> Iterable[str]:
    """Where a copy of the example notebook ``name`` may go in a home, in order: the name,
    then ``stem-1.ipynb`` …; the name is checked again (it came from the platform), and is a
    plain file name, so a copy lands at the home's top and nowhere else."""
    name = naming.file_path(notebook_name(name), field="name")
    yield name
    stem = name[: -len(".ipynb")]
    for number in range(1, MAX_COPIES):
        yield f"{stem}-{number}.ipynb"
