"""The instructions' pure rules: what a save may hold, what an upload's first bytes say, what
changed between revisions, who reads what, where a copy goes, and the shipped starter set."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from jupyterlab_mlplat.adapters.documents import NbformatNotebooks, PillowImages
from jupyterlab_mlplat.core.instructions.errors import (
    ArticleInvalid,
    ArticleTooLong,
    ImageInvalid,
    NotebookInvalid,
    UnknownProductAction,
)
from jupyterlab_mlplat.core.instructions.records import (
    Article,
    ArticleContent,
    ArticleState,
    Audience,
    ImageKind,
    Language,
    Task,
    Text,
)
from jupyterlab_mlplat.core.instructions.rules import (
    PRODUCT_ACTIONS,
    Limits,
    changed_fields,
    check_content,
    copy_names,
    image_kind,
    may_read,
    with_task_keys,
)
from jupyterlab_mlplat.core.instructions.starter import StarterInvalid, starter_set
from jupyterlab_mlplat.core.kernel.errors import TextInvalid
from jupyterlab_mlplat.core.kernel.identity import Identity, Role
from tests.instructions.conftest import notebook, png

STARTER = Path(__file__).resolve().parents[2] / "jupyterlab_mlplat/instructions/starter"
BASE = ArticleContent(
    title=Text("Guide", "Руководство"),
    tasks=(Task("t1", Text("One", "Раз")), Task("t2", Text("Two", "Два"))),
)


def _image(kind: str, size: tuple[int, int] = (12, 7)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size).save(out, kind)
    return out.getvalue()


def test_a_reader_gets_their_language_text_by_text_falling_back_to_the_other() -> None:
    assert Text("Hello", "Привет").read(Language.RU) == "Привет"
    assert Text("Hello", "").read(Language.RU) == "Hello"
    assert Text("", "Привет").read(Language.EN) == "Привет"


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"title": Text("", " ")}, ArticleInvalid, "title"),
        ({"title": Text("x" * 201)}, TextInvalid, "title.en"),
        ({"introduction": Text("", "[x](mlplat:rm-rf)")}, UnknownProductAction, "introduction.ru"),
        ({"conclusion": Text('<a href="MLPLAT:open-tab/secret">')}, UnknownProductAction, None),
        ({"tasks": (Task("t1", Text("a")), Task("t1", Text("b")))}, ArticleInvalid, "tasks.1.key"),
        ({"tasks": (Task("t1", Text("")),)}, ArticleInvalid, "tasks.0.title"),
        ({"audience": Audience.GROUPS}, ArticleInvalid, "groups"),
        ({"audience": Audience.PROFILES}, ArticleInvalid, "profiles"),
        ({"groups": ("a", "a")}, ArticleInvalid, "groups"),
        ({"summary": Text("tab\there")}, TextInvalid, "summary.en"),
    ],
)
def test_a_save_that_breaks_a_rule_names_the_field(
    change: dict[str, object], error: type[Exception], field: str | None
) -> None:
    with pytest.raises(error) as refused:
        check_content(replace(BASE, **change), Limits())  # type: ignore[arg-type]
    if field is not None:
        assert refused.value.field == field  # type: ignore[attr-defined]


def test_a_save_that_breaks_several_rules_names_every_field_at_once() -> None:
    # what an instructor met: one refusal a Save, five Saves for five mistakes
    broken = replace(
        BASE,
        title=Text("x" * 201),
        introduction=Text("See [the tab](mlplat:rm-rf)."),
        tasks=(Task("t1", Text("")), Task("t1", Text("b"))),
        audience=Audience.GROUPS,
    )
    with pytest.raises(TextInvalid) as refused:  # the first rule's error, as before
        check_content(broken, Limits())
    error = refused.value
    assert error.field == "title.en"
    assert error.fields is not None and error.field_reasons is not None
    assert set(error.fields) == {
        "title.en",
        "introduction.en",
        "tasks.0.title",
        "tasks.1.key",
        "groups",
    }
    reasons = {path: problem.reason for path, problem in error.field_reasons.items()}
    assert reasons == {
        "title.en": "field_too_long",
        "introduction.en": "field_invalid",
        "tasks.0.title": "field_required",
        "tasks.1.key": "field_invalid",
        "groups": "field_required",
    }
    assert error.field_reasons["title.en"].params == {"max_length": 200}
    assert "mlplat:rm-rf" in error.fields["introduction.en"]  # the English keeps the detail


def test_every_product_action_is_accepted_and_the_limits_are_the_traits() -> None:
    links = " ".join(f"[a]({action})." for action in PRODUCT_ACTIONS)
    check_content(replace(BASE, introduction=Text(links, links)), Limits())
    many = tuple(Task(f"k{n}", Text("t")) for n in range(3))
    with pytest.raises(ArticleInvalid) as refused:
        check_content(replace(BASE, tasks=many), Limits(max_tasks=2))
    assert refused.value.params == {"field": "tasks", "rule": "too_many", "limit": 2}
    long = Text("x" * 30_000, "y" * 30_000)
    with pytest.raises(ArticleTooLong) as too_long:
        check_content(replace(BASE, introduction=long), Limits(max_article_chars=50_000))
    assert too_long.value.params["limit"] == 50_000


def test_new_tasks_get_keys_nobody_had_so_old_ticks_never_tick_them() -> None:
    tasks = (Task("", Text("new")), Task("t3", Text("kept")), Task("", Text("newer")))
    keyed = with_task_keys(tasks, taken=("t1",))
    assert [t.key for t in keyed] == ["t2", "t3", "t4"]


def test_a_revision_names_the_fields_that_changed() -> None:
    retitled = replace(BASE, title=Text("Guide", "Гид"), minutes=20)
    assert changed_fields(BASE, retitled) == ("title.ru", "minutes")
    reworded = replace(BASE, tasks=(BASE.tasks[0], replace(BASE.tasks[1], check=Text("ok"))))
    assert changed_fields(BASE, reworded) == ("tasks.1.check.en",)
    assert changed_fields(BASE, replace(BASE, tasks=BASE.tasks[::-1])) == ("tasks",)
    assert changed_fields(BASE, BASE) == ()


@pytest.mark.parametrize(
    ("data", "kind"),
    [(kind.name, kind) for kind in ImageKind],
)
def test_an_image_is_known_by_its_first_bytes_and_its_header_gives_its_size(
    data: str, kind: ImageKind
) -> None:
    raw = _image(data)
    assert image_kind(raw, Limits()) is kind
    assert PillowImages().size(raw, kind) == (12, 7)


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"", "empty"),
        (b"GIF8", "not_an_image"),
        (b"%PDF-1.7 not a picture", "not_an_image"),
        (b"<?xml version='1.0'?><svg onload='alert(1)'/>", "svg"),
        (b"  <!-- hi --><SVG xmlns='http://www.w3.org/2000/svg'/>", "svg"),
        (b"x" * 2_000, "too_large"),
    ],
)
def test_anything_else_is_refused_with_its_rule(data: bytes, rule: str) -> None:
    with pytest.raises(ImageInvalid) as refused:
        image_kind(data, Limits(max_image_bytes=1_000))
    assert refused.value.params["rule"] == rule


def test_a_header_that_does_not_decode_or_lies_about_its_kind_gives_no_size() -> None:
    assert PillowImages().size(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, ImageKind.PNG) is None
    assert PillowImages().size(_image("GIF"), ImageKind.PNG) is None
    assert PillowImages().size(png()[:20], ImageKind.PNG) is None


def test_a_notebook_must_be_nbformat_4() -> None:
    check = NbformatNotebooks()
    assert check.problem(notebook()) is None
    assert check.problem(b"{not json") == "not_json"
    assert check.problem(b'{"nbformat": 3, "cells": []}') == "not_nbformat4"
    assert check.problem(b'{"nbformat": 4, "cells": "nope"}') == "not_nbformat4"


def test_who_reads_what() -> None:
    ivan = Identity("ivan", roles=(Role.DATA_SCIENTIST, Role.INSTRUCTOR))
    alice = Identity("alice", ("data-scientists",))
    bob = Identity("bob", ("transport",))
    at = BASE  # a draft: instructors only
    draft = Article(1, "a", ArticleState.DRAFT, at, 1, *([None] * 4))  # type: ignore[arg-type]
    assert may_read(ivan, draft, None) and not may_read(alice, draft, None)
    groups = replace(
        draft,
        state=ArticleState.PUBLISHED,
        content=replace(BASE, audience=Audience.GROUPS, groups=("transport",)),
    )
    assert may_read(bob, groups, None) and not may_read(alice, groups, None)
    gpu = replace(groups, content=replace(BASE, audience=Audience.PROFILES, profiles=("gpu-1",)))
    assert may_read(alice, gpu, ["cpu-small", "gpu-1"]) and not may_read(alice, gpu, ["cpu-small"])


def test_a_copy_of_the_notebook_is_a_plain_name_then_numbered() -> None:
    names = copy_names("intro.ipynb")
    assert [next(names) for _ in range(3)] == ["intro.ipynb", "intro-1.ipynb", "intro-2.ipynb"]
    for bad in ("../intro.ipynb", "a/b.ipynb", "intro.py", ".hidden.ipynb", "x\x00.ipynb"):
        with pytest.raises(NotebookInvalid):
            next(copy_names(bad))


def test_the_starter_set_is_five_articles_in_both_languages_that_pass_every_rule() -> None:
    files = {f.name: f.read_text("utf-8") for f in STARTER.glob("*.md")}
    articles = starter_set(files)
    assert [slug for slug, _ in articles] == [
        "track-a-notebook",
        "compare-runs",
        "commit-and-push",
        "register-and-publish",
        "deploy-and-call",
    ]
    slugs = {slug for slug, _ in articles}
    for _slug, article in articles:
        check_content(article, Limits())
        assert article.next_article is None or article.next_article in slugs
        assert article.tasks and article.introduction.ru and article.conclusion.en
        for task in article.tasks:
            for text in (task.title, task.body, task.check, task.help):
                assert text.en and text.ru, (_slug, task.key)
    assert "mlplat:track-notebook" in articles[0][1].tasks[0].body.en


def test_a_starter_set_whose_languages_disagree_is_refused() -> None:
    en = (STARTER / "compare-runs.en.md").read_text("utf-8")
    ru = (STARTER / "compare-runs.ru.md").read_text("utf-8")
    with pytest.raises(StarterInvalid):
        starter_set({"compare-runs.en.md": en})
    with pytest.raises(StarterInvalid):
        starter_set({"compare-runs.en.md": en, "compare-runs.ru.md": ru.split("## Task:")[0]})
